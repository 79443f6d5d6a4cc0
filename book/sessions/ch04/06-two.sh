#!ch04_host
## Two containers on one bridge; the bridge learns where each MAC is.
cd "$(mktemp -d)"
ch04-veth --ip 10.99.0.10 -- sleep 4 & FIRST=$!
#echo "first $FIRST" >>$0.pids
ch04-veth --ip 10.99.0.11 -- sh -c 'sleep 0.5; ping -c1 -W1 10.99.0.10; ip neigh; sleep 2' >second.txt 2>&1 & SECOND=$!; sleep 1.5
#echo "second $SECOND" >>$0.pids
bridge fdb show br burrow0 | grep -v permanent | sort -k3V
wait; cat second.txt
