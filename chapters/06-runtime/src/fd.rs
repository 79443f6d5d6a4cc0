//! File descriptors the runtime holds: opened close-on-exec (the
//! container's command must not inherit one that leads to the host), and
//! named by their /proc/self/fd link where a call takes a path.

use anyhow::{Context, Result};
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

/// open(2) with O_CLOEXEC, as an owned fd.
pub fn open_fd(path: &Path, flags: OFlag) -> Result<OwnedFd> {
    let fd = nix::fcntl::open(path, flags | OFlag::O_CLOEXEC, Mode::empty())
        .with_context(|| format!("open {}", path.display()))?;
    // SAFETY: `open` just returned this fd, and nothing else owns it.
    Ok(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
}

/// The path that names what `fd` is open on, for calls that take a path
/// (mount(2) follows the link to that very file, not to a name).
pub fn fd_path(fd: &impl AsRawFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}
