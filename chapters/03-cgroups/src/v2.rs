//! cgroup v2: one tree, every controller's files in the same directory.
//!
//! A controller must be switched on for a directory's children, by writing
//! `+memory` to the directory's cgroup.subtree_control, before its files
//! (memory.max ...) appear in them. Processes may only live in leaves: a
//! cgroup that hands controllers down holds no process itself.

use crate::fs::{self, has, keyed, read_u64, write};
use crate::limits::{shares_to_weight, Resources, CPU_PERIOD_US, UNLIMITED};
use crate::stats::Stats;
use anyhow::{bail, Result};
use std::path::Path;

/// The controllers a container's cgroup needs for `res` (always memory, cpu
/// and pids, so that their statistics exist).
pub fn controllers(res: &Resources) -> Vec<&'static str> {
    let mut wanted = vec!["memory", "cpu", "pids"];
    if res.cpuset.is_some() || res.cpuset_mems.is_some() {
        wanted.push("cpuset");
    }
    if !res.io.is_empty() {
        wanted.push("io");
    }
    wanted
}

/// Check that `root` (the mount) hands `wanted` to its children. We never
/// write a cgroup file we did not create, so a missing one is an error to fix.
pub fn check_root(root: &Path, wanted: &[&str]) -> Result<()> {
    let enabled = fs::read(root, "cgroup.subtree_control")?;
    for c in wanted {
        if !enabled.split_whitespace().any(|e| e == *c) {
            bail!(
                "the {c} controller is not enabled for {}'s children; enable it (as root): echo +{c} > {}/cgroup.subtree_control",
                root.display(),
                root.display()
            );
        }
    }
    Ok(())
}

/// Hand `wanted` down from `dir`, a level of the path to a container's
/// cgroup below the hierarchy's root, to its children. Only what is missing
/// is written: enabling a controller moves every process below onto new
/// state, under the same lock as a write to cgroup.procs, and the first
/// taker after a quiet moment waits for an RCU grace period (see
/// [`crate::clone3`]).
pub fn enable(dir: &Path, wanted: &[&str]) -> Result<()> {
    let enabled = fs::read(dir, "cgroup.subtree_control").unwrap_or_default();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|c| !enabled.split_whitespace().any(|e| e == **c))
        .map(|c| format!("+{c}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    write(dir, "cgroup.subtree_control", &missing.join(" "))
}

// ANCHOR: apply
/// Write the limits into the cgroup's files.
pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    // EXERCISE 3.2: on cgroup v2, write each limit `res` asks for into the cgroup's own file
    // HINT: one write(dir, FILE, VALUE) a limit: memory.max (and memory.swap.max 0, where has(dir, "memory.swap.max")), cpu.max, cpu.weight, pids.max, cpuset.cpus, io.max
    // HINT: cpu.max takes quota and period in one write, "{quota} {period}" (the period is CPU_PERIOD_US unless res.cpu_period_us says); cpu.weight is res.cpu_weight, or shares_to_weight(res.cpu_shares)
    // HINT: io.max takes a line a device: "MAJ:MIN rbps=N wbps=N" (only the rates asked for); begin with refuse_v1_only(res)? and end with the devices rules: crate::devices::apply_v2(dir, rules)
    refuse_v1_only(res)?;
    if let Some(bytes) = res.memory {
        write(dir, "memory.max", &bytes.to_string())?;
        // memory.max alone would let the kernel push the rest out to swap;
        // v2 counts swap on its own, v1 and config.json count memory + swap.
        let swap = match res.memory_swap {
            None => "0".to_string(),
            Some(UNLIMITED) => "max".to_string(),
            Some(both) => both.saturating_sub(bytes).to_string(),
        };
        if res.memory_swap.is_some() || has(dir, "memory.swap.max") {
            write(dir, "memory.swap.max", &swap)?;
        }
    }
    if let Some(bytes) = res.memory_low {
        write(dir, "memory.low", &if bytes == UNLIMITED { "max".into() } else { bytes.to_string() })?;
    }
    if let Some(quota) = res.cpu_quota_us {
        write(dir, "cpu.max", &format!("{quota} {}", res.cpu_period_us.unwrap_or(CPU_PERIOD_US)))?;
    }
    if let Some(weight) = res.cpu_weight.or(res.cpu_shares.map(shares_to_weight)) {
        write(dir, "cpu.weight", &weight.to_string())?;
    }
    if let Some(max) = res.pids {
        write(dir, "pids.max", &max.to_string())?;
    }
    if let Some(mems) = &res.cpuset_mems {
        write(dir, "cpuset.mems", mems)?;
    }
    if let Some(cpus) = &res.cpuset {
        write(dir, "cpuset.cpus", cpus)?;
    }
    for io in &res.io {
        let mut line = format!("{}:{}", io.major, io.minor);
        if let Some(bps) = io.read_bps {
            line += &format!(" rbps={bps}");
        }
        if let Some(bps) = io.write_bps {
            line += &format!(" wbps={bps}");
        }
        write(dir, "io.max", &line)?;
    }
    if let Some(rules) = &res.devices {
        crate::devices::apply_v2(dir, rules)?;
    }
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: apply

/// v1's memory knobs that v2 dropped: refused by name, before any write.
fn refuse_v1_only(res: &Resources) -> Result<()> {
    let dropped = [
        ("swappiness", res.swappiness.is_some(), "v2 has no per-cgroup swappiness"),
        (
            "disableOOMKiller",
            res.oom_kill_disable,
            "v2 always kills; memory.oom.group kills the whole cgroup",
        ),
        ("kernelTCP", res.kernel_tcp.is_some(), "v2 counts socket buffers in memory.max"),
    ];
    if let Some((name, _, why)) = dropped.iter().find(|(_, set, _)| *set) {
        bail!("memory {name} is cgroup v1 only ({why}); remove it");
    }
    Ok(())
}

// ANCHOR: stats
/// Read the counters the kernel keeps for the cgroup.
pub fn stats(dir: &Path) -> Stats {
    // EXERCISE 3.6: on cgroup v2, read what the kernel counted: memory, OOM kills, CPU time and throttling, pids
    // HINT: read_u64(dir, FILE) reads a one-number file (None for "max" or a missing file), keyed(dir, FILE, KEY) one line of a keyed file
    // HINT: memory.max, memory.peak, memory.events oom_kill; cpu.stat usage_usec, nr_periods, nr_throttled, throttled_usec; cpu.max's first word; pids.max, pids.peak, pids.events max
    Stats {
        memory_max: read_u64(dir, "memory.max"),
        memory_peak: read_u64(dir, "memory.peak"),
        oom_kills: keyed(dir, "memory.events", "oom_kill"),
        cpu_usage_us: keyed(dir, "cpu.stat", "usage_usec"),
        cpu_quota_us: fs::read(dir, "cpu.max").ok().and_then(|l| l.split(' ').next()?.parse().ok()),
        nr_periods: keyed(dir, "cpu.stat", "nr_periods"),
        nr_throttled: keyed(dir, "cpu.stat", "nr_throttled"),
        throttled_us: keyed(dir, "cpu.stat", "throttled_usec"),
        pids_max: read_u64(dir, "pids.max"),
        pids_peak: read_u64(dir, "pids.peak"),
        pids_refused: keyed(dir, "pids.events", "max"),
    }
    // END EXERCISE
}
// ANCHOR_END: stats

/// Freeze (`1`) or thaw (`0`) every process in the cgroup, and wait until the
/// kernel reports it done in cgroup.events (`frozen 1`).
pub fn freeze(dir: &Path, frozen: bool) -> Result<()> {
    write(dir, "cgroup.freeze", if frozen { "1" } else { "0" })?;
    let want = u64::from(frozen);
    for _ in 0..500 {
        if keyed(dir, "cgroup.events", "frozen") == Some(want) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    bail!("{}: cgroup.events did not say frozen {want} within 5 s", dir.display())
}

/// SIGKILL every process in the cgroup at once (kernel 5.14+), if it can.
pub fn kill(dir: &Path) -> Result<bool> {
    if !has(dir, "cgroup.kill") {
        return Ok(false);
    }
    write(dir, "cgroup.kill", "1")?;
    Ok(true)
}
