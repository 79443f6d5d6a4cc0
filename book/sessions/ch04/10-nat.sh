#!ch04_host
## NAT: out to "the internet", which sees the host's address.
ip netns add internet
ip link add uplink type veth peer name eth0 netns internet
ip addr add 192.0.2.1/24 dev uplink; ip link set uplink up
ip netns exec internet sh -c 'ip link set lo up; ip addr add 192.0.2.2/24 dev eth0; ip link set eth0 up'
cd "$(mktemp -d)" && mkdir -p internet/cgi-bin && echo 'hello from the internet' >internet/index.html
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' >internet/cgi-bin/ip; chmod +x internet/cgi-bin/ip
ip netns exec internet busybox httpd -f -p 80 -h internet & SERVER=$!; sleep 0.3
ip -br -4 addr; ip route
ch04-veth -- sh -c 'ping -c1 -W1 192.0.2.2 | head -2; busybox wget -qO- http://192.0.2.2/cgi-bin/ip'
ch04-veth -- sleep 2 & TOOL=$!; sleep 0.5
nft list ruleset
cat /proc/sys/net/ipv4/ip_forward
wait $TOOL; nft list ruleset
kill $SERVER; ip netns del internet
