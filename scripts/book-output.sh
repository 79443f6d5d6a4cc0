#!/usr/bin/env bash
# Regenerate the terminal output the book shows under "Try it": run each
# session in book/sessions/ and write book/src/output/CHAPTER-NAME.txt.
#
#   sudo scripts/book-output.sh              every chapter
#   sudo scripts/book-output.sh ch04 ch05    those chapters' sessions
#
# book/sessions/CHAPTER/ holds a chapter's sessions, NN-NAME.sh, run in
# order, and setup.sh, sourced once before them (builds, images, bundles;
# NN-NAME.setup.sh, if there is one, just before its session). A session is
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
    chapters=(ch01 ch02 ch03 ch04 ch05 ch06 ch07 conformance)
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

# session CHAPTER FILE: run the session in FILE, write $out/CHAPTER-NAME.txt.
session() {
    local chapter=$1 file=$2 name wrapper=()
    name=$chapter-$(basename "$file" .sh | sed 's/^[0-9]*-//')
    if head -1 "$file" | grep -q '^#!'; then
        read -ra wrapper < <(head -1 "$file" | cut -c3-)
    fi
    # shellcheck disable=SC2016 # the inner script expands its own variables
    "${wrapper[@]}" bash --noprofile --norc -c '
        while IFS= read -r line <&3; do
            case $line in
                "#!"* | "##"*) ;;
                "#"*) eval "${line#\#}" >/dev/null 2>&1 ;;
                *)
                    printf "\$ %s\n" "$line"
                    eval "$line" >"$0.last" 2>&1
                    cat "$0.last"
                    # A prompt starts on a new line, so end an unfinished one.
                    if [ -s "$0.last" ] && [ "$(tail -c1 "$0.last" | wc -l)" = 0 ]; then echo; fi
                    ;;
            esac
        done 3<"$1"; true' "$work/$name" "$file" </dev/null >"$work/$name.raw"
    # The session's own shell complaining (a typo, a missing tool) is a bug here.
    if grep "^$work/$name: line [0-9]*: " "$work/$name.raw" >&2; then
        echo "book-output.sh: session $file failed (above)" >&2
        exit 1
    fi
    python3 "$sessions/normalise.py" "$chapter" --top "$top" --work "$work" --host "$(hostname)" \
        --marks "$work/$name.pids" --labels "$work/labels.json" <"$work/$name.raw" >"$out/$name.txt"
    echo "book-output.sh: wrote $out/$name.txt" >&2
}

for chapter in "${chapters[@]}"; do
    # shellcheck source=/dev/null
    source "$sessions/$chapter/setup.sh"
    for file in "$sessions/$chapter"/[0-9]*.sh; do
        case $file in *.setup.sh) continue ;; esac
        # shellcheck source=/dev/null
        if [ -f "${file%.sh}.setup.sh" ]; then source "${file%.sh}.setup.sh"; fi
        session "$chapter" "$file"
    done
done
