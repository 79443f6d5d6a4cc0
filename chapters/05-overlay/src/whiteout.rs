//! Whiteouts: how a layer says "this file is gone".
//!
//! A layer can only add to the ones below it, so a deletion has to be
//! written down as something. Two notations exist for the same idea:
//!
//! - **overlayfs** (in a container's upper dir): a character device with
//!   device number 0/0 in place of the deleted file, and the extended
//!   attribute `trusted.overlay.opaque=y` on a directory whose lower contents
//!   are all hidden (a directory deleted and made again).
//! - **OCI image layers** (in a tar): an empty file `.wh.NAME` beside the
//!   deleted `NAME`, and a file `.wh..wh..opq` inside an opaque directory.
//!   A tar can carry those everywhere, and unprivileged tools can make them.
//!
//! Unpacking a layer turns the OCI form into the overlay form; committing a
//! container's upper dir turns it back.

use anyhow::{Context, Result};
use nix::sys::stat::{makedev, mknod, Mode, SFlag};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// The OCI prefix of a whiteout entry: `.wh.NAME` deletes `NAME`.
pub const PREFIX: &str = ".wh.";
/// The OCI entry that makes its directory opaque.
pub const OPAQUE: &str = ".wh..wh..opq";
const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

// ANCHOR: overlay_form
/// Write the overlay whiteout for `path`: a character device 0/0.
pub fn make_whiteout(path: &Path) -> Result<()> {
    mknod(path, SFlag::S_IFCHR, Mode::empty(), makedev(0, 0))
        .with_context(|| format!("mknod whiteout {} (0/0)", path.display()))
}

/// Is this (from `symlink_metadata`) an overlay whiteout?
pub fn is_whiteout(meta: &std::fs::Metadata) -> bool {
    meta.file_type().is_char_device() && meta.rdev() == 0
}

/// Mark `dir` opaque: overlayfs shows none of the lower layers' entries in it.
pub fn make_opaque(dir: &Path) -> Result<()> {
    let path = CString::new(dir.as_os_str().as_bytes())?;
    let name = CString::new(OPAQUE_XATTR)?;
    // SAFETY: both strings are NUL-terminated and live across the call; the
    // value is a valid 1-byte buffer.
    let rc = unsafe { libc::lsetxattr(path.as_ptr(), name.as_ptr(), b"y".as_ptr().cast(), 1, 0) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error())
            .with_context(|| format!("setxattr {OPAQUE_XATTR}=y on {}", dir.display()));
    }
    Ok(())
}
// ANCHOR_END: overlay_form

/// Is `dir` marked opaque?
pub fn is_opaque(dir: &Path) -> bool {
    let (Ok(path), Ok(name)) = (CString::new(dir.as_os_str().as_bytes()), CString::new(OPAQUE_XATTR)) else {
        return false;
    };
    let mut value = [0u8; 1];
    // SAFETY: NUL-terminated strings and a buffer of the length given.
    let n = unsafe { libc::lgetxattr(path.as_ptr(), name.as_ptr(), value.as_mut_ptr().cast(), 1) };
    n == 1 && value[0] == b'y'
}
