ch01-unshare --all --init --hostname box --explain -- /bin/sh -c 'hostname; ps'
