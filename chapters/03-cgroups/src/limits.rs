//! The limits a user asks for, parsed and checked before anything is created.

use anyhow::{bail, Context, Result};

/// The CFS period every CPU quota is expressed in: 100 ms, the kernel's and
/// Docker's default. `--cpus 0.25` is a quota of 25 ms in every 100 ms.
pub const CPU_PERIOD_US: u64 = 100_000;

/// No limit: written as `-1` on v1 and `max` on v2.
pub const UNLIMITED: u64 = u64::MAX;

/// What to limit. `None` leaves the kernel's default (no limit).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resources {
    /// Memory limit in bytes (swap is turned off alongside it, unless
    /// `memory_swap` says how much).
    pub memory: Option<u64>,
    /// The memory kept for the cgroup when the machine runs short: the kernel
    /// reclaims from it last (v2's memory.low, v1's soft limit).
    pub memory_low: Option<u64>,
    /// Memory and swap together, as v1's memsw and config.json count them
    /// ([`UNLIMITED`]: as much swap as there is).
    pub memory_swap: Option<u64>,
    /// How eagerly the kernel swaps this cgroup's pages out, 0..=100 (v1 only).
    pub swappiness: Option<u64>,
    /// Out of memory, wait for memory instead of killing a process (v1 only).
    pub oom_kill_disable: bool,
    /// The memory socket buffers may take (v1 only; v2 counts it as memory).
    pub kernel_tcp: Option<u64>,
    /// CPU quota in microseconds per period.
    pub cpu_quota_us: Option<u64>,
    /// The period of the quota, in microseconds ([`CPU_PERIOD_US`] if `None`).
    pub cpu_period_us: Option<u64>,
    /// CPU weight, 1..=10000 (cgroup v2's scale; 100 is the default).
    pub cpu_weight: Option<u64>,
    /// Or CPU shares, 2..=262144 (cgroup v1's scale, which config.json
    /// speaks): written as they are on v1, as their weight on v2.
    pub cpu_shares: Option<u64>,
    /// Most processes (threads, in fact) the cgroup may hold at once.
    pub pids: Option<u64>,
    /// The CPUs the processes may run on, as the kernel writes a list: `0-1,3`.
    pub cpuset: Option<String>,
    /// The memory nodes (NUMA) their memory may come from, listed the same way.
    pub cpuset_mems: Option<String>,
    /// Block I/O limits, per device.
    pub io: Vec<IoLimit>,
    /// Which devices may be opened or created, in order (`None`: no rules,
    /// the kernel's default of every device).
    pub devices: Option<Vec<crate::devices::DeviceRule>>,
}

/// A bandwidth limit on one block device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IoLimit {
    pub major: u64,
    pub minor: u64,
    /// Bytes per second, read or write.
    pub read_bps: Option<u64>,
    pub write_bps: Option<u64>,
}

// ANCHOR: parse_size
/// `64M` -> 67108864. Units K, M, G, T and Ki, Mi, Gi, Ti all count in powers
/// of 1024, as Docker's `--memory` does; a bare number is bytes.
pub fn parse_size(flag: &str, text: &str) -> Result<u64> {
    let hint =
        || format!("invalid {flag} {text:?}: use a number and a unit K, M or G (powers of 1024), e.g. 64M");
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KI" | "KB" => 10,
        "M" | "MI" | "MB" => 20,
        "G" | "GI" | "GB" => 30,
        "T" | "TI" | "TB" => 40,
        _ => bail!(hint()),
    };
    let number: u64 = digits.parse().with_context(hint)?;
    match number.checked_mul(1 << shift) {
        Some(0) | None => bail!(hint()),
        Some(bytes) => Ok(bytes),
    }
}
// ANCHOR_END: parse_size

// ANCHOR: parse_cpus
/// `--cpus 0.25` -> a quota of 25000 µs in each 100000 µs period: a quarter of
/// one CPU's time, spread over any CPUs. `2` is two full CPUs' worth.
pub fn parse_cpus(text: &str) -> Result<u64> {
    let cpus: f64 = text.parse().ok().filter(|c: &f64| c.is_finite() && *c > 0.0).with_context(|| {
        format!("invalid --cpus {text:?}: give a positive number of CPUs, e.g. 0.5 (half of one CPU) or 2")
    })?;
    let quota = (cpus * CPU_PERIOD_US as f64).round() as u64;
    if quota < 1000 {
        bail!("invalid --cpus {text:?}: the kernel's smallest quota is 1 ms per 100 ms, --cpus 0.01");
    }
    Ok(quota)
}
// ANCHOR_END: parse_cpus

/// `--pids N`: at least 1 (a cgroup with pids.max 0 could not even hold CMD).
pub fn parse_pids(text: &str) -> Result<u64> {
    match text.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => bail!(
            "invalid --pids {text:?}: give the most processes the container may have, 1 or more, e.g. 32"
        ),
    }
}

/// `--cpu-weight N`: 1 to 10000 (v2's range; 100 is what every cgroup starts with).
pub fn parse_weight(text: &str) -> Result<u64> {
    match text.parse::<u64>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => bail!("invalid --cpu-weight {text:?}: give a number from 1 to 10000 (the default is 100)"),
    }
}

/// `--cpuset 0-1,3`: every CPU listed must be online (from
/// /sys/devices/system/cpu/online, in the same list format).
pub fn parse_cpuset(text: &str, online: &str) -> Result<String> {
    let hint = || format!("invalid --cpuset {text:?}: list online CPUs ({}), e.g. 0 or 0-1", online.trim());
    let wanted = cpu_list(text).with_context(hint)?;
    let online = cpu_list(online.trim()).context("read the online CPUs")?;
    if wanted.is_empty() || !wanted.iter().all(|c| online.contains(c)) {
        bail!(hint());
    }
    Ok(text.to_string())
}

/// `0-2,5` -> [0, 1, 2, 5].
fn cpu_list(text: &str) -> Result<Vec<u32>> {
    let mut cpus = Vec::new();
    for part in text.split(',') {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        let (first, last): (u32, u32) = (first.parse()?, last.parse()?);
        if first > last {
            bail!("{part}: the range runs backwards");
        }
        cpus.extend(first..=last);
    }
    Ok(cpus)
}

/// `--device-read-bps /dev/vda:1M`: a block device and a rate.
pub fn parse_device_rate(flag: &str, text: &str) -> Result<(u64, u64, u64)> {
    let hint = || format!("invalid {flag} {text:?}: give DEVICE:RATE, e.g. /dev/vda:1M");
    let (device, rate) = text.rsplit_once(':').with_context(hint)?;
    let meta = std::fs::metadata(device).with_context(|| format!("{flag} {text:?}: no device {device}"))?;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    if !meta.file_type().is_block_device() {
        bail!("{flag} {text:?}: {device} is not a block device");
    }
    let rdev = meta.rdev();
    Ok((nix::sys::stat::major(rdev), nix::sys::stat::minor(rdev), parse_size(flag, rate)?))
}

// ANCHOR: weight
/// cgroup v2's cpu.weight (1..10000, default 100) as v1's cpu.shares
/// (2..262144, default 1024), by the linear map runc and Kubernetes use:
/// weight = 1 + (shares - 2) * 9999 / 262142, turned around. The two defaults
/// do not meet: shares 1024 map to weight 39, and weight 100 to shares 2597.
pub fn weight_to_shares(weight: u64) -> u64 {
    2 + (weight.clamp(1, 10_000) - 1) * 262_142 / 9_999
}

/// The same map the other way: v1's shares as v2's weight.
pub fn shares_to_weight(shares: u64) -> u64 {
    1 + (shares.clamp(2, 262_144) - 2) * 9_999 / 262_142
}
// ANCHOR_END: weight

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("--memory", "64M").unwrap(), 64 << 20);
        assert_eq!(parse_size("--memory", "64Mi").unwrap(), 64 << 20);
        assert_eq!(parse_size("--memory", "1g").unwrap(), 1 << 30);
        assert_eq!(parse_size("--memory", "512K").unwrap(), 512 << 10);
        assert_eq!(parse_size("--memory", "4096").unwrap(), 4096);
        for bad in ["12XB", "", "M", "-1M", "0", "1.5G", "99999999999T"] {
            let err = parse_size("--memory", bad).unwrap_err().to_string();
            assert!(err.contains("--memory") && err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn cpus() {
        assert_eq!(parse_cpus("0.25").unwrap(), 25_000);
        assert_eq!(parse_cpus("2").unwrap(), 200_000);
        for bad in ["-1", "0", "nan", "inf", "x", "0.001"] {
            assert!(parse_cpus(bad).unwrap_err().to_string().contains(bad));
        }
    }

    #[test]
    fn pids_weight_cpuset() {
        assert_eq!(parse_pids("16").unwrap(), 16);
        assert!(parse_pids("0").is_err() && parse_pids("-3").is_err());
        assert_eq!(parse_weight("100").unwrap(), 100);
        assert!(parse_weight("0").is_err() && parse_weight("10001").is_err());
        assert_eq!(parse_cpuset("0-1", "0-1\n").unwrap(), "0-1");
        assert!(parse_cpuset("2", "0-1\n").is_err());
        assert!(parse_cpuset("1-0", "0-1\n").is_err());
    }

    #[test]
    fn weight_conversion_matches_runc() {
        assert_eq!(weight_to_shares(1), 2);
        assert_eq!(weight_to_shares(10_000), 262_144);
        assert_eq!(weight_to_shares(100), 2597);
        // runc: shares 1024 -> weight 1 + 1022 * 9999 / 262142 = 39.
        assert_eq!(1 + (1024 - 2) * 9999 / 262_142, 39);
    }
}
