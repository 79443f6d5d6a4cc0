ROOTFS=$(mktemp -d); cp -a target/burrow-rootfs/busybox/. $ROOTFS
ch02-chroot --rootfs $ROOTFS -- /etc/hostname; echo "exit $?"
chmod +x $ROOTFS/etc/hostname
ch02-chroot --rootfs $ROOTFS -- /etc/hostname; echo "exit $?"
printf '#!/bin/bash\necho hello\n' > $ROOTFS/hello; chmod +x $ROOTFS/hello
ch02-chroot --rootfs $ROOTFS -- /hello; echo "exit $?"
rm -rf $ROOTFS
