ch02-chroot --rootfs target/burrow-rootfs/busybox --hostname box --explain -- /bin/hostname
