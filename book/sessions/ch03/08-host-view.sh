## 2>/dev/null drops the summary (stderr): only what the container printed.
ch03-cgroups --memory 64M --cpus 0.5 -- sh -c 'nproc; grep MemTotal /proc/meminfo' 2>/dev/null
ch03-cgroups --memory 64M --cpus 0.5 -- cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null
ch03-cgroups --memory 64M --cpus 0.5 -- sh -c 'mount -t tmpfs cgroups /sys/fs/cgroup && cd /sys/fs/cgroup && mkdir memory cpu && mount -t cgroup -o memory cgroup memory && mount -t cgroup -o cpu cgroup cpu && cat memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us' 2>/dev/null
ch03-cgroups --cpuset 0 -- nproc 2>/dev/null
