## The command line: the network's flags, chapter 2's --rootfs, chapter 3's limits, chapter 1's own.
ch04-veth --help
