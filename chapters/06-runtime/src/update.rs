//! `burrow update`: new limits for a running container, from runc's flags
//! or from the linux.resources JSON podman writes.

use crate::cgroups;
use crate::state::{State, Status};
use anyhow::{bail, Context, Result};
use oci_spec::runtime::LinuxResources;
use std::path::{Path, PathBuf};

/// `update`'s arguments: runc's flags, or the JSON podman writes.
#[derive(clap::Args, Debug)]
pub struct Args {
    pub id: String,
    /// linux.resources as JSON, read from FILE ("-": stdin), as podman passes them.
    #[arg(short, long, value_name = "FILE")]
    pub resources: Option<PathBuf>,
    /// Memory limit: bytes, or with a unit (64M, 1G).
    #[arg(short, long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// CPU time in microseconds per period (--cpu-period, else 100000).
    #[arg(long, value_name = "US", allow_negative_numbers = true)]
    pub cpu_quota: Option<i64>,
    /// The CPU period in microseconds (100000 by default).
    #[arg(long, value_name = "US")]
    pub cpu_period: Option<u64>,
    /// CPU shares (relative weight, 2 to 262144).
    #[arg(long, value_name = "N")]
    pub cpu_shares: Option<u64>,
    /// The CPUs it may run on (0-3, 0,2).
    #[arg(long, value_name = "LIST")]
    pub cpuset_cpus: Option<String>,
    /// The most processes and threads at once.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub pids_limit: Option<i64>,
}

impl Args {
    /// The new limits: --resources's JSON, with the flags on top.
    pub fn resources(&self) -> Result<LinuxResources> {
        let mut json = match self.resources.as_deref() {
            Some(path) if path == Path::new("-") => serde_json::from_reader(std::io::stdin().lock())
                .context("--resources -: the linux.resources JSON on stdin")?,
            Some(path) => {
                let text =
                    std::fs::read(path).with_context(|| format!("read --resources {}", path.display()))?;
                serde_json::from_slice(&text)
                    .with_context(|| format!("--resources {}: not linux.resources JSON", path.display()))?
            }
            None => serde_json::json!({}),
        };
        if !json.is_object() {
            bail!("--resources: {json} is not a JSON object like {{\"memory\": {{\"limit\": 67108864}}}}");
        }
        let memory =
            self.memory.as_deref().map(|m| ch03_cgroups::limits::parse_size("--memory", m)).transpose()?;
        let flags = [
            ("memory", "limit", memory.map(serde_json::Value::from)),
            ("cpu", "quota", self.cpu_quota.map(Into::into)),
            ("cpu", "period", self.cpu_period.map(Into::into)),
            ("cpu", "shares", self.cpu_shares.map(Into::into)),
            ("cpu", "cpus", self.cpuset_cpus.clone().map(Into::into)),
            ("pids", "limit", self.pids_limit.map(Into::into)),
        ];
        for (group, field, value) in flags {
            if let Some(value) = value {
                if !json[group].is_object() {
                    json[group] = serde_json::json!({});
                }
                json[group][field] = value;
            }
        }
        if json.as_object().is_none_or(|o| o.is_empty()) {
            bail!(
                "update {}: nothing to change; give --resources FILE or a limit such as --memory 64M",
                self.id
            );
        }
        serde_json::from_value(json).context("update: the new limits are not valid linux.resources")
    }
}

// ANCHOR: update
/// `update`: new limits for a container that has not stopped. They are
/// written into its cgroup's files, and the kernel enforces them from the
/// next allocation, fork or scheduling period: nothing restarts.
pub fn update(root: &Path, id: &str, resources: &LinuxResources) -> Result<()> {
    // In config.json, 0 or -1 means "no limit", and create leaves the file
    // as it is; an update that asks to lift a limit must not pass in silence.
    let asked = [
        ("memory.limit", resources.memory().as_ref().and_then(|m| m.limit())),
        ("cpu.quota", resources.cpu().as_ref().and_then(|c| c.quota())),
        ("pids.limit", resources.pids().as_ref().map(|p| p.limit())),
    ];
    if let Some((name, Some(value))) = asked.iter().find(|(_, v)| v.is_some_and(|v| v <= 0)) {
        bail!("update: {name} {value}: burrow does not lift limits; give a positive number");
    }
    let limits = cgroups::limits(resources)?;
    let state = State::load(root, id)?;
    if state.status == Status::Stopped {
        bail!("cannot update container {id:?}: it is stopped (nothing to limit)");
    }
    match state.cgroup()? {
        Some(cgroup) => cgroup.apply(&limits),
        None => bail!(
            "container {id:?} has no cgroup (it was created without root): there are no limits to update"
        ),
    }
}
// ANCHOR_END: update
