#!ch04_host
## container: mode: two containers, one network namespace.
cd "$(mktemp -d)" && mkdir site && echo 'hello from the container' >site/index.html
ch04-veth --init -- busybox httpd -f -p 127.0.0.1:80 -h site & TOOL=$!; sleep 0.5
SERVER=$(pgrep -x -f 'busybox httpd -f -p 127.0.0.1:80 -h site'); readlink /proc/$SERVER/ns/net
ch04-veth --net container:$SERVER -- sh -c 'readlink /proc/self/ns/net; ip -br -4 addr; busybox wget -qO- http://127.0.0.1/'
ch04-veth -- busybox wget -qO- http://127.0.0.1/; echo "exit $?"
kill $TOOL; wait $TOOL; echo "exit $?"
