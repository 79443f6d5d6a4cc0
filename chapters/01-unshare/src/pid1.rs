//! The duties of PID 1: reap every zombie, pass signals on, exit with the
//! command's status.
//!
//! In a new PID namespace the first process is PID 1, and the kernel treats it
//! like the host's init:
//!
//! - **Orphans are re-parented to it.** When a process dies its parent must
//!   wait(2) for it; until then it stays a zombie (`<defunct>`). A process whose
//!   parent died first becomes PID 1's child, so PID 1 must wait for children
//!   it never started.
//! - **It does not get signals it has no handler for.** The kernel drops a
//!   signal sent to a namespace's PID 1 when PID 1 left that signal at its
//!   default action (only SIGKILL and SIGSTOP from an ancestor namespace get
//!   through). A plain program as PID 1 ignores SIGTERM: `docker stop` waits
//!   10 s and then kills it.
//!
//! This tiny init keeps the signals it forwards *blocked* and takes them with
//! sigwait(2): a blocked signal is never dropped, not even for PID 1, so the
//! init sees it without installing a handler. The same loop serves the
//! `ch01-unshare` process on the host, which forwards what it gets to the
//! container and waits for it.

use crate::explain;
use anyhow::{Context, Result};
use nix::errno::Errno;
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

// ANCHOR: forwarded
/// The signals an init passes on to its child (what tini and docker-init forward).
pub const FORWARDED: [Signal; 6] =
    [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP, Signal::SIGQUIT, Signal::SIGUSR1, Signal::SIGUSR2];
// ANCHOR_END: forwarded

/// The forwarded signals plus SIGCHLD, which says "a child changed state".
fn watched() -> SigSet {
    let mut set = SigSet::empty();
    for sig in FORWARDED {
        set.add(sig);
    }
    set.add(Signal::SIGCHLD);
    set
}

/// Block the watched signals so they wait, pending, until `supervise` takes
/// them. Do this *before* creating the child, so that no signal can arrive in
/// between and be lost. Returns the mask to restore in a child before exec.
pub fn block_signals() -> Result<SigSet> {
    let mut old = SigSet::empty();
    nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&watched()), Some(&mut old))
        .context("sigprocmask(SIG_BLOCK)")?;
    Ok(old)
}

/// Put back the signal mask `block_signals` replaced (in a child, before exec:
/// the mask survives execve(2), and CMD must be able to receive signals).
pub fn restore_signals(old: &SigSet) -> Result<()> {
    nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(old), None)
        .context("sigprocmask(SIG_SETMASK)")
}

// ANCHOR: supervise
/// Forward signals to `child` and reap every child that exits, until `child`
/// itself exits; return its exit code (128+N if signal N killed it).
pub fn supervise(child: Pid) -> Result<i32> {
    let watched = watched();
    loop {
        let sig = watched.wait().context("sigwait")?;
        if sig != Signal::SIGCHLD {
            // EXERCISE 1.7: pass the signal on to the command, then wait for the next one
            // HINT: nix::sys::signal::kill(child, sig) sends it
            // HINT: the child may have exited already (ESRCH): ignore the error, its SIGCHLD is on the way; then `continue`
            explain!("got {sig}: kill({child}, {sig})");
            // The child may have exited already; its SIGCHLD is then on the way.
            let _ = kill(child, sig);
            continue;
            // END EXERCISE
        }
        // EXERCISE 1.2: reap every child that has exited; when it is `child`, return its exit code
        // HINT: waitpid(None, Some(WaitPidFlag::WNOHANG)) reaps any one child that exited, without blocking
        // HINT: one SIGCHLD can stand for several exits: loop until StillAlive or ECHILD, then wait for the next signal
        // HINT: status.pid() is who exited; for `child` return Ok(exit_code(status)), for an orphan just go on
        // One SIGCHLD can stand for several exits: reap until none is left.
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => break,
                Ok(status) => {
                    let Some(pid) = status.pid() else { break };
                    if pid == child {
                        explain!("reaped {pid} (the command): {status:?}");
                        return Ok(exit_code(status));
                    }
                    explain!("reaped {pid} (an orphan): {status:?}");
                }
                Err(e) => return Err(e).context("waitpid(-1, WNOHANG)"),
            }
        }
        // END EXERCISE
    }
}
// ANCHOR_END: supervise

// ANCHOR: exit_code
/// The shell's convention: the exit status, or 128 + the number of the signal
/// that killed the process (SIGKILL is 9: 137; SIGTERM is 15: 143).
pub fn exit_code(status: WaitStatus) -> i32 {
    match status {
        WaitStatus::Exited(_, code) => code,
        WaitStatus::Signaled(_, sig, _) => 128 + sig as i32,
        _ => 125,
    }
}
// ANCHOR_END: exit_code

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell() {
        let pid = Pid::from_raw(7);
        assert_eq!(exit_code(WaitStatus::Exited(pid, 3)), 3);
        assert_eq!(exit_code(WaitStatus::Signaled(pid, Signal::SIGKILL, false)), 137);
        assert_eq!(exit_code(WaitStatus::Signaled(pid, Signal::SIGTERM, true)), 143);
    }
}
