#!ch04_host
## Names: the C library in the container reads its /etc/hosts, then asks
## the servers its /etc/resolv.conf names. Both are files in its rootfs.
R=$(mktemp -d) && cp -a target/burrow-rootfs/busybox/. $R && ls $R/etc
ch04-veth --rootfs $R --ip 10.99.0.10 -- sleep 3 & WEB=$!; sleep 0.5
ch04-veth --rootfs $R -- ping -c1 -W1 web; echo "exit $?"
echo '10.99.0.10 web' >>$R/etc/hosts
ch04-veth --rootfs $R -- ping -c1 -W1 web; echo "exit $?"
echo 'nameserver 10.99.0.1' >$R/etc/resolv.conf
ch04-veth --rootfs $R -- nslookup db; echo "exit $?"
wait $WEB; rm -rf $R
