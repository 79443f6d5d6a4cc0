## 2>/dev/null drops the summary (stderr): only what the container printed.
ch03-cgroups --memory 64M --cpus 0.5 -- sh -c 'nproc; grep MemTotal /proc/meminfo' 2>/dev/null
ch03-cgroups --memory 64M --cpus 0.5 -- sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max || echo "no memory.max"' 2>/dev/null
ch03-cgroups --memory 64M --cpus 0.5 -- sh -c 'umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max' 2>/dev/null
ch03-cgroups --cpuset 0 -- nproc 2>/dev/null
