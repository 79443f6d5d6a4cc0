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

session ch01-time <<'EOF'
cat /proc/uptime
ch01-unshare --time --boottime 86400 -- sh -c 'cat /proc/uptime; cat /proc/self/timens_offsets'
ch01-unshare --time --boottime -$(cut -d. -f1 /proc/uptime) -- cat /proc/uptime
ch01-unshare --time --boottime -$(cut -d. -f1 /proc/uptime) -- date +%F; date +%F
ch01-unshare --boottime -99999999 -- true
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

# ---------------------------------------------------------------- chapter 3
#
# The sessions run on the CI host, whose cgroups are hybrid: the limits land
# in the v1 hierarchies (/sys/fs/cgroup/memory, /sys/fs/cgroup/cpu, ...); the
# book says what the same files are called on cgroup v2. Every cgroup here is
# made by ch03-cgroups under burrow/, and the sessions only read cgroup files
# (and try one rmdir, which the kernel refuses).
#
# A container left running in the background (`... &`) writes to a file in a
# scratch directory, shown after `wait`: the session's capture of each line is
# replaced by the next line's.

cargo build -q -p ch03-cgroups

# ch03_normalise NAME...: after `session NAME`, replace what changes from run to
# run in a chapter 3 session: the tool's pid in the cgroup name
# (burrow/ch03-PID), pids a session noted in $work/NAME.pids ("child PID"),
# the pid the OOM killer names, and the numbers that depend on timing: CPU
# seconds (#.## s), CFS periods and refused forks (#), cpu.stat counters,
# memory peaks below the limit (<size>), the kernel log's kB. A fork bomb's
# "Cannot fork", printed once per refused fork, is shown once.
# Run the Python normaliser in $1 over each named output (with the pids the
# session noted in $work/NAME.pids).
normalise_with() {
    local py=$1 name
    shift
    for name in "$@"; do
        python3 -c "$py" "$work/$name.pids" <"$out/$name.txt" >"$work/$name.norm"
        mv "$work/$name.norm" "$out/$name.txt"
    done
}
ch03_normalise() { normalise_with "$ch03_normalise_py" "$@"; }
ch03_normalise_py=$(
    cat <<'PY'
import os, re, sys
marks = sys.argv[1]
text = sys.stdin.read()
# Pids: the tool's (in every cgroup name), those the session noted, the OOM killer's victim.
for pid in set(re.findall(r"\bch03-(\d+)\b", text)):
    text = re.sub(rf"\b{pid}\b", "<tool-pid>", text)
if os.path.exists(marks):
    for line in open(marks):
        kind, pid = line.split()
        text = re.sub(rf"\b{pid}\b", f"<{kind}-pid>", text)
for pid in set(re.findall(r"(?:Killed process |,pid=)(\d+)\b", text)):
    text = re.sub(rf"\b{pid}\b", "<pid>", text)
# The summary's timings: seconds, CPUs used, CFS periods. The quota stays.
text = re.sub(r"\b\d+\.\d\d s\b", "#.## s", text)
text = re.sub(r"\(\d+\.\d\d CPUs\)", "(#.## CPUs)", text)
text = re.sub(r"\bin \d+ of \d+ periods\b", "in # of # periods", text)
# Memory peaks: at the limit (an OOM kill) they are exact, below it they vary.
size = r"\d+(?:\.\d)? (?:B|KiB|MiB|GiB)"
def peak(m):
    value, limit = m.group(1), m.group(2)
    return m.group(0) if limit == f"limit {value}" else m.group(0).replace(value, "<size>", 1)
text = re.sub(rf"peak ({size}), (limit {size}|no limit)", peak, text)
text = re.sub(r"\b[1-9]\d* fork\(s\) refused", "# fork(s) refused", text)
# cpu.stat (its v1 and v2 names), and the kB figures of the kernel log.
keys = "nr_periods|nr_throttled|throttled_time|throttled_usec|nr_bursts|burst_time|burst_usec|usage_usec|user_usec|system_usec"
text = re.sub(rf"^({keys}) \d+$", r"\1 #", text, flags=re.M)
text = re.sub(r"([a-z-]+):\d+kB", r"\1:#kB", text)
# A fork bomb's shells print "sh: 1: Cannot fork" once per refused fork, all at
# the same moment, so pieces of the lines mix: show the message once.
tok = r"(?:sh: \d+: ?|Cannot fork)"
text = re.sub(
    rf"(?:^{tok}*\n)*^{tok}*Cannot fork{tok}*\n(?:^{tok}*\n)*",
    "sh: 1: Cannot fork\n[... the same message again, once for each fork refused ...]\n",
    text,
    flags=re.M,
)
sys.stdout.write(text)
PY
)

# The puzzle: a container that ends with 137 and no word of its own.
session ch03-oom <<'EOF'
ch03-cgroups --memory 32M -- tail /dev/zero; echo "exit $?"
EOF
ch03_normalise ch03-oom

session ch03-explain <<'EOF'
ch03-cgroups --memory 32M --cpus 0.5 --pids 16 --explain -- cat /proc/self/cgroup
EOF
ch03_normalise ch03-explain

# A running container's cgroup, seen from the host; rmdir is refused (EBUSY).
session ch03-files <<'EOF'
#cd "$(mktemp -d)"
ch03-cgroups --memory 32M --pids 16 -- sleep 2 >out.txt 2>&1 & TOOL=$!; sleep 0.5
read PID1 < /proc/$TOOL/task/$TOOL/children
#echo "child $PID1" >>$0.pids
ls /sys/fs/cgroup/pids/burrow/ch03-$TOOL
cd /sys/fs/cgroup/pids/burrow/ch03-$TOOL; cat pids.max pids.current cgroup.procs; cd - >/dev/null
grep -E 'memory|pids' /proc/$PID1/cgroup
rmdir /sys/fs/cgroup/pids/burrow/ch03-$TOOL
wait $TOOL; echo "exit $?"
cat out.txt
ls -d /sys/fs/cgroup/pids/burrow/ch03-$TOOL
EOF
ch03_normalise ch03-files

session ch03-weight <<'EOF'
for w in 1 39 100 500 10000; do ch03-cgroups --cpu-weight $w --explain -- true 2>&1 | grep cpu.shares; done
EOF
ch03_normalise ch03-weight

session ch03-cpu <<'EOF'
#cd "$(mktemp -d)"
ch03-cgroups --cpus 0.2 -- timeout 2 sh -c 'while :; do :; done' >out.txt 2>&1 & TOOL=$!; sleep 1
cd /sys/fs/cgroup/cpu/burrow/ch03-$TOOL; cat cpu.cfs_quota_us cpu.cfs_period_us cpu.stat; cd - >/dev/null
wait $TOOL; echo "exit $?"
cat out.txt
EOF
ch03_normalise ch03-cpu

session ch03-oom-dmesg <<'EOF'
ch03-cgroups --memory 32M -- tail /dev/zero 2>/dev/null & TOOL=$!; wait $TOOL; echo "exit $?"
dmesg --notime | grep -A1 "oom_memcg=/burrow/ch03-$TOOL,"
EOF
ch03_normalise ch03-oom-dmesg

# Only tail is killed; the shell, PID 1, carries on.
session ch03-oom-survives <<'EOF'
#cd "$(mktemp -d)"
ch03-cgroups --memory 32M -- sh -c 'tail /dev/zero; echo "tail: exit $?"; sleep 1' >out.txt 2>&1 & TOOL=$!; sleep 0.5
cat /sys/fs/cgroup/memory/burrow/ch03-$TOOL/memory.oom_control
wait $TOOL; echo "exit $?"
cat out.txt
EOF
ch03_normalise ch03-oom-survives

# 2>/dev/null drops the summary (stderr): only what the container printed.
session ch03-host-view <<'EOF'
ch03-cgroups --memory 64M --cpus 0.5 -- sh -c 'nproc; grep MemTotal /proc/meminfo' 2>/dev/null
ch03-cgroups --memory 64M --cpus 0.5 -- cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null
ch03-cgroups --memory 64M --cpus 0.5 -- sh -c 'mount -t tmpfs cgroups /sys/fs/cgroup && cd /sys/fs/cgroup && mkdir memory cpu && mount -t cgroup -o memory cgroup memory && mount -t cgroup -o cpu cgroup cpu && cat memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us' 2>/dev/null
ch03-cgroups --cpuset 0 -- nproc 2>/dev/null
EOF
ch03_normalise ch03-host-view

session ch03-pids <<'EOF'
ch03-cgroups --pids 16 --init -- sh -c '(b() { b | b & }; b) & exec sleep 3'; echo "exit $?"
EOF
ch03_normalise ch03-pids

session ch03-errors <<'EOF'
ch03-cgroups --memory 12XB -- true; echo "exit $?"
ch03-cgroups --cpus -1 -- true; echo "exit $?"
ch03-cgroups --pids 0 -- true; echo "exit $?"
ch03-cgroups --cpuset 7 -- true; echo "exit $?"
ch03-cgroups --memory 32M -- /no/such/command; echo "exit $?"
EOF
ch03_normalise ch03-errors

# ---------------------------------------------------------------- chapter 4
#
# Every session runs in a scratch network namespace of its own that plays the
# host (`ip netns add burrow-book-...`, lo up), with a private tmpfs on /run,
# so burrow0, the veth pairs and /run/burrow exist only there and go away with
# it: the machine's own network and its /run are never touched.

cargo build -q -p ch04-veth

ch04_ns=""
trap '[ -z "$ch04_ns" ] || ip netns del "$ch04_ns" 2>/dev/null; rm -rf "$work"' EXIT
# ch04_host CMD...: run CMD as the "host" of a chapter 4 session (the session's
# WRAPPER), in a new scratch network namespace, deleted afterwards.
ch04_host() {
    ch04_ns=burrow-book-$$
    ip netns add "$ch04_ns"
    ip netns exec "$ch04_ns" ip link set lo up
    local status=0
    # shellcheck disable=SC2016 # the inner sh expands its own "$@"
    ip netns exec "$ch04_ns" unshare --mount --propagation private \
        sh -c 'mount -t tmpfs burrow-run /run && exec "$@"' sh "$@" || status=$?
    ip netns del "$ch04_ns"
    ch04_ns=""
    return "$status"
}

# ch04_normalise NAME...: after `session NAME`, replace what changes from run
# to run in a chapter 4 session: the pids a session noted in $work/NAME.pids
# ("first PID"), the tool's pid in veth and table names (bw-PID, bwc-PID,
# burrow_PID) and wherever else it appears (a lease file, ps), the pids
# strace prints (nft's too), MAC addresses
# (the same MAC, the same label), namespace inodes, ping's times, and the
# sequence numbers and port ids of netlink messages.
ch04_normalise() { normalise_with "$ch04_normalise_py" "$@"; }
ch04_normalise_py=$(
    cat <<'PY'
import os, re, sys
marks = sys.argv[1]
text = sys.stdin.read()
# strace pads a short pid ("[pid  4429]"); ps right-aligns its PID column.
text = re.sub(r"^\[pid +(\d+)\]", r"[pid \1]", text, flags=re.M)
def replace_pid(pid, label):
    global text
    text = re.sub(rf"(?<![\w.]){pid}(?!\d)|(?<=burrow_){pid}(?!\d)", label, text)
if os.path.exists(marks):
    for line in open(marks):
        kind, pid = line.split()
        replace_pid(pid, f"<{kind}-pid>")
# strace -f: the processes that open a NETLINK_NETFILTER socket are nft's.
for pid in set(re.findall(r"^\[pid (\d+)\] socket\(AF_NETLINK, \S+, NETLINK_NETFILTER", text, re.M)):
    replace_pid(pid, "<nft-pid>")
for pid in set(re.findall(r"strace: Process (\d+) attached", text)):
    replace_pid(pid, "<child-pid>")
tool = re.findall(r"\bbwc?-(\d+)\b", text) + re.findall(r"\bburrow_(\d+)\b", text)
tool += re.findall(r"^\[pid (\d+)\]", text, re.M)
for pid in set(tool):
    replace_pid(pid, "<tool-pid>")
# MAC addresses (not the all-zero and broadcast ones): a label per MAC, the
# same MAC, the same label.
macs = {}
def mac(m):
    value = m.group(0)
    if value in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        return value
    return macs.setdefault(value, f"<mac-{len(macs) + 1}>")
text = re.sub(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b", mac, text)
# ip -br prints NAME, STATE and (for links) the MAC in columns of 16, 14 and
# 17 characters: line them up again after the replacements.
def brief(m):
    name, state, rest = m.groups()
    first, _, tail = rest.partition(" ")
    if first.startswith("<mac-"):
        rest = f"{first:<17} {tail.lstrip()}"
    return f"{name:<16} {state:<14} {rest}".rstrip()
text = re.sub(r"^(\S+) +(UP|DOWN|UNKNOWN|LOWERLAYERDOWN) +(.*)$", brief, text, flags=re.M)
text = re.sub(r"^ +(<tool-pid>) ", r"\1 ", text, flags=re.M)
inodes = {}
text = re.sub(r"net:\[(\d+)\]", lambda m: "net:[<inode-%d>]" % inodes.setdefault(m.group(1), len(inodes) + 1), text)
# ping's round-trip times.
text = re.sub(r"time=\d+(?:\.\d+)? ms", "time=#.### ms", text)
text = re.sub(r"= [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms", "= #.###/#.###/#.###/#.### ms", text)
# netlink headers: ip numbers its requests from the clock, and the kernel's
# answer carries the socket's port id (ip's pid).
text = re.sub(r"nlmsg_seq=\d{5,}", "nlmsg_seq=<seq>", text)
text = re.sub(r"nlmsg_pid=-?[1-9]\d*", "nlmsg_pid=<port>", text)
sys.stdout.write(text)
PY
)

# The puzzle: a new network namespace cannot even reach itself.
session ch04-puzzle ch04_host <<'EOF'
ch01-unshare --net -- ping -c1 -W1 127.0.0.1; echo "exit $?"
ch04-veth --net none -- ping -c1 -W1 127.0.0.1; echo "exit $?"
ch04-veth -- ping -c1 -W1 10.99.0.1; echo "exit $?"
ch04-veth -- ping -c1 -W1 192.0.2.1; echo "exit $?"
EOF
ch04_normalise ch04-puzzle

# `ip` is a netlink client; so is ch04-veth, with a socket per namespace.
session ch04-netlink ch04_host <<'EOF'
ip link set lo down
strace -e trace=sendmsg,recvmsg ip link set lo up 2>&1 | grep -E 'IFF_UP|error=0'
strace -f -e trace=socket ch04-veth -- true 2>&1 | grep -E 'NETLINK|attached'
EOF
ch04_normalise ch04-netlink

session ch04-explain ch04_host <<'EOF'
ch04-veth --explain -- sh -c 'ip -br -4 addr; ip route; ping -c1 -W1 10.99.0.1'
EOF
ch04_normalise ch04-explain

# The modes side by side, while a bridge container runs in the background.
session ch04-modes ch04_host <<'EOF'
ch04-veth -- sleep 3 & sleep 1
ch04-veth --net none -- ip -br link
ch04-veth --net host -- ip -br link
ch04-veth --net bridge -- ip -br link
readlink /proc/self/ns/net
ch04-veth --net host -- readlink /proc/self/ns/net
ch04-veth --net bridge -- readlink /proc/self/ns/net
wait
EOF
ch04_normalise ch04-modes

# The host's side of a running container.
session ch04-host-view ch04_host <<'EOF'
ch04-veth --ip 10.99.0.5 -- sleep 4 & TOOL=$!; sleep 1
ip -br link
ip -br -4 addr
ip route
bridge link
ip -d link show bw-$TOOL | head -3
ls -A /run/burrow/ipam/burrow0 /run/burrow/bridges
cat /run/burrow/ipam/burrow0/10.99.0.5; echo; ps -o pid,args -p $TOOL
ping -c1 -W1 10.99.0.5
wait $TOOL; echo "exit $?"
ip -br link; ls -A /run/burrow/ipam/burrow0 /run/burrow/bridges
EOF
ch04_normalise ch04-host-view

# Two containers on one bridge; the bridge learns where each MAC is.
session ch04-two ch04_host <<'EOF'
#cd "$(mktemp -d)"
ch04-veth --ip 10.99.0.10 -- sleep 4 & FIRST=$!
#echo "first $FIRST" >>$0.pids
ch04-veth --ip 10.99.0.11 -- sh -c 'sleep 0.5; ping -c1 -W1 10.99.0.10; ip neigh; sleep 2' >second.txt 2>&1 & SECOND=$!; sleep 1.5
#echo "second $SECOND" >>$0.pids
bridge fdb show br burrow0 | grep -v permanent | sort -k3V
wait; cat second.txt
EOF
ch04_normalise ch04-two

# IPAM: three at once get three addresses; a stale lease is taken back.
session ch04-ipam ch04_host <<'EOF'
#cd "$(mktemp -d)"
for i in 1 2 3; do ch04-veth -- sh -c 'ip -o -4 addr show eth0 | cut -d" " -f7; sleep 1' >>addrs.txt & done; sleep 0.5
ls -A /run/burrow/ipam/burrow0
wait; sort addrs.txt; ls -A /run/burrow/ipam/burrow0
echo 4194305 > /run/burrow/ipam/burrow0/10.99.0.2
echo $$ > /run/burrow/ipam/burrow0/10.99.0.3
ch04-veth -- ip -o -4 addr show eth0 | cut -d' ' -f7
ls -A /run/burrow/ipam/burrow0
EOF
ch04_normalise ch04-ipam

session ch04-errors ch04_host <<'EOF'
ch04-veth --ip 192.168.77.5 -- true; echo "exit $?"
ch04-veth --subnet 10.99.0.0/33 -- true; echo "exit $?"
ch04-veth --ip 10.99.0.20 -- sleep 2 & sleep 0.5
ch04-veth --ip 10.99.0.20 -- true; echo "exit $?"
wait
ch04-veth --bridge burrow-bridge-number-0 -- true; echo "exit $?"
ch04-veth -- sh -c 'exit 3'; echo "exit $?"
ip -br link; ls -A /run/burrow/ipam/*
EOF
ch04_normalise ch04-errors

# A bridge is reused as it is: a second subnet needs a second bridge.
session ch04-subnet ch04_host <<'EOF'
ch04-veth -- sleep 2 & sleep 0.5
ch04-veth --subnet 172.30.0.0/24 -- sh -c 'ip -br -4 addr show eth0; ping -c1 -W1 172.30.0.1'; echo "exit $?"
ch04-veth --subnet 172.30.0.0/24 --bridge burrow1 -- sh -c 'ip -br -4 addr show eth0; ping -c1 -W1 172.30.0.1'; echo "exit $?"
wait
EOF
ch04_normalise ch04-subnet

# ch04_world CMD...: ch04_host with "the internet" wired to it: a namespace
# at 192.0.2.2, behind the host's uplink 192.0.2.1, running a web server
# whose /cgi-bin/ip answers the address the request came from.
ch04_world() {
    mkdir -p "$work/internet/cgi-bin"
    echo 'hello from the internet' >"$work/internet/index.html"
    # shellcheck disable=SC2016 # the CGI script expands its own variable
    printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' \
        >"$work/internet/cgi-bin/ip"
    chmod +x "$work/internet/cgi-bin/ip"
    # shellcheck disable=SC2016 # the inner sh expands its own variables
    ch04_host sh -c '
        ip netns add internet
        ip link add uplink type veth peer name eth0 netns internet
        ip addr add 192.0.2.1/24 dev uplink && ip link set uplink up
        ip netns exec internet sh -c "ip link set lo up; ip addr add 192.0.2.2/24 dev eth0; ip link set eth0 up"
        ip netns exec internet busybox httpd -f -p 80 -h "$0" & server=$!
        sleep 0.3
        "$@"; status=$?
        kill $server; wait $server 2>/dev/null; ip netns del internet
        exit $status' "$work/internet" "$@"
}

# NAT: out to "the internet", which sees the host's address.
session ch04-nat ch04_world <<'EOF'
ip -br -4 addr; ip route
ch04-veth -- sh -c 'ping -c1 -W1 192.0.2.2 | head -2; busybox wget -qO- http://192.0.2.2/cgi-bin/ip'
ch04-veth -- sleep 2 & sleep 0.5
nft list ruleset
cat /proc/sys/net/ipv4/ip_forward
wait; nft list ruleset
EOF
ch04_normalise ch04-nat

# A published port, reached from the host, the internet and a container.
session ch04-publish ch04_world <<'EOF'
#cd "${0%/*}" && mkdir -p site && echo 'hello from the container' >site/index.html && cp -r internet/cgi-bin site/
ch04-veth --init -p 8080:80 -- busybox httpd -f -p 80 -h site & TOOL=$!; sleep 0.5
busybox wget -qO- http://127.0.0.1:8080/
ip netns exec internet busybox wget -qO- http://192.0.2.1:8080/cgi-bin/ip
ch04-veth -- busybox wget -qO- http://10.99.0.1:8080/cgi-bin/ip
ch04-veth -p 8080:80 -- true; echo "exit $?"
kill $TOOL; wait $TOOL; echo "exit $?"
busybox wget -qO- http://127.0.0.1:8080/; echo "exit $?"
EOF
ch04_normalise ch04-publish

# container: mode: two containers, one network namespace.
session ch04-container ch04_host <<'EOF'
#cd "${0%/*}" && mkdir -p site && echo 'hello from the container' >site/index.html
ch04-veth --init -- busybox httpd -f -p 127.0.0.1:80 -h site & TOOL=$!; sleep 0.5
SERVER=$(pgrep -x -f 'busybox httpd -f -p 127.0.0.1:80 -h site'); readlink /proc/$SERVER/ns/net
ch04-veth --net container:$SERVER -- sh -c 'readlink /proc/self/ns/net; ip -br -4 addr; busybox wget -qO- http://127.0.0.1/'
ch04-veth -- busybox wget -qO- http://127.0.0.1/; echo "exit $?"
kill $TOOL; wait $TOOL; echo "exit $?"
EOF
ch04_normalise ch04-container

# Ports and modes that cannot work fail before anything exists.
session ch04-port-errors ch04_host <<'EOF'
#cd "${0%/*}"
ch04-veth -p 80 -- true; echo "exit $?"
ch04-veth -p 8080:80/sctp -- true; echo "exit $?"
ch04-veth --net none -p 8080:80 -- true; echo "exit $?"
ch04-veth --net container:4194305 -- true; echo "exit $?"
busybox httpd -p 8080 -h .
ch04-veth -p 8080:80 -- true; echo "exit $?"
#pkill -x -f 'busybox httpd -p 8080 -h .'
ip -br link; nft list tables; ls -A /run/burrow/ipam/*
EOF
ch04_normalise ch04-port-errors

# ---------------------------------------------------------------- chapter 5
#
# The images are made by umoci from the busybox rootfs, as the lab checks
# make theirs: `base` (one layer; Cmd sh, Env GREETING=hello) and `second`
# (base plus a layer that deletes /bin/ls and adds /hello), in $work/img. The
# store is $work/store. Digests depend on the files' times, so each distinct
# digest is shown as a label, <digest-1>, <digest-2>, ... (the same digest,
# the same label).

cargo build -q -p ch05-overlay
img=$work/img
rootfs=$(scripts/rootfs.sh)
(
    cd "$work"
    umoci init --layout img
    umoci new --image img:base
    umoci unpack --image img:base b
    cp -a "$rootfs"/. b/rootfs/
    umoci repack --image img:base b
    rm -rf b
    umoci config --image img:base --config.cmd sh --config.env GREETING=hello
    umoci unpack --image img:base b
    rm b/rootfs/bin/ls
    echo hello >b/rootfs/hello
    umoci repack --image img:second b
    rm -rf b
) >/dev/null
export IMG=$img STORE=$work/store

ch05_normalise() { normalise_with "$ch05_normalise_py" "$@"; }
ch05_normalise_py=$(
    cat <<'PY'
import json, os, re, sys
text = sys.stdin.read()
# One label per digest across all of chapter 5's sessions.
store = os.path.join(os.path.dirname(sys.argv[1]), "ch05.labels")
labels = json.load(open(store)) if os.path.exists(store) else {}
def label(m):
    return "<digest-%d>" % labels.setdefault(m.group(0), len(labels) + 1)
text = re.sub(r"\b[0-9a-f]{64}\b", label, text)
# Short digests (`images` prints 12 digits): the label of the full one.
def short(m):
    full = next((d for d in labels if d.startswith(m.group(1))), m.group(1) + "0" * 52)
    return "sha256:%-12s" % label(re.match(r".*", full))
text = re.sub(r"sha256:([0-9a-f]{12})\b", short, text)
json.dump(labels, open(store, "w"))
text = re.sub(r"\[explain pid \d+\]", "[explain pid <tool-pid>]", text)
text = re.sub(r"\bch05-\d+\b", "ch05-<tool-pid>", text)
text = re.sub(r"\(pid \d+\)", "(pid <pid>)", text)
text = re.sub(r"kill\(\d+, ", "kill(<pid>, ", text)
text = re.sub(r"^(real|user|sys)\t(\d+m\d+)\.\d+s$", r"\1\t\2.###s", text, flags=re.M)
text = re.sub(r"\b[A-Z][a-z]{2} [ \d]\d \d\d:\d\d\b", "MMM DD hh:mm", text)
sys.stdout.write(text)
PY
)

session ch05-import <<'EOF'
cat $IMG/index.json | tr ',' '\n' | grep -E 'digest|ref.name'
ch05-overlay --store $STORE --explain import $IMG:base busybox
ch05-overlay --store $STORE images
ls $STORE/layers; ls $STORE/layers/* | head -5
EOF
ch05_normalise ch05-import

session ch05-cow <<'EOF'
ch05-overlay --store $STORE run --name c1 busybox sh -c 'echo $GREETING; echo new > /new; echo more >> /etc/passwd; rm /bin/ls; ls /bin/ls'
ch05-overlay --store $STORE diff c1
ls -l $STORE/containers/c1/upper/bin $STORE/containers/c1/upper/etc
tail -1 $STORE/containers/c1/upper/etc/passwd; tail -1 $STORE/layers/*/etc/passwd; ls $STORE/layers/*/bin/ls
ch05-overlay --store $STORE rm c1
EOF
ch05_normalise ch05-cow

session ch05-mounts <<'EOF'
ch05-overlay --store $STORE --explain run --rm busybox sh -c 'grep " / / " /proc/self/mountinfo' 2>&1 | grep -E 'overlay|pivot'
grep -c overlay /proc/self/mountinfo
EOF
ch05_normalise ch05-mounts

session ch05-dedupe <<'EOF'
ch05-overlay --store $STORE --explain import $IMG:second second 2>&1 | grep -E 'layer|unpacked'
du -s --apparent-size -h $STORE/layers/*
ls -l $STORE/layers/*/hello $STORE/layers/*/bin/ls
ch05-overlay --store $STORE run --rm second sh -c 'cat /hello; ls /bin/ls'
EOF
ch05_normalise ch05-dedupe

session ch05-refused <<'EOF'
#cd "${0%/*}" && cp -a $IMG bad
LAYER=$(ls -S bad/blobs/sha256 | head -1); printf 'X' | dd of=bad/blobs/sha256/$LAYER bs=1 seek=1000 conv=notrunc status=none
ch05-overlay --store store2 import bad:base busybox; echo "exit $?"
ls store2/layers | wc -l
EOF
ch05_normalise ch05-refused

# Commit, and the same changes committed twice.
session ch05-commit <<'EOF'
ch05-overlay --store $STORE run --name c2 busybox sh -c 'echo hi > /hi; rm /bin/ls'
ch05-overlay --store $STORE --explain commit c2 withhi 2>&1 | grep -v verify
ch05-overlay --store $STORE run --rm withhi sh -c 'cat /hi; ls /bin/ls'
ch05-overlay --store $STORE run --name c3 busybox sh -c 'echo hi > /hi; rm /bin/ls'
ch05-overlay --store $STORE --explain commit c3 again 2>&1 | grep layer
ch05-overlay --store $STORE images
EOF
ch05_normalise ch05-commit

# Untag, then mark and sweep.
session ch05-prune <<'EOF'
ch05-overlay --store $STORE ps
ch05-overlay --store $STORE rmi withhi; ch05-overlay --store $STORE rmi again; ch05-overlay --store $STORE rmi second
ch05-overlay --store $STORE --explain prune
ch05-overlay --store $STORE images; ls $STORE/layers
EOF
ch05_normalise ch05-prune

# Pull: a registry on 127.0.0.1:5099, filled by skopeo, stopped at the end.
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:5099\n' \
    "$work" >"$work/registry.yml"
export REGISTRY_CONFIG=$work/registry.yml
session ch05-pull <<'EOF'
#cd "${0%/*}" && { docker-registry serve $REGISTRY_CONFIG >/dev/null 2>&1 & echo $! >registry.pid; } && sleep 1
skopeo copy --insecure-policy --dest-tls-verify=false oci:$IMG:base docker://127.0.0.1:5099/busybox:latest
curl -s http://127.0.0.1:5099/v2/busybox/tags/list
ch05-overlay --store pulled --explain pull 127.0.0.1:5099/busybox:latest --as busybox
ch05-overlay --store pulled run --rm busybox sh -c 'echo $GREETING'
#kill $(cat registry.pid)
EOF
ch05_normalise ch05-pull

# Detached: run -d, ps, logs, stop (sleep as PID 1 ignores SIGTERM).
session ch05-detach <<'EOF'
ch05-overlay --store $STORE run -d --net=none --name bg busybox sh -c 'echo started; exec sleep 60'
ch05-overlay --store $STORE ps
ch05-overlay --store $STORE logs bg
time ch05-overlay --store $STORE --explain stop --time 2 bg
ch05-overlay --store $STORE ps; ch05-overlay --store $STORE rm bg
EOF
ch05_normalise ch05-detach

# Small images, measured: one static program on three bases. The Debian
# base is a debootstrap --variant=minbase of bookworm (what debian:slim is
# made from), cached in target/book-cache; busybox is the base above; the
# third has nothing but the program (distroless's "static" idea).
debian=target/book-cache/debian-minbase
if [ ! -e "$debian/.done" ]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    rm -rf "$debian" "$debian.tmp"
    mkdir -p "$(dirname "$debian")"
    debootstrap --variant=minbase bookworm "$debian.tmp" http://deb.debian.org/debian >/dev/null
    rm -rf "$debian.tmp"/var/cache/apt/archives/*.deb "$debian.tmp"/var/lib/apt/lists/*
    mv "$debian.tmp" "$debian" && touch "$debian/.done"
fi
printf 'fn main() {\n    println!("hello from a static program");\n}\n' >"$work/hello.rs"
rustc -O -C target-feature=+crt-static -C strip=symbols -o "$work/hello" "$work/hello.rs"
(
    cd "$work"
    umoci new --image img:debian && umoci unpack --image img:debian d
    cp -a "$OLDPWD/$debian"/. d/rootfs/ && rm -f d/rootfs/.done && umoci repack --image img:debian d && rm -rf d
    umoci new --image img:scratch-hello && umoci unpack --image img:scratch-hello s
    cp hello s/rootfs/hello && umoci repack --image img:scratch-hello s && rm -rf s
    umoci config --image img:scratch-hello --config.cmd /hello
) >/dev/null
session ch05-sizes <<'EOF'
#cd "${0%/*}"
ls -l hello | cut -d' ' -f5-
ch05-overlay --store sizes import $IMG:debian debian >/dev/null; ch05-overlay --store sizes import $IMG:base busybox >/dev/null
ch05-overlay --store sizes run --net=none --name d debian sh -c 'cat > /hello; chmod +x /hello' <hello; ch05-overlay --store sizes commit d debian-hello
ch05-overlay --store sizes run --net=none --name b busybox sh -c 'cat > /hello; chmod +x /hello' <hello; ch05-overlay --store sizes commit b busybox-hello
ch05-overlay --store sizes import $IMG:scratch-hello scratch-hello
ch05-overlay --store sizes images
for i in debian-hello busybox-hello scratch-hello; do ch05-overlay --store sizes run --rm --net=none $i /hello; done
du -sh sizes/layers/* | sort -h
EOF
ch05_normalise ch05-sizes

# ---------------------------------------------------------------- chapter 6

cargo build -q -p ch06-runtime -p burrow

session ch06-spec <<'EOF'
#mkdir -p "${0%/*}/bundle" && cd "${0%/*}/bundle"
ch06-runtime spec && head -20 config.json
grep -E '"(type|destination)"' config.json | tr -d ' ,'
ch06-runtime spec; echo "exit $?"
EOF

# A bundle with a busybox rootfs; the sessions keep their state under $work.
ch06_bundle() {
    scripts/bundle.sh "$(command -v ch06-runtime)" "$work/demo" sh -c 'echo hello from $(hostname), pid $$; exec sleep 1000'
}
ch06_bundle
ch06_normalise() { normalise_with "$ch06_normalise_py" "$@"; }
ch06_normalise_py=$(
    cat <<'PY'
import re, sys
text = sys.stdin.read()
for pid in set(re.findall(r'"pid": (\d+)', text)) | set(re.findall(r"-> pid (\d+)", text)):
    text = re.sub(rf"\b{pid}\b", "<pid>", text)
text = re.sub(r"\[explain pid \d{2,}\]", "[explain pid <runtime>]", text)
text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "YYYY-MM-DDThh:mm:ssZ", text)
sys.stdout.write(text)
PY
)

session ch06-lifecycle <<'EOF'
#cd "${0%/*}/demo"
ch06-runtime create demo --bundle . >out.txt 2>&1 </dev/null; echo "create: exit $?"
ch06-runtime state demo
pid=$(ch06-runtime state demo | grep '"pid"' | tr -dc 0-9); cat /proc/$pid/comm; cat /proc/$pid/wchan; echo
ls /run/burrow/demo
ch06-runtime start demo; sleep 0.1; cat out.txt
ch06-runtime state demo | grep status; cat /proc/$pid/comm
ch06-runtime list
ch06-runtime delete demo; echo "delete: exit $?"
ch06-runtime kill demo KILL; sleep 0.2; ch06-runtime state demo | grep status
ch06-runtime delete demo; ch06-runtime state demo; echo "state: exit $?"
EOF
ch06_normalise ch06-lifecycle

session ch06-run <<'EOF'
#cd "${0%/*}/demo"
#python3 -c 'import json; c = json.load(open("config.json")); c["process"]["args"] = ["sh", "-c", "hostname; exit 3"]; json.dump(c, open("config.json", "w"))'
ch06-runtime run demo --bundle .; echo "exit $?"
ch06-runtime --debug run demo --bundle . 2>&1 | grep -E 'clone|uid_map|cgroup.procs|pivot_root|exec fifo|open\(|rmdir .*/demo$' | head -12
EOF
ch06_normalise ch06-run

# A container in the host's mount namespace (a copy of the demo bundle).
session ch06-host-mounts <<'EOF'
#cd "${0%/*}"; cp -a demo hostmnt; cd hostmnt
python3 -c 'import json; c = json.load(open("config.json")); c["linux"]["namespaces"] = [{"type": "pid"}]; del c["hostname"]; json.dump(c, open("config.json", "w"))'
ch06-runtime create hostmnt --bundle .; echo "exit $?"
python3 -c 'import json; c = json.load(open("config.json")); del c["linux"]["maskedPaths"], c["linux"]["readonlyPaths"]; c["root"]["readonly"] = False; json.dump(c, open("config.json", "w"))'
ch06-runtime create hostmnt --bundle . >out.txt 2>&1 </dev/null; echo "exit $?"
grep "$PWD/rootfs" /proc/self/mountinfo | cut -d" " -f5,9 | grep -v fs/cgroup
ch06-runtime exec hostmnt ls /
ch06-runtime delete --force hostmnt
grep -c "$PWD/rootfs" /proc/self/mountinfo
EOF
ch06_normalise ch06-host-mounts

# ---------------------------------------------------------------- chapter 7

# The default container (burrow spec's config.json, in a bundle of its own),
# and root inside it trying what chapter 7 takes away.
scripts/bundle.sh "$(command -v burrow)" "$work/demo7" sh -c 'exec sleep 1000'
session ch07-inside <<'EOF'
#cd "${0%/*}/demo7"
#burrow run -d demo --bundle . >out.txt 2>&1 </dev/null
burrow exec demo grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp|Seccomp_filters)' /proc/self/status
burrow exec demo id
burrow exec demo mount -t tmpfs none /mnt; echo "exit $?"
burrow exec demo sh -c 'echo 1 > /proc/sys/kernel/panic'; echo "exit $?"
burrow exec demo ls -l /proc/keys /proc/timer_list
burrow exec demo hostname evil; echo "exit $?"
burrow exec demo mknod /dev/disk b 8 0; burrow exec demo head -c 1 /dev/disk; echo "exit $?"
burrow exec demo unshare -U true; echo "exit $?"
#burrow delete --force demo
EOF
ch06_normalise ch07-inside

# Which file the waiting container process executes: the sealed view of
# burrow, through the overlay or (forced) a memfd copy.
session ch07-seal <<'EOF'
#cd "${0%/*}/demo7"
burrow create demo --bundle . >out.txt 2>&1 </dev/null; pid=$(burrow state demo | grep '"pid"' | tr -dc 0-9)
readlink /proc/$pid/exe; stat -f -c %T /proc/$pid/exe
burrow delete --force demo
BURROW_EXE_SEAL=memfd burrow create demo --bundle . >out.txt 2>&1 </dev/null; pid=$(burrow state demo | grep '"pid"' | tr -dc 0-9)
readlink /proc/$pid/exe
burrow delete --force demo
burrow --debug create demo --bundle . >out.txt 2>debug.txt </dev/null; grep -E 'fsopen|memfd' debug.txt
burrow delete --force demo
EOF
ch06_normalise ch07-seal

# ---------------------------------------------------------------- conformance

# The OCI runtime spec's validation suite, burrow and runc side by side.
session conformance <<'EOF'
scripts/conformance.sh 2>/dev/null
EOF

