ch02-chroot --rootfs target/burrow-rootfs/busybox -- /bin/sh -c 'ls /; cat /proc/1/cmdline'
ch02-chroot --rootfs target/burrow-rootfs/busybox --init -- ps
