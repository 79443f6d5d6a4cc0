//! The cgroup library against the real kernel: freeze and thaw, kill
//! everything, remove. (Not lab checks: these call the library, not a binary.)

use burrow_lab::{ensure, Check};
use ch03_cgroups::{Cgroup, Layout, Resources, PARENT};
use nix::unistd::Pid;
use std::process::Command;
use std::time::Duration;

/// Nanoseconds `pid` has run on a CPU (the first field of /proc/PID/schedstat):
/// it grows while a busy loop runs, and stands still while it is frozen.
fn cpu_ns(pid: u32) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).unwrap_or_default();
    text.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[test]
fn freeze_stops_a_counter_and_thaw_resumes_it() {
    Check {
        id: "ch03/freeze",
        what: "freezing the cgroup stops a counting loop, thawing resumes it; kill_all and remove leave nothing",
        looks: "calls the reference library (not the tool): creates burrow/test-freeze-RANDOM, adds a counting `sh` to it, reads the loop's CPU time in /proc/PID/schedstat while frozen and after the thaw, then kill_all and remove, and looks for the directory under burrow/",
        hint: "v2: write 1/0 to cgroup.freeze and wait for \"frozen 1\" in cgroup.events; v1: freezer.state FROZEN/THAWED",
        book: "ch03-cgroups.md#freeze-and-kill",
        // It tests the reference library, whatever binary the lab is given.
        exercises: &[],
    }
    .run(|| {
        let layout = Layout::detect().map_err(|e| burrow_lab::Failure::new("a cgroup layout", e.to_string()))?;
        let name = burrow_lab::random_name("test-freeze-");
        let mut cgroup = Cgroup::create(&layout, PARENT, &name, &Resources::default())
            .map_err(|e| burrow_lab::Failure::new("a new cgroup", format!("{e:#}")))?;
        let script = "i=0; while :; do i=$((i+1)); done";
        let mut counter = Command::new("sh").args(["-c", script]).spawn()?;
        let pid = Pid::from_raw(counter.id() as i32);
        let added = cgroup.add(pid);
        std::thread::sleep(Duration::from_millis(400));
        let froze = cgroup.freeze(true);
        // v2 counts a task frozen as it enters the freezer's trap, a few
        // instructions before it sleeps: on a loaded VM a vCPU preempted
        // there accrues runtime after "frozen 1". Read once it sleeps.
        std::thread::sleep(Duration::from_millis(50));
        let c1 = cpu_ns(counter.id());
        std::thread::sleep(Duration::from_millis(300));
        let c2 = cpu_ns(counter.id());
        let thawed = cgroup.freeze(false);
        std::thread::sleep(Duration::from_millis(300));
        let c3 = cpu_ns(counter.id());
        let killed = cgroup.kill_all();
        let status = counter.wait()?;
        let procs_after = cgroup.procs();
        let removed = cgroup.remove();
        ensure(added.is_ok() && froze.is_ok() && thawed.is_ok(), "add, freeze and thaw to work", format!("{added:?} {froze:?} {thawed:?}"))?;
        ensure(c1 > 0 && c1 == c2, "its CPU time stands still while frozen", format!("{c1} then {c2}"))?;
        ensure(c3 > c2, "its CPU time grows again after thaw", format!("{c2} then {c3}"))?;
        ensure(killed.is_ok() && status.code().is_none(), "kill_all to kill the counter", format!("{killed:?}, {status}"))?;
        ensure(procs_after.is_empty() && removed.is_ok(), "an empty cgroup, removed", format!("{procs_after:?} {removed:?}"))?;
        let left: Vec<_> = burrow_lab::burrow_cgroups().into_iter().filter(|d| d.ends_with(&name)).collect();
        ensure(left.is_empty(), "no directory of the cgroup left", format!("{left:?}"))
    });
}
