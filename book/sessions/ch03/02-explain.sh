ch03-cgroups --memory 32M --cpus 0.5 --pids 16 --explain -- cat /proc/self/cgroup
