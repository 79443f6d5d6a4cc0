//! config.json's `mounts`, in order, each with its options: the strings a
//! user writes in fstab (`ro`, `nosuid`, `mode=755`) turned back into what
//! mount(2) takes (flags, and a data string for the filesystem).

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use ch01_unshare::mount::mount;
use ch03_cgroups::Layout;
use nix::mount::MsFlags;
use oci_spec::runtime::Mount;
use std::path::{Component, Path, PathBuf};

// ANCHOR: flags
/// Each option that is a mount flag: its name, and whether it sets or clears it.
const FLAGS: [(&str, bool, MsFlags); 22] = [
    ("ro", true, MsFlags::MS_RDONLY),
    ("rw", false, MsFlags::MS_RDONLY),
    ("nosuid", true, MsFlags::MS_NOSUID),
    ("suid", false, MsFlags::MS_NOSUID),
    ("nodev", true, MsFlags::MS_NODEV),
    ("dev", false, MsFlags::MS_NODEV),
    ("noexec", true, MsFlags::MS_NOEXEC),
    ("exec", false, MsFlags::MS_NOEXEC),
    ("sync", true, MsFlags::MS_SYNCHRONOUS),
    ("async", false, MsFlags::MS_SYNCHRONOUS),
    ("dirsync", true, MsFlags::MS_DIRSYNC),
    ("remount", true, MsFlags::MS_REMOUNT),
    ("mand", true, MsFlags::MS_MANDLOCK),
    ("nomand", false, MsFlags::MS_MANDLOCK),
    ("noatime", true, MsFlags::MS_NOATIME),
    ("atime", false, MsFlags::MS_NOATIME),
    ("nodiratime", true, MsFlags::MS_NODIRATIME),
    ("diratime", false, MsFlags::MS_NODIRATIME),
    ("relatime", true, MsFlags::MS_RELATIME),
    ("norelatime", false, MsFlags::MS_RELATIME),
    ("strictatime", true, MsFlags::MS_STRICTATIME),
    ("bind", true, MsFlags::MS_BIND),
];

/// Propagation options: applied by a mount(2) call of their own, after the mount.
const PROPAGATION: [(&str, MsFlags); 8] = [
    ("private", MsFlags::MS_PRIVATE),
    ("shared", MsFlags::MS_SHARED),
    ("slave", MsFlags::MS_SLAVE),
    ("unbindable", MsFlags::MS_UNBINDABLE),
    ("rprivate", MsFlags::MS_PRIVATE.union(MsFlags::MS_REC)),
    ("rshared", MsFlags::MS_SHARED.union(MsFlags::MS_REC)),
    ("rslave", MsFlags::MS_SLAVE.union(MsFlags::MS_REC)),
    ("runbindable", MsFlags::MS_UNBINDABLE.union(MsFlags::MS_REC)),
];
// ANCHOR_END: flags

/// Every option name this module knows (for `burrow features`).
pub fn option_names() -> impl Iterator<Item = &'static str> {
    let flags = FLAGS.iter().map(|(name, ..)| *name);
    flags.chain(PROPAGATION.iter().map(|(name, _)| *name)).chain(["rbind", "defaults"])
}

/// A mount's options, sorted into what mount(2) needs.
#[derive(Debug, PartialEq)]
pub struct Options {
    pub flags: MsFlags,
    pub propagation: Vec<MsFlags>,
    /// Everything else, for the filesystem itself: `mode=755,size=64k`.
    pub data: String,
}

/// Sort `options` into flags, propagation and data.
pub fn parse(options: &[String]) -> Options {
    let mut parsed = Options { flags: MsFlags::empty(), propagation: Vec::new(), data: String::new() };
    let mut data = Vec::new();
    for option in options {
        if option == "rbind" {
            parsed.flags |= MsFlags::MS_BIND | MsFlags::MS_REC;
        } else if let Some((_, set, flag)) = FLAGS.iter().find(|(name, ..)| name == option) {
            parsed.flags.set(*flag, *set);
        } else if let Some((_, flag)) = PROPAGATION.iter().find(|(name, _)| name == option) {
            parsed.propagation.push(*flag);
        } else if option != "defaults" {
            data.push(option.as_str());
        }
    }
    parsed.data = data.join(",");
    parsed
}

// ANCHOR: resolve
/// `rootfs` joined with `path` the way the container will see it: a symlink
/// in the rootfs is followed *inside* the rootfs (an absolute target starts
/// again at `rootfs`, `..` stops at it). A plain join would follow a link
/// such as `etc -> /etc` out to the host's own /etc, and mount there.
pub fn resolve_in(rootfs: &Path, path: &Path) -> Result<PathBuf> {
    let mut resolved = rootfs.to_path_buf();
    let mut todo: Vec<PathBuf> = vec![path.to_path_buf()];
    let mut links = 0;
    while let Some(next) = todo.pop() {
        let mut parts = next.components();
        let Some(part) = parts.next() else { continue };
        let rest = parts.as_path().to_path_buf();
        if !rest.as_os_str().is_empty() {
            todo.push(rest);
        }
        match part {
            Component::RootDir => resolved = rootfs.to_path_buf(),
            Component::CurDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                if resolved != rootfs {
                    resolved.pop();
                }
            }
            Component::Normal(name) => {
                let candidate = resolved.join(name);
                match std::fs::read_link(&candidate) {
                    Ok(target) => {
                        links += 1;
                        if links > 40 {
                            bail!("{}: too many levels of symbolic links", path.display());
                        }
                        todo.push(target);
                    }
                    Err(_) => resolved = candidate,
                }
            }
        }
    }
    Ok(resolved)
}
// ANCHOR_END: resolve

// ANCHOR: mount_one
/// Mount one entry of config.json under `rootfs` (before pivot_root), creating
/// its mount point: a directory, or an empty file when a file is bind mounted.
pub fn mount_entry(rootfs: &Path, bundle: &Path, entry: &Mount) -> Result<()> {
    let dest = entry.destination();
    if !dest.is_absolute() {
        bail!("mount destination {}: must be an absolute path inside the container", dest.display());
    }
    let target = resolve_in(rootfs, dest)?;
    let options = parse(entry.options().as_deref().unwrap_or_default());
    let typ = entry.typ().as_deref().unwrap_or("none");
    let bind = options.flags.contains(MsFlags::MS_BIND) || typ == "bind";
    let source = match entry.source() {
        Some(s) if bind => Some(bundle.join(s)),
        Some(s) => Some(s.clone()),
        None if bind => bail!("bind mount on {}: no source", dest.display()),
        None => None,
    };
    let source_is_file = bind && source.as_deref().is_some_and(|s| s.exists() && !s.is_dir());
    make_mount_point(&target, source_is_file)?;
    let data = Some(options.data.as_str()).filter(|d| !d.is_empty());
    let src = source.as_ref().map(|s| s.to_string_lossy().into_owned());
    if bind {
        let rec = options.flags & MsFlags::MS_REC;
        mount(src.as_deref(), &target, None, MsFlags::MS_BIND | rec, None)?;
        // A bind mount ignores every other flag: they take a remount.
        let rest = options.flags - MsFlags::MS_BIND - MsFlags::MS_REC;
        if !rest.is_empty() {
            mount(None, &target, None, MsFlags::MS_BIND | MsFlags::MS_REMOUNT | rest, None)?;
        }
    } else {
        mount(src.as_deref(), &target, Some(typ), options.flags, data)?;
    }
    for flag in &options.propagation {
        mount(None, &target, None, *flag, None)?;
    }
    Ok(())
}
// ANCHOR_END: mount_one

fn make_mount_point(target: &Path, file: bool) -> Result<()> {
    if target.exists() {
        return Ok(());
    }
    let dir = if file { target.parent().unwrap_or(target) } else { target };
    explain!("mkdir -p {dir:?}");
    std::fs::create_dir_all(dir).with_context(|| format!("create mount point {}", dir.display()))?;
    if file {
        std::fs::File::create(target).with_context(|| format!("create mount point {}", target.display()))?;
    }
    Ok(())
}

// ANCHOR: cgroup
/// A `cgroup` mount: the container's own cgroup as the root of the tree (it
/// is in a cgroup namespace). On a cgroup v2 host that is one cgroup2 mount;
/// on a v1 or hybrid host, a tmpfs with one cgroup mount per v1 hierarchy.
/// `layout` is the host's, read before the container's cgroup namespace hid
/// the hierarchies' roots from /proc/self/mountinfo.
pub fn mount_cgroup(target: &Path, flags: MsFlags, layout: &Layout) -> Result<()> {
    make_mount_point(target, false)?;
    if layout.mode()? == ch03_cgroups::layout::Mode::Unified {
        return mount(Some("cgroup2"), target, Some("cgroup2"), flags, None);
    }
    mount(Some("tmpfs"), target, Some("tmpfs"), flags - MsFlags::MS_RDONLY, Some("mode=755"))?;
    let mut hierarchies: Vec<&PathBuf> = layout.v1.values().collect();
    hierarchies.sort();
    hierarchies.dedup();
    for hierarchy in hierarchies {
        let Some(name) = hierarchy.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
        let dir = target.join(&name);
        std::fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
        mount(Some("cgroup"), &dir, Some("cgroup"), flags, Some(&name))?;
    }
    if flags.contains(MsFlags::MS_RDONLY) {
        mount(None, target, None, MsFlags::MS_REMOUNT | MsFlags::MS_BIND | flags, None)?;
    }
    Ok(())
}
// ANCHOR_END: cgroup

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_sort_into_flags_propagation_and_data() {
        let parsed = parse(&strings(&["nosuid", "ro", "rw", "rbind", "rslave", "mode=755", "size=64k"]));
        assert_eq!(parsed.flags, MsFlags::MS_NOSUID | MsFlags::MS_BIND | MsFlags::MS_REC);
        assert_eq!(parsed.propagation, vec![MsFlags::MS_SLAVE | MsFlags::MS_REC]);
        assert_eq!(parsed.data, "mode=755,size=64k");
    }

    #[test]
    fn symlinks_stay_inside_the_rootfs() {
        let root = tempfile::tempdir().expect("tempdir");
        let rootfs = root.path();
        std::fs::create_dir(rootfs.join("real")).expect("mkdir");
        std::os::unix::fs::symlink("/real", rootfs.join("abs")).expect("symlink");
        std::os::unix::fs::symlink("../../../..", rootfs.join("up")).expect("symlink");
        assert_eq!(resolve_in(rootfs, Path::new("/abs/x")).expect("resolve"), rootfs.join("real/x"));
        assert_eq!(resolve_in(rootfs, Path::new("/up/etc")).expect("resolve"), rootfs.join("etc"));
        assert_eq!(resolve_in(rootfs, Path::new("/../../etc")).expect("resolve"), rootfs.join("etc"));
    }
}
