## A container in the host's mount namespace: only a PID namespace, no hostname.
bundle=$(mktemp -d); cp -a target/burrow-rootfs/busybox $bundle/rootfs; cd $bundle && ch06-runtime spec
jq '.process.terminal = false | .process.args = ["sleep", "1000"] | .linux.namespaces = [{"type": "pid"}] | del(.hostname)' config.json >c.json && mv c.json config.json
ch06-runtime create hostmnt --bundle .; echo "exit $?"
jq 'del(.linux.maskedPaths, .linux.readonlyPaths) | .root.readonly = false' config.json >c.json && mv c.json config.json
ch06-runtime create hostmnt --bundle . >out.txt 2>&1 </dev/null; echo "exit $?"
grep "$PWD/rootfs" /proc/self/mountinfo | cut -d" " -f5,9 | grep -v fs/cgroup
ch06-runtime exec hostmnt ls /
ch06-runtime delete --force hostmnt
grep -c "$PWD/rootfs" /proc/self/mountinfo
