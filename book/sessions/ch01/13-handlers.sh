## A PID 1 that handles its signals: SIGHUP to reload, SIGTERM to stop.
for s in HUP INT QUIT KILL TERM; do echo "SIG$s is $(kill -l $s)"; done
cd "$(mktemp -d)"
ch01-unshare --pid -- sh -c 'trap "echo reloading the config" HUP; trap "echo draining, then exiting; exit 0" TERM; echo ready; while :; do sleep 0.1; done' >out.txt & TOOL=$!; sleep 0.5
read PID1 < /proc/$TOOL/task/$TOOL/children; grep -E 'NSpid|SigCgt' /proc/$PID1/status
kill -HUP $PID1; sleep 0.3; kill -TERM $PID1; wait $TOOL; echo "exit $?"
cat out.txt
