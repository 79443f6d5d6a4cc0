## Only tail is killed; the shell, PID 1, carries on.
cd "$(mktemp -d)"
ch03-cgroups --memory 32M -- sh -c 'tail /dev/zero; echo "tail: exit $?"; sleep 1' >out.txt 2>&1 & TOOL=$!; sleep 0.5
cat /sys/fs/cgroup/memory/burrow/ch03-$TOOL/memory.oom_control
wait $TOOL; echo "exit $?"
cat out.txt
