cd "$(mktemp -d)"
ch03-cgroups --cpus 0.2 -- timeout 2 sh -c 'while :; do :; done' >out.txt 2>&1 & TOOL=$!; sleep 1
cd /sys/fs/cgroup/burrow/ch03-$TOOL; cat cpu.max cpu.stat; cd - >/dev/null
wait $TOOL; echo "exit $?"
cat out.txt
