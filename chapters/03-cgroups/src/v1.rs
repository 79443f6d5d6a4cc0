//! cgroup v1: a hierarchy per controller, each with its own directory for
//! the container, and file names of their own.

use crate::fs::{self, has, keyed, read_u64, write};
use crate::limits::{weight_to_shares, Resources, CPU_PERIOD_US, UNLIMITED};
use crate::stats::Stats;
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The controllers a container's cgroup joins for `res`: memory, cpu, cpuacct
/// and pids always (for their statistics), freezer (to freeze and to kill
/// everything), cpuset and blkio when they are asked for.
pub fn controllers(res: &Resources) -> Vec<&'static str> {
    let mut wanted = vec!["memory", "cpu", "cpuacct", "pids", "freezer"];
    if res.cpuset.is_some() || res.cpuset_mems.is_some() {
        wanted.push("cpuset");
    }
    if !res.io.is_empty() {
        wanted.push("blkio");
    }
    if res.devices.is_some() {
        wanted.push("devices");
    }
    wanted
}

/// A new cpuset cgroup starts with no CPU and no memory node, and refuses
/// processes (ENOSPC) until both are set: fill whichever is still empty with
/// its parent's.
pub fn init_cpuset(dir: &Path) -> Result<()> {
    let parent = dir.parent().unwrap_or(dir);
    for file in ["cpuset.cpus", "cpuset.mems"] {
        if fs::read(dir, file)?.is_empty() {
            write(dir, file, &fs::read(parent, file)?)?;
        }
    }
    Ok(())
}

// ANCHOR: apply
/// Write the limits, each into the directory of its controller's hierarchy.
pub fn apply(dirs: &BTreeMap<&str, PathBuf>, res: &Resources) -> Result<()> {
    // EXERCISE 3.3: on cgroup v1 (or hybrid), write each limit `res` asks for into its controller's directory, in v1's file names
    // HINT: dirs maps a controller to its directory (cpu and cpuacct may share one): memory.limit_in_bytes (and memory.memsw.limit_in_bytes, memory + swap, where it exists), cpu.cfs_period_us then cpu.cfs_quota_us, cpu.shares, pids.max, cpuset.cpus, blkio.throttle.*_bps_device
    // HINT: v1 has no weight: cpu.shares is weight_to_shares(weight); a new cpuset needs cpuset.mems too: init_cpuset(dir) copies what is empty from the parent
    // HINT: raising the memory limit, write memsw before memory.limit_in_bytes (the kernel refuses memory above memsw), lowering it after; a blkio line is "MAJ:MIN BYTES"
    let dir = |c: &str| match dirs.get(c) {
        Some(dir) => Ok(dir.as_path()),
        None => bail!(
            "the {c} controller is not mounted (no cgroup v1 hierarchy with {c} in /proc/self/mountinfo)"
        ),
    };
    if let Some(bytes) = res.memory {
        let memory = dir("memory")?;
        // memsw counts memory + swap: the same limit leaves no room for swap.
        // The kernel refuses a memory limit above memsw's (EINVAL), so a
        // higher limit (an update) goes into memsw first.
        let memsw = has(memory, "memory.memsw.limit_in_bytes");
        if res.memory_swap.is_some() && !memsw {
            bail!("a swap limit needs memory.memsw.limit_in_bytes, which this kernel lacks (boot it with swapaccount=1)");
        }
        let both = number(res.memory_swap.unwrap_or(bytes));
        let raising = memsw && read_u64(memory, "memory.limit_in_bytes").is_some_and(|now| bytes > now);
        if memsw && raising {
            write(memory, "memory.memsw.limit_in_bytes", &both)?;
        }
        write(memory, "memory.limit_in_bytes", &bytes.to_string())?;
        if memsw && !raising {
            write(memory, "memory.memsw.limit_in_bytes", &both)?;
        }
    }
    if let Some(bytes) = res.memory_low {
        write(dir("memory")?, "memory.soft_limit_in_bytes", &number(bytes))?;
    }
    if let Some(swappiness) = res.swappiness {
        write(dir("memory")?, "memory.swappiness", &swappiness.to_string())?;
    }
    if res.oom_kill_disable {
        write(dir("memory")?, "memory.oom_control", "1")?;
    }
    if let Some(bytes) = res.kernel_tcp {
        write(dir("memory")?, "memory.kmem.tcp.limit_in_bytes", &number(bytes))?;
    }
    if let Some(quota) = res.cpu_quota_us {
        let period = res.cpu_period_us.unwrap_or(CPU_PERIOD_US);
        write(dir("cpu")?, "cpu.cfs_period_us", &period.to_string())?;
        write(dir("cpu")?, "cpu.cfs_quota_us", &quota.to_string())?;
    }
    if let Some(shares) = res.cpu_shares.or(res.cpu_weight.map(weight_to_shares)) {
        write(dir("cpu")?, "cpu.shares", &shares.to_string())?;
    }
    if let Some(max) = res.pids {
        write(dir("pids")?, "pids.max", &max.to_string())?;
    }
    if let Some(mems) = &res.cpuset_mems {
        write(dir("cpuset")?, "cpuset.mems", mems)?;
    }
    if let Some(cpus) = &res.cpuset {
        write(dir("cpuset")?, "cpuset.cpus", cpus)?;
    }
    if res.cpuset.is_some() || res.cpuset_mems.is_some() {
        init_cpuset(dir("cpuset")?)?; // what was not given, from the parent
    }
    for io in &res.io {
        let blkio = dir("blkio")?;
        if let Some(bps) = io.read_bps {
            write(blkio, "blkio.throttle.read_bps_device", &format!("{}:{} {bps}", io.major, io.minor))?;
        }
        if let Some(bps) = io.write_bps {
            write(blkio, "blkio.throttle.write_bps_device", &format!("{}:{} {bps}", io.major, io.minor))?;
        }
    }
    if let Some(rules) = &res.devices {
        crate::devices::apply_v1(dir("devices")?, rules)?;
    }
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: apply

/// A limit as v1's files take it: bytes, or -1 for none.
fn number(bytes: u64) -> String {
    if bytes == UNLIMITED {
        "-1".into()
    } else {
        bytes.to_string()
    }
}

// ANCHOR: stats
/// Read the counters, each from its controller's directory. v1 reports CPU
/// time in nanoseconds; we convert to microseconds as v2 reports them.
pub fn stats(dirs: &BTreeMap<&str, PathBuf>) -> Stats {
    // EXERCISE 3.7: on cgroup v1 (or hybrid), read what the kernel counted, each from its controller's directory
    // HINT: memory.limit_in_bytes (a huge number means no limit), memory.max_usage_in_bytes, oom_kill in memory.oom_control; pids.max, pids.peak, pids.events max
    // HINT: cpuacct.usage and cpu.stat's throttled_time count nanoseconds (Stats wants µs: / 1000); cpu.stat nr_periods, nr_throttled; cpu.cfs_quota_us (-1: no quota)
    let at = |c: &str| dirs.get(c).cloned().unwrap_or_default();
    let (memory, cpu, cpuacct, pids) = (at("memory"), at("cpu"), at("cpuacct"), at("pids"));
    let limit = read_u64(&memory, "memory.limit_in_bytes");
    let quota = fs::read(&cpu, "cpu.cfs_quota_us").ok().and_then(|q| q.parse::<u64>().ok());
    Stats {
        // "No limit" reads as a huge number (PAGE_COUNTER_MAX pages) in v1.
        memory_max: limit.filter(|&l| l < 1 << 60),
        memory_peak: read_u64(&memory, "memory.max_usage_in_bytes"),
        oom_kills: keyed(&memory, "memory.oom_control", "oom_kill"),
        cpu_usage_us: read_u64(&cpuacct, "cpuacct.usage").map(|ns| ns / 1000),
        cpu_quota_us: quota,
        nr_periods: keyed(&cpu, "cpu.stat", "nr_periods"),
        nr_throttled: keyed(&cpu, "cpu.stat", "nr_throttled"),
        throttled_us: keyed(&cpu, "cpu.stat", "throttled_time").map(|ns| ns / 1000),
        pids_max: read_u64(&pids, "pids.max"),
        pids_peak: read_u64(&pids, "pids.peak"),
        pids_refused: keyed(&pids, "pids.events", "max"),
    }
    // END EXERCISE
}
// ANCHOR_END: stats

/// Freeze or thaw through the freezer controller, and wait until
/// freezer.state says it is done (`FREEZING` turns into `FROZEN`).
pub fn freeze(freezer: &Path, frozen: bool) -> Result<()> {
    let want = if frozen { "FROZEN" } else { "THAWED" };
    write(freezer, "freezer.state", want)?;
    for _ in 0..500 {
        if fs::read(freezer, "freezer.state")? == want {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    bail!("{}: freezer.state did not become {want} within 5 s", freezer.display())
}
