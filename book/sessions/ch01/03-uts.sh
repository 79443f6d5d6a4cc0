hostname
ch01-unshare --uts --hostname box -- hostname
ch01-unshare --uts -- sh -c 'hostname inside; hostname'
hostname
