//! burrow's part at chapter 6's seam (`ch06_runtime::security`): what the
//! runtime does before it makes a container, and what the container's
//! process does at each point of its setup, in this order:
//!
//! 1. at start-up, the runtime's binary sealed ([`crate::exe`]);
//! 2. before anything is made, config.json's confinement checked and
//!    prepared: the AppArmor profile known to the kernel, the seccomp
//!    filter compiled, the capability sets parsed (a mistake fails
//!    `create` with nothing made);
//! 3. once the child is started, it is made non-dumpable;
//! 4. after pivot_root, the masked and read-only paths;
//! 5. before it becomes its user: the AppArmor profile for the execve,
//!    no_new_privs, the seccomp filter (unless no_new_privs lets it wait),
//!    the bounding set, and the capabilities kept across setuid(2);
//! 6. after: the capability sets, and the filter if it waited.

use crate::caps::{self, Sets};
use crate::seccomp::{self, Filter};
use crate::{apparmor, exe, paths};
use anyhow::{Context, Result};
use ch01_unshare::explain;
use ch06_runtime::security::{Harden, Security};
use oci_spec::runtime::{Capabilities, Capability, Process, Spec};
use std::path::Path;

/// burrow's [`Security`].
pub struct Confined;

impl Security for Confined {
    // ANCHOR: default_spec
    /// Docker's defaults on top of runc's: its capabilities, in the sets
    /// that count, and its seccomp profile.
    fn default_spec(&self, spec: &mut Spec) -> Result<()> {
        let mut linux = spec.linux().clone().context("the default spec has linux")?;
        linux.set_seccomp(Some(seccomp::docker_default()?));
        spec.set_linux(Some(linux));
        let mut process = spec.process().clone().context("the default spec has a process")?;
        let docker: Capabilities = caps::DOCKER_DEFAULT
            .iter()
            .map(|name| serde_json::from_value::<Capability>(serde_json::json!(name)))
            .collect::<Result<_, _>>()?;
        let mut sets = process.capabilities().clone().unwrap_or_default();
        sets.set_bounding(Some(docker.clone()));
        sets.set_effective(Some(docker.clone()));
        sets.set_permitted(Some(docker));
        sets.set_inheritable(None);
        sets.set_ambient(None);
        process.set_capabilities(Some(sets));
        spec.set_process(Some(process));
        Ok(())
    }
    // ANCHOR_END: default_spec

    fn features(&self, linux: &mut serde_json::Value) {
        linux["seccomp"] = seccomp::features();
        linux["apparmor"] = serde_json::json!({ "enabled": apparmor::enabled() });
    }

    fn at_start(&self, root: &Path) -> Result<()> {
        exe::ensure_sealed(root)
    }

    fn map_ids(&self, pid: nix::unistd::Pid, uid_map: &str, gid_map: &str) -> Result<()> {
        crate::rootless::map_ids(pid, uid_map, gid_map)
    }

    fn prepare(&self, spec: &Spec, process: &Process) -> Result<Box<dyn Harden>> {
        apparmor::check(Some(process))?;
        let linux = spec.linux().as_ref();
        Ok(Box::new(Confinement {
            apparmor: apparmor::profile_of(process).map(String::from),
            no_new_privs: process.no_new_privileges() == Some(true),
            masked: linux.and_then(|l| l.masked_paths().clone()).unwrap_or_default(),
            readonly: linux.and_then(|l| l.readonly_paths().clone()).unwrap_or_default(),
            filter: seccomp::of(spec)?,
            sets: process.capabilities().as_ref().map(Sets::of).transpose()?,
        }))
    }
}

/// One process's confinement, prepared by the runtime before the clone.
struct Confinement {
    /// `process.apparmorProfile`, for the command's execve(2).
    apparmor: Option<String>,
    /// `process.noNewPrivileges`.
    no_new_privs: bool,
    masked: Vec<String>,
    readonly: Vec<String>,
    filter: Option<Filter>,
    sets: Option<Sets>,
}

// ANCHOR: harden
impl Harden for Confinement {
    fn started(&self) -> Result<()> {
        // Not dumpable until execve(2), as runc's init (CVE-2016-9962): then no
        // process of the container may ptrace this one or open its /proc/PID
        // files (fds to the host, the runtime's binary) without CAP_SYS_PTRACE.
        // (Its /proc files now belong to root: `create` wrote the id maps first.)
        explain!("prctl(PR_SET_DUMPABLE, 0)");
        nix::sys::prctl::set_dumpable(false).context("prctl(PR_SET_DUMPABLE, 0)")
    }

    fn filesystem(&self) -> Result<()> {
        paths::readonly(&self.readonly)?;
        paths::mask(&self.masked)
    }

    fn before_user(&self) -> Result<()> {
        // Asked for now, so that `create` fails on a profile the kernel does
        // not have; it takes effect at the command's execve(2).
        if let Some(profile) = &self.apparmor {
            apparmor::on_exec(profile)?;
        }
        // EXERCISE 7.3: set no_new_privs when config.json asks; install the filter now unless no_new_privs lets it wait; drop the bounding set and keep the capabilities across setuid
        // HINT: nix::sys::prctl::set_no_new_privs() is prctl(PR_SET_NO_NEW_PRIVS, 1): no execve(2) from here on can grant more privilege
        // HINT: seccomp(2) takes no_new_privs or CAP_SYS_ADMIN: without no_new_privs, seccomp::install(filter) now, while the process has every capability; with it, after_user installs the filter last
        // HINT: then, when self.sets is Some: caps::drop_bounding(sets)? (it needs CAP_SETPCAP, so before capset) and caps::keep_across_setuid(true)?; Ok(())
        if self.no_new_privs {
            // No execve(2) may grant more privilege (setuid bits, file
            // capabilities) from here on, in this process and its children.
            explain!("prctl(PR_SET_NO_NEW_PRIVS, 1)");
            nix::sys::prctl::set_no_new_privs().context("prctl(PR_SET_NO_NEW_PRIVS)")?;
        }
        // Installing a filter takes no_new_privs or CAP_SYS_ADMIN: without
        // the first, it goes on now, while the process still has every
        // capability (the calls after it must then be ones it allows); with
        // it, at the very end, so that it need allow only the few calls left
        // before execve(2).
        if let (false, Some(filter)) = (self.no_new_privs, &self.filter) {
            seccomp::install(filter)?;
        }
        if let Some(sets) = &self.sets {
            caps::drop_bounding(sets)?;
            caps::keep_across_setuid(true)?;
        }
        Ok(())
        // END EXERCISE
    }

    fn after_user(&self) -> Result<()> {
        if let Some(sets) = &self.sets {
            caps::keep_across_setuid(false)?;
            caps::set(sets)?;
        }
        if let (true, Some(filter)) = (self.no_new_privs, &self.filter) {
            seccomp::install(filter)?;
        }
        Ok(())
    }
}
// ANCHOR_END: harden
