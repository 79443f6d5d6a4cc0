//! clone3(CLONE_INTO_CGROUP): a child born in its cgroup (cgroup v2, Linux 5.7).
//!
//! Moving a process into a cgroup by writing its pid to `cgroup.procs` takes
//! the kernel's global lock on cgroup membership for writing, and (since
//! Linux 6.0, unless cgroup2 is mounted with `favordynmods`) the first
//! writer after a quiet moment waits for an RCU grace period: 8 to 12 ms on
//! the development machine, longer than everything else a container's start
//! costs. A child that clone3(2) creates *inside* the cgroup is never moved:
//! fork only takes that lock for reading, and the wait is gone (0.15 ms).
//! cgroup v1 has no such flag: there, every container pays the wait once.

use anyhow::{Context, Result};
use nix::errno::Errno;
use nix::sched::CloneFlags;
use nix::unistd::Pid;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `CLONE_INTO_CGROUP` from linux/sched.h: the child starts in `cgroup`.
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

// ANCHOR: clone_into
/// Create a child in new namespaces (`flags`), born in the cgroup v2
/// directory `cgroup`, that runs `child_main` and exits with what it returns.
/// Like fork(2): no new stack, the child returns from the same call.
/// `Ok(None)` when this kernel (or a seccomp filter around us) has no clone3
/// or no `CLONE_INTO_CGROUP`: the caller then clones and moves the child.
pub fn clone_into(
    cgroup: BorrowedFd,
    flags: CloneFlags,
    child_main: &mut dyn FnMut() -> isize,
) -> Result<Option<Pid>> {
    ch01_unshare::container::ensure_single_threaded()?;
    // linux/sched.h's `struct clone_args`: 0 is "none" for every field.
    let mut args = libc::clone_args {
        // As u32 first: CLONE_IO is the sign bit of the C int.
        flags: u64::from(flags.bits() as u32) | CLONE_INTO_CGROUP,
        pidfd: 0,
        child_tid: 0,
        parent_tid: 0,
        exit_signal: libc::SIGCHLD as u64,
        stack: 0,
        stack_size: 0,
        tls: 0,
        set_tid: 0,
        set_tid_size: 0,
        cgroup: cgroup.as_raw_fd() as u64,
    };
    ch01_unshare::explain!("clone3({}, CLONE_INTO_CGROUP)", ch01_unshare::flag_names!(flags));
    // SAFETY: `args` is a valid clone_args of the size given. Without CLONE_VM
    // the child runs on a copy of this process's memory, as after fork(2), and
    // this process has a single thread (checked above): no lock is held.
    let ret = unsafe {
        libc::syscall(libc::SYS_clone3, &mut args as *mut libc::clone_args, size_of::<libc::clone_args>())
    };
    match ret {
        0 => {
            // The child is on the parent's stack: a panic must not unwind
            // into the parent's frames (and run their Drops) in it.
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child_main))
                .unwrap_or(ch01_unshare::exec::TOOL_FAILED as isize);
            // SAFETY: _exit ends the child without running the parent's
            // atexit handlers or flushing its copied stdio buffers.
            unsafe { libc::_exit(code as i32) }
        }
        -1 => match nix::errno::Errno::last() {
            Errno::ENOSYS | Errno::EINVAL | Errno::E2BIG | Errno::EPERM => Ok(None),
            errno => Err(errno)
                .with_context(|| format!("clone3({}, CLONE_INTO_CGROUP)", ch01_unshare::flag_names!(flags))),
        },
        pid => Ok(Some(Pid::from_raw(pid as i32))),
    }
}
// ANCHOR_END: clone_into
