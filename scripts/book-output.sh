#!/usr/bin/env bash
# Regenerate the terminal output the book shows under "Try it": run each
# session in book/sessions/ and write book/src/output/CHAPTER-NAME.txt.
#
#   sudo scripts/book-output.sh              every chapter
#   sudo scripts/book-output.sh ch04 ch05    those chapters' sessions
#
# book/sessions/CHAPTER/ holds a chapter's sessions, NN-NAME.sh, run in
# order, and setup.sh, sourced once before them (builds, the scratch
# namespaces the sessions run in). A session is
# a list of commands, one a line, typed into one bash from the repository's
# top directory, as a reader would type them. The output file gets each
# command after "$ ", then what it printed (stdout and stderr, in order).
# In a session file:
#   #!CMD...   (the first line) run the session under CMD, e.g. a scratch
#              namespace (`unshare --ipc`, chapter 4's ch04_host);
#   ## text    a comment: not run, not shown;
#   #command   runs, but is not shown;
#   $0         the session's scratch file prefix: "$0.pids" takes the pids a
#              session notes ("child 4242") for the normaliser.
# The output goes through book/sessions/normalise.py so that a second run
# writes the same text (pids, temp paths, times, MACs become labels). Never
# edit the .txt files by hand: change a session and run this again.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
    echo "book-output.sh: the sessions create namespaces and mounts: run as root" >&2
    exit 1
fi
command -v python3 >/dev/null || { echo "book-output.sh: needs python3 (apt-get install python3)" >&2; exit 1; }
sessions=book/sessions
out=book/src/output
chapters=("$@")
if [ ${#chapters[@]} = 0 ]; then
    chapters=(ch01 ch02 ch03 node ch04 ch05 ch06 ch07 conformance)
fi
for chapter in "${chapters[@]}"; do
    [ -f "$sessions/$chapter/setup.sh" ] || {
        echo "book-output.sh: no chapter $chapter: the chapters are $(cd "$sessions" && echo */ | tr -d /)" >&2
        exit 1
    }
done

export PATH="$HOME/.cargo/bin:$PATH"
unset CARGO_TARGET_DIR # the book shows target/debug and target/burrow-rootfs/busybox
scripts/rootfs.sh >/dev/null
mkdir -p "$out"
work=$(mktemp -d /tmp/burrow-book.XXXXXX)
# A setup.sh adds what must be undone however the script ends.
at_exit=()
trap 'for undo in "${at_exit[@]}"; do eval "$undo"; done; rm -rf "$work"' EXIT
# Every mktemp in a session lands in $work, so nothing outlives this script.
export TMPDIR=$work
# The binaries by their short names, as the book shows them.
export PATH="$top/target/debug:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin"

# run_here FILE RAW: run the session in FILE on this machine, into RAW.
run_here() {
    local file=$1 raw=$2 wrapper=()
    if head -1 "$file" | grep -q '^#!'; then
        read -ra wrapper < <(head -1 "$file" | cut -c3-)
    fi
    "${wrapper[@]}" "$sessions/run-session.sh" "${raw%.raw}" "$file" >"$raw"
}

# write CHAPTER FILE RAW WORK HOST: check what the session printed, and
# write $out/CHAPTER-NAME.txt from it.
write() {
    local chapter=$1 file=$2 raw=$3 prefix=$4/${3##*/}
    # The session's own shell complaining (a typo, a missing tool) is a bug here.
    if grep "^${prefix%.raw}: line [0-9]*: " "$raw" >&2; then
        echo "book-output.sh: session $file failed (above)" >&2
        exit 1
    fi
    python3 "$sessions/normalise.py" "$chapter" --top "$top" --work "$4" --host "$5" \
        --marks "${raw%.raw}.pids" --labels "$work/labels.json" --session "$(basename "$raw" .raw)" \
        <"$raw" >"$out/$(basename "$raw" .raw).txt"
    echo "book-output.sh: wrote $out/$(basename "$raw" .raw).txt" >&2
}

for chapter in "${chapters[@]}"; do
    lane=here
    # shellcheck source=/dev/null
    source "$sessions/$chapter/setup.sh"
    # A chapter whose pages show cgroup v2 sets lane=vm: its sessions run
    # in scripts/vm-test.sh's VM, whose /tmp/burrow-book is their $TMPDIR.
    if [ "$lane" = vm ]; then
        scripts/vm-test.sh --book "$sessions/$chapter" "$work/vm-$chapter" >&2
    fi
    for file in "$sessions/$chapter"/[0-9]*.sh; do
        name=$chapter-$(basename "$file" .sh | sed 's/^[0-9]*-//')
        if [ "$lane" = vm ]; then
            write "$chapter" "$file" "$work/vm-$chapter/$name.raw" /tmp/burrow-book vm
        else
            run_here "$file" "$work/$name.raw"
            write "$chapter" "$file" "$work/$name.raw" "$work" "$(hostname)"
        fi
    done
done
