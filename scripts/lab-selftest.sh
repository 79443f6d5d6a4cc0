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
echo "lab-selftest: ok"
