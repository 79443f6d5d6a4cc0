# Chapter 2's sessions: ch02-chroot and the busybox rootfs.
cargo build -q -p ch02-chroot
