ch02-chroot --rootfs target/burrow-rootfs/busybox -- cut -d' ' -f5,6,8 /proc/self/mountinfo
ch02-chroot --rootfs target/burrow-rootfs/busybox --mode chroot -- cut -d' ' -f5,6,8 /proc/self/mountinfo
