//! The container's first process, from clone(2) to execve(2): everything
//! config.json asks for that must be done from inside.
//!
//! It reports each stage to `burrow create` over the setup socket
//! ([`crate::sync`]), then blocks opening `exec.fifo` for writing. A FIFO's
//! open(2) for writing waits until someone opens it for reading: that someone
//! is `burrow start`, maybe hours later, in another process. Only then does
//! this process run the `startContainer` hooks and execute the command.

use crate::create::open_fd;
use crate::sync::{expect, send_msg, Message};
use crate::{hooks, process, rootfs};
use anyhow::{bail, Context, Result};
use ch01_unshare::exec::{self, code_of};
use ch01_unshare::explain;
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::signal::{SigSet, Signal};
use oci_spec::runtime::Spec;
use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
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
    pub mount_ns: crate::create::MountNs,
    /// A new user namespace (its maps written by `create`).
    pub userns: bool,
    /// The host's cgroup hierarchies, for a `cgroup` mount.
    pub cgroups: &'a ch03_cgroups::Layout,
    /// An O_PATH fd of `exec.fifo`, opened on the host's side of pivot_root.
    pub fifo: RawFd,
    pub no_pivot: bool,
    /// With process.terminal: the socket to send the pty's master on.
    pub console: Option<RawFd>,
    /// The signal mask to give the command back.
    pub old_mask: SigSet,
    /// linux.seccomp, compiled by `create` (where an error is seen).
    pub seccomp: Option<&'a crate::seccomp::Filter>,
    /// `--preserve-fds N`: fds 3 to 3+N-1 stay open across execve.
    pub preserve_fds: u32,
}

// ANCHOR: init
/// The cloned child: set up, report, wait for `start`, execute. Never returns
/// to the caller's code.
pub fn init(plan: &Plan, sock: RawFd, parent_end: RawFd) -> isize {
    let state = match set_up(plan, sock, parent_end) {
        Ok(state) => state,
        Err(e) => {
            let code = code_of(&e);
            let _ = send_msg(sock, &Message::Failed(code, format!("{e:#}")));
            return code as isize;
        }
    };
    // From here on `create` has returned: errors can only go to stderr.
    let failed = |e: anyhow::Error| exec::ExitError { code: code_of(&e), message: format!("{e:#}") };
    let say = |failure: &exec::ExitError| {
        ch01_unshare::report("burrow", "error", &format!("container process: {failure}"));
    };
    let failure = match wait_for_start(plan) {
        Err(e) => failed(e),
        Ok(mut fifo) => {
            let failure = match become_command(plan, &state) {
                Ok(argv) => exec::execvp(&argv),
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

fn set_up(plan: &Plan, sock: RawFd, parent_end: RawFd) -> Result<String> {
    let sock_fd = first_steps(sock, parent_end, &plan.join, plan.userns)?;
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
    if let Some(socket) = plan.console {
        crate::console::set_up(socket)?;
    }
    rootfs::write_sysctls(plan.spec)?;
    let linux = plan.spec.linux().as_ref();
    crate::paths::readonly(linux.and_then(|l| l.readonly_paths().as_deref()).unwrap_or_default())?;
    crate::paths::mask(linux.and_then(|l| l.masked_paths().as_deref()).unwrap_or_default())?;
    let process = process::of(plan.spec)?;
    process::prepare(process)?;
    // Asked for now, so that `create` fails on a profile the kernel does
    // not have; it takes effect at the command's execve(2).
    crate::apparmor::apply(process)?;
    // `create` exits once it hears Ready, and the container must outlive it:
    // stop dying with it first (the other order is a race a slow machine loses).
    nix::sys::prctl::set_pdeathsig(None).context("prctl(PR_SET_PDEATHSIG, 0)")?;
    // What the command must not inherit (fds, ignored and blocked signals)
    // is reset before the seccomp filter goes on, which need not allow the
    // calls that do it (close_range(2) is missing from older profiles).
    exec::reset_inheritance(&plan.old_mask, plan.preserve_fds)?;
    // The user, its capabilities and the seccomp filter now, before `start`,
    // as runc does, while `create` writes the state: they cost neither
    // `create` nor `start` any waiting, and a failure still fails `create`.
    send_msg(sock, &Message::Prepared)?;
    process::become_user(process, plan.seccomp)?;
    send_msg(sock, &Message::Ready)?;
    Ok(state)
}

/// The first steps of a child of `create` or `exec`: close the parent's end
/// of the socketpair, die with the parent until it has heard "Ready", wait
/// for its "Go", join the namespaces given by path, and become root in a
/// user namespace. Returns our end, borrowed (it stays open until execve).
pub fn first_steps(
    sock: RawFd,
    parent_end: RawFd,
    namespaces: &[(CloneFlags, RawFd)],
    userns: bool,
) -> Result<std::mem::ManuallyDrop<OwnedFd>> {
    // SAFETY: the fd is this child's copy of the parent's end, owned by nothing here.
    drop(unsafe { OwnedFd::from_raw_fd(parent_end) });
    // SAFETY: the same for our own end, borrowed for the setup's messages.
    let sock_fd = std::mem::ManuallyDrop::new(unsafe { OwnedFd::from_raw_fd(sock) });
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).context("prctl(PR_SET_PDEATHSIG)")?;
    expect(&sock_fd, Message::Go(String::new()))?;
    // Not dumpable until execve(2), as runc's init (CVE-2016-9962): then no
    // process of the container may ptrace this one or open its /proc/PID
    // files (fds to the host, the runtime's binary) without CAP_SYS_PTRACE.
    // (Its /proc files now belong to root: `create` wrote the id maps first.)
    explain!("prctl(PR_SET_DUMPABLE, 0)");
    nix::sys::prctl::set_dumpable(false).context("prctl(PR_SET_DUMPABLE, 0)")?;
    join(namespaces)?;
    if userns {
        become_namespace_root()?;
    }
    Ok(sock_fd)
}
// ANCHOR_END: init

/// setns(2) into each namespace, in the order given (a user namespace first).
pub fn join(namespaces: &[(CloneFlags, RawFd)]) -> Result<()> {
    for (flag, fd) in namespaces {
        explain!("setns({fd}, {})", ch01_unshare::flag_names!(*flag));
        // SAFETY: the caller opened the fd on a namespace file, and keeps it open.
        let ns = unsafe { std::os::fd::BorrowedFd::borrow_raw(*fd) };
        nix::sched::setns(ns, *flag)
            .with_context(|| format!("setns({})", ch01_unshare::flag_names!(*flag)))?;
    }
    Ok(())
}

/// In a user namespace just entered, this process is still the host's root,
/// which the namespace's map does not include (files it made would have an
/// owner the namespace cannot name: EOVERFLOW). Become the namespace's root.
pub fn become_namespace_root() -> Result<()> {
    explain!("setresuid(0, 0, 0); setresgid(0, 0, 0) in the user namespace");
    let (uid, gid) = (nix::unistd::Uid::from_raw(0), nix::unistd::Gid::from_raw(0));
    nix::unistd::setresgid(gid, gid, gid).context("setresgid(0) in the user namespace")?;
    nix::unistd::setresuid(uid, uid, uid).context("setresuid(0) in the user namespace")
}

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
    // The fifo's path was on the host; its O_PATH fd still leads to it, and
    // reopening through /proc/self/fd gives a real, writable open.
    let path = format!("/proc/self/fd/{}", plan.fifo);
    explain!("open({path:?}, O_WRONLY): blocks until `burrow start` opens it to read");
    let mut fifo =
        std::fs::File::from(open_fd(Path::new(&path), OFlag::O_WRONLY).context("open the exec fifo")?);
    fifo.write_all(b"0").context("write to the exec fifo")?;
    Ok(fifo)
}

/// Then finish as the command's process: the startContainer hooks (as the
/// container's user, under its filter, as in runc), and its argv.
fn become_command(plan: &Plan, state: &str) -> Result<Vec<std::ffi::CString>> {
    let process = process::of(plan.spec)?;
    let env = process.env().clone().unwrap_or_default();
    hooks::run(plan.spec, hooks::Stage::StartContainer, state, Some(&env))?;
    // process::of refused empty args.
    exec::c_args(process.args().as_deref().unwrap_or_default())
}
// ANCHOR_END: fifo
