#!/usr/bin/env python3
"""Make a session's terminal output the same on every run and every machine.

    normalise.py CHAPTER --top DIR --work DIR --host NAME [--marks FILE] [--labels FILE] <raw >text

scripts/book-output.sh runs each session in book/sessions/ and pipes what
it printed through this program into book/src/output/. What changes from
run to run (pids, temp paths, times, MAC addresses, digests) is replaced by
a label such as <tool-pid>, so that a second run writes the same file and a
diff shows only what really changed.

Each rule below is a function from text to text. COMMON runs on every
session; CHAPTERS adds a chapter's own rules after it. test_normalise.py
has a test for each rule.
"""

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field


@dataclass
class Context:
    """What a rule may need besides the text."""

    top: str = "/repo"  # the repository, shown as "." or relative paths
    work: str = "/tmp/burrow-book.abcdef"  # the run's scratch dir ($TMPDIR)
    host: str = "buildhost"  # the machine's hostname, shown as myhost
    marks: list = field(default_factory=list)  # (kind, pid) a session noted
    labels: dict = field(default_factory=dict)  # digest -> number, across sessions
    session: str = ""  # e.g. ch03-cpu


# Sessions whose page does arithmetic with their timings: shown as measured,
# so they change a little from run to run.
MEASURED = {"ch03-cpu", "node-lag"}


def replace_pid(text, pid, label):
    """Every `pid` that is a number of its own (not part of a longer one)."""
    return re.sub(rf"\b{pid}\b", label, text)


# ------------------------------------------------------------------ common


def explain_pids(text, ctx):
    """--explain names the tool's host pid ("[explain pid 4242] clone(")
    and the container's ("-> pid 4243 on the host")."""
    for pid in set(re.findall(r"\[explain pid (\d+)\] clone\(", text)):
        text = replace_pid(text, pid, "<tool-pid>")
    for pid in set(re.findall(r"-> pid (\d+) on the host", text)):
        text = replace_pid(text, pid, "<child-pid>")
    return text


def nspid(text, ctx):
    """NSpid: HOST INSIDE: the first of the two pids is the host's."""
    return re.sub(r"^(NSpid:\s+)\d+(\s+\d+)$", r"\1<pid>\2", text, flags=re.M)


def init_fork_first(text, ctx):
    """Under --init, PID 1 ("init: fork() -> pid 2") and PID 2 (the
    command) print at the same moment: show the fork first, as it happened."""
    lines = text.split("\n")
    fork = next((i for i, l in enumerate(lines) if "] init: fork() -> pid" in l), None)
    first = next((i for i, l in enumerate(lines) if l.startswith("[explain pid 2]")), None)
    if fork is not None and first is not None and first < fork:
        lines.insert(first, lines.pop(fork))
    return "\n".join(lines)


def trailing_spaces(text, ctx):
    return "\n".join(line.rstrip() for line in text.split("\n"))


def paths(text, ctx):
    """mktemp's dirs, the scratch dir, and the repository (as relative paths)."""
    text = re.sub(re.escape(ctx.work) + r"/tmp\.\w{10}", "/tmp/tmp.XXXXXXXXXX", text)
    text = text.replace(ctx.work, "/tmp/burrow-book")
    return text.replace(ctx.top + "/", "").replace(ctx.top, ".")


def ls_times(text, ctx):
    """ls -l's "Dec  7 15:20" (or "Dec  7  2025" for an old file)."""
    return re.sub(r"\b[A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4})\b", "MMM DD hh:mm", text)


def ipc_keys(text, ctx):
    """The key column of `ipcs`, a random number. Only there: other hex
    numbers (clone flags in an error, say) mean something."""
    return re.sub(r"^0x[0-9a-f]{8}(?= )", "0xXXXXXXXX", text, flags=re.M)


def hostname(text, ctx):
    """The machine's name, on a line of its own (what `hostname` prints)."""
    return re.sub(rf"^{re.escape(ctx.host)}$", "myhost", text, flags=re.M)


def nul_bytes(text, ctx):
    """/proc/PID/cmdline separates arguments with NUL: show them as cat -v."""
    return text.replace("\0", "^@")


COMMON = [explain_pids, nspid, init_fork_first, trailing_spaces, paths, ls_times, ipc_keys, hostname, nul_bytes]


def marked_pids(text, ctx, replace=replace_pid):
    """Pids a session noted in its marks file ("child 4242" -> <child-pid>)."""
    for kind, pid in ctx.marks:
        text = replace(text, pid, f"<{kind}-pid>")
    return text


# --------------------------------------------------------------- chapter 3


def cgroup_pids(text, ctx):
    """The tool's pid (in every cgroup name, burrow/ch03-PID), then the
    marked pids, then the process the OOM killer names."""
    for pid in set(re.findall(r"\bch03-(\d+)\b", text)):
        text = replace_pid(text, pid, "<tool-pid>")
    text = marked_pids(text, ctx)
    for pid in set(re.findall(r"(?:Killed process |,pid=)(\d+)\b", text)):
        text = replace_pid(text, pid, "<pid>")
    return text


def cpu_timings(text, ctx):
    """The summary's seconds, CPUs used and CFS periods (the quota stays)."""
    if ctx.session in MEASURED:
        return text
    text = re.sub(r"\b\d+\.\d\d s\b", "#.## s", text)
    text = re.sub(r"\(\d+\.\d\d CPUs\)", "(#.## CPUs)", text)
    return re.sub(r"\bin \d+ of \d+ periods\b", "in # of # periods", text)


def memory_peaks(text, ctx):
    """A peak at the limit (an OOM kill) is exact; below it, it varies."""
    size = r"\d+(?:\.\d)? (?:B|KiB|MiB|GiB)"

    def peak(m):
        value, limit = m.group(1), m.group(2)
        return m.group(0) if limit == f"limit {value}" else m.group(0).replace(value, "<size>", 1)

    return re.sub(rf"peak ({size}), (limit {size}|no limit)", peak, text)


def forks_refused(text, ctx):
    return re.sub(r"\b[1-9]\d* fork\(s\) refused", "# fork(s) refused", text)


def cpu_stat(text, ctx):
    """cpu.stat's counters (their v1 and v2 names)."""
    if ctx.session in MEASURED:
        return text
    keys = "nr_periods|nr_throttled|throttled_time|throttled_usec|nr_bursts|burst_time|burst_usec|usage_usec|user_usec|system_usec"
    return re.sub(rf"^({keys}) \d+$", r"\1 #", text, flags=re.M)


def memory_events(text, ctx):
    """memory.events' `max`: how many times usage reached memory.max, which
    depends on how fast the process allocated."""
    return re.sub(r"^max [1-9]\d*$", "max #", text, flags=re.M)


def kernel_log_kb(text, ctx):
    """The kernel log's "anon-rss:31840kB"."""
    return re.sub(r"([a-z-]+):\d+kB", r"\1:#kB", text)


def fork_bomb(text, ctx):
    """A fork bomb's shells print "sh: 1: Cannot fork" once per refused
    fork, all at once, so pieces of the lines mix: show the message once."""
    tok = r"(?:sh: \d+: ?|Cannot fork)"
    return re.sub(
        rf"(?:^{tok}*\n)*^{tok}*Cannot fork{tok}*\n(?:^{tok}*\n)*",
        "sh: 1: Cannot fork\n[... the same message again, once for each fork refused ...]\n",
        text,
        flags=re.M,
    )


# --------------------------------------------------------------- chapter 4


def strace_pid_padding(text, ctx):
    """strace pads a short pid: "[pid  4429]"."""
    return re.sub(r"^\[pid +(\d+)\]", r"[pid \1]", text, flags=re.M)


def replace_net_pid(text, pid, label):
    """A pid alone, or after burrow_ (an nft table), never inside an
    address (10.99.0.5) or a longer number."""
    return re.sub(rf"(?<![\w.]){pid}(?!\d)|(?<=burrow_){pid}(?!\d)", label, text)


def network_pids(text, ctx):
    """Marked pids; nft's (the processes strace sees open a
    NETLINK_NETFILTER socket); the child strace attached to; the tool's
    (in veth names bw-PID and bwc-PID, the table burrow_PID, strace's
    [pid N] lines)."""
    text = marked_pids(text, ctx, replace_net_pid)
    for pid in set(re.findall(r"^\[pid (\d+)\] socket\(AF_NETLINK, \S+, NETLINK_NETFILTER", text, re.M)):
        text = replace_net_pid(text, pid, "<nft-pid>")
    for pid in set(re.findall(r"strace: Process (\d+) attached", text)):
        text = replace_net_pid(text, pid, "<child-pid>")
    tool = re.findall(r"\bbwc?-(\d+)\b", text) + re.findall(r"\bburrow_(\d+)\b", text)
    tool += re.findall(r"^\[pid (\d+)\]", text, re.M)
    for pid in set(tool):
        text = replace_net_pid(text, pid, "<tool-pid>")
    return text


def mac_addresses(text, ctx):
    """A label per MAC (the same MAC, the same label), but the all-zero and
    broadcast ones, which mean something."""
    macs = {}

    def mac(m):
        value = m.group(0)
        if value in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
            return value
        return macs.setdefault(value, f"<mac-{len(macs) + 1}>")

    return re.sub(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b", mac, text)


def ip_brief_columns(text, ctx):
    """ip -br prints NAME, STATE and (for links) the MAC in columns of 16,
    14 and 17 characters: line them up again after the labels; and ps's
    right-aligned PID column."""

    def brief(m):
        name, state, rest = m.groups()
        first, _, tail = rest.partition(" ")
        if first.startswith("<mac-"):
            rest = f"{first:<17} {tail.lstrip()}"
        return f"{name:<16} {state:<14} {rest}".rstrip()

    text = re.sub(r"^(\S+) +(UP|DOWN|UNKNOWN|LOWERLAYERDOWN) +(.*)$", brief, text, flags=re.M)
    return re.sub(r"^ +(<tool-pid>) ", r"\1 ", text, flags=re.M)


def netns_inodes(text, ctx):
    """readlink /proc/PID/ns/net: a label per namespace."""
    inodes = {}
    return re.sub(r"net:\[(\d+)\]", lambda m: "net:[<inode-%d>]" % inodes.setdefault(m.group(1), len(inodes) + 1), text)


def ping_times(text, ctx):
    """iputils' summary has four times (min/avg/max/mdev), busybox's three."""
    text = re.sub(r"time=\d+(?:\.\d+)? ms", "time=#.### ms", text)
    text = re.sub(r"= [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms", "= #.###/#.###/#.###/#.### ms", text)
    return re.sub(r"= [\d.]+/[\d.]+/[\d.]+ ms", "= #.###/#.###/#.### ms", text)


def netlink_headers(text, ctx):
    """ip numbers its requests from the clock, and the kernel's answer
    carries the socket's port id (ip's pid)."""
    text = re.sub(r"nlmsg_seq=\d{5,}", "nlmsg_seq=<seq>", text)
    return re.sub(r"nlmsg_pid=-?[1-9]\d*", "nlmsg_pid=<port>", text)


# --------------------------------------------------------------- chapter 5


def digests(text, ctx):
    """Digests depend on the files' times: a label per digest, <digest-1>,
    <digest-2>, ..., kept across the chapter's sessions (ctx.labels). The
    12 digits `images` prints get the label of the full digest."""
    labels = ctx.labels

    def label(m):
        return "<digest-%d>" % labels.setdefault(m.group(0), len(labels) + 1)

    text = re.sub(r"\b[0-9a-f]{64}\b", label, text)

    def short(m):
        full = next((d for d in labels if d.startswith(m.group(1))), m.group(1) + "0" * 52)
        return "sha256:%-12s" % label(re.match(r".*", full))

    return re.sub(r"sha256:([0-9a-f]{12})\b", short, text)


def store_pids(text, ctx):
    text = re.sub(r"\[explain pid \d+\]", "[explain pid <tool-pid>]", text)
    text = re.sub(r"\bch05-\d+\b", "ch05-<tool-pid>", text)
    text = re.sub(r"\(pid \d+\)", "(pid <pid>)", text)
    return re.sub(r"kill\(\d+, ", "kill(<pid>, ", text)


def sweep_order(text, ctx):
    """prune sweeps each directory in its names' order, and the names are
    digests: once they are labels, each directory's order is the labels'."""

    def by_label(m):
        lines = m.group(0).split("\n")
        parts = [re.fullmatch(r"(.*<digest-)(\d+)>", line).groups() for line in lines]
        dirs = list(dict.fromkeys(d for d, _ in parts))
        ordered = sorted(parts, key=lambda p: (dirs.index(p[0]), int(p[1])))
        return "\n".join(f"{d}{num}>" for d, num in ordered)

    return re.sub(r"^.*\] sweep .*<digest-\d+>(?:\n.*\] sweep .*<digest-\d+>)*", by_label, text, flags=re.M)


def time_output(text, ctx):
    """bash's `time`: the minutes and seconds stay, the milliseconds go."""
    return re.sub(r"^(real|user|sys)\t(\d+m\d+)\.\d+s$", r"\1\t\2.###s", text, flags=re.M)


# ---------------------------------------------------------- chapters 6, 7


def runtime_pids(text, ctx):
    """The container's pid (state's "pid": N, --explain's -> pid N), the
    runtime's own in --explain, and the state's created time."""
    for pid in set(re.findall(r'"pid": (\d+)', text)) | set(re.findall(r"-> pid (\d+)", text)):
        text = replace_pid(text, pid, "<pid>")
    return re.sub(r"\[explain pid \d{2,}\]", "[explain pid <runtime>]", text)


def list_columns(text, ctx):
    """`list` pads its columns to the values' widths, and a pid's width
    varies: lay each row out under the header again, PID right-aligned."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not re.fullmatch(r"ID +PID +STATUS +BUNDLE +CREATED +OWNER", line):
            continue
        starts = [m.start() for m in re.finditer(r"\S+", line)]
        pid_end = starts[1] + len("PID")
        for j in range(i + 1, len(lines)):
            row = lines[j].split()
            if len(row) != 6:
                break
            out = row[0].ljust(pid_end - len(row[1]) - 1) + " " + row[1]
            for start, value in zip(starts[2:], row[2:]):
                out = out.ljust(start - 1) + " " + value
            lines[j] = out
    return "\n".join(lines)


def timestamps(text, ctx):
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "YYYY-MM-DDThh:mm:ssZ", text)


CGROUPS = [cgroup_pids, cpu_timings, memory_peaks, forks_refused, cpu_stat, memory_events, kernel_log_kb, fork_bomb, time_output]
RUNTIME = [runtime_pids, timestamps, list_columns]
CHAPTERS = {
    "ch01": [],
    "ch02": [],
    "ch03": CGROUPS,
    "ch04": [strace_pid_padding, network_pids, mac_addresses, ip_brief_columns, netns_inodes, ping_times, netlink_headers],
    "ch05": [digests, store_pids, sweep_order, time_output],
    "node": CGROUPS,
    "ch06": RUNTIME,
    "ch07": RUNTIME,
    "conformance": [],
}


def normalise(text, chapter, ctx):
    for rule in COMMON + CHAPTERS[chapter]:
        text = rule(text, ctx)
    return text


def main():
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("chapter", choices=sorted(CHAPTERS))
    args.add_argument("--top", required=True)
    args.add_argument("--work", required=True)
    args.add_argument("--host", required=True)
    args.add_argument("--marks", help='a file of "KIND PID" lines')
    args.add_argument("--labels", help="a JSON file of digest labels, read and written back")
    args.add_argument("--session", default="", help="the session's name, e.g. ch03-cpu")
    opts = args.parse_args()
    ctx = Context(top=opts.top, work=opts.work, host=opts.host, session=opts.session)
    if opts.marks and os.path.exists(opts.marks):
        with open(opts.marks) as f:
            ctx.marks = [tuple(line.split()) for line in f if line.strip()]
    if opts.labels and os.path.exists(opts.labels):
        with open(opts.labels) as f:
            ctx.labels = json.load(f)
    text = sys.stdin.buffer.read().decode("utf-8", "replace")
    sys.stdout.write(normalise(text, opts.chapter, ctx))
    if opts.labels:
        with open(opts.labels, "w") as f:
            json.dump(ctx.labels, f)


if __name__ == "__main__":
    main()
