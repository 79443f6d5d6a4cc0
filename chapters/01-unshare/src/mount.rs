//! mount(2), narrated: the one wrapper every chapter mounts through.

use crate::{explain, flag_names};
use anyhow::{Context, Result};
use nix::mount::MsFlags;
use std::path::Path;

/// Attach a filesystem (or, with `MS_BIND`, a directory tree) at `target`.
///
/// The kernel changes the mount table of the caller's mount namespace (and,
/// through propagation, those of its peers: see [`make_root_private`]), which
/// is why a container can mount freely once it has its own, private one.
pub fn mount(
    source: Option<&str>,
    target: &Path,
    fstype: Option<&str>,
    flags: MsFlags,
    data: Option<&str>,
) -> Result<()> {
    explain!(
        "mount({:?}, {:?}, {:?}, {}, {:?})",
        source.unwrap_or(""),
        target,
        fstype.unwrap_or(""),
        flag_names!(flags),
        data.unwrap_or("")
    );
    nix::mount::mount(source, target, fstype, flags, data).with_context(|| {
        format!(
            "mount {} on {} (type {:?}, flags {})",
            source.unwrap_or("none"),
            target.display(),
            fstype.unwrap_or(""),
            flag_names!(flags)
        )
    })
}

// ANCHOR: make_private
/// Stop mount events from crossing into or out of this mount namespace.
///
/// A new mount namespace starts as a copy of its parent's, and a copy of a
/// *shared* mount (systemd makes `/` shared) stays in the same peer group:
/// mounting /proc here would then also mount it on the host. `MS_REC|MS_PRIVATE`
/// on `/` takes every mount out of its peer group.
pub fn make_root_private() -> Result<()> {
    mount(None, Path::new("/"), None, MsFlags::MS_REC | MsFlags::MS_PRIVATE, None)
}
// ANCHOR_END: make_private

// ANCHOR: mount_proc
/// Mount a procfs at `target`. procfs shows the PID namespace of the process
/// that mounts it, so a process that is PID 1 of a new namespace sees only its
/// own processes in it.
pub fn mount_proc(target: &Path) -> Result<()> {
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    mount(Some("proc"), target, Some("proc"), flags, None)
}
// ANCHOR_END: mount_proc
