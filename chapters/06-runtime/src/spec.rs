//! `spec`: a bundle's default config.json, as `runc spec` writes it.
//!
//! A bundle is a directory with a `config.json` and a root filesystem
//! (`rootfs/` by default). Every field of config.json is one of the earlier
//! chapters' choices, made explicit:
//!
//! | field | chapter |
//! |---|---|
//! | `process.args`, `env`, `cwd`, `user`, `terminal` | 1 (execve), 5 (the image's config) |
//! | `hostname`, `linux.namespaces` | 1 (clone flags, sethostname) |
//! | `linux.uidMappings`, `gidMappings` | 1 (the user namespace's maps) |
//! | `root.path`, `root.readonly`, `mounts` | 2 (pivot_root, /proc, /sys, /dev) |
//! | `linux.resources`, `linux.cgroupsPath` | 3 (cgroups) |
//! | `linux.namespaces` network `path` | 4 (joining a netns another tool set up) |
//! | `process.capabilities`, `linux.maskedPaths`, `readonlyPaths`, `seccomp` | 7 |

use anyhow::{bail, Context, Result};
use oci_spec::runtime::{LinuxDeviceCgroupBuilder, Spec};
use std::path::Path;

// ANCHOR: spec
/// The default spec: `sh` in the bundle's `rootfs`, read-only, with a
/// terminal; new pid, network, ipc, uts and mount namespaces; /proc, /dev,
/// /dev/pts, /dev/shm, /dev/mqueue, /sys and /sys/fs/cgroup mounted; runc's
/// default capabilities, masked and read-only paths (chapter 7 applies
/// them, with Docker's capabilities and seccomp profile). With `rootless`, a
/// user namespace mapping root inside to `uid`/`gid` outside, and no
/// network namespace of its own (an unprivileged user cannot wire one up).
pub fn default_spec(rootless: Option<(u32, u32)>) -> Result<Spec> {
    let mut spec = match rootless {
        Some((uid, gid)) => Spec::rootless(uid, gid),
        None => Spec::default(),
    };
    spec.set_version("1.0.2-dev".to_string());
    spec.set_hostname(Some("burrow".to_string()));
    spec.set_annotations(None);
    let mut linux = spec.linux().clone().context("the default spec has linux")?;
    if rootless.is_none() {
        // runc's default: no device but those every container gets (see cgroups.rs).
        let deny_all = LinuxDeviceCgroupBuilder::default().allow(false).access("rwm").build()?;
        let mut resources = linux.resources().clone().unwrap_or_default();
        resources.set_devices(Some(vec![deny_all]));
        linux.set_resources(Some(resources));
    } else {
        // Without root there is no cgroup of the container's own to mount
        // (and /sys, a bind of the host's, already holds the host's tree).
        let mounts = spec.mounts().clone().unwrap_or_default();
        spec.set_mounts(Some(mounts.into_iter().filter(|m| m.typ().as_deref() != Some("cgroup")).collect()));
    }
    spec.set_linux(Some(linux));
    let mut process = spec.process().clone().context("the default spec has a process")?;
    process.set_terminal(Some(true));
    process.set_args(Some(vec!["sh".to_string()]));
    spec.set_process(Some(process));
    Ok(spec)
}
// ANCHOR_END: spec

/// Write `bundle/config.json`, refusing to replace one (as runc does).
pub fn write(bundle: &Path, spec: &Spec) -> Result<()> {
    let path = bundle.join("config.json");
    if path.exists() {
        bail!("File {} exists. Remove it first", path.display());
    }
    let text = serde_json::to_string_pretty(spec).context("serialize the spec")?;
    std::fs::write(&path, text + "\n").with_context(|| format!("write {}", path.display()))
}
