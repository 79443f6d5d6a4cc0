#!/usr/bin/env bash
# Prove, for chapter N (or every chapter with exercises), that the starter
# crate and the checks agree:
#
#   - the starter (scripts/exercise N) builds, and fails exactly the checks
#     that name an exercise;
#   - with exercise N.K alone missing, exactly the checks that name N.K fail
#     (one build for all of them: a proof crate whose region N.K panics only
#     when BURROW_TODO=N.K, as the starter's todo!() does).
#
#   sudo scripts/exercise-proof.sh [N...]
#
# The reference passing every check is proved by the tests themselves.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
export PATH="$HOME/.cargo/bin:$PATH"
chapters=("$@")
if [ ${#chapters[@]} = 0 ]; then
    for d in chapters/[0-9][0-9]-*; do
        n=$((10#$(basename "$d" | cut -c1-2)))
        scripts/exercise "$n" --list >/dev/null 2>&1 && chapters+=("$n")
    done
fi
work=$(mktemp -d /tmp/burrow-test-proof.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # the checks also run the binary as an unprivileged user
# The starters' dependencies build once, for every chapter and every run.
export CARGO_TARGET_DIR=$top/target/exercise-proof
# A region left todo!() fails at once; nothing should come near this.
export BURROW_LAB_TIME_LIMIT=${BURROW_LAB_TIME_LIMIT:-60}

# The failing checks of chapter N, given the binary, as "id exercises" lines.
failing() {
    local n=$1 bin=$2 report=$work/report
    : >"$report"
    BURROW_LAB_REPORT=$report scripts/lab "$n" --only --bin "$bin" >"$work/lab.txt" 2>&1 || true
    [ -s "$report" ] || { cat "$work/lab.txt"; echo "exercise-proof: chapter $n's checks did not run" >&2; return 1; }
    awk -F'\x1f' '$1 != "PASS" { print $2 }' "$report" | sort
}

# The checks of chapter N that name exercise K (or any exercise, for "any").
naming() {
    awk -F'\x1f' -v k="$2" '{ n = split($8, e, ","); for (i = 1; i <= n; i++) if (k == "any" || e[i] == k) { print $2; break } }' "$work/all" | sort
}

# One line: LABEL and the checks, ok when the two files agree.
check() { # LABEL EXPECTED-FILE SEEN-FILE
    if cmp -s "$2" "$3"; then
        printf '  ok    %-5s %s\n' "$1" "$(paste -sd' ' "$3")"
    else
        printf '  WRONG %-5s named by: %s\n' "$1" "$(paste -sd' ' "$2")"
        printf '        %-5s failed:   %s\n' "" "$(paste -sd' ' "$3")"
        status=1
    fi
}

status=0
for n in "${chapters[@]}"; do
    nn=$(printf '%02d' "$n")
    crate=$(sed -n 's/^name = "\(.*\)"/\1/p' chapters/"$nn"-*/Cargo.toml | head -1)
    echo "== chapter $n ($crate)"
    # Every check and the exercises it names, from a run of the reference.
    : >"$work/all"
    BURROW_LAB_REPORT=$work/all scripts/lab "$n" --only >/dev/null 2>&1 || { echo "exercise-proof: the reference fails chapter $n's checks" >&2; status=1; continue; }

    scripts/exercise "$n" --dir "$work/starter-$nn" --force >/dev/null
    (cd "$work/starter-$nn" && cargo build -q 2>"$work/build.txt") || { cat "$work/build.txt"; echo "exercise-proof: the starter of chapter $n does not build" >&2; status=1; continue; }
    cp "$CARGO_TARGET_DIR/debug/$crate" "$work/starter-bin"
    scripts/exercise "$n" --proof "$work/proof-$nn" >/dev/null
    (cd "$work/proof-$nn" && cargo build -q 2>"$work/build.txt") || { cat "$work/build.txt"; echo "exercise-proof: the proof crate of chapter $n does not build" >&2; status=1; continue; }
    cp "$CARGO_TARGET_DIR/debug/$crate" "$work/proof-bin"

    naming "$n" any >"$work/want"
    failing "$n" "$work/starter-bin" >"$work/seen"
    check starter "$work/want" "$work/seen"
    for ex in $(scripts/exercise "$n" --list | cut -f1); do
        naming "$n" "$ex" >"$work/want"
        BURROW_TODO=$ex failing "$n" "$work/proof-bin" >"$work/seen"
        check "$ex" "$work/want" "$work/seen"
    done
done
[ "$status" = 0 ] && echo "exercise-proof: every starter fails exactly its exercises' checks"
exit "$status"
