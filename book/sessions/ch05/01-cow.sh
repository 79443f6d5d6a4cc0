#!ch05_host
## An image made with umoci from the busybox rootfs, imported into the store,
## and a container deleting a file from it.
umoci init --layout target/img && umoci new --image target/img:base
umoci unpack --image target/img:base target/b && cp -a target/burrow-rootfs/busybox/. target/b/rootfs/
umoci repack --image target/img:base target/b && rm -rf target/b
umoci config --image target/img:base --config.cmd sh --config.env GREETING=hello
ch05-overlay import target/img:base busybox
ch05-overlay run --name c1 busybox sh -c 'echo $GREETING; echo new > /new; echo more >> /etc/passwd; rm /bin/ls; ls /bin/ls'
ch05-overlay diff c1
ls -l /var/lib/burrow/containers/c1/upper/bin /var/lib/burrow/containers/c1/upper/etc
tail -1 /var/lib/burrow/containers/c1/upper/etc/passwd; tail -1 /var/lib/burrow/layers/*/etc/passwd; ls /var/lib/burrow/layers/*/bin/ls
ch05-overlay rm c1
