#!/usr/bin/env bash
# Make an OCI bundle for the scripts: DIR/rootfs, a copy of the busybox
# rootfs, and DIR/config.json as `burrow spec` writes it, with no terminal
# (no one is there to type) and ARG... as the command.
#
#   scripts/bundle.sh BURROW DIR ARG...
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: scripts/bundle.sh BURROW DIR ARG..." >&2
    exit 2
fi
burrow=$1 dir=$2
shift 2
if [ -e "$dir/rootfs" ]; then
    echo "bundle.sh: $dir/rootfs already exists: give a new directory" >&2
    exit 1
fi
rootfs=$("$(dirname "${BASH_SOURCE[0]}")/rootfs.sh")
mkdir -p "$dir"
cp -a "$rootfs" "$dir/rootfs"
"$burrow" spec --bundle "$dir"
python3 - "$dir/config.json" "$@" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["process"]["terminal"] = False
config["process"]["args"] = sys.argv[2:]
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
