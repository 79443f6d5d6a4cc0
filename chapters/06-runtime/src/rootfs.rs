//! The container's filesystem, from config.json: chapter 2's pivot_root, with
//! the mounts, devices, propagation and read-only root that config.json asks
//! for instead of chapter 2's fixed set.

use crate::fd::fd_path;
use crate::in_root::Root;
use crate::mounts;
use crate::namespaces::MountNs;
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use ch01_unshare::mount::mount;
use ch02_chroot::{dev, pivot};
use ch03_cgroups::Layout;
use nix::mount::MsFlags;
use nix::sys::stat::SFlag;
use oci_spec::runtime::{LinuxDevice, LinuxDeviceType, Spec};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

// ANCHOR: prepare
/// In the container's new mount namespace, before pivot_root: stop mount
/// events from reaching the host, make the rootfs a mount point, mount
/// config.json's mounts into it in order (but `cgroup` ones: see
/// [`mount_cgroups`]), and create /dev's nodes. In the host's mount
/// namespace (`ns` is [`MountNs::Host`]) only the mounts and the nodes:
/// the host's propagation is not ours to change, and chroot(2) needs no
/// mount point. Returns the rootfs, held open for [`mount_cgroups`].
pub fn prepare(spec: &Spec, bundle: &Path, rootfs: &Path, userns: bool, ns: MountNs) -> Result<Root> {
    if ns != MountNs::Host {
        // runc's default: the container still sees the host's later mounts
        // (slave), but nothing it mounts travels back.
        mount(None, Path::new("/"), None, MsFlags::MS_REC | MsFlags::MS_SLAVE, None)?;
        pivot::bind_to_itself(rootfs)?;
    }
    let root = Root::new(rootfs)?;
    let entries = spec.mounts().clone().unwrap_or_default();
    for entry in entries.iter().filter(|m| m.typ().as_deref() != Some("cgroup")) {
        mounts::mount_entry(&root, bundle, entry).with_context(|| {
            format!(
                "mount {:?} on {}",
                entry.typ().as_deref().unwrap_or("bind"),
                entry.destination().display()
            )
        })?;
    }
    // A /dev of its own (a tmpfs) starts empty: fill it as chapter 2 did.
    let own_dev = entries.iter().any(|m| m.destination() == Path::new("/dev"));
    if own_dev {
        let dev = root.open(Path::new("/dev"))?;
        let dev_dir = fd_path(&dev);
        for (name, major, minor) in dev::NODES {
            match userns {
                false => dev::make_node(&dev_dir.join(name), SFlag::S_IFCHR, major, minor, 0o666)?,
                true => bind_host_device(name, &dev_dir.join(name))?,
            }
        }
        dev::make_links(&dev_dir)?;
    }
    make_devices(spec, &root)?;
    Ok(root)
}
// ANCHOR_END: prepare

/// In a user namespace mknod(2) of a device is refused (a device node would
/// bypass every permission check), so the host's node is bind mounted instead.
fn bind_host_device(name: &str, target: &Path) -> Result<()> {
    std::fs::File::create(target).with_context(|| format!("create {}", target.display()))?;
    let source = format!("/dev/{name}");
    mount(Some(&source), target, None, MsFlags::MS_BIND, None)
}

/// The `cgroup` mounts, once the process is in its cgroup and cgroup
/// namespace (create moves it there while the other mounts are made: the
/// first move into a new cgroup waits for an RCU grace period, milliseconds
/// that need not hold up the rest).
pub fn mount_cgroups(spec: &Spec, root: &Root, cgroups: &Layout, own_namespace: bool) -> Result<()> {
    let entries = spec.mounts().clone().unwrap_or_default();
    for entry in entries.iter().filter(|m| m.typ().as_deref() == Some("cgroup")) {
        let options = mounts::parse(entry.options().as_deref().unwrap_or_default())?;
        mounts::mount_cgroup(root, entry.destination(), options.flags, cgroups, own_namespace)
            .with_context(|| format!("mount \"cgroup\" on {}", entry.destination().display()))?;
    }
    Ok(())
}

/// `linux.devices`: the extra device nodes config.json lists (a GPU, a FUSE
/// device), with their modes and owners. Whether the container may *open*
/// them is the device cgroup's decision, not the node's.
fn make_devices(spec: &Spec, root: &Root) -> Result<()> {
    let devices = spec.linux().as_ref().and_then(|l| l.devices().clone()).unwrap_or_default();
    for device in devices {
        make_device(root, &device).with_context(|| format!("linux.devices {}", device.path().display()))?;
    }
    Ok(())
}

fn make_device(root: &Root, device: &LinuxDevice) -> Result<()> {
    let kind = match device.typ() {
        LinuxDeviceType::C | LinuxDeviceType::U => SFlag::S_IFCHR,
        LinuxDeviceType::B => SFlag::S_IFBLK,
        LinuxDeviceType::P => SFlag::S_IFIFO,
        LinuxDeviceType::A => bail!("type \"a\" is for cgroup rules, not a node"),
    };
    let (Some(parent), Some(name)) = (device.path().parent(), device.path().file_name()) else {
        bail!("give the node's path in the container, such as /dev/fuse");
    };
    // Made by name under its directory's fd: mknod(2) and unlink(2) do not
    // follow a symlink there, nor does lchown.
    let dir = root.make_dir(parent)?;
    let path = fd_path(&dir).join(name);
    let (major, minor) = (device.major() as u64, device.minor() as u64);
    // Already there, as that very device: a mount made it (devpts's own
    // ptmx, which --privileged lists with the host's other devices).
    let same = std::fs::symlink_metadata(&path).is_ok_and(|m| {
        SFlag::from_bits_truncate(m.mode()) & SFlag::S_IFMT == kind
            && m.rdev() == nix::sys::stat::makedev(major, minor)
    });
    if same {
        return Ok(());
    }
    let _ = std::fs::remove_file(&path);
    dev::make_node(&path, kind, major, minor, device.file_mode().unwrap_or(0o666))?;
    std::os::unix::fs::lchown(&path, device.uid(), device.gid())
        .with_context(|| format!("chown {}", path.display()))
}

// ANCHOR: enter
/// Make `rootfs` the root: pivot_root(2) as in chapter 2, or with
/// `--no-pivot` (for a rootfs on a ramdisk, where pivot_root is refused) move
/// the mount onto `/` and chroot(2) into it. Then make it read-only if asked,
/// and give it the propagation config.json asks for. In the host's mount
/// namespace, only chroot(2) (pivot_root would change the host's root).
pub fn enter(spec: &Spec, rootfs: &Path, no_pivot: bool, ns: MountNs) -> Result<()> {
    if ns == MountNs::Host {
        return ch02_chroot::chroot::chroot_into(rootfs);
    }
    if no_pivot {
        explain!("chdir({rootfs:?})");
        nix::unistd::chdir(rootfs).with_context(|| format!("chdir {}", rootfs.display()))?;
        mount(Some("."), Path::new("/"), None, MsFlags::MS_MOVE, None)?;
        ch02_chroot::chroot::chroot_into(Path::new("."))?;
    } else {
        pivot::pivot_to_mount(rootfs)?;
    }
    let readonly = spec.root().as_ref().and_then(|r| r.readonly()).unwrap_or(false);
    if readonly {
        let kept = mounts::current_flags(Path::new("/"))?;
        let flags = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | kept;
        mount(None, Path::new("/"), None, flags, None)?;
    }
    let propagation = spec.linux().as_ref().and_then(|l| l.rootfs_propagation().clone());
    if let Some(name) = propagation {
        let options = mounts::parse(std::slice::from_ref(&name))?;
        let [flag] = options.propagation[..] else {
            bail!("linux.rootfsPropagation {name:?}: use one of private, shared, slave, unbindable (r-prefixed too)");
        };
        mount(None, Path::new("/"), None, flag, None)?;
    }
    Ok(())
}
// ANCHOR_END: enter

/// `linux.sysctl`: write each one under /proc/sys (after pivot_root, so the
/// container's own /proc). Only namespaced ones work: `net.*` in its network
/// namespace, `kernel.shm*`, `fs.mqueue.*` in its IPC namespace.
pub fn write_sysctls(spec: &Spec) -> Result<()> {
    let sysctls = spec.linux().as_ref().and_then(|l| l.sysctl().clone()).unwrap_or_default();
    for (key, value) in sysctls {
        if key.contains("..") || key.contains('/') {
            bail!("sysctl {key:?}: a name such as net.ipv4.ip_forward");
        }
        let path = Path::new("/proc/sys").join(key.replace('.', "/"));
        explain!("write {} {value:?}", path.display());
        std::fs::write(&path, &value)
            .with_context(|| format!("sysctl {key}={value} (write {})", path.display()))?;
    }
    Ok(())
}
