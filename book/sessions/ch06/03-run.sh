bundle=$(mktemp -d); cp -a target/burrow-rootfs/busybox $bundle/rootfs; cd $bundle && ch06-runtime spec
jq '.process.terminal = false | .process.args = ["sh", "-c", "hostname; exit 3"]' config.json >c.json && mv c.json config.json
ch06-runtime run demo --bundle .; echo "exit $?"
ch06-runtime --debug run demo --bundle . 2>&1 | grep -E 'clone|uid_map|cgroup.procs|pivot_root|exec fifo|open\(|rmdir .*/demo$' | head -12
