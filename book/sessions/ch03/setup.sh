# Chapter 3's sessions run on the CI host, whose cgroups are hybrid: the
# limits land in the v1 hierarchies (/sys/fs/cgroup/memory,
# /sys/fs/cgroup/cpu, ...); the book says what the same files are called on
# cgroup v2. Every cgroup here is made by ch03-cgroups under burrow/, and the
# sessions only read cgroup files (and try one rmdir, which the kernel
# refuses).
#
# A container left running in the background (`... &`) writes to a file in
# a scratch directory, shown after `wait`. A session notes the pids it finds
# in $0.pids ("child PID"), for normalise.py to label.
cargo build -q -p ch03-cgroups
