//! config.json's `process`: what the container runs, as whom, with which
//! limits. Each field is a syscall made just before execve(2).

use crate::security::Harden;
use anyhow::{bail, Context, Result};
use ch01_unshare::exec::{ExitError, NOT_FOUND};
use ch01_unshare::explain;
use nix::sys::resource::{setrlimit, Resource};
use nix::unistd::{Gid, Uid};
use oci_spec::runtime::{PosixRlimitType, Process};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The process of `spec`, which the runtime spec makes optional only for
/// containers that are never started.
pub fn of(spec: &oci_spec::runtime::Spec) -> Result<&Process> {
    let process = spec.process().as_ref().context("config.json has no \"process\": say what to run")?;
    if process.args().as_ref().is_none_or(|a| a.is_empty()) {
        bail!("config.json: process.args is empty: give the command to run, e.g. [\"sh\"]");
    }
    // The spec requires it: a relative cwd would depend on where setup left off.
    if !process.cwd().is_absolute() {
        bail!(
            "config.json: process.cwd {:?} is relative: give an absolute path in the container, e.g. \"/\"",
            process.cwd()
        );
    }
    Ok(process)
}

// ANCHOR: lookup
/// Find `args[0]` as execvp(3) will, in the container's `PATH` and from its
/// `cwd`, *before* the container is reported created: a typo then fails
/// `create`, where the caller sees it, not a `start` that already returned.
pub fn find_executable(process: &Process) -> Result<PathBuf> {
    let name = process.args().as_ref().and_then(|a| a.first()).context("no args")?;
    let not_found = |detail: String| ExitError { code: NOT_FOUND, message: format!("{name:?}: {detail}") };
    let candidates: Vec<PathBuf> = if name.contains('/') {
        vec![process.cwd().join(name)]
    } else {
        let path = env_value(process, "PATH").unwrap_or("/usr/bin:/bin");
        path.split(':').map(|dir| Path::new(dir).join(name)).collect()
    };
    for candidate in &candidates {
        if let Ok(meta) = std::fs::metadata(candidate) {
            if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
                return Ok(candidate.clone());
            }
        }
    }
    match name.contains('/') {
        true => Err(not_found("no such executable file in the container".into()).into()),
        false => Err(not_found(format!(
            "executable file not found in the container's PATH ({})",
            env_value(process, "PATH").unwrap_or("unset")
        ))
        .into()),
    }
}
// ANCHOR_END: lookup

/// Everything about the process that can be done, and checked, before it is
/// time to execute it: rlimits, the environment, the working
/// directory, and that the command exists.
pub fn prepare(process: &Process) -> Result<()> {
    set_rlimits(process)?;
    set_env(process);
    let cwd = process.cwd();
    nix::unistd::chdir(cwd)
        .with_context(|| format!("process.cwd {}: no such directory in the container", cwd.display()))?;
    // A cwd such as /proc/self/fd/N follows an open fd wherever it leads: if
    // that was a directory of the host, the process now stands outside its
    // root, and the kernel says so: getcwd(2) fails with ENOENT (runc's
    // CVE-2024-21626 check).
    if !nix::unistd::getcwd().is_ok_and(|dir| dir.is_absolute()) {
        bail!("process.cwd {}: it leads outside the container's root", cwd.display());
    }
    find_executable(process).map(drop)
}

fn env_value<'a>(process: &'a Process, key: &str) -> Option<&'a str> {
    let env = process.env().as_deref().unwrap_or_default();
    env.iter().find_map(|kv| kv.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
}

/// Replace this process's environment with config.json's (execvp reads
/// `PATH` from it, and the command inherits it). The child is single-threaded.
pub fn set_env(process: &Process) {
    for (key, _) in std::env::vars_os() {
        std::env::remove_var(key);
    }
    for kv in process.env().as_deref().unwrap_or_default() {
        if let Some((key, value)) = kv.split_once('=').filter(|(k, _)| !k.is_empty()) {
            std::env::set_var(key, value);
        }
    }
}

// ANCHOR: rlimits
/// `process.rlimits`: setrlimit(2) for each. Limits survive execve(2) and are
/// inherited by every child, which is how a container gets its own `ulimit -n`.
pub fn set_rlimits(process: &Process) -> Result<()> {
    for limit in process.rlimits().as_deref().unwrap_or_default() {
        let resource = resource(limit.typ());
        explain!("setrlimit({:?}, {}, {})", limit.typ(), limit.soft(), limit.hard());
        setrlimit(resource, limit.soft(), limit.hard()).with_context(|| {
            format!("setrlimit {:?} soft {} hard {}", limit.typ(), limit.soft(), limit.hard())
        })?;
    }
    Ok(())
}
// ANCHOR_END: rlimits

fn resource(typ: PosixRlimitType) -> Resource {
    use PosixRlimitType as T;
    match typ {
        T::RlimitCpu => Resource::RLIMIT_CPU,
        T::RlimitFsize => Resource::RLIMIT_FSIZE,
        T::RlimitData => Resource::RLIMIT_DATA,
        T::RlimitStack => Resource::RLIMIT_STACK,
        T::RlimitCore => Resource::RLIMIT_CORE,
        T::RlimitRss => Resource::RLIMIT_RSS,
        T::RlimitNproc => Resource::RLIMIT_NPROC,
        T::RlimitNofile => Resource::RLIMIT_NOFILE,
        T::RlimitMemlock => Resource::RLIMIT_MEMLOCK,
        T::RlimitAs => Resource::RLIMIT_AS,
        T::RlimitLocks => Resource::RLIMIT_LOCKS,
        T::RlimitSigpending => Resource::RLIMIT_SIGPENDING,
        T::RlimitMsgqueue => Resource::RLIMIT_MSGQUEUE,
        T::RlimitNice => Resource::RLIMIT_NICE,
        T::RlimitRtprio => Resource::RLIMIT_RTPRIO,
        T::RlimitRttime => Resource::RLIMIT_RTTIME,
    }
}

// ANCHOR: user
/// Become `process.user`, last, since every step before needed root: the
/// supplementary groups (setgroups needs CAP_SETGID), the gid, the uid, and
/// the umask. setuid(2) away from root clears the capabilities: chapter 7's
/// `harden` keeps those asked for across it.
pub fn become_user(process: &Process, harden: &dyn Harden) -> Result<()> {
    harden.before_user()?;
    let user = process.user();
    let groups: Vec<Gid> =
        user.additional_gids().as_deref().unwrap_or_default().iter().map(|&g| Gid::from_raw(g)).collect();
    let (uid, gid) = (Uid::from_raw(user.uid()), Gid::from_raw(user.gid()));
    explain!("setgroups({groups:?}); setgid({gid}); setuid({uid})");
    // In a user namespace made without root, setgroups(2) is denied (see
    // rootless_maps); with no extra group there is nothing to set anyway.
    let denied = ch01_unshare::procfs::read("/proc/self/setgroups").is_ok_and(|s| s.trim() == "deny");
    if !(groups.is_empty() && denied) {
        nix::unistd::setgroups(&groups).with_context(|| format!("setgroups({groups:?})"))?;
    }
    nix::unistd::setgid(gid).with_context(|| format!("setgid({gid})"))?;
    nix::unistd::setuid(uid).with_context(|| format!("setuid({uid})"))?;
    if let Some(mask) = user.umask() {
        nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(mask));
    }
    harden.after_user()
}
// ANCHOR_END: user
