ch01-unshare --pid -- sh -c 'echo "my pid: $$"; grep NSpid /proc/self/status'
ch01-unshare --pid --mount -- sh -c 'echo "my pid: $$"; grep NSpid /proc/self/status; ps -e'
