ch02-chroot --rootfs target/burrow-rootfs/busybox -- ls -l /dev
