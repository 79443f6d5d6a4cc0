//! The child's side of every process the runtime starts in a container
//! (create's first process, exec's), from clone(2) to execve(2). Both begin
//! and end the same way; only the middle differs (create's process builds
//! the container's filesystem, exec's joins one that exists).

use crate::security::Harden;
use crate::spawn::Ends;
use crate::sync::{expect, send_msg, Message};
use crate::{console, namespaces, process};
use anyhow::{Context, Result};
use ch01_unshare::exec::{self, code_of};
use nix::sched::CloneFlags;
use nix::sys::signal::{SigSet, Signal};
use oci_spec::runtime::Process;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

// ANCHOR: first_steps
/// The first steps: close the parent's end of the socketpair, die with the
/// parent until it has heard "Ready", wait for its "Go", join the
/// namespaces given by path, and become root in a user namespace. Returns
/// our end, borrowed (it stays open until execve).
pub fn first_steps(
    ends: Ends,
    namespaces: &[(CloneFlags, RawFd)],
    userns: bool,
    harden: &dyn Harden,
) -> Result<std::mem::ManuallyDrop<OwnedFd>> {
    // SAFETY: the fd is this child's copy of the parent's end, owned by nothing here.
    drop(unsafe { OwnedFd::from_raw_fd(ends.parent) });
    // SAFETY: the same for our own end, borrowed for the setup's messages.
    let sock_fd = std::mem::ManuallyDrop::new(unsafe { OwnedFd::from_raw_fd(ends.sock) });
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).context("prctl(PR_SET_PDEATHSIG)")?;
    expect(&sock_fd, Message::Go(String::new()))?;
    harden.started()?;
    namespaces::join(namespaces)?;
    if userns {
        namespaces::become_namespace_root()?;
    }
    Ok(sock_fd)
}
// ANCHOR_END: first_steps

// ANCHOR: become_process
/// What the container's command is given, besides its process section.
pub struct Becoming<'a> {
    pub process: &'a Process,
    /// With process.terminal: the socket to send the pty's master on.
    pub console: Option<RawFd>,
    /// The signal mask to give the command back.
    pub old_mask: &'a SigSet,
    /// `--preserve-fds N`: fds 3 to 3+N-1 stay open across execve.
    pub preserve_fds: u32,
    /// Chapter 7's steps (see [`crate::security`]).
    pub harden: &'a dyn Harden,
}

/// The last steps, inside the container's root, in this order: the
/// terminal, the process section (rlimits, env, cwd), no more dying with
/// the parent (`create` exits once it hears Ready, and the container must
/// outlive it: the other order is a race a slow machine loses), and what
/// the command must not inherit (fds, ignored and blocked signals) reset.
/// All of that before chapter 7's seccomp filter goes on, which need not
/// allow the calls that do it (close_range(2) is missing from older
/// profiles). Then `before_user` (create tells the parent), and the user.
pub fn become_process(
    becoming: &Becoming,
    before_user: impl FnOnce() -> Result<()>,
) -> Result<Vec<std::ffi::CString>> {
    let process = becoming.process;
    if let Some(socket) = becoming.console {
        console::set_up(socket)?;
    }
    process::prepare(process)?;
    nix::sys::prctl::set_pdeathsig(None).context("prctl(PR_SET_PDEATHSIG, 0)")?;
    exec::reset_inheritance(becoming.old_mask, becoming.preserve_fds)?;
    before_user()?;
    process::become_user(process, becoming.harden)?;
    // process::of refused empty args.
    exec::c_args(process.args().as_deref().unwrap_or_default())
}
// ANCHOR_END: become_process

/// Tell the parent why the setup failed; return the exit code to exit with.
pub fn fail(sock: RawFd, error: &anyhow::Error) -> isize {
    let code = code_of(error);
    let _ = send_msg(sock, &Message::Failed(code, format!("{error:#}")));
    code as isize
}
