"""A test for each rule of normalise.py: what it replaces, and what it must leave.

    python3 -m unittest discover -s book/sessions
"""

import unittest

import normalise as n
from normalise import Context


def run(rule, text, **ctx):
    return rule(text, Context(**ctx))


class Common(unittest.TestCase):
    def test_explain_pids(self):
        text = "[explain pid 4242] clone(...) -> pid 4243 on the host\n[explain pid 4242] wait 4243\n"
        self.assertEqual(
            run(n.explain_pids, text),
            "[explain pid <tool-pid>] clone(...) -> pid <child-pid> on the host\n[explain pid <tool-pid>] wait <child-pid>\n",
        )

    def test_explain_pids_leaves_longer_numbers(self):
        self.assertEqual(run(n.explain_pids, "[explain pid 42] clone(\n4242 42\n"), "[explain pid <tool-pid>] clone(\n4242 <tool-pid>\n")

    def test_nspid(self):
        self.assertEqual(run(n.nspid, "NSpid:\t81234\t1\n"), "NSpid:\t<pid>\t1\n")
        self.assertEqual(run(n.nspid, "NSpid:\t81234\n"), "NSpid:\t81234\n", "one pid: the host's own namespace")

    def test_init_fork_first(self):
        text = "[explain pid 2] execve(sh)\n[explain pid 1] init: fork() -> pid 2\n"
        self.assertEqual(run(n.init_fork_first, text), "[explain pid 1] init: fork() -> pid 2\n[explain pid 2] execve(sh)\n")
        in_order = "[explain pid 1] init: fork() -> pid 2\n[explain pid 2] execve(sh)\n"
        self.assertEqual(run(n.init_fork_first, in_order), in_order)

    def test_trailing_spaces(self):
        self.assertEqual(run(n.trailing_spaces, "a  \nb\t\n"), "a\nb\n")

    def test_paths(self):
        ctx = dict(top="/home/me/burrow", work="/tmp/burrow-book.Ab12Cd")
        text = "/tmp/burrow-book.Ab12Cd/tmp.k3J9xQ2mZp/x /tmp/burrow-book.Ab12Cd/demo /home/me/burrow/target/debug /home/me/burrow"
        self.assertEqual(run(n.paths, text, **ctx), "/tmp/tmp.XXXXXXXXXX/x /tmp/burrow-book/demo target/debug .")

    def test_ls_times(self):
        self.assertEqual(run(n.ls_times, "root 0 Dec  7 15:20 a\nroot 0 Jan 12  2025 b\n"), "root 0 MMM DD hh:mm a\nroot 0 MMM DD hh:mm b\n")

    def test_ipc_keys(self):
        self.assertEqual(run(n.ipc_keys, "0x1b2c3d4e 0          root\n"), "0xXXXXXXXX 0          root\n")

    def test_ipc_keys_leave_clone_flags(self):
        # CLONE_NEWUSER in a refused unshare(2) is the point of the line.
        line = "unshare: unshare(0x10000000): Operation not permitted\n"
        self.assertEqual(run(n.ipc_keys, line), line)

    def test_hostname(self):
        self.assertEqual(run(n.hostname, "buildhost\nbox\nbuildhost.lan\n", host="buildhost"), "myhost\nbox\nbuildhost.lan\n")

    def test_nul_bytes(self):
        self.assertEqual(run(n.nul_bytes, "sleep\x001000\x00"), "sleep^@1000^@")

    def test_a_chapter_without_rules_gets_the_common_ones(self):
        self.assertEqual(n.normalise("buildhost  \n", "ch01", Context(host="buildhost")), "myhost\n")


class Chapter3(unittest.TestCase):
    def test_cgroup_pids(self):
        text = "burrow/ch03-512 512 (child 513) Killed process 514 (tail)\n"
        out = run(n.cgroup_pids, text, marks=[("child", "513")])
        self.assertEqual(out, "burrow/ch03-<tool-pid> <tool-pid> (child <child-pid>) Killed process <pid> (tail)\n")

    def test_cpu_timings(self):
        text = "cpu 0.41 s (0.20 CPUs), throttled in 9 of 10 periods, quota 20000/100000\n"
        self.assertEqual(run(n.cpu_timings, text), "cpu #.## s (#.## CPUs), throttled in # of # periods, quota 20000/100000\n")

    def test_measured_sessions_keep_their_timings(self):
        text = "cpu 0.41 s used\nnr_periods 19\n"
        self.assertEqual(run(n.cpu_stat, run(n.cpu_timings, text, session="ch03-cpu"), session="ch03-cpu"), text)

    def test_memory_peaks(self):
        self.assertEqual(run(n.memory_peaks, "peak 32.0 MiB, limit 32.0 MiB"), "peak 32.0 MiB, limit 32.0 MiB")
        self.assertEqual(run(n.memory_peaks, "peak 1.2 MiB, limit 32.0 MiB"), "peak <size>, limit 32.0 MiB")
        self.assertEqual(run(n.memory_peaks, "peak 700 KiB, no limit"), "peak <size>, no limit")

    def test_forks_refused(self):
        self.assertEqual(run(n.forks_refused, "37 fork(s) refused; 0 fork(s) refused"), "# fork(s) refused; 0 fork(s) refused")

    def test_cpu_stat(self):
        self.assertEqual(run(n.cpu_stat, "nr_periods 19\nthrottled_usec 1520\nother 3\n"), "nr_periods #\nthrottled_usec #\nother 3\n")

    def test_memory_events(self):
        self.assertEqual(run(n.memory_events, "low 0\nmax 4127\noom 1\noom_kill 1\n"), "low 0\nmax #\noom 1\noom_kill 1\n")
        self.assertEqual(run(n.memory_events, "max 0\n"), "max 0\n", "never reached: 0 means something")

    def test_kernel_log_kb(self):
        self.assertEqual(run(n.kernel_log_kb, "anon-rss:31840kB, file-rss:0kB"), "anon-rss:#kB, file-rss:#kB")

    def test_fork_bomb(self):
        text = "before\nsh: 1: Cannot fork\nsh: 1: sh: 1: Cannot forkCannot fork\nCannot fork\nafter\n"
        self.assertEqual(
            run(n.fork_bomb, text),
            "before\nsh: 1: Cannot fork\n[... the same message again, once for each fork refused ...]\nafter\n",
        )


class Chapter4(unittest.TestCase):
    def test_strace_pid_padding(self):
        self.assertEqual(run(n.strace_pid_padding, "[pid  4429] socket(\n"), "[pid 4429] socket(\n")

    def test_network_pids(self):
        text = (
            "bw-700@if2 table ip burrow_700 10.99.0.700\n"
            "[pid 701] socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER)\n"
            "strace: Process 702 attached\n"
            "first 703 7030\n"
        )
        out = run(n.network_pids, text, marks=[("first", "703")])
        self.assertEqual(
            out,
            "bw-<tool-pid>@if2 table ip burrow_<tool-pid> 10.99.0.700\n"
            "[pid <nft-pid>] socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER)\n"
            "strace: Process <child-pid> attached\n"
            "first <first-pid> 7030\n",
        )

    def test_mac_addresses(self):
        text = "aa:bb:cc:00:11:22 00:00:00:00:00:00 de:ad:be:ef:00:01 aa:bb:cc:00:11:22 ff:ff:ff:ff:ff:ff"
        self.assertEqual(run(n.mac_addresses, text), "<mac-1> 00:00:00:00:00:00 <mac-2> <mac-1> ff:ff:ff:ff:ff:ff")

    def test_ip_brief_columns(self):
        text = "eth0@if4 UP <mac-2> <BROADCAST,UP>\n   <tool-pid> ch04-veth\n"
        self.assertEqual(
            run(n.ip_brief_columns, text),
            "eth0@if4         UP             <mac-2>           <BROADCAST,UP>\n<tool-pid> ch04-veth\n",
        )

    def test_netns_inodes(self):
        self.assertEqual(run(n.netns_inodes, "net:[4026531840] net:[4026532200] net:[4026531840]"), "net:[<inode-1>] net:[<inode-2>] net:[<inode-1>]")

    def test_busybox_ping_times(self):
        text = "round-trip min/avg/max = 0.124/0.124/0.124 ms\n"
        self.assertEqual(run(n.ping_times, text), "round-trip min/avg/max = #.###/#.###/#.### ms\n")

    def test_ping_times(self):
        text = "icmp_seq=1 ttl=64 time=0.061 ms\nrtt min/avg/max/mdev = 0.061/0.061/0.061/0.000 ms\n"
        self.assertEqual(run(n.ping_times, text), "icmp_seq=1 ttl=64 time=#.### ms\nrtt min/avg/max/mdev = #.###/#.###/#.###/#.### ms\n")

    def test_netlink_headers(self):
        text = "nlmsg_seq=1733584800, nlmsg_pid=0} nlmsg_seq=3, nlmsg_pid=-1234"
        self.assertEqual(run(n.netlink_headers, text), "nlmsg_seq=<seq>, nlmsg_pid=0} nlmsg_seq=3, nlmsg_pid=<port>")


class Chapter5(unittest.TestCase):
    def test_sweep_lines_sorted_by_label_within_each_directory(self):
        text = "] sweep /o/<digest-12>\n] sweep /o/<digest-8>\n] sweep /l/<digest-7>\n] sweep /l/<digest-6>\nremoved"
        self.assertEqual(
            n.sweep_order(text, None),
            "] sweep /o/<digest-8>\n] sweep /o/<digest-12>\n] sweep /l/<digest-6>\n] sweep /l/<digest-7>\nremoved",
        )

    def test_digests_keep_their_labels_across_sessions(self):
        a, b = "a" * 64, "b" * 64
        ctx = Context()
        self.assertEqual(n.digests(f"sha256:{a} {b} {a}", ctx), "sha256:<digest-1> <digest-2> <digest-1>")
        self.assertEqual(n.digests(f"{b} sha256:{a[:12]} x", ctx), "<digest-2> sha256:<digest-1>   x", "padded to 12, as images prints it")

    def test_store_pids(self):
        text = "[explain pid 991] overlay ch05-991 (pid 992) kill(992, SIGTERM)"
        self.assertEqual(run(n.store_pids, text), "[explain pid <tool-pid>] overlay ch05-<tool-pid> (pid <pid>) kill(<pid>, SIGTERM)")

    def test_time_output(self):
        self.assertEqual(run(n.time_output, "real\t0m2.013s\nuser\t0m0.001s\n"), "real\t0m2.###s\nuser\t0m0.###s\n")

    def test_ls_times_in_chapter_5(self):
        self.assertEqual(n.normalise("Dec  7 15:20 hello", "ch05", Context()), "MMM DD hh:mm hello")


class Runtime(unittest.TestCase):
    def test_runtime_pids(self):
        text = '"pid": 5150,\n[explain pid 5149] clone3 -> pid 5150\n[explain pid 1] execve\n'
        self.assertEqual(run(n.runtime_pids, text), '"pid": <pid>,\n[explain pid <runtime>] clone3 -> pid <pid>\n[explain pid 1] execve\n')

    def test_timestamps(self):
        self.assertEqual(run(n.timestamps, '"created": "2026-12-07T15:20:00Z"'), '"created": "YYYY-MM-DDThh:mm:ssZ"')

    def test_list_columns(self):
        header = "ID                        PID STATUS   BUNDLE                                   CREATED              OWNER"
        for row in ["demo                    <pid> running /tmp/b             YYYY-MM-DDThh:mm:ssZ 0", "demo <pid> running /tmp/b YYYY-MM-DDThh:mm:ssZ 0"]:
            out = run(n.list_columns, f"{header}\n{row}\n$ next")
            self.assertEqual(
                out.split("\n")[1],
                "demo                    <pid> running  /tmp/b                                   YYYY-MM-DDThh:mm:ssZ 0",
            )
            self.assertTrue(out.endswith("\n$ next"))

    def test_every_chapter_has_a_rule_set(self):
        for chapter in ["ch01", "ch02", "ch03", "node", "ch04", "ch05", "ch06", "ch07", "conformance"]:
            self.assertIn(chapter, n.CHAPTERS)


if __name__ == "__main__":
    unittest.main()
