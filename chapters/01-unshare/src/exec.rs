//! execve(2) of the user's command, and the exit codes a container tool uses
//! when that fails.
//!
//! The convention (Docker, Podman, runc and `env` share it): 125 the tool itself
//! failed, 126 the command exists but cannot be executed, 127 the command was
//! not found, else the command's own status.

use anyhow::{Context, Result};
use nix::errno::Errno;
use nix::sys::signal::{signal, SigHandler, SigSet, Signal};
use std::ffi::CString;
use std::fmt;

// ANCHOR: exit_codes
/// The tool failed before the command could run.
pub const TOOL_FAILED: i32 = 125;
/// The command was found but could not be executed.
pub const NOT_EXECUTABLE: i32 = 126;
/// The command was not found.
pub const NOT_FOUND: i32 = 127;
// ANCHOR_END: exit_codes

/// A failure that carries the exit code the tool must end with.
#[derive(Debug)]
pub struct ExitError {
    pub code: i32,
    pub message: String,
}

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

/// The exit code for any error: its own when it is an `ExitError`, else 125.
pub fn code_of(err: &anyhow::Error) -> i32 {
    err.downcast_ref::<ExitError>().map_or(TOOL_FAILED, |e| e.code)
}

/// Turn the command line into the C strings execve(2) takes, refusing a NUL byte.
pub fn c_args(command: &[String]) -> Result<Vec<CString>> {
    command
        .iter()
        .map(|arg| {
            CString::new(arg.as_bytes()).map_err(|_| anyhow::anyhow!("argument {arg:?} contains a NUL byte"))
        })
        .collect()
}

// ANCHOR: inheritance
/// Reset what a process hands down through execve(2) besides its arguments
/// and environment: open file descriptors, the signal mask and ignored
/// signals. The command then starts as cleanly as a shell would start it.
/// The `keep_fds` fds after stderr (3, 4, ...) stay open: the caller passed
/// them on purpose (runc's `--preserve-fds`, for socket activation).
pub fn reset_inheritance(old_mask: &SigSet, keep_fds: u32) -> Result<()> {
    // EXERCISE 1.3: leave the command only fds 0, 1, 2 (and the kept ones), SIGPIPE at its default, the old signal mask
    // HINT: close_fds_from(FIRST, true) marks every fd from FIRST up close-on-exec: execve then closes them
    // HINT: Rust starts every program with SIGPIPE ignored: signal(Signal::SIGPIPE, SigHandler::SigDfl); then crate::pid1::restore_signals(old_mask)
    // Every other fd above stderr becomes close-on-exec, so execve closes it.
    // An fd left open is a way out: an open directory of the host leads back
    // to the host's files from inside any root (runc's CVE-2024-21626 was one).
    close_fds_from(keep_fds.saturating_add(3), true)?;
    // Rust ignores SIGPIPE in every program it starts, and an ignored signal
    // stays ignored across execve: `yes | head -1` would then never end `yes`.
    // SAFETY: SIG_DFL is not a Rust function, so no handler can run unsafely.
    unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) }.context("signal(SIGPIPE, SIG_DFL)")?;
    crate::pid1::restore_signals(old_mask)
    // END EXERCISE
}
// ANCHOR_END: inheritance

/// close_range(2) of every fd from `first` up: closed now, or with
/// `cloexec` only marked close-on-exec.
pub fn close_fds_from(first: u32, cloexec: bool) -> Result<()> {
    let flags = if cloexec { libc::CLOSE_RANGE_CLOEXEC } else { 0 };
    // SAFETY: close_range takes plain integers. Closing fds under Rust objects
    // that still own them would be wrong, but the callers only go on to execve
    // or to a loop that uses no fd.
    let rc = unsafe { libc::syscall(libc::SYS_close_range, first, u32::MAX, flags) };
    Errno::result(rc).map(drop).with_context(|| format!("close_range({first}, ~0, {flags:#x})"))
}

// ANCHOR: execvp
/// Replace this process with `argv[0]`, searched for in `$PATH` as a shell does.
/// Only returns on failure, with the exit code and message for the user.
pub fn execvp(argv: &[CString]) -> ExitError {
    let name = argv[0].to_string_lossy().into_owned();
    let Err(errno) = nix::unistd::execvp(&argv[0], argv);
    // EXERCISE 1.8: turn execve's errno into the exit code (127 not found, 126 not executable) and a message naming the command
    // HINT: ENOENT and ENOTDIR mean not found (NOT_FOUND, 127); EACCES, ENOEXEC, EISDIR, EPERM mean not executable (NOT_EXECUTABLE, 126)
    // HINT: return ExitError { code, message }, the message naming `name`
    match errno {
        Errno::ENOENT | Errno::ENOTDIR if name.contains('/') => ExitError {
            code: NOT_FOUND,
            message: format!("{name:?}: no such file (or, for a script, no such interpreter)"),
        },
        Errno::ENOENT | Errno::ENOTDIR => ExitError {
            code: NOT_FOUND,
            message: format!(
                "command not found: {name:?} (looked in PATH={}); check the name, or give its full path",
                std::env::var("PATH").unwrap_or_default()
            ),
        },
        Errno::EACCES | Errno::ENOEXEC | Errno::EISDIR | Errno::EPERM => ExitError {
            code: NOT_EXECUTABLE,
            message: format!(
                "cannot execute {name:?}: {} (is it a regular file with the x bit set, for this CPU?)",
                errno.desc()
            ),
        },
        other => ExitError { code: NOT_EXECUTABLE, message: format!("execve {name:?}: {}", other.desc()) },
    }
    // END EXERCISE
}
// ANCHOR_END: execvp
