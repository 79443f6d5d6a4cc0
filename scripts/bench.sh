#!/usr/bin/env bash
# How long one container's whole life takes: `run` of /bin/true on the same
# bundle (create + start + wait + delete), for burrow and for runc, and the
# floor: unshare(1) of the same namespaces running /bin/true, which is the
# kernel's share of the work with no runtime around it.
#
#   sudo scripts/bench.sh            (env: RUNS=200 in all, ROUNDS=5)
#
# burrow runs from a read-only mount, as the book advises installing it, so
# it starts once (a binary no one can write needs no seal: see exe.rs). The
# same binary on a writable disk re-executes itself from a read-only overlay
# view first (burrow-overlay), or from a sealed memfd copy, as it does
# without root (burrow-memfd, BURROW_EXE_SEAL=memfd).
#
# A benchmark, not a test: it prints the medians and the ratios, and fails
# only when something could not run. Installs hyperfine and runc if missing.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
    echo "bench.sh: containers need root: sudo scripts/bench.sh" >&2
    exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH" DEBIAN_FRONTEND=noninteractive
for tool in hyperfine runc python3; do
    command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null
done
runs=${RUNS:-200}
# burrow as a release would ship it (runc's releases are static too): linked
# statically, so that no start of it loads and relocates libc and libgcc
# (about 0.5 ms each), with link-time optimisation (the dist profile).
# Its own target dir: RUSTFLAGS would otherwise rebuild the whole workspace.
host=$(rustc -vV | sed -n 's/^host: //p')
echo "bench.sh: building burrow (static, link-time optimised: a few minutes the first time)" >&2
RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --profile dist -q -p burrow --target "$host" --target-dir "$top/target/static"
burrow=$top/target/static/$host/dist/burrow

# The bundle: burrow spec's config.json (runc reads the same file), without a
# terminal, running the rootfs's /bin/true. State under /run: a tmpfs, as in use.
# The read-only install: the build's directory bound read-only onto $ro.
work=$(mktemp -d /tmp/burrow-bench.XXXXXX)
state=$(mktemp -d /run/burrow-bench.XXXXXX)
ro=$(mktemp -d /tmp/burrow-bench-ro.XXXXXX)
trap 'umount "$ro" 2>/dev/null; rmdir "$ro"; rm -rf "$work" "$state"' EXIT
mount --bind "$(dirname "$burrow")" "$ro"
mount -o remount,bind,ro "$ro"
scripts/bundle.sh "$burrow" "$work" /bin/true

# The machine's speed drifts (a shared VM): ROUNDS short hyperfine runs, each
# timing every command in turn, put each command's runs across the same
# stretch of time, so that the ratios compare like with like.
rounds=${ROUNDS:-5}
for round in $(seq "$rounds"); do
    hyperfine -N --warmup 5 --runs "$(( (runs + rounds - 1) / rounds ))" --export-json "$work/times-$round.json" \
        -n burrow "$ro/burrow --root $state/burrow run bench --bundle $work" \
        -n burrow-overlay "$burrow --root $state/burrow run bench --bundle $work" \
        -n burrow-memfd "env BURROW_EXE_SEAL=memfd $burrow --root $state/burrow run bench --bundle $work" \
        -n runc "runc --root $state/runc run --bundle $work bench" \
        -n floor "unshare --pid --net --ipc --uts --mount --cgroup --fork /bin/true" \
        >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }
done

python3 - "$work"/times-*.json <<'PY'
import json, statistics, sys
times = {}
for path in sys.argv[1:]:
    for result in json.load(open(path))["results"]:
        times.setdefault(result["command"], []).extend(result["times"])
names = ("burrow", "burrow-overlay", "burrow-memfd", "runc", "floor")
median = {name: statistics.median(times[name]) * 1000 for name in names}
for name, ms in median.items():
    print(f"{name:<14} median {ms:6.2f} ms   (mean {statistics.mean(times[name]) * 1000:.2f}, {len(times[name])} runs)")
print(f"on a writable disk, the overlay seal: +{median['burrow-overlay'] - median['burrow']:.2f} ms, the memfd seal: +{median['burrow-memfd'] - median['burrow']:.2f} ms")
for name in names[:3]:
    print(f"{name:<14} / runc  = {median[name] / median['runc']:.2f}   (goal: at most 0.25)")
    print(f"{name:<14} / floor = {median[name] / median['floor']:.2f}   (goal: at most 2)")
print(f"runc / floor   = {median['runc'] / median['floor']:.2f}")
PY
