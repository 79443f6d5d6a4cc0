## A bundle: the busybox rootfs, spec's config.json, and jq to set the process.
bundle=$(mktemp -d); cp -a target/burrow-rootfs/busybox $bundle/rootfs; cd $bundle && ch06-runtime spec
jq '.process.terminal = false | .process.args = ["sh", "-c", "echo hello from $(hostname), pid $$; exec sleep 1000"]' config.json >c.json && mv c.json config.json
ch06-runtime create demo --bundle . >out.txt 2>&1 </dev/null; echo "create: exit $?"
ch06-runtime state demo
pid=$(ch06-runtime state demo | grep '"pid"' | tr -dc 0-9); cat /proc/$pid/comm; cat /proc/$pid/wchan; echo
ls /run/burrow/demo
ch06-runtime start demo; sleep 0.1; cat out.txt
ch06-runtime state demo | grep status; cat /proc/$pid/comm
ch06-runtime list
ch06-runtime delete demo; echo "delete: exit $?"
ch06-runtime kill demo KILL; sleep 0.2; ch06-runtime state demo | grep status
ch06-runtime delete demo; ch06-runtime state demo; echo "state: exit $?"
