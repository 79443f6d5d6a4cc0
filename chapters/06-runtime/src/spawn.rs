//! The parent's side of every process the runtime starts in a container
//! (create's first process, exec's). The two talk over a socketpair
//! ([`crate::sync`]) while the child is set up. The parent closes its copy
//! of the child's end at once, so that it sees end-of-file when the child's
//! own copy closes (at execve, or at death); and if anything fails before
//! the child is on its own, the child is killed and reaped: nothing is left.

use crate::sync;
use anyhow::{Context, Result};
use ch01_unshare::container::kill_and_reap;
use nix::unistd::Pid;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

/// The setup socket's ends, as the child finds them after clone(2).
#[derive(Clone, Copy)]
pub struct Ends {
    /// The child's own end.
    pub sock: RawFd,
    /// The parent's end, which the child closes first thing.
    pub parent: RawFd,
}

/// A child being set up.
pub struct Child {
    pub pid: Pid,
    /// Our end of the setup socket.
    pub sock: OwnedFd,
}

// ANCHOR: spawn
/// Start a child that runs `child`. `clone` says how: into a cgroup, a PID
/// namespace, a user namespace (and may say more than the pid, `T`).
pub fn spawn<T>(
    clone: impl FnOnce(&mut dyn FnMut() -> isize) -> Result<(Pid, T)>,
    child: impl Fn(Ends) -> isize,
) -> Result<(Child, T)> {
    let (ours, theirs) = sync::pair()?;
    let ends = Ends { sock: theirs.as_raw_fd(), parent: ours.as_raw_fd() };
    let (pid, more) = clone(&mut || child(ends))?;
    drop(theirs);
    Ok((Child { pid, sock: ours }, more))
}

impl Child {
    /// The parent's half of a step of the setup; if it fails, the child is
    /// killed and reaped before the error is returned.
    pub fn step<T>(&self, talk: impl FnOnce(&OwnedFd) -> Result<T>) -> Result<T> {
        let result = talk(&self.sock);
        if result.is_err() {
            kill_and_reap(self.pid);
        }
        result
    }
}
// ANCHOR_END: spawn

/// `--pid-file`: the container's pid, written atomically (the caller may be
/// polling for it).
pub fn write_pid_file(path: &Path, pid: i32) -> Result<()> {
    let tmp = path.with_extension("tmp-burrow");
    std::fs::write(&tmp, pid.to_string()).with_context(|| format!("write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("write --pid-file {}", path.display()))
}
