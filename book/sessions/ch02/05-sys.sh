ch02-chroot --rootfs target/burrow-rootfs/busybox -- touch /sys/kernel/burrow
ch02-chroot --rootfs target/burrow-rootfs/busybox -- ls /sys/class/net
