//! Where chapter 7 comes in. This chapter's runtime builds the container
//! and runs its process with whatever privileges are left to it: root's
//! capabilities, every system call, /proc and /sys as they are. What
//! config.json asks for beyond that (`process.capabilities`,
//! `noNewPrivileges`, `apparmorProfile`, `linux.seccomp`, `maskedPaths`,
//! `readonlyPaths`) is chapter 7's work, and it plugs in here, at the points
//! this chapter offers: [`Security`] on the runtime's side, [`Harden`] in
//! the container's process.

use anyhow::{bail, Result};
use nix::unistd::Pid;
use oci_spec::runtime::{Process, Spec};
use std::path::Path;

// ANCHOR: seam
/// The runtime's side: what it does before and around the container.
pub trait Security: Sync {
    /// `spec`: what the default config.json asks for besides chapter 6's.
    fn default_spec(&self, _spec: &mut Spec) -> Result<()> {
        Ok(())
    }

    /// `features`: what is supported, into the document's `linux` object.
    fn features(&self, _linux: &mut serde_json::Value) {}

    /// First thing in a command that puts a process in a container
    /// (create, run, exec), with the state directory `root`.
    fn at_start(&self, _root: &Path) -> Result<()> {
        Ok(())
    }

    /// Before anything is made: check what `process` (of `spec`) asks for
    /// and prepare it (a filter compiled), for the container's process to
    /// apply. An error here leaves nothing behind.
    fn prepare(&self, spec: &Spec, process: &Process) -> Result<Box<dyn Harden>>;

    /// Without root: write id maps other than the caller's own id (the
    /// only one the kernel lets a user map) for the new user namespace of
    /// `pid`.
    fn map_ids(&self, _pid: Pid, uid_map: &str, _gid_map: &str) -> Result<()> {
        bail!(
            "linux.uidMappings {:?}: without root, {} maps only your own id (containerID 0, hostID {}, size 1); chapter 7's burrow maps more (newuidmap)",
            uid_map.replace('\n', ", "),
            crate::log::tool(),
            nix::unistd::geteuid()
        )
    }
}

/// The container's process's side, at the points of its setup.
pub trait Harden {
    /// Once the parent has said go (a new user namespace's maps written),
    /// before the namespaces given by path are joined.
    fn started(&self) -> Result<()> {
        Ok(())
    }

    /// After pivot_root (create only: `exec` joins a root that is ready).
    fn filesystem(&self) -> Result<()> {
        Ok(())
    }

    /// Just before the process becomes its user (setgroups, setgid,
    /// setuid), while it still has every capability.
    fn before_user(&self) -> Result<()> {
        Ok(())
    }

    /// Just after: the last step before the command's execve(2).
    fn after_user(&self) -> Result<()> {
        Ok(())
    }
}
// ANCHOR_END: seam

/// Chapter 6's own: nothing added, and a warning naming what config.json
/// asks for that this runtime does not apply.
pub struct Unconfined;

impl Security for Unconfined {
    fn prepare(&self, spec: &Spec, process: &Process) -> Result<Box<dyn Harden>> {
        let linux = spec.linux().as_ref();
        let asked = [
            ("process.capabilities", process.capabilities().is_some()),
            ("process.noNewPrivileges", process.no_new_privileges() == Some(true)),
            ("process.apparmorProfile", process.apparmor_profile().as_deref().is_some_and(|p| !p.is_empty())),
            ("linux.seccomp", linux.and_then(|l| l.seccomp().as_ref()).is_some()),
            (
                "linux.maskedPaths",
                linux.and_then(|l| l.masked_paths().as_ref()).is_some_and(|p| !p.is_empty()),
            ),
            (
                "linux.readonlyPaths",
                linux.and_then(|l| l.readonly_paths().as_ref()).is_some_and(|p| !p.is_empty()),
            ),
        ];
        let names: Vec<&str> = asked.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect();
        if !names.is_empty() {
            let message = format!(
                "{} not applied: this is chapter 6's runtime, and the process keeps every privilege it has (chapter 7's burrow applies them)",
                names.join(", ")
            );
            ch01_unshare::report(crate::log::tool(), "warning", &message);
        }
        Ok(Box::new(Unconfined))
    }
}

impl Harden for Unconfined {}
