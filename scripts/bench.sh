#!/usr/bin/env bash
# How long one container's whole life takes: `run` of /bin/true on the same
# bundle (create + start + wait + delete), for burrow and for runc, and the
# floor: unshare(1) of the same namespaces running /bin/true, which is the
# kernel's share of the work with no runtime around it.
#
#   sudo scripts/bench.sh            (env: RUNS=200)
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
cargo build --release -q -p burrow
burrow=$top/target/release/burrow
rootfs=$(scripts/rootfs.sh)

# The bundle: burrow spec's config.json (runc reads the same file), without a
# terminal, running the rootfs's /bin/true. State under /run: a tmpfs, as in use.
work=$(mktemp -d /tmp/burrow-bench.XXXXXX)
state=$(mktemp -d /run/burrow-bench.XXXXXX)
trap 'rm -rf "$work" "$state"' EXIT
cp -a "$rootfs" "$work/rootfs"
"$burrow" spec --bundle "$work"
python3 - "$work/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["process"]["terminal"] = False
config["process"]["args"] = ["/bin/true"]
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY

hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/times.json" \
    -n burrow "$burrow --root $state/burrow run bench --bundle $work" \
    -n runc "runc --root $state/runc run --bundle $work bench" \
    -n floor "unshare --pid --net --ipc --uts --mount --cgroup --fork /bin/true" >"$work/hyperfine.txt"

python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
median = {name: results[name]["median"] * 1000 for name in ("burrow", "runc", "floor")}
for name, ms in median.items():
    print(f"{name:<7} median {ms:6.2f} ms   (mean {results[name]['mean'] * 1000:.2f}, {len(results[name]['times'])} runs)")
print(f"burrow / runc  = {median['burrow'] / median['runc']:.2f}   (goal: at most 0.25)")
print(f"burrow / floor = {median['burrow'] / median['floor']:.2f}   (goal: at most 2)")
print(f"runc / floor   = {median['runc'] / median['floor']:.2f}")
PY
