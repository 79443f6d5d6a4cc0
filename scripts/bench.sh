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
# without root (burrow-memfd, BURROW_EXE_SEAL=memfd). burrow-dynamic is the
# build scripts/run.sh makes (cargo build --release: dynamically linked, on
# a writable disk), the one a user who follows the README gets.
#
# Back to back, each run finds the kernel warm. A second set of rounds waits
# 0.3 s before each run (hyperfine --prepare), as containers are started in
# use: on cgroup v1 the first move of a process into a cgroup after a quiet
# moment waits for an RCU grace period, which back-to-back runs never meet.
#
# BASELINE=PATH adds another burrow binary (an earlier commit's build, say)
# to the back-to-back rounds, to compare two versions in one run.
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
cargo build --release -q -p burrow
dynamic=$top/target/release/burrow
baseline=${BASELINE:-}

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
per_round=$(( (runs + rounds - 1) / rounds ))
for round in $(seq "$rounds"); do
    extra=()
    [ -n "$baseline" ] && extra=(-n baseline "$baseline --root $state/burrow run bench --bundle $work")
    hyperfine -N --warmup 5 --runs "$per_round" --export-json "$work/times-$round.json" \
        -n burrow "$ro/burrow --root $state/burrow run bench --bundle $work" \
        -n burrow-overlay "$burrow --root $state/burrow run bench --bundle $work" \
        -n burrow-memfd "env BURROW_EXE_SEAL=memfd $burrow --root $state/burrow run bench --bundle $work" \
        -n burrow-dynamic "$dynamic --root $state/burrow run bench --bundle $work" \
        -n runc "runc --root $state/runc run --bundle $work bench" \
        -n floor "unshare --pid --net --ipc --uts --mount --cgroup --fork /bin/true" \
        "${extra[@]}" \
        >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }
    # The same, 0.3 s apart (a quarter of the runs: the pauses cost time).
    hyperfine -N --prepare "sleep 0.3" --runs "$(( (per_round + 3) / 4 ))" --export-json "$work/paused-$round.json" \
        -n burrow "$ro/burrow --root $state/burrow run bench --bundle $work" \
        -n burrow-dynamic "$dynamic --root $state/burrow run bench --bundle $work" \
        -n runc "runc --root $state/runc run --bundle $work bench" \
        -n floor "unshare --pid --net --ipc --uts --mount --cgroup --fork /bin/true" \
        >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }
done

python3 - "$work" <<'PY'
import glob, json, statistics, sys
work = sys.argv[1]

def medians(pattern):
    times = {}
    for path in sorted(glob.glob(f"{work}/{pattern}")):
        for result in json.load(open(path))["results"]:
            times.setdefault(result["command"], []).extend(result["times"])
    return {name: (statistics.median(t) * 1000, len(t)) for name, t in times.items()}

back = medians("times-*.json")
print("back to back:")
for name, (ms, n) in back.items():
    print(f"  {name:<15} median {ms:6.2f} ms   ({n} runs)")
print(f"  on a writable disk, the overlay seal: +{back['burrow-overlay'][0] - back['burrow'][0]:.2f} ms, the memfd seal: +{back['burrow-memfd'][0] - back['burrow'][0]:.2f} ms")
for name in ("burrow", "burrow-overlay", "burrow-memfd", "burrow-dynamic"):
    print(f"  {name:<15} / runc  = {back[name][0] / back['runc'][0]:.2f}   (goal: at most 0.25)")
    print(f"  {name:<15} / floor = {back[name][0] / back['floor'][0]:.2f}   (goal: at most 2)")
print(f"  runc / floor    = {back['runc'][0] / back['floor'][0]:.2f}")
if "baseline" in back:
    print(f"  baseline / burrow-overlay = {back['baseline'][0] / back['burrow-overlay'][0]:.2f}   (the same seal: 1.00 is no change)")
paused = medians("paused-*.json")
print("0.3 s apart:")
for name, (ms, n) in paused.items():
    print(f"  {name:<15} median {ms:6.2f} ms   ({n} runs)")
for name in ("burrow", "burrow-dynamic"):
    print(f"  {name:<15} / runc  = {paused[name][0] / paused['runc'][0]:.2f}")
    print(f"  {name:<15} / floor = {paused[name][0] / paused['floor'][0]:.2f}")
PY
