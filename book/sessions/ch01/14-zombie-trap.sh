ch01-unshare --pid --mount -- sh -c '(sleep 0.1 &); exec sleep 3' &
TOOL=$!; sleep 1; read PID1 < /proc/$TOOL/task/$TOOL/children
ps -o stat,args --ppid $PID1
wait $TOOL; echo "exit $?"
