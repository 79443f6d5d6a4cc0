## node as PID 1: SIGTERM without a handler, then with one.
out=$(mktemp)
ch03-cgroups --rootfs target/burrow-rootfs/node -- node -e 'setInterval(() => {}, 1000)' >$out 2>&1 & TOOL=$!; sleep 3
read PID1 < /proc/$TOOL/task/$TOOL/children; kill -TERM $PID1; sleep 1; grep State /proc/$PID1/status
kill -KILL $PID1; wait $TOOL; echo "exit $?"
ch03-cgroups --rootfs target/burrow-rootfs/node -- node -e 'process.on("SIGTERM", () => { console.log("SIGTERM: closing the server, then exiting"); process.exit(0) }); setInterval(() => {}, 1000)' >$out 2>&1 & TOOL=$!; sleep 3
read PID1 < /proc/$TOOL/task/$TOOL/children; kill -TERM $PID1; wait $TOOL; echo "exit $?"; head -1 $out
