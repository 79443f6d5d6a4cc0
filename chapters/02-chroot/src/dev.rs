//! A minimal /dev: a small tmpfs holding only the devices a program expects.
//!
//! The host's /dev has every disk, the memory devices, the consoles. A container
//! gets a fresh tmpfs with the six character devices every Unix program may
//! open, a private devpts for terminals, a tmpfs for POSIX shared memory, and
//! the fd symlinks shells use for `<(...)` and `/dev/stdin`.

use anyhow::{Context, Result};
use ch01_unshare::explain;
use ch01_unshare::mount::mount;
use nix::mount::MsFlags;
use nix::sys::stat::{makedev, mknod, Mode, SFlag};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

// ANCHOR: nodes
/// The character devices: name, major, minor (from the kernel's devices.txt).
pub const NODES: [(&str, u64, u64); 6] =
    [("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0)];

/// The symlinks into /proc/self/fd, and /dev/ptmx into the private devpts.
pub const LINKS: [(&str, &str); 5] = [
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
];
// ANCHOR_END: nodes

// ANCHOR: populate
/// Mount a tmpfs on `dev` and create the devices, devpts, shm and symlinks.
pub fn mount_dev(dev: &Path) -> Result<()> {
    // EXERCISE 2.5: mount a small tmpfs on dev and fill it: the NODES, a new devpts on pts, a tmpfs on shm, the LINKS
    // HINT: tmpfs with MS_NOSUID | MS_STRICTATIME and "mode=755,size=64k"; then make_node(&dev.join(name), SFlag::S_IFCHR, major, minor, 0o666) for each of NODES
    // HINT: make_dir(dev, "pts")?, devpts there with MS_NOSUID | MS_NOEXEC and "newinstance,ptmxmode=0666,mode=0620"; make_dir(dev, "shm")?, a tmpfs with MS_NOSUID | MS_NODEV | MS_NOEXEC and "mode=1777,size=64m"
    // HINT: make_links(dev) last: fd, stdin, stdout, stderr into /proc/self/fd, and ptmx to pts/ptmx
    let nosuid = MsFlags::MS_NOSUID;
    mount(Some("tmpfs"), dev, Some("tmpfs"), nosuid | MsFlags::MS_STRICTATIME, Some("mode=755,size=64k"))?;
    for (name, major, minor) in NODES {
        make_node(&dev.join(name), SFlag::S_IFCHR, major, minor, 0o666)?;
    }
    // A new devpts instance: the container's ptys are its own, not the host's.
    let pts = make_dir(dev, "pts")?;
    let pts_opts = "newinstance,ptmxmode=0666,mode=0620";
    mount(Some("devpts"), &pts, Some("devpts"), nosuid | MsFlags::MS_NOEXEC, Some(pts_opts))?;
    let shm = make_dir(dev, "shm")?;
    let shm_flags = nosuid | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    mount(Some("shm"), &shm, Some("tmpfs"), shm_flags, Some("mode=1777,size=64m"))?;
    make_links(dev)
    // END EXERCISE
}
// ANCHOR_END: populate

/// mknod(2) a device node at `path` with exactly `mode` (mknod applies the
/// umask, so the mode is set again after).
pub fn make_node(path: &Path, kind: SFlag, major: u64, minor: u64, mode: u32) -> Result<()> {
    let kind_name = match kind {
        SFlag::S_IFBLK => "S_IFBLK",
        SFlag::S_IFIFO => "S_IFIFO",
        _ => "S_IFCHR",
    };
    explain!("mknod({path:?}, {kind_name}|{mode:04o}, makedev({major}, {minor}))");
    mknod(path, kind, Mode::from_bits_truncate(mode), makedev(major, minor))
        .with_context(|| format!("mknod {} ({kind_name} {major}:{minor})", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {mode:o} {}", path.display()))
}

/// The symlinks of [`LINKS`] in `dev`.
pub fn make_links(dev: &Path) -> Result<()> {
    for (name, target) in LINKS {
        let path = dev.join(name);
        explain!("symlink({target:?}, {path:?})");
        symlink(target, &path).with_context(|| format!("symlink {} -> {target}", path.display()))?;
    }
    Ok(())
}

/// Create `parent/name` if it is missing and return its path.
pub fn make_dir(parent: &Path, name: &str) -> Result<std::path::PathBuf> {
    let path = parent.join(name);
    if !path.is_dir() {
        explain!("mkdir({path:?})");
        std::fs::create_dir_all(&path).with_context(|| format!("mkdir {}", path.display()))?;
    }
    Ok(path)
}
