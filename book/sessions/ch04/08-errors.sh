#!ch04_host
ch04-veth --ip 192.168.77.5 -- true; echo "exit $?"
ch04-veth --subnet 10.99.0.0/33 -- true; echo "exit $?"
ch04-veth --ip 10.99.0.20 -- sleep 2 & sleep 0.5
ch04-veth --ip 10.99.0.20 -- true; echo "exit $?"
wait
ch04-veth --bridge burrow-bridge-number-0 -- true; echo "exit $?"
ch04-veth -- sh -c 'exit 3'; echo "exit $?"
ip -br link; ls -A /run/burrow/ipam/*
