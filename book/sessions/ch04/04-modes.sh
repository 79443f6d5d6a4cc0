#!ch04_host
## The modes side by side, while a bridge container runs in the background.
ch04-veth -- sleep 3 & sleep 1
ch04-veth --net none -- ip -br link
ch04-veth --net host -- ip -br link
ch04-veth --net bridge -- ip -br link
readlink /proc/self/ns/net
ch04-veth --net host -- readlink /proc/self/ns/net
ch04-veth --net bridge -- readlink /proc/self/ns/net
wait
