#!/usr/bin/env bash
# Test the lab checker itself: the reference binaries pass every check, and a
# deliberately broken binary fails the right check with the right hint.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -q -p ch01-unshare
work=$(mktemp -d /tmp/burrow-test-labselftest.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # the checks also run the binary as an unprivileged user

echo "lab-selftest: the reference binaries pass"
scripts/lab 2 >"$work/good.txt" || { cat "$work/good.txt"; echo "lab-selftest: the reference failed its own lab"; exit 1; }
tail -1 "$work/good.txt"
grep -q '^  PASS ch01/uts: --uts' "$work/good.txt" || { cat "$work/good.txt"; echo "lab-selftest: no readable PASS line"; exit 1; }

# A "learner's" ch01-unshare that forgets the hostname: it drops --hostname NAME.
cat >"$work/forgets-hostname" <<BROKEN
#!/usr/bin/env bash
args=()
while [ \$# -gt 0 ]; do
    case "\$1" in
        --hostname) shift 2 ;;
        --) args+=("\$@"); break ;;
        *) args+=("\$1"); shift ;;
    esac
done
exec "$top/target/debug/ch01-unshare" "\${args[@]}"
BROKEN
chmod +x "$work/forgets-hostname"

echo "lab-selftest: a binary that forgets --hostname fails ch01/uts with its hint"
if scripts/lab 1 --bin "$work/forgets-hostname" >"$work/broken.txt"; then
    cat "$work/broken.txt"
    echo "lab-selftest: the broken binary passed the lab"
    exit 1
fi
grep '^  FAIL' "$work/broken.txt"
want='FAIL ch01/uts: .*hint: clone(2) needs CLONE_NEWUTS, and sethostname(2) must run in the child'
grep -q "$want" "$work/broken.txt" || { cat "$work/broken.txt"; echo "lab-selftest: no ch01/uts failure with its hint"; exit 1; }
[ "$(grep -c '^  FAIL' "$work/broken.txt")" = 1 ] || { echo "lab-selftest: other checks failed too"; exit 1; }

echo "lab-selftest: a binary that hangs fails every check at the time limit, and the lab goes on"
cat >"$work/hangs" <<'HANG'
#!/bin/sh
exec sleep 1000
HANG
chmod +x "$work/hangs"
BURROW_LAB_TIME_LIMIT=2 scripts/lab 1 --only --bin "$work/hangs" >"$work/hung.txt" || true
checks=$(grep -c '^  \(PASS\|FAIL\) ch01/' "$work/good.txt")
timed_out=$(grep -c '^  FAIL ch01/.*took more than 2 s' "$work/hung.txt" || true)
echo "lab-selftest: $timed_out of $checks checks timed out"
# Two checks end the hung tool themselves (they kill it): the rest time out.
[ "$timed_out" -ge $((checks - 2)) ] || { cat "$work/hung.txt"; echo "lab-selftest: the hung checks did not fail at the limit"; exit 1; }
[ "$(grep -c '^  \(PASS\|FAIL\) ch01/' "$work/hung.txt")" = "$checks" ] || { cat "$work/hung.txt"; echo "lab-selftest: not every check reported"; exit 1; }
left=$(pgrep -f "^sleep 1000$" || true)
[ -z "$left" ] || { ps -fp $left; echo "lab-selftest: the time limit left the hung tool running"; exit 1; }

echo "lab-selftest: --watch re-checks a starter crate on every save, and counts the exercises done"
export BURROW_WORKSHOP=$work/workshop
scripts/exercise 1 --dir "$BURROW_WORKSHOP/ch01" >/dev/null
scripts/lab 1 --hint 1.1 | grep -q '^  hint 1 of' || { echo "lab-selftest: no first hint"; exit 1; }
scripts/lab 1 --hint 1.1 | grep -q '^  hint 2 of' || { echo "lab-selftest: the second --hint did not show hint 2"; exit 1; }
: >"$work/watch.txt"
setsid scripts/lab 1 --exercise --watch >"$work/watch.txt" 2>&1 &
watcher=$!
wait_for_line() { # PATTERN: within 300 s
    for _ in $(seq 300); do grep -q "$1" "$work/watch.txt" && return 0; sleep 1; done
    kill -- -"$watcher" 2>/dev/null || true
    cat "$work/watch.txt"
    echo "lab-selftest: --watch never printed: $1"
    exit 1
}
wait_for_line "chapter 1: 0 of 8 exercises done"
wait_for_line "watching"
# Write exercises 1.1, 1.2, 1.3, 1.7 and 1.8: the reference's files.
for f in namespaces.rs pid1.rs exec.rs; do cp chapters/01-unshare/src/$f "$BURROW_WORKSHOP/ch01/src/$f"; done
wait_for_line "chapter 1: 4 of 8 exercises done"
kill -- -"$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
grep -E '^\s+\[.\] 1\.' "$work/watch.txt" | tail -8
unset BURROW_WORKSHOP
echo "lab-selftest: ok"
