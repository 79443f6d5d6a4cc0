ch01-unshare --pid --mount --init --explain -- sh -c '(sleep 0.1 &); sleep 1; ps -o stat,pid,comm'
