#!ch04_host
## Two "machines" (network namespaces) on one wire, and a VXLAN overlay over it.
ip netns add node1; ip netns add node2
ip link add eth0 netns node1 type veth peer name eth0 netns node2
ip -n node1 addr add 192.0.2.1/24 dev eth0; ip -n node1 link set eth0 up
ip -n node2 addr add 192.0.2.2/24 dev eth0; ip -n node2 link set eth0 up
ip -n node1 link add vx0 type vxlan id 42 remote 192.0.2.2 dstport 4789 dev eth0
ip -n node2 link add vx0 type vxlan id 42 remote 192.0.2.1 dstport 4789 dev eth0
for n in 1 2; do ip -n node$n link add br0 type bridge; ip -n node$n link set vx0 master br0; ip -n node$n link set vx0 up; ip -n node$n link set br0 up; done
for n in 1 2; do ip netns add c$n; ip -n node$n link add veth$n type veth peer name eth0 netns c$n; ip -n node$n link set veth$n master br0 up; ip -n c$n addr add 10.244.0.$n/24 dev eth0; ip -n c$n link set eth0 up; done
ip netns exec c1 ping -c1 -W1 10.244.0.2 | head -2
ip -n node1 route; ip -n c1 route
C2MAC=$(ip -n c2 link show eth0 | awk '/ether/ {print $2}'); echo "c2's eth0 is $C2MAC"
bridge -n node1 fdb show dev vx0 | grep -E "permanent|$C2MAC"
for ns in c1 c2 node1 node2; do ip netns del $ns; done
