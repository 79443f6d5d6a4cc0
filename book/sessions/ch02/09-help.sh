## The command line: chapter 2's --rootfs and --mode, and chapter 1's own.
ch02-chroot --help
