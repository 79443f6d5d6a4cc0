//! Paths inside the container's rootfs, resolved by the kernel.
//!
//! The rootfs is a directory on the host, and what is in it is the image's:
//! a symlink `etc -> /etc` there means the *container's* /etc, but a plain
//! `rootfs.join("etc/hosts")` handed to the kernel follows it to the
//! host's, and a mount there covers the host's own file. openat2(2) with
//! RESOLVE_IN_ROOT resolves a path as if the rootfs were `/` (an absolute
//! symlink starts again at it, `..` stops at it), at the moment of the
//! call, and returns an fd, not a string: a symlink swapped in later
//! cannot move what it points to. runc's CVE-2021-30465 was that race:
//! resolve a path, then mount by it. Missing mount points are made the same
//! way, each one under the fd of its parent.

use crate::fd::open_fd;
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::errno::Errno;
use nix::fcntl::{openat, openat2, readlinkat, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{mkdirat, Mode};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

/// The rootfs, held open: every path below is resolved from this fd.
pub struct Root {
    dir: OwnedFd,
}

/// What [`Root::make`] creates where nothing is.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Dir,
    File,
}

impl Root {
    /// Open `rootfs`. Once it is a mount point: a mount made on it later
    /// would hide it from an fd opened before.
    pub fn new(rootfs: &Path) -> Result<Root> {
        let dir = open_fd(rootfs, OFlag::O_PATH | OFlag::O_DIRECTORY).context("open the rootfs")?;
        Ok(Root { dir })
    }

    // ANCHOR: open_in_root
    /// Open `path` as the container will see it: openat2(2) with
    /// RESOLVE_IN_ROOT makes the rootfs `/` for every symlink and `..` on
    /// the way (and refuses /proc's magic links, which lead anywhere).
    pub fn open(&self, path: &Path) -> Result<OwnedFd> {
        let relative = match path.strip_prefix("/").unwrap_or(path) {
            empty if empty.as_os_str().is_empty() => Path::new("."),
            relative => relative,
        };
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let fd = openat2(self.dir.as_raw_fd(), relative, how)
            .with_context(|| format!("openat2 {} in the rootfs (RESOLVE_IN_ROOT)", path.display()))?;
        // SAFETY: openat2 just returned this fd, and nothing else owns it.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }
    // ANCHOR_END: open_in_root

    /// Open the directory `path`, making it and its missing parents first
    /// (`mkdir -p`, inside the rootfs).
    pub fn make_dir(&self, path: &Path) -> Result<OwnedFd> {
        self.make(path, Kind::Dir, 0)
    }

    /// Open `path`, making it an empty file if it is missing (the mount
    /// point of a file's bind mount), and its parents directories.
    pub fn make_file(&self, path: &Path) -> Result<OwnedFd> {
        self.make(path, Kind::File, 0)
    }

    // ANCHOR: make
    /// Open `path`; where it is missing, make its parent, then `path` by
    /// name under the parent's fd: mkdirat(2), or openat(2) with O_EXCL,
    /// which neither follows nor replaces a symlink put there meanwhile.
    /// A symlink whose target is missing (`/var/run -> /run` in an image
    /// without /run) gets its target made, inside the rootfs too.
    fn make(&self, path: &Path, kind: Kind, links: u32) -> Result<OwnedFd> {
        match self.open(path) {
            Err(e) if e.root_cause().downcast_ref() == Some(&Errno::ENOENT) => {}
            opened => return opened,
        }
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            bail!("{}: no such directory in the rootfs", path.display());
        };
        let dir = self.make(parent, Kind::Dir, links)?;
        explain!("make {name:?} ({kind:?}) under the fd of {parent:?}, in the rootfs");
        let made = match kind {
            Kind::Dir => mkdirat(Some(dir.as_raw_fd()), name, Mode::from_bits_truncate(0o755)),
            Kind::File => {
                let flags = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_CLOEXEC;
                openat(Some(dir.as_raw_fd()), name, flags, Mode::from_bits_truncate(0o644))
                    // SAFETY: openat just returned this fd, and nothing else owns it.
                    .map(|fd| drop(unsafe { OwnedFd::from_raw_fd(fd) }))
            }
        };
        match made {
            Ok(()) => {}
            Err(Errno::EEXIST) => {
                if let Ok(target) = readlinkat(Some(dir.as_raw_fd()), name) {
                    if links >= 40 {
                        bail!("{}: too many levels of symbolic links", path.display());
                    }
                    // An absolute target replaces `parent` in the join.
                    return self.make(&parent.join(target), kind, links + 1);
                }
            }
            Err(e) => return Err(e).with_context(|| format!("create {} in the rootfs", path.display())),
        }
        self.open(path)
    }
    // ANCHOR_END: make
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_stay_inside_the_rootfs() {
        let host = tempfile::tempdir().expect("tempdir");
        let rootfs = host.path().join("rootfs");
        std::fs::create_dir_all(rootfs.join("real")).expect("mkdir");
        std::os::unix::fs::symlink("/real", rootfs.join("abs")).expect("symlink");
        std::os::unix::fs::symlink("../../../..", rootfs.join("up")).expect("symlink");
        std::os::unix::fs::symlink("/var/run", rootfs.join("run")).expect("symlink");
        let root = Root::new(&rootfs).expect("open");
        root.make_dir(Path::new("/abs/x")).expect("make /abs/x");
        root.make_dir(Path::new("/up/etc")).expect("make /up/etc");
        root.make_file(Path::new("/../../etc/hosts")).expect("make /../../etc/hosts");
        root.make_dir(Path::new("/run/lock")).expect("make /run/lock");
        assert!(rootfs.join("real/x").is_dir());
        assert!(rootfs.join("etc/hosts").is_file());
        assert!(rootfs.join("var/run/lock").is_dir());
        let outside: Vec<_> =
            std::fs::read_dir(host.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(outside, ["rootfs"]);
    }
}
