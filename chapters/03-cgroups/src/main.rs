//! `ch03-cgroups`: run a command in new namespaces, limited by a cgroup.

use anyhow::Result;
use ch01_unshare::cli::RunArgs;
use ch01_unshare::explain;
use ch03_cgroups::limits::{self, IoLimit, Resources};
use ch03_cgroups::{stats, Cgroup, Layout, PARENT};
use clap::Parser;
use nix::sched::CloneFlags;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Run CMD in new namespaces (and a rootfs, with --rootfs), limited by a new
/// cgroup; print what it used against its limits when it ends.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Example: ch03-cgroups --memory 32M -- tail /dev/zero   (tail keeps looking for a newline: exit 137, OOM)"
)]
struct Cli {
    /// Memory limit, e.g. 64M (K, M, G: powers of 1024); swap is turned off.
    /// v2 memory.max + memory.swap.max=0; v1 memory.limit_in_bytes (+ memsw).
    #[arg(long, value_name = "SIZE")]
    memory: Option<String>,

    /// CPU quota in CPUs, e.g. 0.5 = 50 ms of CPU time per 100 ms.
    /// v2 cpu.max "50000 100000"; v1 cpu.cfs_quota_us / cpu.cfs_period_us.
    #[arg(long, value_name = "CPUS", allow_hyphen_values = true)]
    cpus: Option<String>,

    /// Relative CPU weight, 1..10000 (default 100), used only when CPUs are
    /// contended. v2 cpu.weight; v1 cpu.shares (converted as runc does).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    cpu_weight: Option<String>,

    /// Most processes (and threads) at once: a fork bomb hits this wall.
    /// pids.max, in v1 and v2.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pids: Option<String>,

    /// The CPUs it may run on, e.g. 0 or 0-1. cpuset.cpus, in v1 and v2.
    #[arg(long, value_name = "LIST")]
    cpuset: Option<String>,

    /// Read bandwidth limit on a block device, e.g. /dev/vda:1M.
    /// v2 io.max rbps; v1 blkio.throttle.read_bps_device.
    #[arg(long, value_name = "DEV:RATE")]
    device_read_bps: Vec<String>,

    /// Write bandwidth limit on a block device, e.g. /dev/vda:1M.
    /// v2 io.max wbps; v1 blkio.throttle.write_bps_device.
    #[arg(long, value_name = "DEV:RATE")]
    device_write_bps: Vec<String>,

    /// Run inside this root filesystem (chapter 2); without it, CMD sees the
    /// host's files.
    #[arg(long, value_name = "DIR")]
    rootfs: Option<PathBuf>,

    #[command(flatten)]
    run: RunArgs,
}

/// Turn the flags into checked limits: every bad value is refused here,
/// before any cgroup exists.
fn resources(cli: &Cli) -> Result<Resources> {
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_else(|_| "0".into());
    let mut res = Resources {
        memory: cli.memory.as_deref().map(|m| limits::parse_size("--memory", m)).transpose()?,
        cpu_quota_us: cli.cpus.as_deref().map(limits::parse_cpus).transpose()?,
        cpu_weight: cli.cpu_weight.as_deref().map(limits::parse_weight).transpose()?,
        pids: cli.pids.as_deref().map(limits::parse_pids).transpose()?,
        cpuset: cli.cpuset.as_deref().map(|c| limits::parse_cpuset(c, &online)).transpose()?,
        io: Vec::new(),
    };
    for (flag, specs, read) in [
        ("--device-read-bps", &cli.device_read_bps, true),
        ("--device-write-bps", &cli.device_write_bps, false),
    ] {
        for spec in specs {
            let (major, minor, rate) = limits::parse_device_rate(flag, spec)?;
            let (read_bps, write_bps) = if read { (Some(rate), None) } else { (None, Some(rate)) };
            res.io.push(IoLimit { major, minor, read_bps, write_bps });
        }
    }
    Ok(res)
}

// ANCHOR: main
fn run(cli: Cli) -> Result<i32> {
    if cli.run.explain {
        explain::enable();
    }
    let res = resources(&cli)?;
    let rootfs = cli.rootfs.as_deref().map(ch02_chroot::check_rootfs).transpose()?;
    let layout = Layout::detect()?;
    let mode = layout.mode()?;
    explain!("cgroup layout: {mode}; cgroup2 at {:?}; v1 controllers {:?}", layout.unified, layout.v1.keys());
    let cgroup = Cgroup::create(&layout, PARENT, &format!("ch03-{}", std::process::id()), &res)?;
    cgroup.apply(&res)?;

    // The cgroup namespace is made *after* the child joined its cgroup, so
    // that cgroup is the root of its view (as runc does it).
    let mut namespaces = ch02_chroot::NAMESPACES;
    namespaces.cgroup = false;
    let container = cli.run.into_container(namespaces);
    let flags = container.clone_flags();
    let start = Instant::now();
    let code = ch01_unshare::run_placed(&container, &mut |pid| cgroup.add(pid), &mut || {
        explain!("unshare(CLONE_NEWCGROUP)");
        nix::sched::unshare(CloneFlags::CLONE_NEWCGROUP)?;
        match &rootfs {
            Some(rootfs) => ch02_chroot::enter_rootfs(rootfs, ch02_chroot::Mode::Pivot),
            None => ch01_unshare::mount_fresh_proc(flags),
        }
    })?;
    let summary = stats::summary(&cgroup.stats(), code, start.elapsed());
    eprint!("--- ch03-cgroups: cgroup {} ({mode})\n{summary}", cgroup.path.display());
    Ok(code)
}
// ANCHOR_END: main

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    ch01_unshare::exit_with("ch03-cgroups", run(cli))
}
