#!/usr/bin/env bash
# Build everything and run the main demo, as root, on Debian or Ubuntu: a
# command in a busybox container, in new namespaces and a cgroup, printing
# what each one isolated; then a memory limit doing its job, a web server
# answering on a published port, and a container from an OCI image on
# overlayfs. Installs what it needs first.
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
echo "== a web server in a container, published on the host's port 8080: ch04-veth -p 8080:80"
echo "   (in a scratch network namespace playing the host: your machine's network is not touched)"
ns=burrow-demo-$$
scratch=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$scratch"' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
echo "hello from a container, through the host's port 8080" >"$scratch/index.html"
host() { nsenter --net="/run/netns/$ns" "$@"; }
nsenter --net="/run/netns/$ns" \
    "$bin/ch04-veth" --state-dir "$scratch/state" -p 8080:80 --init -- busybox httpd -f -p 80 -h "$scratch" &
tool=$!
for _ in $(seq 50); do
    host busybox wget -qO- http://127.0.0.1:8080/ 2>/dev/null && break
    sleep 0.1
done
echo "the host's rules while it runs:"
host nft list ruleset | grep -E 'dnat|masquerade' | sed 's/^[[:space:]]*/  /'
kill "$tool"
wait "$tool" || true
echo

echo "== an OCI image: made by umoci from the busybox rootfs, imported (every blob verified), run on overlayfs"
img="$scratch/img"
(
    cd "$scratch"
    umoci init --layout img && umoci new --image img:latest && umoci unpack --image img:latest b
    cp -a "$rootfs"/. b/rootfs/ && umoci repack --image img:latest b && rm -rf b
    umoci config --image img:latest --config.cmd sh --config.env GREETING="hello from an image"
) >/dev/null
store="$scratch/store"
"$bin/ch05-overlay" --store "$store" import "$img:latest" busybox
"$bin/ch05-overlay" --store "$store" run --net=none --name demo busybox sh -c 'echo $GREETING; echo new > /new; rm /bin/ls'
echo "what the container changed (its upper layer; the image is untouched):"
"$bin/ch05-overlay" --store "$store" diff demo
echo

echo "== an OCI runtime: burrow spec writes a bundle's config.json, then create, start, state, delete (as runc)"
bundle="$scratch/bundle"
scripts/bundle.sh "$bin/burrow" "$bundle" sh -c 'echo hello from $(hostname), pid $$; exec sleep 30'
state="$scratch/burrow-state"
"$bin/burrow" --root "$state" create demo --bundle "$bundle" >"$scratch/demo.out" 2>&1 </dev/null
echo "after create: $("$bin/burrow" --root "$state" state demo | grep -o '"status": "[a-z]*"')"
"$bin/burrow" --root "$state" start demo
sleep 0.2
echo "after start:  $("$bin/burrow" --root "$state" state demo | grep -o '"status": "[a-z]*"'); it printed: $(cat "$scratch/demo.out")"
"$bin/burrow" --root "$state" delete --force demo
echo "deleted: $("$bin/burrow" --root "$state" list --quiet | wc -l) containers left"
echo

echo "Next: add --explain to see every syscall; read the book (mdbook serve book)."
