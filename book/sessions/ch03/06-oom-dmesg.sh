ch03-cgroups --memory 32M -- tail /dev/zero 2>/dev/null & TOOL=$!; wait $TOOL; echo "exit $?"
dmesg --notime | grep -A1 "oom_memcg=/burrow/ch03-$TOOL,"
