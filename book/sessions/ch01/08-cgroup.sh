ch01-unshare --cgroup -- cat /proc/self/cgroup
