ROOTFS=$(mktemp -d); cp -a target/burrow-rootfs/busybox/. $ROOTFS
rustc --edition 2021 -O -C target-feature=+crt-static -o $ROOTFS/bin/chroot-escape chapters/02-chroot/lab/chroot-escape.rs
HOST=$(mktemp -d); echo "a file on the host" > $HOST/marker
ch02-chroot --rootfs $ROOTFS --mode chroot -- /bin/chroot-escape $HOST/marker
ch02-chroot --rootfs $ROOTFS --mode pivot -- /bin/chroot-escape $HOST/marker
rm -rf $ROOTFS $HOST
