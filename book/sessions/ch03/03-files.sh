## A running container's cgroup, seen from the host; rmdir is refused (EBUSY).
cd "$(mktemp -d)"
ch03-cgroups --memory 32M --pids 16 -- sleep 2 >out.txt 2>&1 & TOOL=$!; sleep 0.5
read PID1 < /proc/$TOOL/task/$TOOL/children
#echo "child $PID1" >>$0.pids
ls /sys/fs/cgroup/burrow/ch03-$TOOL | grep -E '^(cgroup.procs|memory.current|memory.max|pids.current|pids.max)$'
cd /sys/fs/cgroup/burrow/ch03-$TOOL; cat memory.max pids.max pids.current cgroup.procs; cd - >/dev/null
cat /proc/$PID1/cgroup
rmdir /sys/fs/cgroup/burrow/ch03-$TOOL
wait $TOOL; echo "exit $?"
cat out.txt
ls -d /sys/fs/cgroup/burrow/ch03-$TOOL
