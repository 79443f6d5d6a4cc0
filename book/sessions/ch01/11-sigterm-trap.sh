ch01-unshare --pid --mount -- sleep 30 &
TOOL=$!; sleep 0.5; read PID1 < /proc/$TOOL/task/$TOOL/children
grep -E 'NSpid|SigBlk|SigCgt' /proc/$PID1/status
kill -TERM $PID1; sleep 1; grep State /proc/$PID1/status
kill -KILL $PID1; wait $TOOL; echo "exit $?"
