ch01-unshare --help
