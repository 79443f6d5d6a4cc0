ch01-unshare --net -- cat /proc/net/dev
ch01-unshare --net -- ip link
