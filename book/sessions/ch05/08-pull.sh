#cd "${0%/*}" && { docker-registry serve $REGISTRY_CONFIG >/dev/null 2>&1 & echo $! >registry.pid; } && sleep 1
skopeo copy --insecure-policy --dest-tls-verify=false oci:$IMG:base docker://127.0.0.1:5099/busybox:latest
curl -s http://127.0.0.1:5099/v2/busybox/tags/list
ch05-overlay --store pulled --explain pull 127.0.0.1:5099/busybox:latest --as busybox
ch05-overlay --store pulled run --rm busybox sh -c 'echo $GREETING'
#kill $(cat registry.pid)
