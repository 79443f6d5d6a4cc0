#!ch05_host
## A registry on 127.0.0.1:5099, filled by skopeo, pulled from, stopped.
reg=$(mktemp -d); printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5099\n' $reg >$reg/config.yml
docker-registry serve $reg/config.yml >/dev/null 2>&1 & REGISTRY=$!; sleep 1
skopeo copy --insecure-policy --dest-tls-verify=false oci:target/img:base docker://127.0.0.1:5099/busybox:latest
curl -s http://127.0.0.1:5099/v2/busybox/tags/list
S=$(mktemp -d); ch05-overlay --store $S --explain pull 127.0.0.1:5099/busybox:latest --as busybox
ch05-overlay --store $S run --rm busybox sh -c 'echo $GREETING'
kill $REGISTRY
