#!ch04_world
## NAT: out to "the internet", which sees the host's address.
ip -br -4 addr; ip route
ch04-veth -- sh -c 'ping -c1 -W1 192.0.2.2 | head -2; busybox wget -qO- http://192.0.2.2/cgi-bin/ip'
ch04-veth -- sleep 2 & sleep 0.5
nft list ruleset
cat /proc/sys/net/ipv4/ip_forward
wait; nft list ruleset
