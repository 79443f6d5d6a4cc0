# Chapter 3's page shows cgroup v2, what the lab VM and most machines run:
# its sessions run in scripts/vm-test.sh's VM, a pure cgroup v2 kernel
# (lane=vm), not on this machine. Every cgroup there is made by
# ch03-cgroups under burrow/.
#
# A container left running in the background (`... &`) writes to a file in
# a scratch directory, shown after `wait`. A session notes the pids it finds
# in $0.pids ("child PID"), for normalise.py to label.
lane=vm
