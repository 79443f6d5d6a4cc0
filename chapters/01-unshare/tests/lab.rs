//! Chapter 1's lab checks: each runs `ch01-unshare` (or the learner's binary
//! named by `BURROW_CH01_BIN`) as root and asserts what the kernel shows.

use burrow_lab::{ensure, random_name, run, Check, Failure, Hint};
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH01_BIN", env!("CARGO_BIN_EXE_ch01-unshare"))
}

/// Fail unless `inside` (a `readlink /proc/self/ns/KIND` line printed in the
/// container) names another namespace than this test process is in.
fn ensure_new_namespace(kind: &str, inside: Option<&&str>) -> Result<(), Failure> {
    let host = burrow_lab::namespace_of("self", kind);
    let inside = inside.copied().unwrap_or("");
    ensure(!inside.is_empty() && inside != host, format!("a new {kind} namespace (host: {host})"), inside)
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string()
}

#[test]
fn uts_hostname_is_isolated() {
    Check {
        id: "ch01/uts",
        what: "--uts --hostname NAME: NAME inside, the host's hostname unchanged",
        looks: "runs `TOOL --uts --hostname box-RANDOM -- sh -c 'hostname; readlink /proc/self/ns/uts'`; compares the name and the namespace with the host's, and the host's hostname before and after",
        hint: "clone(2) needs CLONE_NEWUTS, and sethostname(2) must run in the child, after clone",
        book: "ch01-unshare.md#uts-a-hostname-of-its-own",
        exercises: &["1.1", "1.3"],
    }
    .run(|| {
        let before = hostname();
        let name = random_name("box-");
        let out = run(
            &bin(),
            &["--uts", "--hostname", &name, "--", "sh", "-c", "hostname; readlink /proc/self/ns/uts"],
        )?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        ensure(lines.first() == Some(&name.as_str()), format!("hostname {name:?} inside"), &out)?;
        ensure_new_namespace("uts", lines.get(1))?;
        ensure(hostname() == before, format!("host still named {before:?}"), hostname())
    });
}

#[test]
fn pid_command_is_pid_1_and_ps_sees_only_the_container() {
    Check {
        id: "ch01/pid",
        what: "--pid --mount: CMD is PID 1 and ps lists only the container's processes",
        looks: "runs `TOOL --pid --mount -- sh -c 'echo $$; ps -e'`: the shell's own pid, and the pids ps finds in /proc",
        hint: "CLONE_NEWPID makes the child PID 1; ps reads /proc, so mount a new proc on /proc inside (after making / private)",
        book: "ch01-unshare.md#pid-process-ids-start-again-at-1",
        exercises: &["1.1", "1.3", "1.4"],
    }
    .run(|| {
        let out = run(&bin(), &["--pid", "--mount", "--", "sh", "-c", "echo $$; ps -e -o pid=,comm="])?;
        let lines: Vec<&str> = out.stdout.lines().map(str::trim).collect();
        ensure(lines.first() == Some(&"1"), "the shell's own pid, $$, to be 1", &out)?;
        let ps: Vec<&str> = lines[1..].iter().map(|l| l.split_whitespace().next().unwrap_or("")).collect();
        ensure(ps.contains(&"1") && ps.len() <= 2, "ps to list pid 1 and its own ps, nothing from the host", &out)
    });
}

#[test]
fn net_namespace_has_only_lo() {
    Check {
        id: "ch01/net",
        what: "--net: the only interface is lo",
        looks: "runs `TOOL --net -- cat /proc/net/dev` and lists the interfaces it shows",
        hint: "CLONE_NEWNET gives the child a network namespace with just a loopback device",
        book: "ch01-unshare.md#net-ipc-cgroup",
        exercises: &["1.1", "1.3"],
    }
    .run(|| {
        let out = run(&bin(), &["--net", "--", "cat", "/proc/net/dev"])?;
        let ifaces: Vec<&str> =
            out.stdout.lines().skip(2).filter_map(|l| l.split(':').next()).map(str::trim).collect();
        ensure(ifaces == ["lo"], "interfaces [\"lo\"]", format!("{ifaces:?} ({out})"))
    });
}

#[test]
fn ipc_queue_of_the_host_is_invisible() {
    Check {
        id: "ch01/ipc",
        what: "--ipc: a System V message queue made on the host is not visible inside",
        looks: "makes a message queue on the host with `ipcmk -Q`, then reads /proc/sysvipc/msg inside `TOOL --ipc` and outside",
        hint: "CLONE_NEWIPC gives the child its own System V IPC objects",
        book: "ch01-unshare.md#net-ipc-cgroup",
        exercises: &["1.1", "1.2", "1.3"],
    }
    .run(|| {
        let made = Command::new("ipcmk").arg("-Q").output()?;
        let id = String::from_utf8_lossy(&made.stdout).split(':').nth(1).unwrap_or("").trim().to_string();
        ensure(
            !id.is_empty(),
            "ipcmk -Q to make a queue on the host",
            String::from_utf8_lossy(&made.stderr),
        )?;
        let host = std::fs::read_to_string("/proc/sysvipc/msg");
        let inside =
            run(&bin(), &["--ipc", "--", "sh", "-c", "readlink /proc/self/ns/ipc; cat /proc/sysvipc/msg"]);
        let _ = Command::new("ipcrm").args(["-q", &id]).status();
        let (host, inside) = (host?, inside?);
        ensure_new_namespace("ipc", inside.stdout.lines().next().as_ref())?;
        let has_queue =
            |table: &str| table.lines().skip(1).any(|l| l.split_whitespace().nth(1) == Some(id.as_str()));
        ensure(has_queue(&host), format!("queue {id} in the host's /proc/sysvipc/msg"), &host)?;
        ensure(!has_queue(&inside.stdout) && inside.code == Some(0), format!("no queue {id} inside"), &inside)
    });
}

#[test]
fn cgroup_namespace_makes_the_current_cgroup_root() {
    Check {
        id: "ch01/cgroup",
        what: "--cgroup: /proc/self/cgroup shows / for every hierarchy",
        looks: "runs `TOOL --cgroup -- cat /proc/self/cgroup` and reads the path on each line",
        hint: "CLONE_NEWCGROUP makes the cgroup the child starts in the root of its view",
        book: "ch01-unshare.md#net-ipc-cgroup",
        exercises: &["1.1", "1.3"],
    }
    .run(|| {
        let out = run(
            &bin(),
            &["--cgroup", "--", "sh", "-c", "readlink /proc/self/ns/cgroup; cat /proc/self/cgroup"],
        )?;
        ensure_new_namespace("cgroup", out.stdout.lines().next().as_ref())?;
        let table: Vec<&str> = out.stdout.lines().skip(1).collect();
        let all_root = !table.is_empty() && table.iter().all(|l| l.ends_with(":/"));
        ensure(all_root, "every line to end in \":/\"", &out)
    });
}

/// The machine's uptime in seconds, from /proc/uptime (CLOCK_BOOTTIME).
fn uptime(text: &str) -> f64 {
    text.split_whitespace().next().and_then(|s| s.parse().ok()).unwrap_or(-1.0)
}

#[test]
fn time_namespace_offsets_the_uptime() {
    Check {
        id: "ch01/time",
        what: "--time --boottime 86400: /proc/uptime inside is the host's plus a day, timens_offsets says boottime 86400, the time namespace is new; --boottime -(UPTIME - 2): a machine up for about 2 s; an offset before boot: 125 naming --boottime",
        looks: "reads the host's /proc/uptime before and after `TOOL --time --boottime 86400 -- cat /proc/uptime /proc/self/timens_offsets`, then runs an offset back to 2 s after boot, and one before boot",
        hint: "clone(2) cannot take CLONE_NEWTIME: unshare(CLONE_NEWTIME) in the parent (its children enter the namespace), write \"boottime SECS 0\" to /proc/self/timens_offsets, then clone; the offsets are fixed once a process is inside",
        book: "ch01-unshare.md#time-a-clock-of-its-own",
        exercises: &["1.1", "1.3", "1.6"],
    }
    .run(|| {
        let script = "cat /proc/uptime; readlink /proc/self/ns/time; cat /proc/self/timens_offsets";
        let host = || uptime(&std::fs::read_to_string("/proc/uptime").unwrap_or_default());
        let before = host();
        let out = run(&bin(), &["--time", "--boottime", "86400", "--", "sh", "-c", script])?;
        let after = host();
        let lines: Vec<&str> = out.stdout.lines().collect();
        let inside = uptime(lines.first().unwrap_or(&""));
        // To /proc/uptime's hundredths: the same hundredth read twice can
        // differ by a float's last bit once 86400.0 is added.
        let a_day_on = inside >= before + 86400.0 - 0.011 && inside <= after + 86400.0 + 0.011;
        ensure(a_day_on, format!("uptime {:.2} to {:.2} (the host's plus 86400)", before + 86400.0, after + 86400.0), &out)?;
        ensure_new_namespace("time", lines.get(1))?;
        let offset = lines.iter().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["boottime", "86400", "0"]);
        ensure(offset, "timens_offsets: boottime 86400 0", &out)?;
        let back = format!("-{}", host() as i64 - 2);
        let out = run(&bin(), &["--boottime", &back, "--", "cat", "/proc/uptime"])?;
        let fresh = uptime(&out.stdout);
        ensure((0.0..10.0).contains(&fresh), format!("--boottime {back}: an uptime of 2 to 10 s"), &out)?;
        let out = run(&bin(), &["--boottime", "-999999999", "--", "true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("--boottime"), "an offset before boot: 125 naming --boottime", &out)
    });
}

#[test]
fn user_maps_root_to_the_caller() {
    Check {
        id: "ch01/user",
        what: "--user: uid 0 inside, uid_map maps 0 to the caller (root, and an unprivileged user)",
        looks: "runs `TOOL --user -- sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'` as root, then as uid 65534 (setpriv)",
        hint: "after clone(CLONE_NEWUSER) the parent writes \"0 UID 1\" to /proc/PID/uid_map (and setgroups \"deny\" before gid_map when not root)",
        book: "ch01-unshare.md#user-root-inside-nobody-outside",
        exercises: &["1.1", "1.3", "1.5"],
    }
    .run(|| {
        let script = "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map";
        let out = run(&bin(), &["--user", "--", "sh", "-c", script])?;
        let fields: Vec<String> = out.stdout.split_whitespace().map(String::from).collect();
        ensure(fields == ["0", "0", "0", "0", "1", "0", "0", "1"], "0, 0, uid_map \"0 0 1\", gid_map \"0 0 1\"", &out)?;
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin())
            .args(["--user", "--", "sh", "-c", script])
            .output()?;
        let out = burrow_lab::Run::from(out);
        let fields: Vec<String> = out.stdout.split_whitespace().map(String::from).collect();
        let want = ["0", "0", "0", "65534", "1", "0", "65534", "1"];
        ensure(fields == want, "as uid 65534: 0, 0, uid_map \"0 65534 1\", gid_map \"0 65534 1\"", &out)
    });
}

#[test]
fn init_reaps_an_orphaned_zombie() {
    Check {
        id: "ch01/init-reaps",
        what: "--init: an orphan re-parented to PID 1 is reaped, no zombie is left",
        looks: "runs `TOOL --init -- sh -c 'echo $$'`, then a shell whose subshell leaves an orphaned sleep and polls /proc/PID of it until PID 1 has reaped it",
        hint: "PID 1 must call waitpid(-1, ..) on every SIGCHLD, for children it never started too",
        book: "ch01-unshare.md#pid-1s-duties",
        exercises: &["1.1", "1.2", "1.3", "1.4"],
    }
    .run(|| {
        let out = run(&bin(), &["--init", "--", "sh", "-c", "echo $$"])?;
        ensure(out.stdout.trim() == "2", "--init alone: a PID namespace, CMD is pid 2", &out).hint(
            "with --init, PID 1 is the init and CMD its first child, pid 2; thread ids come from the same numbers, \
             so an init that starts threads first (Go's runtime does, before main) hands CMD a later pid: \
             fork CMD before any thread exists (in C, or in a constructor that runs before Go's runtime)",
        )?;
        // The subshell starts a sleep and exits at once: the sleep is orphaned
        // and becomes PID 1's child. Once it has exited, only PID 1 can make
        // its /proc entry go away, by reaping it.
        let script = "p=$( (sleep 0.2 >/dev/null & echo $!) ); \
            for i in $(seq 100); do [ -e /proc/$p ] || { echo reaped; exit 0; }; sleep 0.05; done; \
            ps -e -o stat=,pid=,comm=; exit 1";
        let out = run(&bin(), &["--pid", "--mount", "--init", "--", "sh", "-c", script])?;
        ensure(out.code == Some(0) && out.stdout.contains("reaped"), "the orphan reaped within 5 s", &out)
    });
}

#[test]
fn without_init_an_orphan_stays_a_zombie() {
    Check {
        id: "ch01/zombie-trap",
        what: "without --init: a PID 1 that never waits leaves an orphan as a zombie",
        looks: "starts `TOOL --pid --mount -- sh -c '(sleep 0.1 &); exec sleep 5'` and reads State in /proc/PID/status of PID 1's children, found in /proc/TOOL/task/TOOL/children",
        hint: "this is the kernel's behaviour: CMD must be PID 1 itself (exec it, no --init)",
        book: "ch01-unshare.md#pid-1s-duties",
        exercises: &["1.1", "1.3", "1.4"],
    }
    .run(|| {
        let mut child = Command::new(bin())
            .args(["--pid", "--mount", "--", "sh", "-c", "(sleep 0.1 &); exec sleep 5"])
            .spawn()?;
        let zombie = burrow_lab::wait_for(3.0, || {
            let pid1 = *burrow_lab::children(child.id()).first()?;
            burrow_lab::children(pid1)
                .into_iter()
                .find(|&c| burrow_lab::status_field(c, "State").is_some_and(|s| s.starts_with('Z')))
        });
        let _ = child.kill();
        let _ = child.wait();
        ensure(zombie.is_some(), "a child of the container's PID 1 in state Z", "none")
    });
}

/// Start `sleep 30` in a PID namespace and return the tool and the host pid of
/// the container's PID 1 once the sleep runs.
fn start_sleeper(extra: &[&str]) -> Result<(std::process::Child, u32), Failure> {
    let mut args = vec!["--pid", "--mount"];
    args.extend_from_slice(extra);
    // No core file when a test sends SIGQUIT.
    args.extend_from_slice(&["--", "sh", "-c", "ulimit -c 0; exec sleep 30"]);
    let mut tool = Command::new(bin());
    // The checks send these: the command must not start with one of them
    // ignored because the check was (under nohup, say).
    const SENT: [i32; 6] =
        [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT, libc::SIGUSR1, libc::SIGUSR2];
    let mut tool =
        burrow_lab::with_default_signals(&mut tool, &SENT).args(&args).stdout(Stdio::null()).spawn()?;
    let started = burrow_lab::wait_for(5.0, || burrow_lab::container_running(tool.id(), "sleep"));
    match started {
        Some(pid1) => Ok((tool, pid1)),
        None => {
            let _ = tool.kill();
            let _ = tool.wait();
            Err(Failure::new("sleep running in the container within 5 s", "it did not start"))
        }
    }
}

fn exit_within(tool: &mut std::process::Child, secs: f64) -> Option<i32> {
    burrow_lab::wait_for(secs, || tool.try_wait().ok().flatten()).and_then(|s| s.code())
}

#[test]
fn init_forwards_signals_to_the_command() {
    Check {
        id: "ch01/init-signals",
        what: "--init: SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to PID 1 reach CMD; SIGTERM to the tool too (exit 128+N)",
        looks: "starts `TOOL --pid --mount --init -- sleep 30` seven times, sends one signal each time to the container's PID 1 (found in /proc/TOOL/task/TOOL/children) or to the tool, and reads the tool's exit code",
        hint: "block the signals before clone, sigwait for them in init and kill(child, sig); exit 128+N when the child died of signal N",
        book: "ch01-unshare.md#pid-1s-duties",
        exercises: &["1.1", "1.2", "1.3", "1.4", "1.7"],
    }
    .run(|| {
        let signals = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT, libc::SIGUSR1, libc::SIGUSR2];
        let mut cases: Vec<(&str, i32)> = signals.iter().map(|&s| ("container's PID 1", s)).collect();
        cases.push(("tool", libc::SIGTERM));
        for (target, signal) in cases {
            let (mut tool, pid1) = start_sleeper(&["--init"])?;
            let pid = if target == "tool" { tool.id() } else { pid1 };
            burrow_lab::send_signal(pid, signal);
            let code = exit_within(&mut tool, 5.0);
            let _ = tool.kill();
            let _ = tool.wait();
            let want = 128 + signal;
            ensure(code == Some(want), format!("signal {signal} to the {target}: exit {want}"), format!("{code:?}"))?;
        }
        Ok(())
    });
}

#[test]
fn killing_the_tool_kills_the_container() {
    Check {
        id: "ch01/tool-killed",
        what: "SIGKILL to the tool: the container's processes die with it, nothing is left running",
        looks: "starts `TOOL --pid --mount --init -- sleep 30`, SIGKILLs the tool, and watches /proc/PID/status of the container's PID 1 and of the sleep",
        hint: "the child asks for prctl(PR_SET_PDEATHSIG, SIGKILL) before it does anything else",
        book: "ch01-unshare.md#pitfalls",
        exercises: &["1.1", "1.3", "1.4"],
    }
    .run(|| {
        let (mut tool, pid1) = start_sleeper(&["--init"])?;
        let sleeper = burrow_lab::children(pid1).first().copied().unwrap_or(pid1);
        burrow_lab::send_signal(tool.id(), libc::SIGKILL);
        let _ = tool.wait();
        // A zombie is dead already; reaping it is the host's init's business.
        let gone = |pid: u32| burrow_lab::status_field(pid, "State").is_none_or(|s| s.starts_with('Z'));
        let all_gone = burrow_lab::wait_for(5.0, || (gone(pid1) && gone(sleeper)).then_some(()));
        ensure(
            all_gone.is_some(),
            format!("PID 1 (host pid {pid1}) and sleep ({sleeper}) gone"),
            "still running",
        )
    });
}

#[test]
fn without_init_pid_1_ignores_sigterm() {
    Check {
        id: "ch01/sigterm-trap",
        what: "without --init: PID 1 with no SIGTERM handler ignores SIGTERM; SIGKILL still works (exit 137)",
        looks: "starts `TOOL --pid --mount -- sleep 30`, reads SigCgt of the container's PID 1, sends it SIGTERM, then SIGKILL, and reads the tool's exit code",
        hint: "this is the kernel's behaviour: without --init, CMD must be PID 1 itself",
        book: "ch01-unshare.md#pid-1s-duties",
        exercises: &["1.1", "1.2", "1.3", "1.4"],
    }
    .run(|| {
        let (mut tool, pid1) = start_sleeper(&[])?;
        let caught = burrow_lab::status_field(pid1, "SigCgt").unwrap_or_default();
        burrow_lab::send_signal(pid1, libc::SIGTERM);
        let after_term = exit_within(&mut tool, 0.5);
        burrow_lab::send_signal(pid1, libc::SIGKILL);
        let after_kill = exit_within(&mut tool, 5.0);
        let _ = tool.kill();
        let _ = tool.wait();
        ensure(caught == "0000000000000000", "SigCgt of sleep as PID 1: no handlers", &caught)?;
        ensure(after_term.is_none(), "still running after SIGTERM", format!("{after_term:?}"))?;
        ensure(after_kill == Some(137), "exit 137 after SIGKILL", format!("{after_kill:?}"))
    });
}

/// The SigIgn mask a child of this test starts with, asked of a child itself
/// (what the tool gets is what its command may get: the tool must add nothing).
fn ignored_by_our_children() -> String {
    let out = Command::new("sh").args(["-c", "grep SigIgn /proc/self/status"]).output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    text.split_whitespace().nth(1).unwrap_or("").to_string()
}

#[test]
fn command_inherits_no_fds_and_no_signal_state() {
    Check {
        id: "ch01/clean-exec",
        what: "CMD gets only fds 0, 1, 2 (not fd 7, open on the host's /), no blocked signals, and no ignored ones the tool added",
        looks: "starts the tool with fd 7 open on / and lists /proc/self/fd and SigBlk/SigIgn in /proc/self/status inside, with and without --init, beside the SigIgn the tool itself was given",
        hint: "before execve: close_range(3, ~0, CLOSE_RANGE_CLOEXEC), signal(SIGPIPE, SIG_DFL), restore the signal mask",
        book: "ch01-unshare.md#pitfalls",
        exercises: &["1.1", "1.3", "1.4"],
    }
    .run(|| {
        let script = "ls /proc/self/fd | tr '\\n' ' '; echo; grep -E '^Sig(Blk|Ign)' /proc/self/status";
        let given = ignored_by_our_children();
        let tool_got = format!("the tool was given fds 0 1 2 7, SigBlk 0000000000000000, SigIgn {given}");
        for init in [false, true] {
            let mut args = vec!["--pid", "--mount"];
            if init {
                args.push("--init");
            }
            let out = Command::new("sh")
                .arg("-c")
                .arg(r#"exec "$@" 7</"#)
                .arg("sh")
                .arg(bin())
                .args(&args)
                .args(["--", "sh", "-c", &format!("{script}; ls /proc/1/fd | tr '\\n' ' '")])
                .output()?;
            let out = burrow_lab::Run::from(out);
            let seen = format!("{tool_got}; CMD: {out}");
            let lines: Vec<&str> = out.stdout.lines().collect();
            // `ls /proc/self/fd` also lists the fd ls itself opened on the directory (3).
            ensure(lines.first() == Some(&"0 1 2 3 "), format!("--init {init}: fds 0 1 2 (and ls's own 3)"), &seen)
                .hint("mark every fd from 3 up close-on-exec before execve: close_range(3, ~0, CLOSE_RANGE_CLOEXEC)")?;
            let field = |i: usize| lines.get(i).and_then(|l| l.split_whitespace().nth(1)).unwrap_or("");
            ensure(field(1) == "0000000000000000", "SigBlk: no blocked signal", &seen)
                .hint("the mask blocked for sigwait survives execve: put the old mask back in the child before it")?;
            ensure(field(2) == given, format!("SigIgn: only what the tool itself was given ({given})"), &seen).hint(
                "an ignored signal stays ignored across execve: set what your runtime ignores (Rust and Python: SIGPIPE) back to SIG_DFL",
            )?;
            // With --init, PID 1 is the init, which keeps no fd but stdio. (Without
            // it, PID 1 is the shell, which holds pipe fds while it starts `ls | tr`.)
            if init {
                let pid1_fds = lines.get(3).map(|l| l.split_whitespace().count()).unwrap_or(99);
                ensure(pid1_fds <= 3, "--init: PID 1 holds at most fds 0 1 2", &seen)
                    .hint("the init keeps no fd but 0, 1, 2: close the rest after forking CMD")?;
            }
        }
        Ok(())
    });
}

#[test]
fn exit_codes_follow_the_container_convention() {
    Check {
        id: "ch01/exit-codes",
        what: "CMD's status passes through; 127 not found, 126 not executable, 125 bad usage, each with a message",
        looks: "runs `sh -c 'exit 42'`, a command that does not exist, a file that is not executable, an unknown flag and no command, and reads each exit code and stderr",
        hint: "report exec errors from the child over a close-on-exec pipe; ENOENT is 127, EACCES 126; usage errors 125",
        book: "ch01-unshare.md#exit-codes",
        exercises: &["1.1", "1.2", "1.3", "1.8"],
    }
    .run(|| {
        let out = run(&bin(), &["--pid", "--", "sh", "-c", "exit 42"])?;
        ensure(out.code == Some(42), "exit 42 from `sh -c 'exit 42'`", &out)?;
        let missing = random_name("no-such-command-");
        let out = run(&bin(), &["--", &missing])?;
        ensure(out.code == Some(127) && out.stderr.contains(&missing), format!("127 and a message naming {missing}"), &out)?;
        let dir = burrow_lab::temp_dir();
        let file = dir.path().join(random_name("not-executable-"));
        std::fs::write(&file, "data, mode 0644\n")?;
        let file = file.to_string_lossy();
        let out = run(&bin(), &["--", &file])?;
        ensure(out.code == Some(126) && out.stderr.contains(&*file), format!("126 and a message naming {file}"), &out)?;
        let out = run(&bin(), &["--no-such-flag", "--", "true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("--no-such-flag"), "125 and a message naming --no-such-flag", &out)?;
        let out = run(&bin(), &["--uts"])?;
        ensure(out.code == Some(125) && !out.stderr.is_empty(), "125 and a message when CMD is missing", &out)
    });
}
