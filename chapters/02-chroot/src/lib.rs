//! Chapter 2: a root filesystem of its own.
//!
//! On top of chapter 1's namespaces, the container gets a rootfs (a directory
//! tree, here busybox) as `/`, with the kernel's own filesystems mounted in it:
//! a /proc for its PID namespace, a read-only /sys, and a minimal /dev.
//! Two ways in are shown: pivot_root(2), which runtimes use, and chroot(2),
//! which is escapable.

pub mod chroot;
pub mod dev;
pub mod pivot;

use anyhow::{bail, Context, Result};
use ch01_unshare::mount::{make_root_private, mount, mount_proc};
use ch01_unshare::Namespaces;
use nix::mount::MsFlags;
use std::path::{Path, PathBuf};

/// How the container's process gets its new root.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// pivot_root(2): the old root is detached, no path leads back (runc's way).
    #[default]
    Pivot,
    /// chroot(2): only the process's root pointer moves; escapable by root.
    Chroot,
}

/// The namespaces chapter 2 creates: all of chapter 1's but the user namespace
/// (its "root" could not create the device nodes in /dev) and the time
/// namespace (`--time` asks for it; Docker makes none either).
pub const NAMESPACES: Namespaces = Namespaces { user: false, time: false, ..Namespaces::ALL };

// ANCHOR: check_rootfs
/// Check that `rootfs` is a directory, and return its absolute path.
pub fn check_rootfs(rootfs: &Path) -> Result<PathBuf> {
    let hint = "build the busybox one with scripts/rootfs.sh";
    let path = rootfs
        .canonicalize()
        .with_context(|| format!("--rootfs {}: no such directory ({hint})", rootfs.display()))?;
    if !path.is_dir() {
        bail!("--rootfs {}: not a directory ({hint})", rootfs.display());
    }
    if path == Path::new("/") {
        bail!("--rootfs /: the host's own root is not a container's rootfs ({hint})");
    }
    Ok(path)
}
// ANCHOR_END: check_rootfs

// ANCHOR: setup
/// Inside the new namespaces: enter `rootfs` the chosen way and mount /proc,
/// /sys and /dev in it.
pub fn enter_rootfs(rootfs: &Path, mode: Mode) -> Result<()> {
    // EXERCISE 2.1: make / private, then enter the rootfs and mount the kernel filesystems in it, in each mode's order
    // HINT: make_root_private() first (chapter 1's): mounts must not propagate to the host, and pivot_root(2) refuses shared mounts (EINVAL)
    // HINT: Mode::Pivot: pivot::pivot_into(rootfs), then mount_kernel_filesystems(Path::new("/")): after pivot_root the rootfs is /
    // HINT: Mode::Chroot: mount_kernel_filesystems(rootfs), under the rootfs's path on the host, then chroot::chroot_into(rootfs)
    make_root_private()?;
    match mode {
        Mode::Pivot => {
            pivot::pivot_into(rootfs)?;
            mount_kernel_filesystems(Path::new("/"))
        }
        Mode::Chroot => {
            mount_kernel_filesystems(rootfs)?;
            chroot::chroot_into(rootfs)
        }
    }
    // END EXERCISE
}
// ANCHOR_END: setup

// ANCHOR: kernel_filesystems
/// Mount the kernel's filesystems under `root`: procfs for this PID namespace,
/// sysfs read-only (it is where the host's hardware is configured), and /dev.
pub fn mount_kernel_filesystems(root: &Path) -> Result<()> {
    // EXERCISE 2.4: mount a procfs on root/proc, a read-only sysfs on root/sys, and the minimal /dev on root/dev
    // HINT: dev::make_dir(root, "proc")? makes the directory if it is missing and returns its path; mount_proc(&path) mounts a procfs there
    // HINT: sysfs: mount(Some("sysfs"), &path, Some("sysfs"), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    // HINT: and last dev::mount_dev(&dev::make_dir(root, "dev")?) (exercise 2.5)
    mount_proc(&dev::make_dir(root, "proc")?)?;
    let sys_flags = MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    mount(Some("sysfs"), &dev::make_dir(root, "sys")?, Some("sysfs"), sys_flags, None)?;
    dev::mount_dev(&dev::make_dir(root, "dev")?)
    // END EXERCISE
}
// ANCHOR_END: kernel_filesystems
