## Only tail is killed; the shell, PID 1, carries on.
cd "$(mktemp -d)"
ch03-cgroups --memory 32M -- sh -c 'tail /dev/zero; echo "tail: exit $?"; sleep 1' >out.txt 2>&1 & TOOL=$!; sleep 0.5
cat /sys/fs/cgroup/burrow/ch03-$TOOL/memory.events
wait $TOOL; echo "exit $?"
cat out.txt
