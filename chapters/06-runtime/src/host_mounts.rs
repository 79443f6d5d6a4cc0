//! A container with no mount namespace of its own (config.json lists none,
//! as runc allows) shares the host's: every mount its setup makes, /proc and
//! /dev in its rootfs, is a mount of the host's, and would outlive the
//! container. So `create` notes in state.json which mounts were under the
//! rootfs before it began and, once the setup is done, which appeared, from
//! /proc/self/mountinfo; `delete` (or a `create` that fails) detaches them.
//! A `create` killed half-way noted only the first list: then every mount
//! under the rootfs that is not on it is the container's.

use anyhow::Result;
use ch01_unshare::explain;
use nix::mount::MntFlags;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A mount as /proc/self/mountinfo names it: its id (unique while it is
/// mounted) and its mount point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub id: u64,
    pub point: PathBuf,
}

// ANCHOR: record
/// What state.json keeps of a container on the host's mounts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Under the rootfs before `create` began.
    pub before: Vec<Mount>,
    /// Made by the setup; None until it is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<Vec<Mount>>,
}

impl Record {
    pub fn before(rootfs: &Path) -> Result<Record> {
        Ok(Record { before: under(rootfs)?, made: None })
    }

    /// The setup is done: note what it mounted.
    pub fn note_made(&mut self, rootfs: &Path) -> Result<()> {
        self.made = Some(added(rootfs, &self.before)?);
        Ok(())
    }

    /// Detach what the container's setup mounted: as noted, or all that is
    /// new under the rootfs when it died before it could note it.
    pub fn detach(&self, rootfs: &Path) {
        match &self.made {
            Some(made) => detach(made),
            None => detach(&added(rootfs, &self.before).unwrap_or_default()),
        }
    }
}
// ANCHOR_END: record

/// The mounts at or under `dir` now.
pub fn under(dir: &Path) -> Result<Vec<Mount>> {
    let table = ch01_unshare::procfs::read("/proc/self/mountinfo")?;
    Ok(parse(&table).into_iter().filter(|m| m.point.starts_with(dir)).collect())
}

/// The mounts under `dir` that are not in `before`.
fn added(dir: &Path, before: &[Mount]) -> Result<Vec<Mount>> {
    Ok(under(dir)?.into_iter().filter(|m| !before.contains(m)).collect())
}

// ANCHOR: detach
/// Detach each of `mounts` that is still mounted, the deepest first:
/// umount2(MNT_DETACH) takes it out of the tree at once, even if a process
/// still has a file open in it.
pub fn detach(mounts: &[Mount]) {
    let mut mounts = mounts.to_vec();
    mounts.sort_by_key(|m| std::cmp::Reverse(m.point.components().count()));
    let Ok(now) = under(Path::new("/")) else { return };
    for mount in mounts.iter().filter(|m| now.contains(m)) {
        explain!("umount2({:?}, MNT_DETACH)", mount.point);
        // EINVAL: it went with a mount above it, detached a moment ago.
        let _ = nix::mount::umount2(&mount.point, MntFlags::MNT_DETACH);
    }
}
// ANCHOR_END: detach

/// A mountinfo table's mounts: field 1 is the id, field 5 the mount point,
/// with space, tab, newline and backslash written as octal escapes (`\040`).
fn parse(table: &str) -> Vec<Mount> {
    table
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let id = fields.first()?.parse().ok()?;
            Some(Mount { id, point: PathBuf::from(unescape(fields.get(4)?)) })
        })
        .collect()
}

fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|d| std::str::from_utf8(d).ok());
        match (bytes[i], octal.and_then(|d| u8::from_str_radix(d, 8).ok())) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_are_unescaped() {
        let table = "36 35 98:0 / /mnt/a\\040b rw - ext3 /dev/root rw\n41 36 0:5 / /mnt/a\\040b/proc rw - proc proc rw\n";
        let mounts = parse(table);
        assert_eq!(mounts[0], Mount { id: 36, point: PathBuf::from("/mnt/a b") });
        assert_eq!(mounts[1].point, Path::new("/mnt/a b/proc"));
    }
}
