#!ch04_host
## A published port, reached from the host, the internet and a container.
ip netns add internet
ip link add uplink type veth peer name eth0 netns internet
ip addr add 192.0.2.1/24 dev uplink; ip link set uplink up
ip netns exec internet sh -c 'ip link set lo up; ip addr add 192.0.2.2/24 dev eth0; ip link set eth0 up'
cd "$(mktemp -d)" && mkdir -p internet/cgi-bin && echo 'hello from the internet' >internet/index.html
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' >internet/cgi-bin/ip; chmod +x internet/cgi-bin/ip
ip netns exec internet busybox httpd -f -p 80 -h internet & SERVER=$!; sleep 0.3
mkdir site && echo 'hello from the container' >site/index.html && cp -r internet/cgi-bin site/
ch04-veth --init -p 8080:80 -- busybox httpd -f -p 80 -h site & TOOL=$!; sleep 0.5
busybox wget -qO- http://127.0.0.1:8080/
ip netns exec internet busybox wget -qO- http://192.0.2.1:8080/cgi-bin/ip
ch04-veth -- busybox wget -qO- http://10.99.0.1:8080/cgi-bin/ip
ch04-veth -p 8080:80 -- true; echo "exit $?"
kill $TOOL; wait $TOOL; echo "exit $?"
busybox wget -qO- http://127.0.0.1:8080/; echo "exit $?"
kill $SERVER; ip netns del internet
