//! `linux.maskedPaths` and `linux.readonlyPaths`: the parts of /proc and /sys
//! that a container's root must not read or write, hidden or frozen by a
//! mount on top of them (after pivot_root, so in the container's own view).
//!
//! /proc and /sys are the kernel's control panels, and most of their files do
//! not know about namespaces: /proc/kcore is the host's memory,
//! /proc/sysrq-trigger reboots the host, /proc/sys/kernel/* sets the host's
//! kernel. A mount over a path is enough to take it away, as long as the
//! container cannot unmount it (no CAP_SYS_ADMIN: see capabilities).

use anyhow::{Context, Result};
use ch01_unshare::mount::mount;
use nix::mount::MsFlags;
use std::path::Path;

// ANCHOR: mask
/// Hide each path: /dev/null bound over a file, an empty read-only tmpfs over
/// a directory. A path this kernel does not have is skipped.
pub fn mask(paths: &[String]) -> Result<()> {
    for path in paths.iter().map(Path::new) {
        let Ok(meta) = std::fs::metadata(path) else { continue };
        if meta.is_dir() {
            mount(Some("tmpfs"), path, Some("tmpfs"), MsFlags::MS_RDONLY, Some("size=0"))?;
        } else {
            mount(Some("/dev/null"), path, None, MsFlags::MS_BIND, None)?;
        }
    }
    Ok(())
}
// ANCHOR_END: mask

// ANCHOR: readonly
/// Make each path read-only: bind it onto itself, then remount that bind
/// read-only (a bind mount takes flags only on a remount).
pub fn readonly(paths: &[String]) -> Result<()> {
    for path in paths.iter().map(Path::new) {
        if !path.exists() {
            continue;
        }
        ch02_chroot::pivot::bind_to_itself(path)?;
        let flags = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | MsFlags::MS_REC;
        mount(None, path, None, flags, None).with_context(|| format!("make {} read-only", path.display()))?;
    }
    Ok(())
}
// ANCHOR_END: readonly
