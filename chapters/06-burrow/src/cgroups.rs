//! `linux.cgroupsPath` and `linux.resources`: chapter 3's cgroups, named and
//! sized by config.json instead of by flags.

use crate::state::State;
use anyhow::{bail, Result};
use ch03_cgroups::limits::IoLimit;
use ch03_cgroups::{Cgroup, Layout, Resources};
use oci_spec::runtime::{LinuxResources, Spec};

// ANCHOR: path
/// Where the container's cgroup goes, as (parent, name) under each
/// hierarchy's root. An absolute `cgroupsPath` is taken as it is (podman
/// passes `/libpod_parent/libpod-ID`); a relative one goes under burrow's own
/// parent; without one, the cgroup is `burrow/ID`.
pub fn path(spec: &Spec, id: &str) -> Result<(String, String)> {
    let wanted = spec.linux().as_ref().and_then(|l| l.cgroups_path().clone());
    let full = match wanted {
        Some(p) if p.to_string_lossy().contains(':') => bail!(
            "cgroupsPath {p:?} is a systemd slice:prefix:name; burrow writes cgroupfs paths, like /burrow/ID"
        ),
        Some(p) if p.is_absolute() => p.to_string_lossy().trim_start_matches('/').to_string(),
        Some(p) => format!("{}/{}", ch03_cgroups::PARENT, p.display()),
        None => format!("{}/{id}", ch03_cgroups::PARENT),
    };
    if full.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        bail!("cgroupsPath {full:?}: every part must be a plain name (no //, . or ..)");
    }
    match full.rsplit_once('/') {
        Some((parent, name)) => Ok((parent.to_string(), name.to_string())),
        None => bail!("cgroupsPath /{full}: put the container under a parent, e.g. /burrow/{full}"),
    }
}
// ANCHOR_END: path

// ANCHOR: resources
/// config.json's resources in chapter 3's terms. What chapter 3 cannot set
/// is refused by name rather than silently ignored.
pub fn resources(spec: &Spec) -> Result<Resources> {
    let mut res = Resources::default();
    let Some(r) = spec.linux().as_ref().and_then(|l| l.resources().clone()) else { return Ok(res) };
    refuse_unsupported(&r)?;
    if let Some(memory) = r.memory() {
        res.memory = memory.limit().filter(|&l| l > 0).map(|l| l as u64);
    }
    if let Some(cpu) = r.cpu() {
        res.cpu_quota_us = cpu.quota().filter(|&q| q > 0).map(|q| q as u64);
        res.cpu_period_us = cpu.period().filter(|&p| p > 0);
        // cgroup v1's shares (2..262144) to v2's weight (1..10000), as runc converts.
        res.cpu_weight =
            cpu.shares().filter(|&s| s > 0).map(|s| 1 + ((s.clamp(2, 262_144) - 2) * 9999) / 262_142);
        res.cpuset = cpu.cpus().clone().filter(|c| !c.is_empty());
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

fn refuse_unsupported(r: &LinuxResources) -> Result<()> {
    let unsupported = [
        ("hugepageLimits", r.hugepage_limits().as_ref().is_some_and(|h| !h.is_empty())),
        ("network", r.network().is_some()),
        ("rdma", r.rdma().as_ref().is_some_and(|h| !h.is_empty())),
        ("unified", r.unified().as_ref().is_some_and(|h| !h.is_empty())),
    ];
    if let Some((name, _)) = unsupported.iter().find(|(_, set)| *set) {
        bail!("linux.resources.{name} is not supported by burrow; remove it from config.json");
    }
    Ok(())
}

/// The container's cgroup, as `create` made it.
pub fn open(state: &State) -> Result<Cgroup> {
    Cgroup::open(&Layout::detect()?, &state.cgroup_parent, &state.cgroup_name)
}

/// Is the container's cgroup frozen (`pause`)?
pub fn frozen(state: &State) -> bool {
    let Ok(layout) = Layout::detect() else { return false };
    let path = std::path::Path::new(&state.cgroup_parent).join(&state.cgroup_name);
    let read = |file: std::path::PathBuf| std::fs::read_to_string(file).unwrap_or_default();
    match (&layout.unified, layout.v1.get("freezer")) {
        (_, Some(freezer)) => read(freezer.join(&path).join("freezer.state")).trim() == "FROZEN",
        (Some(root), None) => read(root.join(&path).join("cgroup.freeze")).trim() == "1",
        (None, None) => false,
    }
}
