//! `linux.cgroupsPath` and `linux.resources`: chapter 3's cgroups, named and
//! sized by config.json instead of by flags.

use anyhow::{bail, Result};
use ch03_cgroups::devices::DeviceRule;
use ch03_cgroups::limits::IoLimit;
use ch03_cgroups::limits::UNLIMITED;
use ch03_cgroups::{Layout, Resources};
use oci_spec::runtime::{LinuxDeviceType, LinuxMemory, LinuxResources, Spec};

// ANCHOR: path
/// Where the container's cgroup goes, as (parent, name) under each
/// hierarchy's root: the parent is shared with other containers and kept,
/// the name is the container's own (several levels, maybe). An absolute
/// `cgroupsPath` is taken as it is, from the hierarchy's root (podman passes
/// `/libpod_parent/libpod-ID`; `/cgrouptest` is a cgroup at the top); a
/// relative one goes under burrow's own parent, the place the runtime
/// spec lets a runtime choose (runc picks its own cgroup); without one, the
/// cgroup is `burrow/ID`.
pub fn path(spec: &Spec, id: &str) -> Result<(String, String)> {
    let wanted = spec.linux().as_ref().and_then(|l| l.cgroups_path().clone());
    let (parent, name) = match wanted {
        Some(p) if p.to_string_lossy().contains(':') => bail!(
            "cgroupsPath {p:?} is a systemd slice:prefix:name; burrow writes cgroupfs paths, like /burrow/ID"
        ),
        Some(p) if p.is_absolute() => {
            (String::new(), p.to_string_lossy().trim_start_matches('/').to_string())
        }
        Some(p) => (ch03_cgroups::PARENT.to_string(), p.to_string_lossy().into_owned()),
        None => (ch03_cgroups::PARENT.to_string(), id.to_string()),
    };
    if name.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        bail!("cgroupsPath {name:?}: every part must be a plain name (no //, . or ..)");
    }
    Ok((parent, name))
}
// ANCHOR_END: path

// ANCHOR: resources
/// config.json's resources in chapter 3's terms. What chapter 3 cannot set
/// is refused by name rather than silently ignored.
pub fn resources(spec: &Spec) -> Result<Resources> {
    let Some(r) = spec.linux().as_ref().and_then(|l| l.resources().clone()) else {
        return Ok(Resources::default());
    };
    let mut res = limits(&r)?;
    res.devices = device_rules(spec, &r)?;
    Ok(res)
}

/// The limits in `r`, all but the device rules: what `update` may change too.
pub fn limits(r: &LinuxResources) -> Result<Resources> {
    let mut res = Resources::default();
    refuse_unsupported(r)?;
    if let Some(memory) = r.memory() {
        memory_limits(memory, &mut res)?;
    }
    if let Some(cpu) = r.cpu() {
        res.cpu_quota_us = cpu.quota().filter(|&q| q > 0).map(|q| q as u64);
        res.cpu_period_us = cpu.period().filter(|&p| p > 0);
        res.cpu_shares = cpu.shares().filter(|&s| s > 0);
        res.cpuset = cpu.cpus().clone().filter(|c| !c.is_empty());
        res.cpuset_mems = cpu.mems().clone().filter(|m| !m.is_empty());
    }
    if let Some(pids) = r.pids() {
        res.pids = Some(pids.limit()).filter(|&l| l > 0).map(|l| l as u64);
    }
    if let Some(io) = r.block_io() {
        for (rates, read) in [(io.throttle_read_bps_device(), true), (io.throttle_write_bps_device(), false)]
        {
            for dev in rates.iter().flatten() {
                let (major, minor, rate) = (dev.major() as u64, dev.minor() as u64, dev.rate());
                let (read_bps, write_bps) = if read { (Some(rate), None) } else { (None, Some(rate)) };
                res.io.push(IoLimit { major, minor, read_bps, write_bps });
            }
        }
    }
    Ok(res)
}
// ANCHOR_END: resources

// ANCHOR: memory
/// config.json's memory section. Its `swap` counts memory and swap
/// together, as v1 does (-1: no limit); `kernel` is deprecated, and the
/// kernel accepts a write to kmem.limit_in_bytes only to ignore it.
fn memory_limits(m: &LinuxMemory, res: &mut Resources) -> Result<()> {
    let bytes = |field: &str, v: Option<i64>| match v {
        None | Some(0) => Ok(None),
        Some(-1) => Ok(Some(UNLIMITED)),
        Some(n) if n > 0 => Ok(Some(n as u64)),
        Some(n) => bail!("linux.resources.memory.{field} {n}: give bytes, or -1 for no limit"),
    };
    res.memory = bytes("limit", m.limit())?.filter(|&l| l != UNLIMITED);
    res.memory_low = bytes("reservation", m.reservation())?;
    res.memory_swap = bytes("swap", m.swap())?;
    res.kernel_tcp = bytes("kernelTCP", m.kernel_tcp())?;
    res.swappiness = m.swappiness().filter(|&s| s != u64::MAX);
    res.oom_kill_disable = m.disable_oom_killer().unwrap_or(false);
    match (res.memory, res.memory_swap) {
        (None, Some(_)) => bail!("linux.resources.memory.swap needs a memory limit: set memory.limit too"),
        (Some(limit), Some(both)) if both < limit => bail!(
            "linux.resources.memory.swap {both} is below limit {limit}: swap counts memory and swap together, so give at least the limit"
        ),
        _ => {}
    }
    if res.swappiness.is_some_and(|s| s > 100) {
        bail!("linux.resources.memory.swappiness {:?}: give 0 to 100", m.swappiness().unwrap_or_default());
    }
    if m.kernel().is_some_and(|k| k != 0) {
        let ignored = "linux.resources.memory.kernel is deprecated and ignored (Linux no longer limits kernel memory apart)";
        ch01_unshare::report(crate::log::tool(), "warning", ignored);
    }
    Ok(())
}
// ANCHOR_END: memory

// ANCHOR: devices
/// The device rules a container needs besides config.json's own (runc's
/// list): creating any node (mknod is harmless; opening it is what counts),
/// and using the devices every program expects, its terminals included.
const ALWAYS_ALLOWED: [(char, Option<u64>, Option<u64>, &str); 10] = [
    ('c', None, None, "m"),
    ('b', None, None, "m"),
    ('c', Some(1), Some(3), "rwm"), // null
    ('c', Some(1), Some(5), "rwm"), // zero
    ('c', Some(1), Some(7), "rwm"), // full
    ('c', Some(1), Some(8), "rwm"), // random
    ('c', Some(1), Some(9), "rwm"), // urandom
    ('c', Some(5), Some(0), "rwm"), // tty
    ('c', Some(5), Some(2), "rwm"), // ptmx
    ('c', Some(136), None, "rwm"),  // pts/*
];

/// `linux.resources.devices`, then the devices every container gets, then
/// the nodes `linux.devices` asks for: later rules win. No rules at all
/// means no device cgroup (every device, as in chapters 2 to 5).
fn device_rules(spec: &Spec, r: &LinuxResources) -> Result<Option<Vec<DeviceRule>>> {
    let listed = r.devices().clone().unwrap_or_default();
    if listed.is_empty() {
        return Ok(None);
    }
    let kind = |t: Option<LinuxDeviceType>| match t.unwrap_or(LinuxDeviceType::A) {
        LinuxDeviceType::A => 'a',
        LinuxDeviceType::B => 'b',
        LinuxDeviceType::C | LinuxDeviceType::U => 'c',
        LinuxDeviceType::P => 'p',
    };
    let num = |n: Option<i64>| n.filter(|&n| n >= 0).map(|n| n as u64);
    let mut rules: Vec<DeviceRule> = Vec::new();
    for d in listed {
        let access = d.access().clone().unwrap_or_else(|| "rwm".into());
        rules.push(DeviceRule {
            allow: d.allow(),
            kind: kind(d.typ()),
            major: num(d.major()),
            minor: num(d.minor()),
            access,
        });
    }
    for (kind, major, minor, access) in ALWAYS_ALLOWED {
        rules.push(DeviceRule { allow: true, kind, major, minor, access: access.into() });
    }
    let nodes = spec.linux().as_ref().and_then(|l| l.devices().clone()).unwrap_or_default();
    for node in nodes.iter().filter(|n| !matches!(n.typ(), LinuxDeviceType::P)) {
        let (major, minor) = (num(Some(node.major())), num(Some(node.minor())));
        rules.push(DeviceRule {
            allow: true,
            kind: kind(Some(node.typ())),
            major,
            minor,
            access: "rwm".into(),
        });
    }
    if let Some(bad) = rules.iter().find(|r| r.kind == 'p') {
        bail!("linux.resources.devices: type \"p\" (a FIFO) has no device cgroup rule: {}", bad.line());
    }
    Ok(Some(rules))
}
// ANCHOR_END: devices

fn refuse_unsupported(r: &LinuxResources) -> Result<()> {
    let unsupported = [
        ("hugepageLimits", r.hugepage_limits().as_ref().is_some_and(|h| !h.is_empty())),
        ("network", r.network().is_some()),
        ("rdma", r.rdma().as_ref().is_some_and(|h| !h.is_empty())),
        ("unified", r.unified().as_ref().is_some_and(|h| !h.is_empty())),
    ];
    if let Some((name, _)) = unsupported.iter().find(|(_, set)| *set) {
        bail!("linux.resources.{name} is not supported by burrow; remove it");
    }
    Ok(())
}

/// The machine's cgroup hierarchies, read from /proc/self/mountinfo once per
/// process: `run` needs them to create, to check the status and to delete.
pub fn layout() -> Result<&'static Layout> {
    static LAYOUT: std::sync::OnceLock<Layout> = std::sync::OnceLock::new();
    if let Some(layout) = LAYOUT.get() {
        return Ok(layout);
    }
    let detected = Layout::detect()?;
    Ok(LAYOUT.get_or_init(|| detected))
}

/// Is burrow running without root? Then it makes no cgroup: only root may
/// create one under the hierarchy's root (a user gets a cgroup of their own
/// only where systemd delegates one, which burrow does not look for).
pub fn rootless() -> bool {
    !nix::unistd::geteuid().is_root()
}

/// A rootless container: no cgroup, so no limits; device rules are moot
/// (a user namespace cannot create device nodes anyway). Refuse limits.
pub fn check_rootless(res: &Resources) -> Result<()> {
    let without_devices = Resources { devices: None, ..res.clone() };
    if without_devices != Resources::default() {
        bail!(
            "linux.resources asks for limits, and {} runs without root: there is no cgroup to put them in; remove linux.resources (or run as root)",
            crate::log::tool()
        );
    }
    Ok(())
}
