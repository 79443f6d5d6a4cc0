#!ch04_host
## Ports and modes that cannot work fail before anything exists.
cd "$(mktemp -d)"
ch04-veth -p 80 -- true; echo "exit $?"
ch04-veth -p 8080:80/sctp -- true; echo "exit $?"
ch04-veth --net none -p 8080:80 -- true; echo "exit $?"
ch04-veth --net container:4194305 -- true; echo "exit $?"
busybox httpd -p 8080 -h .
ch04-veth -p 8080:80 -- true; echo "exit $?"
pkill -x -f 'busybox httpd -p 8080 -h .'
ip -br link; nft list tables; ls -A /run/burrow/ipam/*
