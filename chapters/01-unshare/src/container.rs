//! Start a command in new namespaces with clone(2), and wait for it.
//!
//! ```text
//!  host: ch01-unshare                           container (new namespaces)
//!  ───────────────────                          ──────────────────────────
//!  block signals
//!  [--time: unshare(CLONE_NEWTIME), offsets]
//!  clone(CLONE_NEW*) ─────────────────────────▶ child: pid 4242 outside, 1 inside
//!  write uid_map/gid_map (--user)                 waits on the sync pipe
//!  "go" on the sync pipe ───────────────────▶     sethostname, mounts (setup)
//!                                                 [--init: fork; init reaps, forwards]
//!  read the error pipe ◀── error, or EOF ───      execve(CMD)  (the pipe is O_CLOEXEC)
//!  forward signals, wait ◀──── SIGCHLD ───────    CMD exits
//!  exit with CMD's status
//! ```
//!
//! Two pipes order the two processes. The *sync* pipe holds the child back
//! until the parent has written its uid/gid maps: until then the child's ids
//! are unmapped (it shows as `nobody`), files it made would have no owner
//! outside, and an execve(2) would leave it with no capabilities. The *error*
//! pipe is close-on-exec: a successful execve(2) closes it, so the parent reads
//! end-of-file, while a failure before that writes the exit code and the
//! message, which the parent prints. The child never has to guess.

use crate::exec::{self, ExitError, TOOL_FAILED};
use crate::namespaces::Namespaces;
use crate::{explain, flag_names, idmap, pid1, timens};
use anyhow::{bail, Context, Result};
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, pipe2, ForkResult, Pid};
use std::ffi::CString;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// The stack the cloned child starts on. The child is a copy of this process
/// (no `CLONE_VM`), so it runs on its own copy of this buffer.
const STACK_SIZE: usize = 1024 * 1024;

/// What to run, and how to isolate it.
#[derive(Clone, Debug, Default)]
pub struct Container {
    pub namespaces: Namespaces,
    pub hostname: Option<String>,
    /// Run a tiny init as PID 1, with the command as its child.
    pub init: bool,
    /// How far the clocks of a new time namespace are from the host's.
    pub clock_offsets: timens::Offsets,
    pub command: Vec<String>,
}

/// Chapter 2 and later plug their own steps in here: they run inside the new
/// namespaces, after the hostname is set and before the command is executed.
pub type Setup<'a> = &'a mut dyn FnMut() -> Result<()>;

/// Chapter 3 and later place the child from outside here (join a cgroup,
/// wire a network): it runs in the parent while the child waits, just cloned.
pub type Place<'a> = &'a mut dyn FnMut(Pid) -> Result<()>;

impl Container {
    /// Check everything a user typed before any namespace exists, so a bad
    /// value fails with a clear message and leaves nothing behind.
    pub fn validate(&self) -> Result<()> {
        if self.command.is_empty() {
            bail!("no command given: put it after `--`, e.g. `-- /bin/sh`");
        }
        exec::c_args(&self.command)?;
        if self.namespaces.time() {
            self.clock_offsets.check()?;
        }
        if let Some(name) = &self.hostname {
            if name.is_empty() || name.len() > 64 || name.contains('\0') {
                bail!("invalid --hostname {name:?}: it must be 1 to 64 bytes (a kernel limit)");
            }
        }
        Ok(())
    }

    // ANCHOR: clone_flags
    /// The clone flags: the namespaces asked for, plus a UTS namespace when a
    /// hostname is given (setting it without one would rename the host), and a
    /// PID namespace with `--init` (an init is only PID 1 in a new one).
    pub fn clone_flags(&self) -> CloneFlags {
        let mut flags = self.namespaces.clone_flags();
        if self.hostname.is_some() {
            flags |= CloneFlags::CLONE_NEWUTS;
        }
        if self.init {
            flags |= CloneFlags::CLONE_NEWPID;
        }
        flags
    }
    // ANCHOR_END: clone_flags
}

/// Run the container's command and return its exit code (128+N if signal N
/// killed it). `setup` runs inside the new namespaces before the command.
pub fn run(container: &Container, setup: Setup) -> Result<i32> {
    run_placed(container, &mut |_| Ok(()), setup)
}

// ANCHOR: run
/// [`run`], with `place(pid)` run in the parent after clone(2), while the child
/// still waits: whatever it sets up is in force before the command starts.
pub fn run_placed(container: &Container, place: Place, setup: Setup) -> Result<i32> {
    container.validate()?;
    let flags = container.clone_flags();
    let old_mask = pid1::block_signals()?;
    let _restore = RestoreMask(old_mask);
    let (sync_read, sync_write) = pipe2(OFlag::O_CLOEXEC).context("pipe2 (sync)")?;
    let (error_read, error_write) = pipe2(OFlag::O_CLOEXEC).context("pipe2 (errors)")?;
    let fds = ChildFds {
        sync_read: sync_read.as_raw_fd(),
        sync_write: sync_write.as_raw_fd(),
        error_write: error_write.as_raw_fd(),
    };

    let mut clone = || clone_child(flags, &mut || child(container, &mut *setup, fds, &old_mask));
    let pid = match container.namespaces.time() {
        true => timens::in_new_time_namespace(&container.clock_offsets, clone)?,
        false => clone()?,
    };
    let inside = if flags.contains(CloneFlags::CLONE_NEWPID) { ", pid 1 inside" } else { "" };
    explain!("clone({}) -> pid {pid} on the host{inside}", flag_names!(flags));
    drop((sync_read, error_write));

    let mut placed = Ok(());
    if flags.contains(CloneFlags::CLONE_NEWUSER) {
        placed = idmap::map_root_to_caller(pid);
    }
    if let Err(e) = placed.and_then(|()| place(pid)) {
        kill_and_reap(pid);
        return Err(e);
    }
    go(sync_write)?;

    if let Some(failure) = read_failure(error_read)? {
        let _ = waitpid(pid, None);
        return Err(failure.into());
    }
    pid1::supervise(pid)
}
// ANCHOR_END: run

// ANCHOR: clone_child
/// clone(2) a child in new namespaces (`flags`) that runs `child_main` and
/// exits with what it returns. Like fork(2), the child gets a copy of this
/// process's memory; it starts on a stack of its own.
pub fn clone_child(flags: CloneFlags, child_main: &mut dyn FnMut() -> isize) -> Result<Pid> {
    ensure_single_threaded()?;
    let mut stack = vec![0u8; STACK_SIZE];
    // SAFETY: without CLONE_VM the child runs on its own copy of this process's
    // memory, as after fork(2). This process has a single thread (checked
    // above), so no other thread can hold a lock (malloc's, stdio's) that the
    // child would inherit locked.
    let pid =
        unsafe { nix::sched::clone(Box::new(child_main), &mut stack, flags, Some(Signal::SIGCHLD as i32)) }
            .with_context(|| format!("clone({})", flag_names!(flags)))?;
    Ok(pid)
}
// ANCHOR_END: clone_child

/// A child whose setup failed: SIGKILL it and reap it, so that nothing of it
/// is left (not even a zombie).
pub fn kill_and_reap(pid: Pid) {
    let _ = kill(pid, Signal::SIGKILL);
    let _ = waitpid(pid, None);
}

// ANCHOR: single_threaded
/// clone(2) copies only the calling thread: if another thread held a lock
/// (the allocator's, stdout's), the child would inherit it locked forever.
pub fn ensure_single_threaded() -> Result<()> {
    let status = crate::procfs::read("/proc/self/status").context("read /proc/self/status")?;
    match status.lines().find_map(|l| l.strip_prefix("Threads:")).map(str::trim) {
        Some("1") => Ok(()),
        other => bail!("run() must be called from a single-threaded process (Threads: {other:?})"),
    }
}
// ANCHOR_END: single_threaded

/// Puts the caller's signal mask back when `run` returns, however it returns.
struct RestoreMask(SigSet);

impl Drop for RestoreMask {
    fn drop(&mut self) {
        let _ = pid1::restore_signals(&self.0);
    }
}

/// The raw pipe ends the child needs (the closure cannot move the owned ones).
#[derive(Clone, Copy)]
struct ChildFds {
    sync_read: RawFd,
    sync_write: RawFd,
    error_write: RawFd,
}

/// Tell the child to go on: write one byte and close the pipe. (A child that
/// reads end-of-file with no byte knows its parent died, and stops.)
fn go(sync_write: OwnedFd) -> Result<()> {
    File::from(sync_write).write_all(b"g").context("write to the sync pipe")
}

/// Read the error pipe to its end: nothing means the command was executed.
fn read_failure(error_read: OwnedFd) -> Result<Option<ExitError>> {
    let mut report = String::new();
    File::from(error_read).read_to_string(&mut report).context("read the error pipe")?;
    if report.is_empty() {
        return Ok(None);
    }
    let (code, message) = report.split_once('\n').unwrap_or((&report, ""));
    let code = code.parse().unwrap_or(TOOL_FAILED);
    Ok(Some(ExitError { code, message: message.to_string() }))
}

// ANCHOR: child
/// The cloned child. It never returns to the caller's code: it executes the
/// command, or reports why not on the error pipe and exits with that code.
fn child(container: &Container, setup: Setup, fds: ChildFds, old_mask: &SigSet) -> isize {
    let failure = match prepare(container, setup, fds) {
        Ok(argv) if container.init => run_init(&argv, old_mask),
        Ok(argv) => exec_command(&argv, old_mask),
        Err(e) => ExitError { code: TOOL_FAILED, message: format!("{e:#}") },
    };
    report(fds.error_write, &failure)
}

/// Everything between clone(2) and execve(2), inside the new namespaces.
fn prepare(container: &Container, setup: Setup, fds: ChildFds) -> Result<Vec<CString>> {
    // If the tool dies (killed, crashed), this process is killed: it is the
    // container's PID 1, and the kernel then kills its whole PID namespace.
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).context("prctl(PR_SET_PDEATHSIG)")?;
    nix::unistd::close(fds.sync_write).context("close the sync pipe's write end")?;
    wait_for_parent(fds.sync_read)?;
    if let Some(name) = &container.hostname {
        explain!("sethostname({name:?})");
        nix::unistd::sethostname(name).with_context(|| format!("sethostname({name:?})"))?;
    }
    setup()?;
    exec::c_args(&container.command)
}
// ANCHOR_END: child

fn wait_for_parent(sync_read: RawFd) -> Result<()> {
    // SAFETY: the fd is this child's copy of the pipe's read end; nothing else
    // in the child owns or closes it.
    let mut pipe = File::from(unsafe { OwnedFd::from_raw_fd(sync_read) });
    let mut byte = [0u8; 1];
    match pipe.read(&mut byte).context("read the sync pipe")? {
        1 => Ok(()),
        _ => bail!("the parent process exited before the container was set up"),
    }
}

/// Reset what execve would hand down (fds, signal mask) and execute the command.
fn exec_command(argv: &[CString], old_mask: &SigSet) -> ExitError {
    if let Err(e) = exec::reset_inheritance(old_mask, 0) {
        return ExitError { code: TOOL_FAILED, message: format!("{e:#}") };
    }
    explain!("execve({:?})", argv[0]);
    exec::execvp(argv)
}

// ANCHOR: init
/// `--init`: stay as PID 1, fork the command as PID 2, and do PID 1's duties.
fn run_init(argv: &[CString], old_mask: &SigSet) -> ExitError {
    // SAFETY: this process has a single thread (it was just cloned from one).
    match unsafe { fork() } {
        Ok(ForkResult::Child) => exec_command(argv, old_mask),
        Ok(ForkResult::Parent { child }) => {
            explain!("init: fork() -> pid {child}, the command; init stays PID 1 and waits");
            // Init needs no fd but stdio: closing the rest leaves the error
            // pipe open only in the command, whose execve closes it.
            let _ = exec::close_fds_from(3, false);
            let code = pid1::supervise(child).unwrap_or(TOOL_FAILED);
            std::process::exit(code)
        }
        Err(e) => ExitError { code: TOOL_FAILED, message: format!("init: fork: {e}") },
    }
}
// ANCHOR_END: init

/// Send the failure to the parent and return the code to exit with.
fn report(error_write: RawFd, failure: &ExitError) -> isize {
    let text = format!("{}\n{}", failure.code, failure.message);
    // A short write to a pipe (under PIPE_BUF bytes) is atomic; if it fails the
    // parent still sees our exit code.
    // SAFETY: the fd is this process's copy of the error pipe's write end.
    let mut pipe = File::from(unsafe { OwnedFd::from_raw_fd(error_write) });
    let _ = pipe.write_all(text.as_bytes());
    failure.code as isize
}
