ch01-unshare --pid --mount --init -- sleep 30 &
TOOL=$!; sleep 0.5; read PID1 < /proc/$TOOL/task/$TOOL/children
grep -E 'NSpid|SigBlk|SigCgt' /proc/$PID1/status
kill -TERM $PID1; wait $TOOL; echo "exit $?"
