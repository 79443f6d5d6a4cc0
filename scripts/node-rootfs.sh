#!/usr/bin/env bash
# Build a root filesystem with Node.js in it, for the book's page on Node.js
# under limits, and print its path.
#
#   scripts/node-rootfs.sh       -> target/burrow-rootfs/node
#
# The busybox rootfs (scripts/rootfs.sh) plus the host's `node` binary and
# the shared libraries it loads (ldd), at the same paths: what a Dockerfile's
# `COPY --from=node` of one binary would give. Offline: node comes from
# Debian's nodejs package, installed here if missing. Idempotent.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="${CARGO_TARGET_DIR:-$top/target}/burrow-rootfs"
dest="$out/node"
busybox_rootfs=$("$top/scripts/rootfs.sh")
if ! command -v node >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "node-rootfs.sh: needs node (apt-get install nodejs), or root to install it" >&2; exit 1; }
    echo "node-rootfs.sh: installing nodejs" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs >&2
fi
node=$(readlink -f "$(command -v node)")
stamp="$(stat -c '%n %s %Y' "$node") $(cat "$busybox_rootfs/../busybox.stamp" 2>/dev/null)"
if [ -d "$dest" ] && [ "$(cat "$dest.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$dest"
    exit 0
fi
exec 9>"$out/.lock"
flock 9
rm -rf "$dest.tmp" "$dest"
cp -a "$busybox_rootfs" "$dest.tmp"
libs=$(ldd "$node" | awk '$1 ~ /^\// {print $1} $3 ~ /^\// {print $3}' | sort -u)
# shellcheck disable=SC2086 # a list of paths without spaces
cp -L --parents "$node" $libs "$dest.tmp/"
mv "$dest.tmp" "$dest"
echo "$stamp" >"$dest.stamp"
echo "$dest"
