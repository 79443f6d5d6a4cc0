#!ch04_host
## The host's side of a running container.
ch04-veth --ip 10.99.0.5 -- sleep 4 & TOOL=$!; sleep 1
ip -br link
ip -br -4 addr
ip route
bridge link
ip -d link show bw-$TOOL | head -3
ls -A /run/burrow/ipam/burrow0 /run/burrow/bridges
cat /run/burrow/ipam/burrow0/10.99.0.5; echo; ps -o pid,args -p $TOOL
ping -c1 -W1 10.99.0.5
wait $TOOL; echo "exit $?"
ip -br link; ls -A /run/burrow/ipam/burrow0 /run/burrow/bridges
