#!ch04_world
## A published port, reached from the host, the internet and a container.
#cd "${0%/*}" && mkdir -p site && echo 'hello from the container' >site/index.html && cp -r internet/cgi-bin site/
ch04-veth --init -p 8080:80 -- busybox httpd -f -p 80 -h site & TOOL=$!; sleep 0.5
busybox wget -qO- http://127.0.0.1:8080/
ip netns exec internet busybox wget -qO- http://192.0.2.1:8080/cgi-bin/ip
ch04-veth -- busybox wget -qO- http://10.99.0.1:8080/cgi-bin/ip
ch04-veth -p 8080:80 -- true; echo "exit $?"
kill $TOOL; wait $TOOL; echo "exit $?"
busybox wget -qO- http://127.0.0.1:8080/; echo "exit $?"
