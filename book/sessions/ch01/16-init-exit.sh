## PID 1 exits: the kernel kills the rest of its namespace.
ch01-unshare --pid -- sh -c 'sleep 4242 & echo "sleep is pid $!"; exit 3'; echo "exit $?"
pgrep -f '^sleep 4242$' || echo "no sleep 4242 left"
