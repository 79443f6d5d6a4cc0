## The default container (burrow spec's config.json), and root inside it
## trying what chapter 7 takes away.
bundle=$(mktemp -d); cp -a target/burrow-rootfs/busybox $bundle/rootfs; cd $bundle && burrow spec
jq '.process.terminal = false | .process.args = ["sleep", "1000"]' config.json >c.json && mv c.json config.json
burrow run -d demo --bundle . >out.txt 2>&1 </dev/null
burrow exec demo grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp|Seccomp_filters)' /proc/self/status
burrow exec demo id
burrow exec demo mount -t tmpfs none /mnt; echo "exit $?"
burrow exec demo sh -c 'echo 1 > /proc/sys/kernel/panic'; echo "exit $?"
burrow exec demo ls -l /proc/keys /proc/timer_list
burrow exec demo hostname evil; echo "exit $?"
burrow exec demo mknod /dev/disk b 8 0; burrow exec demo head -c 1 /dev/disk; echo "exit $?"
burrow exec demo unshare -U true; echo "exit $?"
burrow delete --force demo
