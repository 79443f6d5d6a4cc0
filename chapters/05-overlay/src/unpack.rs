//! Unpacking a layer tar safely.
//!
//! A layer is a tar archive written by someone else, and unpacking runs as
//! root: every entry is a chance to write outside the layer's directory.
//! The classic ways, each refused here:
//!
//! - a path that is absolute (`/etc/cron.d/x`) or climbs (`../../etc/x`);
//! - a symlink entry, then a file *through* it (`evil -> /etc`, `evil/x`);
//! - a relative symlink that climbs out of the layer (`x -> ../../..`);
//! - a hard link to a file outside (`x` linked to `/etc/shadow`);
//! - device nodes, made by an unprivileged unpacker, or huge sizes.
//!
//! Along the way, OCI whiteouts become overlay whiteouts ([`crate::whiteout`]).

use crate::whiteout;
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::sys::stat::{makedev, mknod, Mode, SFlag};
use nix::unistd::{Gid, Uid};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use tar::EntryType;

/// Bounds on what one layer may unpack to.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 16 << 30, max_entries: 1 << 20 }
    }
}

// ANCHOR: safe_path
/// The entry's path as a relative path with only normal components:
/// `./bin/sh` is `bin/sh`; `/etc/x` and `a/../../x` are refused.
fn safe_relative(path: &Path) -> Result<PathBuf> {
    let mut clean = PathBuf::new();
    for part in path.components() {
        match part {
            Component::Normal(name) => clean.push(name),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => {
                bail!("layer entry {path:?}: an absolute path: refused")
            }
            Component::ParentDir => bail!("layer entry {path:?}: a path with '..': refused"),
        }
    }
    Ok(clean)
}

/// Make sure every directory on the way to `rel` under `root` is a real
/// directory (made if missing), never a symlink that would lead elsewhere.
fn parent_dirs(root: &Path, rel: &Path) -> Result<()> {
    let mut dir = root.to_path_buf();
    for part in rel.parent().into_iter().flat_map(Path::components) {
        dir.push(part);
        match dir.symlink_metadata() {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => bail!("layer entry {rel:?}: {} is not a directory (a symlink?): refused", dir.display()),
            Err(_) => std::fs::create_dir(&dir).with_context(|| format!("mkdir {}", dir.display()))?,
        }
    }
    Ok(())
}

/// A symlink's target, if it stays inside the layer when read relative to
/// the link's directory. Absolute targets are kept: inside the container
/// they resolve against its own root, and the unpacker never follows them.
fn check_link_target(rel: &Path, target: &Path) -> Result<()> {
    if target.is_absolute() {
        return Ok(());
    }
    let mut depth = rel.components().count() as i64 - 1;
    for part in target.components() {
        match part {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            bail!("layer entry {rel:?}: a symlink to {target:?} climbs out of the layer: refused");
        }
    }
    Ok(())
}
// ANCHOR_END: safe_path

// ANCHOR: unpack
/// Unpack the tar stream `tar` into the directory `root` (which exists),
/// turning OCI whiteouts into overlay whiteouts.
pub fn unpack(tar: impl Read, root: &Path, limits: Limits) -> Result<()> {
    let mut archive = tar::Archive::new(tar);
    let (mut bytes, mut entries, mut dirs) = (0u64, 0u64, Vec::new());
    let root_user = nix::unistd::geteuid().is_root();
    for entry in archive.entries().context("read the layer's tar")? {
        let mut entry = entry.context("read a tar entry")?;
        entries += 1;
        bytes += entry.header().size()?;
        if entries > limits.max_entries || bytes > limits.max_bytes {
            bail!("layer: over {} entries or {} bytes: refused", limits.max_entries, limits.max_bytes);
        }
        let rel = safe_relative(&entry.path()?)?;
        let Some(name) = rel.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
        parent_dirs(root, &rel)?;
        let path = root.join(&rel);
        // OCI whiteouts: `.wh..wh..opq` makes its directory opaque, `.wh.X` deletes X.
        if let Some(deleted) = name.strip_prefix(whiteout::PREFIX) {
            // EXERCISE 5.4: turn the OCI whiteout into overlay's form: `.wh..wh..opq` makes its directory opaque, `.wh.NAME` becomes a 0/0 character device NAME
            // HINT: the entry is a marker, not a file to unpack: write what it means, then `continue` to the next entry
            // HINT: name == whiteout::OPAQUE: whiteout::make_opaque(path.parent()) sets trusted.overlay.opaque=y on the directory it is in
            // HINT: else whiteout::make_whiteout(&path.with_file_name(deleted)), after remove()-ing what this layer put there before (the whiteout wins)
            if name == whiteout::OPAQUE {
                whiteout::make_opaque(path.parent().unwrap_or(root))?;
                continue;
            }
            let target = path.with_file_name(deleted);
            if target.symlink_metadata().is_ok() {
                remove(&target)?; // the whiteout wins over an earlier entry of this layer
            }
            whiteout::make_whiteout(&target)?;
            continue;
            // END EXERCISE
        }
        let header = entry.header();
        let mode = header.mode()? & 0o7777;
        let (uid, gid) = (header.uid()? as u32, header.gid()? as u32);
        let kind = header.entry_type();
        // A later layer entry replaces what is there (not a directory with a directory).
        if let Ok(old) = path.symlink_metadata() {
            if !(old.is_dir() && kind == EntryType::Directory) {
                remove(&path)?;
            }
        }
        match kind {
            EntryType::Directory => {
                if !path.is_dir() {
                    std::fs::create_dir(&path).with_context(|| format!("mkdir {}", path.display()))?;
                }
                dirs.push((path.clone(), mode));
            }
            EntryType::Regular | EntryType::Continuous => {
                let mut file =
                    std::fs::File::create(&path).with_context(|| format!("create {}", path.display()))?;
                std::io::copy(&mut entry, &mut file).with_context(|| format!("write {}", path.display()))?;
            }
            EntryType::Symlink => {
                let target = entry.link_name()?.context("a symlink without a target")?.into_owned();
                check_link_target(&rel, &target)?;
                std::os::unix::fs::symlink(&target, &path)
                    .with_context(|| format!("symlink {}", path.display()))?;
            }
            EntryType::Link => {
                let target = safe_relative(&entry.link_name()?.context("a hard link without a target")?)?;
                let source = root.join(&target);
                match source.symlink_metadata() {
                    Ok(meta) if meta.is_file() => {}
                    _ => bail!(
                        "layer entry {rel:?}: a hard link to {target:?}, not a file of this layer: refused"
                    ),
                }
                std::fs::hard_link(&source, &path).with_context(|| format!("link {}", path.display()))?;
            }
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                if kind != EntryType::Fifo && !root_user {
                    bail!("layer entry {rel:?}: a device node, and only root may make one: refused");
                }
                let (major, minor) =
                    (header.device_major()?.unwrap_or(0), header.device_minor()?.unwrap_or(0));
                let sflag = match kind {
                    EntryType::Char => SFlag::S_IFCHR,
                    EntryType::Block => SFlag::S_IFBLK,
                    _ => SFlag::S_IFIFO,
                };
                mknod(&path, sflag, Mode::from_bits_truncate(mode), makedev(major.into(), minor.into()))
                    .with_context(|| format!("mknod {}", path.display()))?;
            }
            other => bail!("layer entry {rel:?}: tar entry type {other:?} is not supported"),
        }
        if root_user {
            nix::unistd::fchownat(
                None,
                &path,
                Some(Uid::from_raw(uid)),
                Some(Gid::from_raw(gid)),
                nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .with_context(|| format!("chown {}", path.display()))?;
        }
        if kind != EntryType::Symlink && kind != EntryType::Directory {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    // Directories last: a read-only directory must still take its entries.
    for (dir, mode) in dirs {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode))?;
    }
    explain!("unpacked {entries} entries ({bytes} bytes) into {}", root.display());
    Ok(())
}
// ANCHOR_END: unpack

fn remove(path: &Path) -> Result<()> {
    let meta = path.symlink_metadata()?;
    if meta.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) }
        .with_context(|| format!("replace {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(safe_relative(Path::new("./bin/sh")).unwrap(), Path::new("bin/sh"));
        assert!(safe_relative(Path::new("/etc/passwd")).is_err());
        assert!(safe_relative(Path::new("a/../../x")).is_err());
        assert!(check_link_target(Path::new("bin/sh"), Path::new("busybox")).is_ok());
        assert!(check_link_target(Path::new("usr/bin/x"), Path::new("../../bin/busybox")).is_ok());
        assert!(check_link_target(Path::new("bin/x"), Path::new("../../etc")).is_err());
        assert!(check_link_target(Path::new("bin/x"), Path::new("/etc/passwd")).is_ok());
    }
}
