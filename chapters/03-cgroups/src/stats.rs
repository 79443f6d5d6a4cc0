//! What the kernel counted for a cgroup, and the summary printed at exit.

use std::fmt::Write;
use std::time::Duration;

/// The counters, whichever cgroup version they came from (`None`: the kernel
/// does not have that file, or there is no limit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub memory_max: Option<u64>,
    pub memory_peak: Option<u64>,
    pub oom_kills: Option<u64>,
    pub cpu_usage_us: Option<u64>,
    pub cpu_quota_us: Option<u64>,
    pub nr_periods: Option<u64>,
    pub nr_throttled: Option<u64>,
    pub throttled_us: Option<u64>,
    pub pids_max: Option<u64>,
    pub pids_peak: Option<u64>,
    /// How many fork/clone calls the pids limit refused.
    pub pids_refused: Option<u64>,
}

/// `33554432` -> `32.0 MiB`.
pub fn human(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

// ANCHOR: summary
/// The one-screen summary: how the command ended and what it used, against
/// its limits. `code` is the exit code, `wall` the time it ran.
pub fn summary(stats: &Stats, code: i32, wall: Duration) -> String {
    let mut out = String::new();
    let oom = stats.oom_kills.unwrap_or(0);
    let why = match code {
        137 if oom > 0 => {
            " = 128+9: SIGKILL from the kernel's OOM killer (the memory limit was reached)".to_string()
        }
        c if c > 128 => format!(" = 128+{}: killed by signal {}", c - 128, c - 128),
        _ => String::new(),
    };
    let _ = writeln!(out, "exit code {code}{why}");
    let peak = stats.memory_peak.map_or("?".into(), human);
    let limit = stats.memory_max.map_or("no limit".into(), |m| format!("limit {}", human(m)));
    let _ = writeln!(out, "memory    peak {peak}, {limit}, {oom} OOM kill(s)");
    let used = stats.cpu_usage_us.unwrap_or(0) as f64 / 1e6;
    let wall = wall.as_secs_f64();
    let mut cpu = format!("cpu       {used:.2} s used in {wall:.2} s ({:.2} CPUs)", used / wall.max(1e-3));
    if let Some(quota) = stats.cpu_quota_us {
        let throttled = stats.throttled_us.unwrap_or(0) as f64 / 1e6;
        let (n, of) = (stats.nr_throttled.unwrap_or(0), stats.nr_periods.unwrap_or(0));
        let _ = write!(
            cpu,
            ", quota {:.2} CPUs, throttled {throttled:.2} s in {n} of {of} periods",
            quota as f64 / 1e5
        );
    }
    let _ = writeln!(out, "{cpu}");
    let peak = stats.pids_peak.map_or("?".into(), |p| p.to_string());
    let max = stats.pids_max.map_or("no limit".into(), |m| format!("limit {m}"));
    let refused = stats.pids_refused.unwrap_or(0);
    let _ = writeln!(out, "pids      peak {peak}, {max}, {refused} fork(s) refused");
    out
}
// ANCHOR_END: summary
