#!ch04_host
## A bridge is reused as it is: a second subnet needs a second bridge.
ch04-veth -- sleep 2 & sleep 0.5
ch04-veth --subnet 172.30.0.0/24 -- sh -c 'ip -br -4 addr show eth0; ping -c1 -W1 172.30.0.1'; echo "exit $?"
ch04-veth --subnet 172.30.0.0/24 --bridge burrow1 -- sh -c 'ip -br -4 addr show eth0; ping -c1 -W1 172.30.0.1'; echo "exit $?"
wait
