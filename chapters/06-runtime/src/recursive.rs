//! Recursive mount options (runtime-spec 1.1): `rro`, `rnosuid`, `rnodev`,
//! `rnoexec`, `rnosymfollow`, the `ratime` family and their opposites.
//!
//! A read-only bind mount with `rbind,ro` makes only the top mount
//! read-only: the mounts below it (a host's /sys/fs/cgroup under /sys, a
//! volume under a volume) stay writable, because MS_REMOUNT changes one
//! mount at a time. mount_setattr(2) (Linux 5.12) changes the attributes of
//! a whole tree at once with AT_RECURSIVE. Kubernetes' recursive read-only
//! volumes (`recursiveReadOnly: Enabled`) are `rro`.

use anyhow::{Context, Result};
use ch01_unshare::explain;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

// ANCHOR: attrs
/// Each recursive option: its name, whether it clears the attribute rather
/// than setting it, and the MOUNT_ATTR_* bit.
const ATTRS: [(&str, bool, u64); 18] = [
    ("rro", false, libc::MOUNT_ATTR_RDONLY),
    ("rrw", true, libc::MOUNT_ATTR_RDONLY),
    ("rnosuid", false, libc::MOUNT_ATTR_NOSUID),
    ("rsuid", true, libc::MOUNT_ATTR_NOSUID),
    ("rnodev", false, libc::MOUNT_ATTR_NODEV),
    ("rdev", true, libc::MOUNT_ATTR_NODEV),
    ("rnoexec", false, libc::MOUNT_ATTR_NOEXEC),
    ("rexec", true, libc::MOUNT_ATTR_NOEXEC),
    ("rnodiratime", false, libc::MOUNT_ATTR_NODIRATIME),
    ("rdiratime", true, libc::MOUNT_ATTR_NODIRATIME),
    ("rrelatime", false, libc::MOUNT_ATTR_RELATIME),
    ("rnorelatime", true, libc::MOUNT_ATTR_RELATIME),
    ("rnoatime", false, libc::MOUNT_ATTR_NOATIME),
    ("ratime", true, libc::MOUNT_ATTR_NOATIME),
    ("rstrictatime", false, libc::MOUNT_ATTR_STRICTATIME),
    ("rnostrictatime", true, libc::MOUNT_ATTR_STRICTATIME),
    ("rnosymfollow", false, libc::MOUNT_ATTR_NOSYMFOLLOW),
    ("rsymfollow", true, libc::MOUNT_ATTR_NOSYMFOLLOW),
];
// ANCHOR_END: attrs

/// The attributes to set and to clear on a whole tree of mounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attrs {
    pub set: u64,
    pub clear: u64,
}

impl Attrs {
    /// Add `option` if it is a recursive one; false if it is not.
    pub fn add(&mut self, option: &str) -> bool {
        let Some(&(_, clear, bit)) = ATTRS.iter().find(|(name, ..)| *name == option) else { return false };
        let atime = [libc::MOUNT_ATTR_RELATIME, libc::MOUNT_ATTR_NOATIME, libc::MOUNT_ATTR_STRICTATIME];
        if atime.contains(&bit) {
            // The atime attributes are one field of the mount, not bits: the
            // kernel wants the whole field cleared, then (maybe) a value set.
            self.clear |= libc::MOUNT_ATTR__ATIME;
            self.set &= !libc::MOUNT_ATTR__ATIME;
            if !clear {
                self.set |= bit;
            }
        } else if clear {
            self.set &= !bit;
            self.clear |= bit;
        } else {
            self.set |= bit;
            self.clear &= !bit;
        }
        true
    }

    pub fn is_empty(&self) -> bool {
        *self == Attrs::default()
    }
}

/// Every recursive option's name (for `burrow features`).
pub fn names() -> impl Iterator<Item = &'static str> {
    ATTRS.iter().map(|(name, ..)| *name)
}

// ANCHOR: apply
/// Change the attributes of the mount at `target` and of every mount below it.
pub fn apply(target: &Path, attrs: Attrs) -> Result<()> {
    explain!("mount_setattr({target:?}, AT_RECURSIVE, set {:#x}, clear {:#x})", attrs.set, attrs.clear);
    let path = CString::new(target.as_os_str().as_bytes()).context("a mount target with a NUL byte")?;
    let attr = libc::mount_attr { attr_set: attrs.set, attr_clr: attrs.clear, propagation: 0, userns_fd: 0 };
    // SAFETY: `path` is a NUL-terminated string and `attr` a mount_attr that
    // both outlive the call; the size passed is the struct's own.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::AT_RECURSIVE as libc::c_uint,
            &attr as *const libc::mount_attr,
            std::mem::size_of::<libc::mount_attr>(),
        )
    };
    if rc < 0 {
        let e = nix::errno::Errno::last();
        return Err(e).with_context(|| {
            format!(
                "mount_setattr({}, AT_RECURSIVE) for the recursive options (Linux 5.12 or later)",
                target.display()
            )
        });
    }
    Ok(())
}
// ANCHOR_END: apply

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_options_win_and_atime_clears_its_field() {
        let mut attrs = Attrs::default();
        assert!(attrs.add("rro") && attrs.add("rnosuid") && !attrs.add("ro"));
        assert_eq!(attrs, Attrs { set: libc::MOUNT_ATTR_RDONLY | libc::MOUNT_ATTR_NOSUID, clear: 0 });
        attrs.add("rrw");
        assert_eq!(attrs.set, libc::MOUNT_ATTR_NOSUID);
        assert_eq!(attrs.clear, libc::MOUNT_ATTR_RDONLY);
        attrs.add("rnoatime");
        assert_eq!(attrs.set & libc::MOUNT_ATTR__ATIME, libc::MOUNT_ATTR_NOATIME);
        assert_eq!(attrs.clear & libc::MOUNT_ATTR__ATIME, libc::MOUNT_ATTR__ATIME);
        attrs.add("ratime");
        assert_eq!(attrs.set & libc::MOUNT_ATTR__ATIME, 0);
    }
}
