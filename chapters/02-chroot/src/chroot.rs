//! chroot(2): the old way, kept to show why it is not enough.

use anyhow::{Context, Result};
use ch01_unshare::explain;
use nix::unistd::{chdir, chroot};
use std::path::Path;

// ANCHOR: chroot
/// Change this process's root directory to `rootfs`.
///
/// chroot(2) changes one pointer in the process (`fs->root`), used when a path
/// starts with `/` and to stop `..` at the root. The host's mounts all stay
/// where they were, and a process that is root can move its root again to a
/// directory *below* its current directory, leaving the current directory
/// outside its root, where `..` is no longer stopped: the classic escape.
pub fn chroot_into(rootfs: &Path) -> Result<()> {
    // EXERCISE 2.6: make rootfs this process's root directory with chroot(2), then go to the new /
    // HINT: nix::unistd::chroot(rootfs) moves the root directory only: the current directory stays where it was, on the host
    // HINT: then chdir("/"): a command started outside its root climbs out with ".."
    explain!("chroot({rootfs:?})");
    chroot(rootfs).with_context(|| format!("chroot {}", rootfs.display()))?;
    explain!("chdir(\"/\")");
    chdir("/").context("chdir /")
    // END EXERCISE
}
// ANCHOR_END: chroot
