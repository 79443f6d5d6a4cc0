#!/usr/bin/env bash
# Build everything and run the main demo, as root, on Debian or Ubuntu: a
# command in a busybox container, in new namespaces and a cgroup, printing
# what each one isolated; then a memory limit doing its job. Installs what it
# needs first.
#
#   sudo scripts/run.sh
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
    echo "run.sh: containers need root: run sudo scripts/run.sh (or use the lab VM)" >&2
    exit 1
fi
scripts/provision.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -q
rootfs=$(scripts/rootfs.sh)
bin=target/release

# What the container prints about itself, one namespace at a time.
demo='
echo "[uts]    hostname: $(hostname)"
echo "[pid]    processes:"; ps -o pid,comm
echo "[net]    interfaces: $(ip -o link | cut -d" " -f2 | tr "\n" " ")"
echo "[mount]  mount points: $(cut -d" " -f5 /proc/self/mountinfo | tr "\n" " ")"
echo "[rootfs] ls /: $(ls / | tr "\n" " ")"
echo "[ipc]    message queues: $(tail -n +2 /proc/sysvipc/msg | wc -l)"
echo "[cgroup] /proc/self/cgroup: $(cut -d: -f3 /proc/self/cgroup | sort -u | tr "\n" " ")"
echo "[limits] memory, pids: see the summary below"
'
echo "== on the host"
echo "hostname $(hostname), $(ls /proc | grep -c '^[0-9]') processes, $(tail -n +3 /proc/net/dev | wc -l) interfaces, $(wc -l </proc/self/mountinfo) mounts"
echo
echo "== ch03-cgroups --rootfs $rootfs --hostname burrow --init --memory 64M --pids 64 -- /bin/sh -c ..."
"$bin/ch03-cgroups" --rootfs "$rootfs" --hostname burrow --init --memory 64M --pids 64 -- /bin/sh -c "$demo"
echo
echo "== a memory limit doing its job: ch03-cgroups --memory 32M -- tail /dev/zero"
echo "   (tail keeps everything while it looks for a newline that never comes)"
code=0
"$bin/ch03-cgroups" --memory 32M -- tail /dev/zero || code=$?
echo "exit code: $code"
echo
echo "== ch01-unshare --all -- id; cat /proc/self/uid_map   (user: root inside, mapped to your uid outside)"
"$bin/ch01-unshare" --all -- sh -c 'id; cat /proc/self/uid_map'
echo
echo "Next: add --explain to see every syscall; read the book (mdbook serve book)."
