//! The container's first process, from clone(2) to execve(2): everything
//! config.json asks for that must be done from inside.
//!
//! It reports each stage to `burrow create` over the setup socket
//! ([`crate::sync`]), then blocks opening `exec.fifo` for writing. A FIFO's
//! open(2) for writing waits until someone opens it for reading: that someone
//! is `burrow start`, maybe hours later, in another process. Only then does
//! this process run the `startContainer` hooks and execute the command.

use crate::child::{self, Becoming};
use crate::fd::open_fd;
use crate::namespaces::MountNs;
use crate::spawn::Ends;
use crate::sync::{expect, send_msg, Message};
use crate::{hooks, rootfs};
use anyhow::{bail, Context, Result};
use ch01_unshare::exec::{self, code_of};
use ch01_unshare::explain;
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use oci_spec::runtime::Spec;
use std::ffi::CString;
use std::io::Write;
use std::os::fd::RawFd;
use std::path::Path;

/// What the child needs, prepared by `create` before clone(2).
pub struct Plan<'a> {
    pub spec: &'a Spec,
    pub bundle: &'a Path,
    pub rootfs: &'a Path,
    /// Namespaces to join by path (setns(2)), each an open fd.
    pub join: Vec<(CloneFlags, RawFd)>,
    /// Unshare a cgroup namespace once in the container's cgroup.
    pub cgroup_ns: bool,
    /// A UTS namespace of its own (new or joined), where the hostname may be set.
    pub uts: bool,
    /// Where the mounts are made, and how the rootfs is entered.
    pub mount_ns: MountNs,
    /// A new user namespace (its maps written by `create`).
    pub userns: bool,
    /// The host's cgroup hierarchies, for a `cgroup` mount.
    pub cgroups: &'a ch03_cgroups::Layout,
    /// An O_PATH fd of `exec.fifo`, opened on the host's side of pivot_root.
    pub fifo: RawFd,
    pub no_pivot: bool,
    /// config.json's process, checked, and what it is given besides.
    pub becoming: Becoming<'a>,
}

// ANCHOR: init
/// The cloned child: set up, report, wait for `start`, execute. Never returns
/// to the caller's code.
pub fn init(plan: &Plan, ends: Ends) -> isize {
    let (state, argv) = match set_up(plan, ends) {
        Ok(done) => done,
        Err(e) => return child::fail(ends.sock, &e),
    };
    // From here on `create` has returned: errors can only go to stderr.
    let failed = |e: anyhow::Error| exec::ExitError { code: code_of(&e), message: format!("{e:#}") };
    let say = |failure: &exec::ExitError| {
        ch01_unshare::report(crate::log::tool(), "error", &format!("container process: {failure}"));
    };
    let failure = match wait_for_start(plan) {
        Err(e) => failed(e),
        Ok(mut fifo) => {
            let failure = match start_hooks(plan, &state) {
                Ok(()) => exec::execvp(&argv),
                Err(e) => failed(e),
            };
            // Still here: the command will not run. Say why before `start`
            // hears it, or `run` may exit (and close our stderr) first.
            say(&failure);
            let _ = fifo.write_all(b"1");
            return failure.code as isize;
        }
    };
    say(&failure);
    failure.code as isize
}

/// Everything up to `Ready`: returns the state the hooks are given, and the
/// command's argv.
fn set_up(plan: &Plan, ends: Ends) -> Result<(String, Vec<CString>)> {
    let sock_fd = child::first_steps(ends, &plan.join, plan.userns, plan.becoming.harden)?;
    let sock = ends.sock;
    set_names(plan)?;
    let root = rootfs::prepare(plan.spec, plan.bundle, plan.rootfs, plan.userns, plan.mount_ns)?;
    send_msg(sock, &Message::Mounted)?;
    // Now in the container's cgroup: its namespace, and the cgroup mounts.
    let state = expect(&sock_fd, Message::Go(String::new()))?;
    if plan.cgroup_ns {
        ch03_cgroups::unshare_cgroup_namespace()?;
    }
    rootfs::mount_cgroups(plan.spec, &root, plan.cgroups, plan.cgroup_ns)?;
    // A host directory must not stay open in the container (runc's CVE-2024-21626).
    drop(root);
    hooks::run(plan.spec, hooks::Stage::CreateContainer, &state, None)?;
    rootfs::enter(plan.spec, plan.rootfs, plan.no_pivot, plan.mount_ns)?;
    rootfs::write_sysctls(plan.spec)?;
    plan.becoming.harden.filesystem()?;
    // The user, its capabilities and the seccomp filter now, before `start`,
    // as runc does, while `create` writes the state: they cost neither
    // `create` nor `start` any waiting, and a failure still fails `create`.
    let argv = child::become_process(&plan.becoming, || send_msg(sock, &Message::Prepared))?;
    send_msg(sock, &Message::Ready)?;
    Ok((state, argv))
}
// ANCHOR_END: init

fn set_names(plan: &Plan) -> Result<()> {
    let hostname = plan.spec.hostname().as_deref().filter(|h| !h.is_empty());
    let domainname = plan.spec.domainname().as_deref().filter(|d| !d.is_empty());
    if (hostname.is_some() || domainname.is_some()) && !plan.uts {
        bail!("config.json sets a hostname or domainname without a uts namespace: that would rename the host; add {{\"type\": \"uts\"}} to linux.namespaces");
    }
    if let Some(name) = hostname {
        explain!("sethostname({name:?})");
        nix::unistd::sethostname(name).with_context(|| format!("sethostname({name:?})"))?;
    }
    if let Some(name) = domainname {
        explain!("setdomainname({name:?})");
        // SAFETY: the pointer and length describe `name`'s bytes, alive for the call.
        let rc = unsafe { libc::setdomainname(name.as_ptr().cast(), name.len()) };
        nix::errno::Errno::result(rc).with_context(|| format!("setdomainname({name:?})"))?;
    }
    Ok(())
}

// ANCHOR: fifo
/// Block until `burrow start`, and answer it with a byte on the exec fifo.
/// The fifo stays open, close-on-exec: `start` reads on until execve(2)
/// closes it, or until a second byte says the command will not run.
fn wait_for_start(plan: &Plan) -> Result<std::fs::File> {
    // EXERCISE 6.1: block until `start`: open the exec fifo for writing through its O_PATH fd, write one byte, return it open
    // HINT: the path exec.fifo had is on the host's side of pivot_root; plan.fifo is an O_PATH fd of it, and /proc/self/fd/N reopens it for real
    // HINT: open(2) of a FIFO for writing (no O_NONBLOCK) waits until someone opens it for reading: that is the wait for `start`
    // HINT: open_fd(Path::new(&format!("/proc/self/fd/{}", plan.fifo)), OFlag::O_WRONLY), into a std::fs::File; write_all(b"0"); return the File (it closes at execve)
    // The fifo's path was on the host; its O_PATH fd still leads to it, and
    // reopening through /proc/self/fd gives a real, writable open.
    let path = format!("/proc/self/fd/{}", plan.fifo);
    explain!("open({path:?}, O_WRONLY): blocks until `start` opens it to read");
    let mut fifo =
        std::fs::File::from(open_fd(Path::new(&path), OFlag::O_WRONLY).context("open the exec fifo")?);
    fifo.write_all(b"0").context("write to the exec fifo")?;
    Ok(fifo)
    // END EXERCISE
}

/// Then the startContainer hooks, as the container's user, under its
/// filter, with the command's environment (as in runc).
fn start_hooks(plan: &Plan, state: &str) -> Result<()> {
    let env = plan.becoming.process.env().clone().unwrap_or_default();
    hooks::run(plan.spec, hooks::Stage::StartContainer, state, Some(&env))
}
// ANCHOR_END: fifo
