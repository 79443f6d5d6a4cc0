#!/usr/bin/env bash
# Fail if the tests left anything behind: mounts, temp dirs, cgroups, network
# namespaces, links, nftables tables or processes of burrow's. Everything a test makes is
# named so it can be found here (burrow-test-* temp dirs, burrow* cgroups,
# netns and links, the chapter binaries as processes).
set -uo pipefail

leaks=0
leak() {
    echo "leak: $*"
    leaks=$((leaks + 1))
}

# Mounts in the host's mount namespace on a test's temp dir or on the rootfs cache.
while read -r point; do
    leak "mount on $point"
done < <(awk '{print $5}' /proc/self/mountinfo | grep -E 'burrow-test-|burrow-rootfs' || true)

# Temp dirs the tests did not remove.
for dir in "${TMPDIR:-/tmp}"/burrow-test-*; do
    [ -e "$dir" ] && leak "temp dir $dir"
done

# cgroups under burrow's own parents, in every hierarchy (v1 controllers, v2).
# The parents may stay, empty: the runtime keeps its own, as runc does.
for dir in /sys/fs/cgroup/burrow*/*/ /sys/fs/cgroup/*/burrow*/*/; do
    [ -d "$dir" ] && leak "cgroup $dir"
done

# Network namespaces and links named for burrow.
if command -v ip >/dev/null; then
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^burrow' || true); do leak "netns $ns"; done
    links=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^(burrow|bw-)' || true)
    for link in $links; do leak "link $link"; done
fi

# nftables tables of burrow's (chapter 4's NAT rules: burrow_<pid>).
if command -v nft >/dev/null; then
    for table in $(nft list tables 2>/dev/null | awk '$3 ~ /^burrow/ {print $2 " " $3}' | tr ' ' ':'); do
        leak "nftables table $table"
    done
fi

# Processes still running one of the chapter binaries, or anything started by
# the tests: scripts/test.sh runs them with BURROW_LEAK_MARK=1 in their
# environment, which every container's command inherits.
for proc in /proc/[0-9]*; do
    [ "${proc#/proc/}" = $$ ] && continue
    exe=$(readlink "$proc/exe" 2>/dev/null) || continue
    case "$(basename "$exe")" in
        ch0[0-9]-* | burrow | chroot-escape) leak "process ${proc#/proc/}: $exe" ;;
        *) tr '\0' '\n' <"$proc/environ" 2>/dev/null | grep -qx 'BURROW_LEAK_MARK=1' &&
            leak "process ${proc#/proc/} ($exe), started by a test" ;;
    esac
done

if [ "$leaks" -gt 0 ]; then
    echo "check-leaks: $leaks leak(s)"
    exit 1
fi
echo "check-leaks: nothing left behind (mounts, temp dirs, cgroups, netns, links, nftables tables, processes)"
