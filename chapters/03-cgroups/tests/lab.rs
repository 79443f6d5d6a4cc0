//! Chapter 3's lab checks: each runs `ch03-cgroups` (or the learner's binary
//! named by `BURROW_CH03_BIN`) as root and asserts what the kernel's cgroup
//! files show, on cgroup v1, v2 or a hybrid of both.
//!
//! The checks also assert that nothing is left under burrow's cgroup parents,
//! so they take turns: a lock in this process, and a nextest test group.

use burrow_lab::{burrow_cgroups, cgroup_dir, ensure, run, Check, Failure, Run};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH03_BIN", env!("CARGO_BIN_EXE_ch03-cgroups"))
}

/// Fail if a cgroup is left under burrow's parents.
fn nothing_left(after: &str) -> Result<(), Failure> {
    let left = burrow_cgroups();
    ensure(left.is_empty(), format!("no cgroup under burrow/ after {after}"), format!("{left:?}"))
}

/// Start the tool with `args`; return it and the host pid of the container's
/// first process once that process is in a cgroup under burrow/ and a process
/// named `ready` (the command, after its execve) runs in the container.
fn start(args: &[&str], ready: &str) -> Result<(Child, u32), Failure> {
    let mut tool = Command::new(bin()).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let placed = burrow_lab::wait_for(5.0, || {
        let pid1 = burrow_lab::container_running(tool.id(), ready)?;
        cgroup_dir(pid1, "pids")?.to_string_lossy().contains("burrow").then_some(pid1)
    });
    match placed {
        Some(pid1) => Ok((tool, pid1)),
        None => {
            let _ = tool.kill();
            let out = tool.wait_with_output()?;
            let expected = format!("the container in a cgroup under burrow/, running {ready}, within 5 s");
            Err(Failure { expected, seen: Run::from(out).to_string() })
        }
    }
}

/// Wait for the tool to end (at most `secs`), and collect what it printed.
fn finish(mut tool: Child, secs: f64) -> Result<Run, Failure> {
    if burrow_lab::wait_for(secs, || tool.try_wait().ok().flatten()).is_none() {
        let _ = tool.kill();
    }
    Ok(tool.wait_with_output()?.into())
}

/// A number from a cgroup file: plain (`16`) or keyed (`nr_throttled 5`).
fn number(dir: &std::path::Path, file: &str, key: Option<&str>) -> Option<u64> {
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
        hint: "create burrow/<id>, write memory.max/cpu.max/pids.max (v1: memory.limit_in_bytes, cpu.cfs_quota_us, pids.max), add the child's pid to cgroup.procs before it runs, unshare(CLONE_NEWCGROUP) after",
        book: "ch03-cgroups.md#the-files",
    }
    .run(|| {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        nothing_left("earlier runs")?;
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
        ensure(command.as_ref() == Some(&memory), "the command in the same cgroup as PID 1", format!("{command:?}"))?;
        let own_view = out.stdout.lines().all(|l| l.ends_with(":/")) && !out.stdout.is_empty();
        ensure(own_view, "/proc/self/cgroup inside: / for every hierarchy (cgroup namespace made after joining)", &out)?;
        ensure(out.code == Some(143), "exit 143 after SIGTERM (--init forwards it)", &out)?;
        let left: Vec<&PathBuf> = dirs.iter().filter(|d| d.exists()).collect();
        ensure(left.is_empty(), "the container's cgroup directories removed", format!("{left:?}"))?;
        nothing_left("a normal exit")
    });
}

#[test]
fn past_the_memory_limit_the_oom_killer_ends_it_137() {
    Check {
        id: "ch03/oom",
        what: "--memory 32M, allocating without end: OOM-killed, exit 137, the summary reports 1 OOM kill, no cgroup left",
        hint: "the kernel's OOM killer sends SIGKILL (9): exit 128+9; read oom_kill in memory.events (v2) or memory.oom_control (v1)",
        book: "ch03-cgroups.md#why-exit-code-137",
    }
    .run(|| {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        nothing_left("earlier runs")?;
        // tail looks for the last line in an endless stream with no newline:
        // it keeps all of it in memory.
        let out = run(&bin(), &["--memory", "32M", "--", "tail", "/dev/zero"])?;
        ensure(out.code == Some(137), "exit 137 (128 + SIGKILL)", &out)?;
        let oom_line = out.stderr.lines().any(|l| l.contains("1 OOM kill"));
        ensure(oom_line, "the summary on stderr says \"1 OOM kill\"", &out)?;
        nothing_left("an OOM kill")
    });
}

#[test]
fn pids_limit_contains_a_fork_bomb() {
    Check {
        id: "ch03/pids",
        what: "--pids 16 with a fork bomb inside: pids.current never above 16, forks refused, the host still starts processes at once",
        hint: "write pids.max before the child runs; every fork(2) past it fails with EAGAIN",
        book: "ch03-cgroups.md#pids-the-fork-bomb-stops-at-the-wall",
    }
    .run(|| {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        nothing_left("earlier runs")?;
        // The bomb runs in a background subshell, forked while nothing else
        // runs: a shell whose fork is refused exits (dash: "Cannot fork",
        // status 2), and the author must not. `exec sleep` needs no fork, so
        // it ends after 3 s; with --init, the whole PID namespace dies with it.
        let bomb = "(b() { b | b & }; b) & exec sleep 3";
        let (tool, pid1) = start(&["--pids", "16", "--init", "--", "sh", "-c", bomb], "sleep")?;
        let dir = cgroup_dir(pid1, "pids").unwrap_or_default();
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
        nothing_left("a fork bomb")
    });
}

#[test]
fn cpu_quota_throttles_a_busy_loop() {
    Check {
        id: "ch03/cpu",
        what: "--cpus 0.2 on a busy loop: about 0.2 CPUs used (0.08..0.3), nr_throttled > 0",
        hint: "--cpus 0.2 is a quota of 20000 µs per 100000 µs period: v2 cpu.max \"20000 100000\", v1 cpu.cfs_quota_us 20000",
        book: "ch03-cgroups.md#cpu-a-quota-per-period",
    }
    .run(|| {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        nothing_left("earlier runs")?;
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
        ensure(out.code == Some(137), "exit 137 after SIGKILL to the container", &out)?;
        nothing_left("SIGKILL of the container")
    });
}

#[test]
fn bad_values_fail_clearly_and_create_nothing() {
    Check {
        id: "ch03/errors",
        what: "--memory 12XB, --cpus -1, --pids 0: exit 125 naming the value; a command that is not found: 127; no cgroup left",
        hint: "parse and check every value before creating the cgroup; remove it (a Drop guard) when the command cannot run",
        book: "ch03-cgroups.md#pitfalls",
    }
    .run(|| {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        nothing_left("earlier runs")?;
        for (flag, value) in [("--memory", "12XB"), ("--cpus", "-1"), ("--pids", "0")] {
            let out = run(&bin(), &[flag, value, "--", "true"])?;
            let named = out.stderr.contains(flag) && out.stderr.contains(value);
            ensure(out.code == Some(125) && named, format!("125 and a message naming {flag} {value}"), &out)?;
            nothing_left(&format!("{flag} {value}"))?;
        }
        let out = run(&bin(), &["--memory", "32M", "--", "/no/such/command"])?;
        ensure(out.code == Some(127), "127 for a missing command", &out)?;
        nothing_left("a command that could not be executed")
    });
}

#[test]
fn cpuset_pins_and_weight_converts() {
    Check {
        id: "ch03/cpuset-weight",
        what: "--cpuset 0 --cpu-weight 500: CMD may run on CPU 0 only; cpu.weight 500 (v2) or cpu.shares 13084 (v1)",
        hint: "cpuset.cpus (v1: also copy cpuset.mems from the parent, a new cpuset is empty); v1 shares = 2 + (weight-1)*262142/9999",
        book: "ch03-cgroups.md#the-files",
    }
    .run(|| {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        nothing_left("earlier runs")?;
        let script = "grep Cpus_allowed_list /proc/self/status; exec sleep 30";
        let (tool, pid1) = start(&["--cpuset", "0", "--cpu-weight", "500", "--init", "--", "sh", "-c", script], "sleep")?;
        let cpu = cgroup_dir(pid1, "cpu").unwrap_or_default();
        let weight = number(&cpu, "cpu.weight", None);
        let shares = number(&cpu, "cpu.shares", None);
        burrow_lab::send_signal(pid1, libc::SIGTERM);
        let out = finish(tool, 5.0)?;
        let pinned = out.stdout.lines().any(|l| l.split_whitespace().nth(1) == Some("0"));
        ensure(pinned, "Cpus_allowed_list: 0", &out)?;
        let converted = weight == Some(500) || (weight.is_none() && shares == Some(13084));
        ensure(converted, "cpu.weight 500, or cpu.shares 13084 on v1", format!("weight {weight:?}, shares {shares:?}"))?;
        nothing_left("a normal exit")
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
        hint: "v2: io.max \"MAJ:MIN wbps=1048576\"; v1: blkio.throttle.write_bps_device \"MAJ:MIN 1048576\" (major:minor from stat's st_rdev)",
        book: "ch03-cgroups.md#the-files",
    }
    .run(|| {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        nothing_left("earlier runs")?;
        let (device, numbers) = some_block_device().ok_or(Failure {
            expected: "a block device in /sys/block with a node in /dev".into(),
            seen: "none".into(),
        })?;
        let limit = format!("{device}:1M");
        let args = ["--device-write-bps", &limit, "--init", "--", "sleep", "30"];
        let (tool, pid1) = start(&args, "sleep")?;
        let v2 = cgroup_dir(pid1, "io").filter(|d| d.join("io.max").exists());
        let text = match &v2 {
            Some(io) => std::fs::read_to_string(io.join("io.max")).unwrap_or_default(),
            None => cgroup_dir(pid1, "blkio")
                .and_then(|d| std::fs::read_to_string(d.join("blkio.throttle.write_bps_device")).ok())
                .unwrap_or_default(),
        };
        burrow_lab::send_signal(pid1, libc::SIGTERM);
        let out = finish(tool, 5.0)?;
        let want = if v2.is_some() { format!("{numbers} rbps=max wbps=1048576") } else { format!("{numbers} 1048576") };
        let found = text.lines().any(|l| l.starts_with(&want));
        ensure(found, format!("a line starting {want:?}"), format!("{text:?} ({out})"))?;
        nothing_left("a normal exit")
    });
}
