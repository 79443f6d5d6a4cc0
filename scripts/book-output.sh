#!/usr/bin/env bash
# Regenerate the terminal output the book shows under "Try it":
# book/src/output/NAME.txt, one file per session.
#
#   sudo scripts/book-output.sh
#
# Each session below is a list of commands, one a line, typed into one bash
# from the repository's top directory, as a reader would type them. The file
# gets each command after "$ ", then what it printed (stdout and stderr, in
# order). A line that starts with "#" runs but is not shown. The output is
# normalised so that a second run writes the same text: host pids, temp
# paths, the repository's absolute path, ls -l times and the machine's
# hostname are replaced (see normalise below). Never edit the .txt files by
# hand: change a session here and run the script again.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
    echo "book-output.sh: the sessions create namespaces and mounts: run as root" >&2
    exit 1
fi
command -v python3 >/dev/null || { echo "book-output.sh: needs python3 (apt-get install python3)" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
unset CARGO_TARGET_DIR # the book shows target/debug and target/burrow-rootfs/busybox
cargo build -q -p ch01-unshare -p ch02-chroot
scripts/rootfs.sh >/dev/null

out=book/src/output
mkdir -p "$out"
work=$(mktemp -d /tmp/burrow-book.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Every mktemp in a session lands in $work, so nothing outlives this script.
export TMPDIR=$work
# The binaries by their short names, as the book shows them.
export PATH="$top/target/debug:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin"

# normalise: stdin -> stdout, the same text on every run and every machine.
normalise() { python3 -c "$normalise_py" "$top" "$work" "$(hostname)"; }
normalise_py=$(
    cat <<'PY'
import re, sys
top, work, host = sys.argv[1:4]
text = sys.stdin.buffer.read().decode("utf-8", "replace")
# Host pids, as --explain names them: the tool's, and the container's first process.
for pid in set(re.findall(r"\[explain pid (\d+)\] clone\(", text)):
    text = re.sub(rf"\b{pid}\b", "<tool-pid>", text)
for pid in set(re.findall(r"-> pid (\d+) on the host", text)):
    text = re.sub(rf"\b{pid}\b", "<child-pid>", text)
# NSpid: HOST INSIDE (the first of two pids is the host's).
text = re.sub(r"^(NSpid:\s+)\d+(\s+\d+)$", r"\1<pid>\2", text, flags=re.M)
# --init: PID 1 ("init: fork() -> pid 2") and PID 2 (the command) print at the
# same time; show the fork first, as it happened.
lines = text.split("\n")
fork = next((i for i, l in enumerate(lines) if "] init: fork() -> pid" in l), None)
first = next((i for i, l in enumerate(lines) if l.startswith("[explain pid 2]")), None)
if fork is not None and first is not None and first < fork:
    lines.insert(first, lines.pop(fork))
text = "\n".join(line.rstrip() for line in lines)
# Paths: temp dirs, then the repository (absolute -> relative).
text = re.sub(re.escape(work) + r"/tmp\.\w{10}", "/tmp/tmp.XXXXXXXXXX", text)
text = text.replace(work, "/tmp/burrow-book")
text = text.replace(top + "/", "").replace(top, ".")
# ls -l times, System V IPC keys, the machine's name.
text = re.sub(r"\b[A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4})\b", "MMM DD hh:mm", text)
text = re.sub(r"\b0x[0-9a-f]{8}\b", "0xXXXXXXXX", text)
text = re.sub(rf"^{re.escape(host)}$", "myhost", text, flags=re.M)
# /proc/PID/cmdline separates the arguments with NUL bytes: show them as cat -v does.
text = text.replace("\0", "^@")
sys.stdout.write(text)
PY
)

# session NAME [WRAPPER...] <<'EOF' ... EOF: run the commands on stdin and
# write $out/NAME.txt. WRAPPER (e.g. `unshare --ipc`) runs the whole session
# in a scratch namespace, where the book needs a clean or different "host".
session() {
    local name=$1
    shift
    cat >"$work/$name.cmds"
    # shellcheck disable=SC2016 # the inner script expands its own variables
    "$@" bash --noprofile --norc -c '
        while IFS= read -r line <&3; do
            case $line in
                "#"*) eval "${line#\#}" >/dev/null 2>&1 ;;
                *)
                    printf "\$ %s\n" "$line"
                    eval "$line" >"$0.last" 2>&1
                    cat "$0.last"
                    # A prompt starts on a new line, so end an unfinished one.
                    if [ -s "$0.last" ] && [ "$(tail -c1 "$0.last" | wc -l)" = 0 ]; then echo; fi
                    ;;
            esac
        done 3<"$1"; true' "$work/$name" "$work/$name.cmds" </dev/null >"$work/$name.raw"
    # The session's own shell complaining (a typo, a missing tool) is a bug here.
    if grep "^$work/$name: line [0-9]*: " "$work/$name.raw" >&2; then
        echo "book-output.sh: session $name failed (above)" >&2
        exit 1
    fi
    normalise <"$work/$name.raw" >"$out/$name.txt"
    echo "book-output.sh: wrote $out/$name.txt" >&2
}

# ---------------------------------------------------------------- chapter 1

session ch01-all <<'EOF'
ch01-unshare --all --init --hostname box -- /bin/sh -c 'hostname; ps'
EOF

session ch01-all-explain <<'EOF'
ch01-unshare --all --init --hostname box --explain -- /bin/sh -c 'hostname; ps'
EOF

session ch01-uts <<'EOF'
hostname
ch01-unshare --uts --hostname box -- hostname
ch01-unshare --uts -- sh -c 'hostname inside; hostname'
hostname
EOF

session ch01-pid <<'EOF'
ch01-unshare --pid -- sh -c 'echo "my pid: $$"; grep NSpid /proc/self/status'
ch01-unshare --pid --mount -- sh -c 'echo "my pid: $$"; grep NSpid /proc/self/status; ps -e'
EOF

# A systemd host makes / shared; this one does not, so the session runs in a
# scratch mount namespace whose mounts are shared, like the lab VM's.
session ch01-propagation unshare --mount --propagation shared <<'EOF'
findmnt -no PROPAGATION /
unshare --mount --propagation unchanged mount -t tmpfs leaked /mnt
findmnt -no SOURCE,FSTYPE /mnt
umount /mnt
ch01-unshare --mount -- mount -t tmpfs contained /mnt
findmnt -no SOURCE,FSTYPE /mnt || echo "nothing mounted on /mnt"
EOF

session ch01-net <<'EOF'
ch01-unshare --net -- cat /proc/net/dev
ch01-unshare --net -- ip link
EOF

# In a scratch IPC namespace, so the host's own queues do not show.
session ch01-ipc unshare --ipc <<'EOF'
ipcmk -Q
ipcs -q
ch01-unshare --ipc -- ipcs -q
EOF

session ch01-cgroup <<'EOF'
ch01-unshare --cgroup -- cat /proc/self/cgroup
EOF

session ch01-user <<'EOF'
ch01-unshare --user -- sh -c 'id; cat /proc/self/uid_map'
setpriv --reuid=65534 --regid=65534 --clear-groups ch01-unshare --user --explain -- sh -c 'id; cat /proc/self/uid_map'
setpriv --reuid=65534 --regid=65534 --clear-groups ch01-unshare --user -- sh -c 'stat -c "%U %G %n" /etc/shadow; touch /etc/burrow'
EOF

session ch01-sigterm-trap <<'EOF'
ch01-unshare --pid --mount -- sleep 30 &
TOOL=$!; sleep 0.5; read PID1 < /proc/$TOOL/task/$TOOL/children
grep -E 'NSpid|SigBlk|SigCgt' /proc/$PID1/status
kill -TERM $PID1; sleep 1; grep State /proc/$PID1/status
kill -KILL $PID1; wait $TOOL; echo "exit $?"
EOF

session ch01-init-signals <<'EOF'
ch01-unshare --pid --mount --init -- sleep 30 &
TOOL=$!; sleep 0.5; read PID1 < /proc/$TOOL/task/$TOOL/children
grep -E 'NSpid|SigBlk|SigCgt' /proc/$PID1/status
kill -TERM $PID1; wait $TOOL; echo "exit $?"
EOF

session ch01-zombie-trap <<'EOF'
ch01-unshare --pid --mount -- sh -c '(sleep 0.1 &); exec sleep 3' &
TOOL=$!; sleep 1; read PID1 < /proc/$TOOL/task/$TOOL/children
ps -o stat,args --ppid $PID1
wait $TOOL; echo "exit $?"
EOF

session ch01-init-reaps <<'EOF'
ch01-unshare --pid --mount --init --explain -- sh -c '(sleep 0.1 &); sleep 1; ps -o stat,pid,comm'
EOF

session ch01-exit-codes <<'EOF'
#cd "$(mktemp -d)"
ch01-unshare --pid -- sh -c 'exit 42'; echo "exit $?"
ch01-unshare -- no-such-command; echo "exit $?"
printf 'just data\n' > data.txt; ch01-unshare -- ./data.txt; echo "exit $?"
ch01-unshare --no-such-flag -- true; echo "exit $?"
printf 'echo "no #! line, so /bin/sh ran me"\n' > greet; chmod +x greet; ch01-unshare -- ./greet; echo "exit $?"
EOF

# ---------------------------------------------------------------- chapter 2

session ch02-rootfs <<'EOF'
ch02-chroot --rootfs target/burrow-rootfs/busybox -- /bin/sh -c 'ls /; cat /proc/1/cmdline'
ch02-chroot --rootfs target/burrow-rootfs/busybox --init -- ps
EOF

session ch02-explain <<'EOF'
ch02-chroot --rootfs target/burrow-rootfs/busybox --hostname box --explain -- /bin/hostname
EOF

session ch02-mounts <<'EOF'
ch02-chroot --rootfs target/burrow-rootfs/busybox -- cut -d' ' -f5,6,8 /proc/self/mountinfo
ch02-chroot --rootfs target/burrow-rootfs/busybox --mode chroot -- cut -d' ' -f5,6,8 /proc/self/mountinfo
EOF

session ch02-dev <<'EOF'
ch02-chroot --rootfs target/burrow-rootfs/busybox -- ls -l /dev
EOF

session ch02-sys <<'EOF'
ch02-chroot --rootfs target/burrow-rootfs/busybox -- touch /sys/kernel/burrow
ch02-chroot --rootfs target/burrow-rootfs/busybox -- ls /sys/class/net
EOF

session ch02-escape <<'EOF'
ROOTFS=$(mktemp -d); cp -a target/burrow-rootfs/busybox/. $ROOTFS
rustc --edition 2021 -O -C target-feature=+crt-static -o $ROOTFS/bin/chroot-escape chapters/02-chroot/lab/chroot-escape.rs
HOST=$(mktemp -d); echo "a file on the host" > $HOST/marker
ch02-chroot --rootfs $ROOTFS --mode chroot -- /bin/chroot-escape $HOST/marker
ch02-chroot --rootfs $ROOTFS --mode pivot -- /bin/chroot-escape $HOST/marker
rm -rf $ROOTFS $HOST
EOF

session ch02-hostname-exec <<'EOF'
ROOTFS=$(mktemp -d); cp -a target/burrow-rootfs/busybox/. $ROOTFS
ch02-chroot --rootfs $ROOTFS -- /etc/hostname; echo "exit $?"
chmod +x $ROOTFS/etc/hostname
ch02-chroot --rootfs $ROOTFS -- /etc/hostname; echo "exit $?"
printf '#!/bin/bash\necho hello\n' > $ROOTFS/hello; chmod +x $ROOTFS/hello
ch02-chroot --rootfs $ROOTFS -- /hello; echo "exit $?"
rm -rf $ROOTFS
EOF

session ch02-errors <<'EOF'
ch02-chroot --rootfs /nonexistent -- /bin/true; echo "exit $?"
ch02-chroot --rootfs /etc/hostname -- /bin/true; echo "exit $?"
ch02-chroot --rootfs target/burrow-rootfs/busybox --mode jail -- /bin/true; echo "exit $?"
ch02-chroot --rootfs target/burrow-rootfs/busybox -- bash; echo "exit $?"
EOF
