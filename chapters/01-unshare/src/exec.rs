//! execve(2) of the user's command, and the exit codes a container tool uses
//! when that fails.
//!
//! The convention (Docker, Podman, runc and `env` share it): 125 the tool itself
//! failed, 126 the command exists but cannot be executed, 127 the command was
//! not found, else the command's own status.

use anyhow::Result;
use nix::errno::Errno;
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

// ANCHOR: execvp
/// Replace this process with `argv[0]`, searched for in `$PATH` as a shell does.
/// Only returns on failure, with the exit code and message for the user.
pub fn execvp(argv: &[CString]) -> ExitError {
    let name = argv[0].to_string_lossy().into_owned();
    let Err(errno) = nix::unistd::execvp(&argv[0], argv);
    match errno {
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
}
// ANCHOR_END: execvp
