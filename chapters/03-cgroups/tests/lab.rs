//! Chapter 3's lab checks: each runs `ch03-cgroups` (or the learner's binary
//! named by `BURROW_CH03_BIN`) as root and asserts what the kernel's cgroup
//! files show, on cgroup v1, v2 or a hybrid of both.
//!
//! Each check also asserts that the tool left no cgroup behind. It notes the
//! cgroups under burrow's parents when it begins, and fails only on one that
//! is new since then (what other programs left there is not the tool's), and
//! on the container's own directories when it knows them. That snapshot is
//! sound only while no other check makes cgroups at the same time, so the
//! checks take turns: a lock in this process, and a nextest test group with
//! the other chapters' checks that make cgroups (.config/nextest.toml).

use burrow_lab::{burrow_cgroups, cgroup_dir, ensure, run, Check, Failure, Hint, Run};
use ch03_cgroups::layout::{Layout, Mode};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH03_BIN", env!("CARGO_BIN_EXE_ch03-cgroups"))
}

/// The exercises a check needs on this machine. Writing the limits and
/// reading the counters are exercises 3.2 and 3.6 on cgroup v2 (`v2.rs`),
/// 3.3 and 3.7 on a v1 or hybrid host (`v1.rs`): the other two never run here.
fn needs(on_v2: &'static [&'static str], on_v1: &'static [&'static str]) -> &'static [&'static str] {
    let unified = Layout::detect().and_then(|l| l.mode()).is_ok_and(|m| m == Mode::Unified);
    if unified {
        on_v2
    } else {
        on_v1
    }
}

const REMOVE: &str = "remove the container's cgroup when the command ends, however it ends (a Drop guard): kill what is left in it, rmdir its directory (one per hierarchy on v1), then the levels made for it";
const OWN_CHILD: &str = "the container's first process must be the tool's own child (the check finds it in /proc/TOOL/task/TOOL/children): clone it from the tool's main thread; it then runs CMD, or with --init stays PID 1 and forks CMD. Not a chapter-1 binary or a shell that the tool runs: that puts a process between them, and joins the cgroup too late";
const ENDED: &str = "the tool ended before its container ran the command: its exit code and stderr (in seen) say why; `ch03-cgroups --explain` shows each step the reference takes";
const JOIN: &str = "write the child's pid into burrow/<name>/cgroup.procs (on v1 in every hierarchy) while it waits on the sync pipe, before it runs CMD";

/// Wait for this check's turn, then note the cgroups under burrow's parents
/// that are there already.
fn take_turn() -> (MutexGuard<'static, ()>, Vec<PathBuf>) {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    (turn, burrow_cgroups())
}

/// Fail if a cgroup under burrow's parents is new since `before`.
fn nothing_new(before: &[PathBuf], after: &str) -> Result<(), Failure> {
    let new: Vec<PathBuf> = burrow_cgroups().into_iter().filter(|d| !before.contains(d)).collect();
    let expected = format!("no cgroup left under burrow/ after {after} (none new since the check began)");
    ensure(new.is_empty(), expected, format!("{new:?}")).hint(REMOVE)
}

/// Fail if one of the container's own cgroup directories is still there.
fn gone(dirs: &[PathBuf]) -> Result<(), Failure> {
    let left: Vec<&PathBuf> = dirs.iter().filter(|d| !d.as_os_str().is_empty() && d.exists()).collect();
    ensure(left.is_empty(), "the container's cgroup directories removed", format!("{left:?}")).hint(REMOVE)
}

/// Start the tool with `args`; return it and the host pid of the container's
/// first process (the tool's child) once that process is in a cgroup under
/// burrow/ and a process named `ready` (the command, after its execve) runs
/// in the container. The tool's stdin is a pipe, for a command that waits
/// for a line.
fn start(args: &[&str], ready: &str) -> Result<(Child, u32), Failure> {
    let mut tool = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let placed = burrow_lab::wait_for(5.0, || {
        let pid1 = burrow_lab::container_running(tool.id(), ready)?;
        cgroup_dir(pid1, "pids")?.to_string_lossy().contains("burrow").then_some(pid1)
    });
    if let Some(pid1) = placed {
        return Ok((tool, pid1));
    }
    // What there was instead, noted before the tool is ended.
    let ended = tool.try_wait().ok().flatten().is_some();
    let comm = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string()
    };
    let first = burrow_lab::children(tool.id()).first().copied();
    let running = burrow_lab::container_running(tool.id(), ready).is_some();
    let found = first.map(|p| {
        let below: Vec<String> = burrow_lab::children(p).into_iter().map(comm).collect();
        let cgroup = cgroup_dir(p, "pids").map(|d| d.display().to_string()).unwrap_or_default();
        format!("the tool's child is pid {p} ({}), its children {below:?}, its cgroup {cgroup:?}", comm(p))
    });
    kill_tree(&mut tool);
    let out = Run::from(tool.wait_with_output()?);
    let expected =
        format!("the container (the tool's child) running {ready} within 5 s, in a cgroup under burrow/");
    let (seen, hint) = match found {
        _ if ended => (format!("the tool ended first: {out}"), ENDED),
        None => (format!("the tool had no child process; {out}"), OWN_CHILD),
        Some(found) if !running => (format!("{found}: neither runs {ready}; {out}"), OWN_CHILD),
        Some(found) => (format!("{found}; {out}"), JOIN),
    };
    Err(Failure::new(expected, seen)).hint(hint)
}

/// SIGKILL the tool and every process below it. A process the tool started
/// that outlived it would keep the tool's stdout open, and the check would
/// wait for its output for ever (a tool that runs another program that runs
/// the container).
fn kill_tree(tool: &mut Child) {
    let below = burrow_lab::descendants(tool.id());
    let _ = tool.kill();
    below.into_iter().for_each(|pid| burrow_lab::send_signal(pid, libc::SIGKILL));
}

/// Wait for the tool to end (at most `secs`), and collect what it printed.
fn finish(mut tool: Child, secs: f64) -> Result<Run, Failure> {
    if burrow_lab::wait_for(secs, || tool.try_wait().ok().flatten()).is_none() {
        kill_tree(&mut tool);
    }
    Ok(tool.wait_with_output()?.into())
}

/// A number from a cgroup file: plain (`16`) or keyed (`nr_throttled 5`).
fn number(dir: &Path, file: &str, key: Option<&str>) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join(file)).ok()?;
    match key {
        None => text.trim().parse().ok(),
        Some(key) => text.lines().find_map(|l| l.strip_prefix(key)?.trim().parse().ok()),
    }
}

#[test]
fn limits_land_in_the_cgroup_files() {
    Check {
        id: "ch03/limits",
        what: "--memory 32M --cpus 0.5 --pids 16: the kernel's files say so, CMD sees its cgroup as /, then the cgroup is removed",
        looks: "starts `TOOL --memory 32M --cpus 0.5 --pids 16 --init -- sh -c 'cat /proc/self/cgroup; exec sleep 30'`, finds its PID 1 in /proc/TOOL/task/TOOL/children and PID 1's cgroup in /proc/PID/cgroup, reads memory.max, memory.swap.max, cpu.max, pids.max there (v1: memory.limit_in_bytes, cpu.cfs_quota_us, cpu.cfs_period_us, pids.max), SIGTERMs PID 1, then reads the exit code, what cat printed, and whether the directories are gone",
        hint: "create burrow/<id>, write memory.max/cpu.max/pids.max (v1: memory.limit_in_bytes, cpu.cfs_quota_us, pids.max), add the child's pid to cgroup.procs before it runs, unshare(CLONE_NEWCGROUP) after",
        book: "ch03-cgroups.md#the-files",
        exercises: needs(&["3.1", "3.2", "3.4", "3.5", "3.6", "3.8"], &["3.1", "3.3", "3.4", "3.5", "3.7", "3.8"]),
    }
    .run(|| {
        let (_turn, before) = take_turn();
        let args = ["--memory", "32M", "--cpus", "0.5", "--pids", "16", "--init", "--", "sh", "-c", "cat /proc/self/cgroup; exec sleep 30"];
        let (tool, pid1) = start(&args, "sleep")?;
        let memory = cgroup_dir(pid1, "memory").unwrap_or_default();
        let cpu = cgroup_dir(pid1, "cpu").unwrap_or_default();
        let pids = cgroup_dir(pid1, "pids").unwrap_or_default();
        let v2 = memory.join("memory.max").exists();
        let seen = if v2 {
            let read = |f: &str| std::fs::read_to_string(memory.join(f)).unwrap_or_default().trim().to_string();
            vec![read("memory.max"), read("memory.swap.max"), read("cpu.max"), read("pids.max")]
        } else {
            let read = |d: &PathBuf, f: &str| std::fs::read_to_string(d.join(f)).unwrap_or_default().trim().to_string();
            vec![read(&memory, "memory.limit_in_bytes"), read(&cpu, "cpu.cfs_quota_us"), read(&cpu, "cpu.cfs_period_us"), read(&pids, "pids.max")]
        };
        // The command (forked by the init) is born in the same cgroup.
        let command = burrow_lab::children(pid1).first().and_then(|&c| cgroup_dir(c, "memory"));
        let dirs = [memory.clone(), cpu, pids];
        burrow_lab::send_signal(pid1, libc::SIGTERM);
        let out = finish(tool, 5.0)?;
        let want: Vec<&str> = if v2 { vec!["33554432", "0", "50000 100000", "16"] } else { vec!["33554432", "50000", "100000", "16"] };
        let swap_absent = v2 && seen[1].is_empty(); // no swap accounting in this kernel
        let seen_ok = seen == want || (swap_absent && seen[0] == want[0] && seen[2..] == want[2..]);
        ensure(seen_ok, format!("{want:?} in {}", memory.display()), format!("{seen:?}"))?;
        ensure(command.as_ref() == Some(&memory), "the command in the same cgroup as PID 1", format!("{command:?}"))
            .hint("PID 1 must be in the cgroup before it forks CMD: a child is born in its parent's cgroup, and writing PID 1 to cgroup.procs later does not move the children it already has")?;
        let own_view = out.stdout.lines().all(|l| l.ends_with(":/")) && !out.stdout.is_empty();
        ensure(own_view, "/proc/self/cgroup inside: / for every hierarchy (cgroup namespace made after joining)", &out)
            .hint("unshare(CLONE_NEWCGROUP) in the child after the parent has put it into its cgroup, not in clone's flags: a new cgroup namespace's root is the cgroup its maker is in at that moment")?;
        ensure(out.code == Some(143), "exit 143 after SIGTERM (--init forwards it)", &out)
            .hint("with --init PID 1 passes SIGTERM on to CMD (chapter 1); the tool reads the cgroup's counters, prints the summary and exits 128 + 15, the signal that ended CMD")?;
        gone(&dirs)?;
        nothing_new(&before, "a normal exit")
    });
}

#[test]
fn past_the_memory_limit_the_oom_killer_ends_it_137() {
    Check {
        id: "ch03/oom",
        what: "--memory 32M, allocating without end: OOM-killed, exit 137, the summary reports 1 OOM kill, no cgroup left",
        looks: "runs `TOOL --memory 32M -- tail /dev/zero` (tail keeps every byte while it waits for a newline), reads its exit code and the summary on stderr, and lists the cgroups under burrow/",
        hint: "the kernel's OOM killer sends SIGKILL (9): exit 128+9; read oom_kill in memory.events (v2) or memory.oom_control (v1)",
        book: "ch03-cgroups.md#why-exit-code-137",
        exercises: needs(&["3.1", "3.2", "3.4", "3.5", "3.6", "3.8"], &["3.1", "3.3", "3.4", "3.5", "3.7", "3.8"]),
    }
    .run(|| {
        let (_turn, before) = take_turn();
        // tail looks for the last line in an endless stream with no newline:
        // it keeps all of it in memory. (One process in the cgroup, so one
        // OOM kill: a pipeline there would give the killer a choice.)
        let out = run(&bin(), &["--memory", "32M", "--", "tail", "/dev/zero"])?;
        ensure(out.code == Some(137), "exit 137 (128 + SIGKILL)", &out)?;
        let oom_line = out.stderr.lines().any(|l| l.contains("1 OOM kill"));
        ensure(oom_line, "the summary on stderr says \"1 OOM kill\"", &out)
            .hint("read the cgroup's counters after the command ended and before the cgroup is removed: oom_kill in memory.events (v2) or memory.oom_control (v1)")?;
        nothing_new(&before, "an OOM kill")
    });
}

#[test]
fn pids_limit_contains_a_fork_bomb() {
    Check {
        id: "ch03/pids",
        what: "--pids 16 with a fork bomb inside: pids.current never above 16, forks refused, the host still starts processes at once",
        looks: "starts `TOOL --pids 16 --init -- sh -c 'read go; (bomb) & exec sleep 3'`, reads pids.max in PID 1's cgroup (/proc/PID/cgroup) before it writes the line that sets the bomb off, then for 2 s polls pids.current and times `true` on the host; reads pids.events",
        hint: "write pids.max before the child runs; every fork(2) past it fails with EAGAIN",
        book: "ch03-cgroups.md#pids-the-fork-bomb-stops-at-the-wall",
        exercises: needs(&["3.1", "3.2", "3.4", "3.5", "3.8"], &["3.1", "3.3", "3.4", "3.5", "3.8"]),
    }
    .run(|| {
        let (_turn, before) = take_turn();
        // The bomb runs in a background subshell, forked while nothing else
        // runs: a shell whose fork is refused exits (dash: "Cannot fork",
        // status 2), and the author must not. `exec sleep` needs no fork, so
        // it ends after 3 s; with --init, the whole PID namespace dies with it.
        // It waits for a line first: no bomb goes off without its limit.
        let bomb = "read go; (b() { b | b & }; b) & exec sleep 3";
        let (mut tool, pid1) = start(&["--pids", "16", "--init", "--", "sh", "-c", bomb], "sh")?;
        let dir = cgroup_dir(pid1, "pids").unwrap_or_default();
        let max = number(&dir, "pids.max", None);
        if max != Some(16) {
            kill_tree(&mut tool);
            let out = finish(tool, 5.0)?;
            let seen = format!("{max:?} in {} ({out})", dir.join("pids.max").display());
            return Err(Failure::new("pids.max 16 before the bomb goes off (it was not set off)", seen));
        }
        if let Some(mut stdin) = tool.stdin.take() {
            stdin.write_all(b"go\n")?;
        }
        let (mut most, mut slowest) = (0, Duration::ZERO);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(2) {
            most = most.max(number(&dir, "pids.current", None).unwrap_or(0));
            let t = Instant::now();
            let _ = Command::new("true").status();
            slowest = slowest.max(t.elapsed());
            std::thread::sleep(Duration::from_millis(50));
        }
        let refused = number(&dir, "pids.events", Some("max")).unwrap_or(0);
        let out = finish(tool, 10.0)?;
        // The kernel counts a fork before it checks the limit, and takes it
        // back when it refuses it: a refusal in progress on each other CPU
        // can show for an instant. More than that would be a real escape.
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
        ensure(
            most > 1 && most <= 16 + cpus,
            format!("pids.current between 2 and 16 (+{cpus}, forks being refused) while the bomb runs"),
            format!("at most {most} ({out})"),
        )?;
        ensure(refused > 0, "pids.events: max > 0 (forks refused)", refused)?;
        ensure(slowest < Duration::from_secs(1), "the host starts `true` in under 1 s", format!("{slowest:?}"))?;
        gone(&[dir])?;
        nothing_new(&before, "a fork bomb")
    });
}

#[test]
fn cpu_quota_throttles_a_busy_loop() {
    Check {
        id: "ch03/cpu",
        what: "--cpus 0.2 on a busy loop: about 0.2 CPUs used (0.08..0.3), nr_throttled > 0",
        looks: "starts `TOOL --cpus 0.2 --init -- sh -c 'while :; do :; done'`, finds its PID 1 in /proc/TOOL/task/TOOL/children, reads the CPU time used over 2 s (cpu.stat usage_usec; v1 cpuacct.usage) and nr_throttled in PID 1's cgroup, then SIGKILLs PID 1 and reads the tool's exit code",
        hint: "--cpus 0.2 is a quota of 20000 µs per 100000 µs period: v2 cpu.max \"20000 100000\", v1 cpu.cfs_quota_us 20000",
        book: "ch03-cgroups.md#cpu-a-quota-per-period",
        exercises: needs(&["3.1", "3.2", "3.4", "3.5", "3.6", "3.8"], &["3.1", "3.3", "3.4", "3.5", "3.7", "3.8"]),
    }
    .run(|| {
        let (_turn, before) = take_turn();
        let (tool, pid1) = start(&["--cpus", "0.2", "--init", "--", "sh", "-c", "while :; do :; done"], "sh")?;
        let cpu = cgroup_dir(pid1, "cpu").unwrap_or_default();
        let acct = cgroup_dir(pid1, "cpuacct");
        // CPU time used so far, in µs: v2 cpu.stat usage_usec, v1 cpuacct.usage (ns).
        let used = || match &acct {
            Some(acct) if acct.join("cpuacct.usage").exists() => number(acct, "cpuacct.usage", None).map(|ns| ns / 1000),
            _ => number(&cpu, "cpu.stat", Some("usage_usec")),
        };
        std::thread::sleep(Duration::from_millis(300));
        let (t0, u0) = (Instant::now(), used());
        std::thread::sleep(Duration::from_millis(2000));
        let (wall, u1) = (t0.elapsed(), used());
        let throttled = number(&cpu, "cpu.stat", Some("nr_throttled")).unwrap_or(0);
        burrow_lab::send_signal(pid1, libc::SIGKILL);
        let out = finish(tool, 5.0)?;
        let ratio = match (u0, u1) {
            (Some(a), Some(b)) => (b.saturating_sub(a)) as f64 / wall.as_micros() as f64,
            _ => -1.0,
        };
        ensure((0.08..=0.3).contains(&ratio), "CPU time / wall time about 0.2", format!("{ratio:.3} ({out})"))?;
        ensure(throttled > 0, "cpu.stat nr_throttled > 0", throttled)?;
        ensure(out.code == Some(137), "exit 137 after SIGKILL to the container", &out)
            .hint("SIGKILL ends the container's PID 1 at once: the tool's waitpid sees signal 9, and the tool reads the counters, prints the summary and exits 128 + 9")?;
        gone(&[cpu])?;
        nothing_new(&before, "SIGKILL of the container")
    });
}

#[test]
fn bad_values_fail_clearly_and_create_nothing() {
    Check {
        id: "ch03/errors",
        what: "--memory 12XB, --cpus -1, --pids 0: exit 125 naming the value; a command that is not found: 127; no cgroup left",
        looks: "runs `TOOL --memory 12XB -- true`, `--cpus -1`, `--pids 0`, then `TOOL --memory 32M -- /no/such/command`; reads each exit code and stderr, and lists the cgroups under burrow/ after each",
        hint: "parse and check every value before creating the cgroup; remove it (a Drop guard) when the command cannot run",
        book: "ch03-cgroups.md#pitfalls",
        exercises: needs(&["3.1", "3.2", "3.4", "3.5", "3.8"], &["3.1", "3.3", "3.4", "3.5", "3.8"]),
    }
    .run(|| {
        let (_turn, before) = take_turn();
        for (flag, value) in [("--memory", "12XB"), ("--cpus", "-1"), ("--pids", "0")] {
            let out = run(&bin(), &[flag, value, "--", "true"])?;
            let named = out.stderr.contains(flag) && out.stderr.contains(value);
            ensure(out.code == Some(125) && named, format!("125 and a message naming {flag} {value}"), &out)?;
            nothing_new(&before, &format!("{flag} {value}"))?;
        }
        let out = run(&bin(), &["--memory", "32M", "--", "/no/such/command"])?;
        ensure(out.code == Some(127), "127 for a missing command", &out)
            .hint("the child reports execve's ENOENT to the tool (chapter 1's error pipe): 127; the cgroup made for it is removed on that way out too")?;
        nothing_new(&before, "a command that could not be executed")
    });
}

#[test]
fn cpuset_pins_and_weight_converts() {
    Check {
        id: "ch03/cpuset-weight",
        what: "--cpuset 0 --cpu-weight 500: CMD may run on CPU 0 only; cpu.weight 500 (v2) or cpu.shares 13084 (v1)",
        looks: "starts `TOOL --cpuset 0 --cpu-weight 500 --init -- sh -c 'grep Cpus_allowed_list /proc/self/status; exec sleep 30'`, reads cpu.weight (v1: cpu.shares) in PID 1's cgroup, SIGTERMs PID 1, and reads what grep printed",
        hint: "cpuset.cpus (v1: also copy cpuset.mems from the parent, a new cpuset is empty); v1 shares = 2 + (weight-1)*262142/9999",
        book: "ch03-cgroups.md#the-files",
        exercises: needs(&["3.1", "3.2", "3.4", "3.5", "3.8"], &["3.1", "3.3", "3.4", "3.5", "3.8"]),
    }
    .run(|| {
        let (_turn, before) = take_turn();
        let script = "grep Cpus_allowed_list /proc/self/status; exec sleep 30";
        let (tool, pid1) = start(&["--cpuset", "0", "--cpu-weight", "500", "--init", "--", "sh", "-c", script], "sleep")?;
        let cpu = cgroup_dir(pid1, "cpu").unwrap_or_default();
        let cpuset = cgroup_dir(pid1, "cpuset").unwrap_or_default();
        let weight = number(&cpu, "cpu.weight", None);
        let shares = number(&cpu, "cpu.shares", None);
        burrow_lab::send_signal(pid1, libc::SIGTERM);
        let out = finish(tool, 5.0)?;
        let pinned = out.stdout.lines().any(|l| l.split_whitespace().nth(1) == Some("0"));
        ensure(pinned, "Cpus_allowed_list: 0", &out)?;
        let converted = weight == Some(500) || (weight.is_none() && shares == Some(13084));
        ensure(converted, "cpu.weight 500, or cpu.shares 13084 on v1", format!("weight {weight:?}, shares {shares:?}"))?;
        gone(&[cpu, cpuset])?;
        nothing_new(&before, "a normal exit")
    });
}

/// A block device of this machine, as (its /dev path, "MAJOR:MINOR").
fn some_block_device() -> Option<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir("/sys/block")
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.into_iter().find_map(|name| {
        let dev = std::fs::read_to_string(format!("/sys/block/{name}/dev")).ok()?;
        let path = format!("/dev/{name}");
        std::path::Path::new(&path).exists().then(|| (path, dev.trim().to_string()))
    })
}

#[test]
fn io_bandwidth_limit_lands_per_device() {
    Check {
        id: "ch03/io",
        what: "--device-write-bps DEV:1M: the kernel holds a 1 MiB/s write limit for DEV's major:minor",
        looks: "picks the first block device in /sys/block, starts `TOOL --device-write-bps /dev/DEV:1M --init -- sleep 30`, reads io.max (v1: blkio.throttle.write_bps_device) in PID 1's cgroup, then SIGTERMs PID 1",
        hint: "v2: io.max \"MAJ:MIN wbps=1048576\"; v1: blkio.throttle.write_bps_device \"MAJ:MIN 1048576\" (major:minor from stat's st_rdev)",
        book: "ch03-cgroups.md#the-files",
        exercises: needs(&["3.1", "3.2", "3.4", "3.5", "3.8"], &["3.1", "3.3", "3.4", "3.5", "3.8"]),
    }
    .run(|| {
        let (_turn, before) = take_turn();
        let (device, numbers) = some_block_device().ok_or(Failure::new("a block device in /sys/block with a node in /dev", "none"))?;
        let limit = format!("{device}:1M");
        let args = ["--device-write-bps", &limit, "--init", "--", "sleep", "30"];
        let (tool, pid1) = start(&args, "sleep")?;
        let v2 = cgroup_dir(pid1, "io").filter(|d| d.join("io.max").exists());
        let blkio = cgroup_dir(pid1, "blkio");
        let text = match &v2 {
            Some(io) => std::fs::read_to_string(io.join("io.max")).unwrap_or_default(),
            None => blkio.as_ref().and_then(|d| std::fs::read_to_string(d.join("blkio.throttle.write_bps_device")).ok()).unwrap_or_default(),
        };
        burrow_lab::send_signal(pid1, libc::SIGTERM);
        let out = finish(tool, 5.0)?;
        let want = if v2.is_some() { format!("{numbers} rbps=max wbps=1048576") } else { format!("{numbers} 1048576") };
        let found = text.lines().any(|l| l.starts_with(&want));
        ensure(found, format!("a line starting {want:?}"), format!("{text:?} ({out})"))?;
        gone(&[v2.or(blkio).unwrap_or_default()])?;
        nothing_new(&before, "a normal exit")
    });
}
