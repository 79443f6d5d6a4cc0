#!ch04_host
## `ip` is a netlink client; so is ch04-veth, with a socket per namespace.
ip link set lo down
strace -e trace=sendmsg,recvmsg ip link set lo up 2>&1 | grep -E 'IFF_UP|error=0'
strace -f -e trace=socket ch04-veth -- true 2>&1 | grep -E 'NETLINK|attached'
