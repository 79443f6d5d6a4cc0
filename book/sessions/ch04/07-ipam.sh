#!ch04_host
## IPAM: three at once get three addresses; a stale lease is taken back.
cd "$(mktemp -d)"
for i in 1 2 3; do ch04-veth -- sh -c 'ip -o -4 addr show eth0 | cut -d" " -f7; sleep 1' >>addrs.txt & done; sleep 0.5
ls -A /run/burrow/ipam/burrow0
wait; sort addrs.txt; ls -A /run/burrow/ipam/burrow0
echo 4194305 > /run/burrow/ipam/burrow0/10.99.0.2
echo $$ > /run/burrow/ipam/burrow0/10.99.0.3
ch04-veth -- ip -o -4 addr show eth0 | cut -d' ' -f7
ls -A /run/burrow/ipam/burrow0
