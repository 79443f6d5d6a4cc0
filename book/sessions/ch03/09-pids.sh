ch03-cgroups --pids 16 --init -- sh -c '(b() { b | b & }; b) & exec sleep 3'; echo "exit $?"
