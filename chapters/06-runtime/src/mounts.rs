//! config.json's `mounts`, in order, each with its options: the strings a
//! user writes in fstab (`ro`, `nosuid`, `mode=755`) turned back into what
//! mount(2) takes (flags, and a data string for the filesystem).

use crate::fd::{fd_path, open_fd};
use crate::in_root::Root;
use crate::recursive;
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use ch01_unshare::mount::mount;
use ch03_cgroups::Layout;
use nix::fcntl::OFlag;
use nix::mount::MsFlags;
use nix::sys::stat::{Mode, SFlag};
use oci_spec::runtime::Mount;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

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

/// Options that are the runtime's, not the kernel's: `tmpcopyup` (fill a
/// new tmpfs with what the directory under it held; podman asks for it on
/// every `--tmpfs`), and the ones burrow refuses rather than ignores.
const RUNTIME_OPTIONS: [(&str, Option<&str>); 3] = [
    ("tmpcopyup", None),
    ("idmap", Some("ID-mapped mounts are not supported by burrow")),
    ("ridmap", Some("ID-mapped mounts are not supported by burrow")),
];

/// Every option name this module knows (for `burrow features`).
pub fn option_names() -> impl Iterator<Item = &'static str> {
    let flags = FLAGS.iter().map(|(name, ..)| *name);
    let ours = RUNTIME_OPTIONS.iter().filter(|(_, refused)| refused.is_none()).map(|(name, _)| *name);
    flags
        .chain(PROPAGATION.iter().map(|(name, _)| *name))
        .chain(["rbind", "defaults"])
        .chain(recursive::names())
        .chain(ours)
}

/// A mount's options, sorted into what mount(2) needs.
#[derive(Debug, PartialEq)]
pub struct Options {
    pub flags: MsFlags,
    /// The flags an option turned off (`rw`, `suid`, ...).
    pub cleared: MsFlags,
    pub propagation: Vec<MsFlags>,
    /// Attributes for the whole tree, by mount_setattr(2): `rro`, ...
    pub recursive: recursive::Attrs,
    /// Copy what the mount point held into the new tmpfs.
    pub tmpcopyup: bool,
    /// Everything else, for the filesystem itself: `mode=755,size=64k`.
    pub data: String,
}

/// Sort `options` into flags, propagation, recursive attributes and data.
pub fn parse(options: &[String]) -> Result<Options> {
    let mut parsed = Options {
        flags: MsFlags::empty(),
        cleared: MsFlags::empty(),
        propagation: Vec::new(),
        recursive: recursive::Attrs::default(),
        tmpcopyup: false,
        data: String::new(),
    };
    let mut data = Vec::new();
    for option in options {
        if option == "rbind" {
            parsed.flags |= MsFlags::MS_BIND | MsFlags::MS_REC;
        } else if let Some((_, set, flag)) = FLAGS.iter().find(|(name, ..)| name == option) {
            parsed.flags.set(*flag, *set);
            parsed.cleared.set(*flag, !*set);
        } else if let Some((_, flag)) = PROPAGATION.iter().find(|(name, _)| name == option) {
            parsed.propagation.push(*flag);
        } else if parsed.recursive.add(option) {
        } else if let Some((_, refused)) = RUNTIME_OPTIONS.iter().find(|(name, _)| name == option) {
            if let Some(why) = refused {
                bail!("mount option {option:?}: {why}; remove it");
            }
            parsed.tmpcopyup = true;
        } else if option != "defaults" {
            data.push(option.as_str());
        }
    }
    parsed.data = data.join(",");
    Ok(parsed)
}

// ANCHOR: mount_one
/// Mount one entry of config.json in the rootfs (before pivot_root), creating
/// its mount point: a directory, or an empty file when a file is bind mounted.
pub fn mount_entry(root: &Root, bundle: &Path, entry: &Mount) -> Result<()> {
    let dest = entry.destination();
    if !dest.is_absolute() {
        bail!("mount destination {}: must be an absolute path inside the container", dest.display());
    }
    let options = parse(entry.options().as_deref().unwrap_or_default())?;
    let typ = entry.typ().as_deref().unwrap_or("none");
    let bind = options.flags.contains(MsFlags::MS_BIND) || typ == "bind";
    let source = match entry.source() {
        Some(s) if bind => Some(bundle.join(s)),
        Some(s) => Some(s.clone()),
        None if bind => bail!("bind mount on {}: no source", dest.display()),
        None => None,
    };
    let source_is_file = bind && source.as_deref().is_some_and(|s| s.exists() && !s.is_dir());
    // Mounted on through the fd's /proc/self/fd link, not by a path a
    // symlink swapped in could send elsewhere (see in_root). Held open, the
    // directory also stays reachable once a tmpfs covers it.
    let spot = match source_is_file {
        true => root.make_file(dest)?,
        false => root.make_dir(dest)?,
    };
    let at = fd_path(&spot);
    let data = Some(options.data.as_str()).filter(|d| !d.is_empty());
    let src = source.as_ref().map(|s| s.to_string_lossy().into_owned());
    if bind {
        let rec = options.flags & MsFlags::MS_REC;
        mount(src.as_deref(), &at, None, MsFlags::MS_BIND | rec, None)?;
    } else {
        mount(src.as_deref(), &at, Some(typ), options.flags, data).map_err(|e| match data {
            Some(data) if e.root_cause().downcast_ref() == Some(&nix::errno::Errno::EINVAL) => e.context(format!(
                "{typ} refused its options {data:?} (burrow passes the options it does not know to the filesystem)"
            )),
            _ => e,
        })?;
    }
    // The fd is the directory under the new mount: open the mount itself.
    let mounted = root.open(dest)?;
    let at = fd_path(&mounted);
    // A bind mount ignores every other flag: they take a remount.
    let rest = options.flags - MsFlags::MS_BIND - MsFlags::MS_REC;
    if bind && !rest.is_empty() {
        // EXERCISE 6.6: give a bind mount its other flags (ro, nosuid, ...): a second mount(2), a remount, that keeps the flags it already has
        // HINT: mount(None, &at, None, MsFlags::MS_BIND | MsFlags::MS_REMOUNT | FLAGS, None) changes only the bind mount, not the filesystem under it
        // HINT: a remount sets exactly the flags it is given: pass again those the mount has (current_flags(&at)), less the ones an option cleared (options.cleared), or a user namespace refuses it (EPERM on a locked nosuid)
        let kept = current_flags(&at)? - options.cleared;
        mount(None, &at, None, MsFlags::MS_BIND | MsFlags::MS_REMOUNT | rest | kept, None)?;
        // END EXERCISE
    }
    if options.tmpcopyup && typ == "tmpfs" {
        copy_up(&fd_path(&spot), &at)?;
    }
    if !options.recursive.is_empty() {
        recursive::apply(&at, options.recursive)?;
    }
    for flag in &options.propagation {
        mount(None, &at, None, *flag, None)?;
    }
    Ok(())
}
// ANCHOR_END: mount_one

// ANCHOR: current_flags
/// The flags the mount at `path` has now. A remount sets the flags to
/// exactly what it is given, so one that should change only `ro` must pass
/// the others again: dropping `nosuid` from a mount is refused (EPERM) in a
/// user namespace, where the kernel locked it, and elsewhere it would
/// quietly turn a host's `nosuid` off.
pub fn current_flags(path: &Path) -> Result<MsFlags> {
    use nix::sys::statvfs::{statvfs, FsFlags};
    let now = statvfs(path).with_context(|| format!("statvfs {}", path.display()))?.flags();
    let pairs = [
        (FsFlags::ST_RDONLY, MsFlags::MS_RDONLY),
        (FsFlags::ST_NOSUID, MsFlags::MS_NOSUID),
        (FsFlags::ST_NODEV, MsFlags::MS_NODEV),
        (FsFlags::ST_NOEXEC, MsFlags::MS_NOEXEC),
        (FsFlags::ST_NOATIME, MsFlags::MS_NOATIME),
        (FsFlags::ST_NODIRATIME, MsFlags::MS_NODIRATIME),
        (FsFlags::ST_RELATIME, MsFlags::MS_RELATIME),
    ];
    Ok(pairs.iter().filter(|(st, _)| now.contains(*st)).fold(MsFlags::empty(), |all, (_, ms)| all | *ms))
}
// ANCHOR_END: current_flags

/// `tmpcopyup`: copy the tree at `from` into `to` as it is (modes, owners,
/// links, device nodes), the way Docker fills a volume from the image.
fn copy_up(from: &Path, to: &Path) -> Result<()> {
    explain!("copy {from:?} into the new tmpfs at {to:?} (tmpcopyup)");
    let meta = std::fs::symlink_metadata(from).with_context(|| format!("stat {}", from.display()))?;
    std::fs::set_permissions(to, meta.permissions()).with_context(|| format!("chmod {}", to.display()))?;
    std::os::unix::fs::chown(to, Some(meta.uid()), Some(meta.gid()))
        .with_context(|| format!("chown {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("read {}", from.display()))? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            std::fs::create_dir(&dst).with_context(|| format!("mkdir {}", dst.display()))?;
            copy_up(&src, &dst)?;
            continue;
        }
        let meta = entry.metadata()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst)
                .with_context(|| format!("copy {} to {}", src.display(), dst.display()))?;
        } else {
            let (kind, perm) =
                (SFlag::from_bits_truncate(meta.mode()), Mode::from_bits_truncate(meta.mode()));
            let kind = kind & SFlag::S_IFMT;
            nix::sys::stat::mknod(&dst, kind, perm, meta.rdev())
                .with_context(|| format!("mknod {}", dst.display()))?;
        }
        std::os::unix::fs::lchown(&dst, Some(meta.uid()), Some(meta.gid()))
            .with_context(|| format!("chown {}", dst.display()))?;
    }
    Ok(())
}

// ANCHOR: cgroup
/// A `cgroup` mount. In a cgroup namespace of its own, a fresh cgroup
/// filesystem shows the container's cgroup as the root of the tree: one
/// cgroup2 mount on a v2 host; on a v1 or hybrid host, a tmpfs with one
/// cgroup mount per v1 hierarchy. Without one (podman's default on v1), a
/// fresh mount would show the host's whole tree, and in a user namespace
/// the kernel refuses it (EPERM): so the container's own cgroup
/// directories are bind mounted instead, as runc does. `layout` is the
/// host's, read before the container's cgroup namespace hid the
/// hierarchies' roots from /proc/self/mountinfo.
pub fn mount_cgroup(
    root: &Root,
    dest: &Path,
    flags: MsFlags,
    layout: &Layout,
    own_namespace: bool,
) -> Result<()> {
    let spot = root.make_dir(dest)?;
    let ours = if own_namespace { None } else { Some(own_cgroups(layout)?) };
    let own = |hierarchy: &Path| ours.as_ref().map(|o| o.get(hierarchy).map_or("/", String::as_str));
    if let (ch03_cgroups::layout::Mode::Unified, Some(unified)) = (layout.mode()?, &layout.unified) {
        let at = Attach { at: &fd_path(&spot), top: &|| root.open(dest), flags };
        return at.mount(unified, own(unified), ("cgroup2", None));
    }
    mount(Some("tmpfs"), &fd_path(&spot), Some("tmpfs"), flags - MsFlags::MS_RDONLY, Some("mode=755"))?;
    // The new tmpfs, which the fd (the directory under it) does not show;
    // in it, a path's last name leads to what is mounted there.
    let tmpfs = root.open(dest)?;
    let target = fd_path(&tmpfs);
    let mut hierarchies: Vec<&PathBuf> = layout.v1.values().collect();
    hierarchies.sort();
    hierarchies.dedup();
    for hierarchy in hierarchies {
        let Some(name) = hierarchy.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
        let dir = target.join(&name);
        std::fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
        let top = || open_fd(&dir, OFlag::O_PATH);
        Attach { at: &dir, top: &top, flags }.mount(hierarchy, own(hierarchy), ("cgroup", Some(&name)))?;
    }
    if flags.contains(MsFlags::MS_RDONLY) {
        mount(None, &target, None, MsFlags::MS_REMOUNT | MsFlags::MS_BIND | flags, None)?;
    }
    Ok(())
}

/// Where one hierarchy goes: `at`, and `top` to open what is there once a
/// mount covers it (an fd's /proc/self/fd path shows the directory under).
struct Attach<'a> {
    at: &'a Path,
    top: &'a dyn Fn() -> Result<OwnedFd>,
    flags: MsFlags,
}

impl Attach<'_> {
    /// A fresh cgroup filesystem (`fs`: its type and data), or with `own`,
    /// the container's cgroup path in `hierarchy`, a bind mount of that
    /// directory, remounted with the flags asked for.
    fn mount(&self, hierarchy: &Path, own: Option<&str>, (fstype, data): (&str, Option<&str>)) -> Result<()> {
        let Some(path) = own else { return mount(Some(fstype), self.at, Some(fstype), self.flags, data) };
        let source = hierarchy.join(path.trim_start_matches('/'));
        mount(Some(&source.to_string_lossy()), self.at, None, MsFlags::MS_BIND | MsFlags::MS_REC, None)?;
        let mounted = (self.top)()?;
        let at = fd_path(&mounted);
        let flags = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | self.flags | current_flags(&at)?;
        mount(None, &at, None, flags, None)
    }
}

/// Where this process's cgroup is in each hierarchy, by the hierarchy's
/// mount point, from /proc/self/cgroup (`4:memory:/burrow/ID`, v2's `0::/...`).
fn own_cgroups(layout: &Layout) -> Result<std::collections::BTreeMap<PathBuf, String>> {
    let table = std::fs::read_to_string("/proc/self/cgroup").context("read /proc/self/cgroup")?;
    let mut paths = std::collections::BTreeMap::new();
    for line in table.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let mounts: Vec<&PathBuf> = match controllers {
            "" => layout.unified.iter().collect(),
            list => list.split(',').filter_map(|c| layout.v1.get(c)).collect(),
        };
        for point in mounts {
            paths.insert(point.clone(), path.to_string());
        }
    }
    Ok(paths)
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
        let parsed =
            parse(&strings(&["nosuid", "ro", "rw", "rbind", "rslave", "mode=755", "size=64k"])).unwrap();
        assert_eq!(parsed.flags, MsFlags::MS_NOSUID | MsFlags::MS_BIND | MsFlags::MS_REC);
        assert_eq!(parsed.propagation, vec![MsFlags::MS_SLAVE | MsFlags::MS_REC]);
        assert_eq!(parsed.data, "mode=755,size=64k");
    }
}
