## What Node.js is told about the CPUs, under half of one, and what the cgroup says.
ch03-cgroups --rootfs target/burrow-rootfs/node --cpus 0.5 -- node -e 'const os = require("os"); console.log("availableParallelism:", os.availableParallelism(), "cpus:", os.cpus().length)' 2>/dev/null
ch03-cgroups --rootfs target/burrow-rootfs/node --cpus 0.5 -- sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && cat /sys/fs/cgroup/cpu.max' 2>/dev/null
