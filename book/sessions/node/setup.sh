# The Node.js page's sessions run in scripts/vm-test.sh's cgroup v2 VM, as
# chapter 3's do, in a rootfs with node in it (scripts/node-rootfs.sh).
scripts/node-rootfs.sh >/dev/null
lane=vm
