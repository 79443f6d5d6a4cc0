//! The cgroup flags, shared by every chapter from 3 on: `--memory 64M
//! --cpus 0.5 --pids 20 ...`, checked and turned into [`Resources`].

use crate::limits::{self, IoLimit, Resources};
use anyhow::Result;

/// Limits for the container's cgroup (chapter 3).
#[derive(clap::Args, Debug, Default)]
pub struct LimitArgs {
    /// Memory limit, e.g. 64M (K, M, G: powers of 1024); swap is turned off.
    /// v2 memory.max + memory.swap.max=0; v1 memory.limit_in_bytes (+ memsw).
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,

    /// CPU quota in CPUs, e.g. 0.5 = 50 ms of CPU time per 100 ms.
    /// v2 cpu.max "50000 100000"; v1 cpu.cfs_quota_us / cpu.cfs_period_us.
    #[arg(long, value_name = "CPUS", allow_hyphen_values = true)]
    pub cpus: Option<String>,

    /// Relative CPU weight, 1..10000 (default 100), used only when CPUs are
    /// contended. v2 cpu.weight; v1 cpu.shares (converted as runc does).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub cpu_weight: Option<String>,

    /// Most processes (and threads) at once: a fork bomb hits this wall.
    /// pids.max, in v1 and v2.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub pids: Option<String>,

    /// The CPUs it may run on, e.g. 0 or 0-1. cpuset.cpus, in v1 and v2.
    #[arg(long, value_name = "LIST")]
    pub cpuset: Option<String>,

    /// Read bandwidth limit on a block device, e.g. /dev/vda:1M.
    /// v2 io.max rbps; v1 blkio.throttle.read_bps_device.
    #[arg(long, value_name = "DEV:RATE")]
    pub device_read_bps: Vec<String>,

    /// Write bandwidth limit on a block device, e.g. /dev/vda:1M.
    /// v2 io.max wbps; v1 blkio.throttle.write_bps_device.
    #[arg(long, value_name = "DEV:RATE")]
    pub device_write_bps: Vec<String>,
}

impl LimitArgs {
    /// Is any limit asked for?
    pub fn any(&self) -> bool {
        self.memory.is_some()
            || self.cpus.is_some()
            || self.cpu_weight.is_some()
            || self.pids.is_some()
            || self.cpuset.is_some()
            || !self.device_read_bps.is_empty()
            || !self.device_write_bps.is_empty()
    }

    /// Turn the flags into checked limits: every bad value is refused here,
    /// before any cgroup exists.
    pub fn resources(&self) -> Result<Resources> {
        let online = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_else(|_| "0".into());
        let mut res = Resources {
            memory: self.memory.as_deref().map(|m| limits::parse_size("--memory", m)).transpose()?,
            cpu_quota_us: self.cpus.as_deref().map(limits::parse_cpus).transpose()?,
            cpu_weight: self.cpu_weight.as_deref().map(limits::parse_weight).transpose()?,
            pids: self.pids.as_deref().map(limits::parse_pids).transpose()?,
            cpuset: self.cpuset.as_deref().map(|c| limits::parse_cpuset(c, &online)).transpose()?,
            ..Resources::default()
        };
        for (flag, specs, read) in [
            ("--device-read-bps", &self.device_read_bps, true),
            ("--device-write-bps", &self.device_write_bps, false),
        ] {
            for spec in specs {
                let (major, minor, rate) = limits::parse_device_rate(flag, spec)?;
                let (read_bps, write_bps) = if read { (Some(rate), None) } else { (None, Some(rate)) };
                res.io.push(IoLimit { major, minor, read_bps, write_bps });
            }
        }
        Ok(res)
    }
}
