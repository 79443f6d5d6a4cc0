//! AppArmor: a profile that confines the command from its execve(2) on.
//!
//! AppArmor is a Linux security module. A profile, compiled and loaded into
//! the kernel by `apparmor_parser`, lists what a program may touch: paths,
//! capabilities, mounts, signals, sockets. A check in the kernel then
//! refuses the rest, whatever the process's uid and capabilities. Docker
//! and podman load one for their containers (`docker-default`,
//! `containers-default-*`) and name it in `process.apparmorProfile`.
//!
//! The runtime asks for it by writing `exec NAME` to
//! `/proc/self/attr/apparmor/exec`: the kernel switches the process to the
//! profile at its next execve(2), which is the command's.

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::sys::statfs::{fstatfs, PROC_SUPER_MAGIC};
use oci_spec::runtime::Process;
use std::fs::File;
use std::io::Write;

/// Is AppArmor on in this kernel? (its module parameter, as runc reads it)
pub fn enabled() -> bool {
    std::fs::read_to_string("/sys/module/apparmor/parameters/enabled").is_ok_and(|on| on.starts_with('Y'))
}

/// The profile `process` names (an empty name is none).
pub fn profile_of(process: &Process) -> Option<&str> {
    process.apparmor_profile().as_deref().filter(|profile| !profile.is_empty())
}

/// Refuse a profile this kernel cannot apply, before anything is made.
pub fn check(process: Option<&Process>) -> Result<()> {
    match process.and_then(profile_of) {
        Some(profile) if !enabled() => bail!(
            "process.apparmorProfile is {profile:?}, but AppArmor is not enabled in this kernel \
             (/sys/module/apparmor/parameters/enabled): remove apparmorProfile from config.json"
        ),
        _ => Ok(()),
    }
}

// ANCHOR: on_exec
/// Confine the next program this process executes to `profile`.
pub fn on_exec(profile: &str) -> Result<()> {
    explain!("write \"exec {profile}\" to /proc/self/attr/apparmor/exec");
    // Kernels before 5.8 have only the file every security module shares.
    let mut attr = match File::options().write(true).open("/proc/self/attr/apparmor/exec") {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            File::options().write(true).open("/proc/self/attr/exec")
        }
        opened => opened,
    }
    .context("open /proc/self/attr/apparmor/exec")?;
    // A file there that is not procfs's (a volume mounted over /proc) would
    // take the write and confine nothing: runc's CVE-2019-16884.
    if fstatfs(&attr).map(|fs| fs.filesystem_type()) != Ok(PROC_SUPER_MAGIC) {
        bail!("/proc/self/attr is not on procfs: refusing to ask for AppArmor profile {profile:?} there");
    }
    attr.write_all(format!("exec {profile}").as_bytes()).with_context(|| {
        format!("AppArmor profile {profile:?}: is it loaded? (`aa-status`; load it with `apparmor_parser -r FILE`)")
    })
}
// ANCHOR_END: on_exec
