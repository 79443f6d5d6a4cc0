ch01-unshare --all --init --hostname box -- /bin/sh -c 'hostname; ps'
