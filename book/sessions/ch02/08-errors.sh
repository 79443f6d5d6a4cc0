ch02-chroot --rootfs /nonexistent -- /bin/true; echo "exit $?"
ch02-chroot --rootfs /etc/hostname -- /bin/true; echo "exit $?"
ch02-chroot --rootfs target/burrow-rootfs/busybox --mode jail -- /bin/true; echo "exit $?"
ch02-chroot --rootfs target/burrow-rootfs/busybox -- bash; echo "exit $?"
