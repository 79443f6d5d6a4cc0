#!/usr/bin/env bash
# The OCI runtime spec's own validation suite (opencontainers/runtime-tools),
# run against burrow and against runc on the same machine, as root:
#
#   sudo scripts/conformance.sh            every file, both runtimes
#   sudo scripts/conformance.sh pidfile    only the files named
#   CONFORMANCE_OUT=DIR ...                 keep each file's output in DIR
#
# Builds the suite from the snapshot in conformance/ into the build output
# (once: a second run reuses it), runs each validation/*/*.t file under a
# timeout with RUNTIME=burrow, then RUNTIME=runc, and prints a table and
# "conformance: N passed, M failed" (burrow's files). A file passes when it
# exits 0 and prints at least one "ok" line and no "not ok" line.
#
# Fails when a file runc passes fails with burrow, when a file listed in
# conformance/passing.txt fails (no regression lands), or when burrow's run
# leaves something behind. runc's run is cleaned up after: some of the
# suite's files leave mounts and cgroups behind with it.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
    echo "conformance.sh: the suite creates containers: run as root (sudo scripts/conformance.sh)" >&2
    exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"
snapshot=conformance/runtime-tools-260e151.tar.gz
target=${CARGO_TARGET_DIR:-$top/target}
suite=$target/conformance/runtime-tools
timeout=${CONFORMANCE_TIMEOUT:-120}

# The suite, built once per snapshot.
stamp=$(sha256sum "$snapshot" | cut -d' ' -f1)
if [ "$(cat "$suite/.built" 2>/dev/null)" != "$stamp" ]; then
    command -v go >/dev/null || { echo "conformance.sh: needs Go to build the suite (apt-get install golang-go)" >&2; exit 1; }
    echo "conformance.sh: building runtime-tools from $snapshot" >&2
    rm -rf "$suite"
    mkdir -p "$(dirname "$suite")"
    tar -xzf "$snapshot" -C "$(dirname "$suite")"
    (cd "$suite" && GOFLAGS=-mod=vendor GOCACHE="$target/conformance/go-cache" make runtimetest validation-executables >build.log 2>&1) ||
        { tail -20 "$suite/build.log" >&2; exit 1; }
    echo "$stamp" >"$suite/.built"
fi
cargo build -q -p burrow
burrow=$target/debug/burrow
runc=$(command -v runc) || { echo "conformance.sh: needs runc to compare with (apt-get install runc)" >&2; exit 1; }

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for file in "$suite"/validation/*/*.t; do names+=("$(basename "$file" .t)"); done
fi

# What a run may leave: cgroup directories (but burrow's own parent, kept for
# the next container), containers in the runtime's state root, mounts on and
# files in its temp dir (the suite's bundles).
cgroup_dirs() {
    find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | grep -Ev '^/sys/fs/cgroup/([^/]+/)?burrow$' | sort
}
states() { ls "$1" 2>/dev/null | sort; }
# Each file's TAP output goes to $work/RUNTIME/NAME.tap: CONFORMANCE_OUT=DIR keeps it.
if [ -n "${CONFORMANCE_OUT:-}" ]; then
    work=$CONFORMANCE_OUT
    rm -rf "$work/burrow" "$work/runc"
else
    work=$(mktemp -d /tmp/burrow-conformance.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    # The bundles are in here: a container whose root is mapped to another
    # host uid (linux_uid_mappings) must be able to reach its rootfs.
    chmod 755 "$work"
fi

# result OUT NAME: "PASS ok/notok" or "fail ok/notok".
result() {
    local ok notok rc
    ok=$(grep -c '^ok ' "$1/$2.tap" || true)
    notok=$(grep -c '^not ok ' "$1/$2.tap" || true)
    rc=$(cat "$1/$2.rc")
    if [ "$rc" = 0 ] && [ "$ok" -gt 0 ] && [ "$notok" = 0 ]; then
        echo "PASS $ok/$notok"
    elif [ "$rc" = 124 ]; then
        echo "fail timeout"
    else
        echo "fail $ok/$notok"
    fi
}

# run RUNTIME STATE_ROOT OUT: every file, each with a temp dir of its own;
# then what the run left behind, removed, and listed in OUT/left.
run() {
    local runtime=$1 root=$2 out=$3 name
    mkdir -p "$out"
    cgroup_dirs >"$out/cgroups.before"
    states "$root" >"$out/states.before"
    for name in "${names[@]}"; do
        mkdir -p "$out/tmp/$name"
        (cd "$suite" && TMPDIR="$out/tmp/$name" RUNTIME=$runtime timeout "$timeout" \
            "validation/$name/$name.t" >"$out/$name.tap" 2>&1) && rc=0 || rc=$?
        echo "$rc" >"$out/$name.rc"
    done
    : >"$out/left"
    local id dir point
    for id in $(comm -13 "$out/states.before" <(states "$root")); do
        echo "container $id" >>"$out/left"
        "$runtime" delete --force "$id" >/dev/null 2>&1 || true
        rm -rf "${root:?}/$id"
    done
    for point in $(awk '{print $5}' /proc/self/mountinfo | grep -F "$out/tmp/" | sort -r); do
        echo "mount $point" >>"$out/left"
        umount -l "$point" 2>/dev/null || true
    done
    for dir in $(comm -13 "$out/cgroups.before" <(cgroup_dirs) | sort -r); do
        echo "cgroup $dir" >>"$out/left"
        xargs -r kill -9 <"$dir/cgroup.procs" 2>/dev/null || true
        for _ in 1 2 3 4 5; do rmdir "$dir" 2>/dev/null && break; sleep 0.2; done
    done
    rm -rf "$out/tmp"
}

echo "conformance.sh: ${#names[@]} files with $burrow, then with $runc ($("$runc" --version | head -1))" >&2
run "$burrow" /run/burrow "$work/burrow"
run "$runc" /run/runc "$work/runc"

passed=0 failed=0 runc_passed=0 problems=()
printf '%-40s %-16s %s\n' "file (ok/not ok)" burrow runc
for name in "${names[@]}"; do
    ours=$(result "$work/burrow" "$name")
    theirs=$(result "$work/runc" "$name")
    printf '%-40s %-16s %s\n' "$name" "$ours" "$theirs"
    if [ "${ours%% *}" = PASS ]; then
        passed=$((passed + 1))
        grep -qx "$name" conformance/passing.txt || echo "conformance.sh: $name passes now: add it to conformance/passing.txt" >&2
    else
        failed=$((failed + 1))
        [ "${theirs%% *}" = PASS ] && problems+=("$name: runc passes it, burrow fails (see below)")
        grep -qx "$name" conformance/passing.txt && problems+=("$name: listed in conformance/passing.txt, fails now")
    fi
    [ "${theirs%% *}" = PASS ] && runc_passed=$((runc_passed + 1))
done
echo "(runc: $runc_passed passed, $((${#names[@]} - runc_passed)) failed)"
if [ -s "$work/runc/left" ]; then
    echo "(runc's run left $(wc -l <"$work/runc/left") thing(s) behind, removed: $(cut -d' ' -f1 "$work/runc/left" | sort | uniq -c | xargs))"
fi
if [ -s "$work/burrow/left" ]; then
    problems+=("burrow's run left these behind (removed now):")
    while read -r line; do problems+=("  $line"); done <"$work/burrow/left"
fi
echo "conformance: $passed passed, $failed failed"
if [ "${#problems[@]}" -gt 0 ]; then
    printf 'conformance.sh: %s\n' "${problems[@]}" >&2
    for name in "${names[@]}"; do
        case " ${problems[*]} " in
            *" $name: "*) echo "--- $name with burrow:" >&2; grep -v '^ok ' "$work/burrow/$name.tap" | head -30 >&2 ;;
        esac
    done
    exit 1
fi
