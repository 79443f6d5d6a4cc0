## Which file the waiting container process executes: the sealed view of
## burrow, through the overlay or (forced) a memfd copy.
bundle=$(mktemp -d); cp -a target/burrow-rootfs/busybox $bundle/rootfs; cd $bundle && burrow spec
jq '.process.terminal = false | .process.args = ["sleep", "1000"]' config.json >c.json && mv c.json config.json
burrow create demo --bundle . >out.txt 2>&1 </dev/null; pid=$(burrow state demo | grep '"pid"' | tr -dc 0-9)
readlink /proc/$pid/exe; stat -f -c %T /proc/$pid/exe
burrow delete --force demo
BURROW_EXE_SEAL=memfd burrow create demo --bundle . >out.txt 2>&1 </dev/null; pid=$(burrow state demo | grep '"pid"' | tr -dc 0-9)
readlink /proc/$pid/exe
burrow delete --force demo
burrow --debug create demo --bundle . >out.txt 2>debug.txt </dev/null; grep -E 'fsopen|memfd' debug.txt
burrow delete --force demo
