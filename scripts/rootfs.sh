#!/usr/bin/env bash
# Build the busybox root filesystem every demo and test uses, and print its path.
#
#   scripts/rootfs.sh            -> target/burrow-rootfs/busybox
#
# A root filesystem is just a directory tree with the programs a container
# runs. Ours is one static busybox binary (no shared libraries to copy) plus a
# symlink per applet (sh, ls, ps, ...), and the empty directories the kernel's
# filesystems get mounted on. Offline: busybox comes from Debian's
# busybox-static package. Idempotent: a second run finds the stamp and returns
# at once; concurrent runs wait on a lock, and the tree appears atomically.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="${CARGO_TARGET_DIR:-$top/target}/burrow-rootfs"
dest="$out/busybox"
busybox="${BUSYBOX:-/bin/busybox}"

is_static() { [ -x "$1" ] && ! ldd "$1" >/dev/null 2>&1; }

# One builder at a time (tests run in parallel, and apt holds its own lock).
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

if ! is_static "$busybox"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "rootfs.sh: installing busybox-static (a static busybox)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >&2 ||
            { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >&2; }
    fi
    is_static "$busybox" || {
        echo "rootfs.sh: $busybox is not a static busybox; install Debian's busybox-static (apt-get install busybox-static) or set BUSYBOX=/path/to/static/busybox" >&2
        exit 1
    }
fi

stamp="$(sha256sum "$busybox" | cut -d' ' -f1) v1"
if [ -d "$dest" ] && [ "$(cat "$dest.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$dest"
    exit 0
fi

tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,var,run}
chmod 755 "$tmp"
chmod 1777 "$tmp/tmp"
chmod 700 "$tmp/root"
cp "$busybox" "$tmp/bin/busybox"
# One symlink per applet, where busybox itself would install it (/bin/sh, /usr/bin/env, ...).
"$busybox" --list-full | while read -r applet; do
    case "$applet" in bin/busybox | linuxrc) continue ;; esac
    ln -sf /bin/busybox "$tmp/$applet"
done
cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo burrow >"$tmp/etc/hostname"
rm -rf "$dest.old"
[ -e "$dest" ] && mv "$dest" "$dest.old"
mv "$tmp" "$dest"
rm -rf "$dest.old"
trap - EXIT
echo "$stamp" >"$dest.stamp"
echo "rootfs.sh: built $dest ($(du -sh "$dest" | cut -f1))" >&2
echo "$dest"
