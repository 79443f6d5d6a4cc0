//! pivot_root(2): make the rootfs the root of the mount namespace, then let go
//! of the old root entirely.

use anyhow::{Context, Result};
use ch01_unshare::explain;
use ch01_unshare::mount::mount;
use nix::mount::{umount2, MntFlags, MsFlags};
use nix::unistd::{chdir, pivot_root};
use std::path::Path;

// ANCHOR: pivot
/// Swap the root of this mount namespace for `rootfs` and detach the old one.
///
/// pivot_root(2) moves the old root *mount* off `/`, where chroot(2) only
/// changes one process's idea of where `/` is. Once the old root is detached,
/// no path and no `..` leads back to the host's files. (An fd opened on the
/// host still would: that is why the command gets none but 0, 1 and 2.)
pub fn pivot_into(rootfs: &Path) -> Result<()> {
    // pivot_root needs new_root to be a mount point: bind it onto itself.
    bind_to_itself(rootfs)?;
    pivot_to_mount(rootfs)
}

/// Make `dir` a mount point of its own (bind it onto itself), as
/// pivot_root(2) requires of the rootfs, and a read-only remount of a path.
pub fn bind_to_itself(dir: &Path) -> Result<()> {
    // EXERCISE 2.2: bind-mount dir onto itself, with the mounts under it, so that it is a mount point of its own
    // HINT: pivot_root(2) wants new_root to be a mount point, and not on the current root's mount (else EBUSY)
    // HINT: mount(Some(&dir.to_string_lossy()), dir, None, MsFlags::MS_BIND | MsFlags::MS_REC, None): the source is the target
    mount(Some(&dir.to_string_lossy()), dir, None, MsFlags::MS_BIND | MsFlags::MS_REC, None)
    // END EXERCISE
}

/// [`pivot_into`] a `rootfs` that is a mount point already.
pub fn pivot_to_mount(rootfs: &Path) -> Result<()> {
    // EXERCISE 2.3: swap the namespace's root for rootfs with pivot_root(2), detach the old root, and go to the new /
    // HINT: chdir(rootfs), then pivot_root(".", "."): the old root is then stacked on top of the new one, and "." is the old root
    // HINT: umount2(".", MntFlags::MNT_DETACH) detaches the old root although it is busy; then chdir("/")
    explain!("chdir({rootfs:?})");
    chdir(rootfs).with_context(|| format!("chdir {}", rootfs.display()))?;
    // new_root and put_old may be the same directory: the old root is then
    // mounted on top of the new one at "/", and "." resolves to the top of
    // that stack, the old root.
    explain!("pivot_root(\".\", \".\")");
    pivot_root(".", ".").with_context(|| format!("pivot_root to {}", rootfs.display()))?;
    // Detach the old root: MNT_DETACH unmounts it even though it is busy.
    explain!("umount2(\".\", MNT_DETACH)");
    umount2(".", MntFlags::MNT_DETACH).context("umount2 the old root")?;
    explain!("chdir(\"/\")");
    chdir("/").context("chdir /")
    // END EXERCISE
}
// ANCHOR_END: pivot
