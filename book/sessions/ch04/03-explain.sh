#!ch04_host
ch04-veth --explain -- sh -c 'ip -br -4 addr; ip route; ping -c1 -W1 10.99.0.1'
