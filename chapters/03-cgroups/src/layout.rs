//! Which cgroup hierarchies this machine has, read from the kernel.
//!
//! cgroup v1 mounts one hierarchy per controller (or per group of them:
//! `cpu,cpuacct`), each with its own tree of directories. cgroup v2 mounts one
//! *unified* hierarchy for every controller. A *hybrid* host mounts both: the
//! controllers live in v1, and the v2 tree holds whatever v1 did not claim
//! (often nothing). A controller can be in only one hierarchy at a time.
//!
//! ```text
//!  v1 (legacy)                         v2 (unified)
//!  /sys/fs/cgroup/memory/burrow/c1     /sys/fs/cgroup/burrow/c1/memory.max
//!  /sys/fs/cgroup/cpu/burrow/c1                                /cpu.max
//!  /sys/fs/cgroup/pids/burrow/c1                               /pids.max
//! ```
//!
//! We never guess from paths: the mount table says which filesystem of which
//! type is mounted where, with which controllers (/proc/self/mountinfo), and
//! /proc/filesystems says whether the kernel knows cgroup2 at all.

use anyhow::{bail, Context, Result};
use ch01_unshare::procfs;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The v1 controllers this chapter uses or reports.
pub(crate) const V1_CONTROLLERS: [&str; 14] = [
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "devices",
    "freezer",
    "net_cls",
    "blkio",
    "perf_event",
    "net_prio",
    "hugetlb",
    "pids",
    "rdma",
    "misc",
];

/// The cgroup filesystems mounted on this machine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Where the cgroup2 (unified) hierarchy is mounted, if it is.
    pub unified: Option<PathBuf>,
    /// Each v1 controller and the mount point of the hierarchy that holds it.
    pub v1: BTreeMap<String, PathBuf>,
    /// Whether the kernel supports cgroup2 (listed in /proc/filesystems).
    pub kernel_has_v2: bool,
}

/// How limits are set on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Only cgroup2: every controller in one tree.
    Unified,
    /// Only v1 hierarchies.
    Legacy,
    /// v1 controllers and a cgroup2 mount beside them: limits go to v1.
    Hybrid,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Unified => "cgroup v2",
            Mode::Legacy => "cgroup v1",
            Mode::Hybrid => "cgroup v1 controllers on a hybrid host",
        })
    }
}

impl Layout {
    /// Read the layout of this machine.
    pub fn detect() -> Result<Layout> {
        let mountinfo = procfs::read("/proc/self/mountinfo").context("read /proc/self/mountinfo")?;
        let filesystems = procfs::read("/proc/filesystems").context("read /proc/filesystems")?;
        Layout::parse(&mountinfo, &filesystems)
    }

    // ANCHOR: parse
    /// Find the cgroup mounts in a mountinfo table. A line reads
    /// `36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory`:
    /// the mount point is field 5, and after the `-` come the filesystem type
    /// and, last, its options, which for v1 name the controllers.
    pub fn parse(mountinfo: &str, filesystems: &str) -> Result<Layout> {
        let mut layout = Layout {
            kernel_has_v2: filesystems.lines().any(|l| l.split_whitespace().last() == Some("cgroup2")),
            ..Layout::default()
        };
        for line in mountinfo.lines() {
            let Some((mount, fs)) = line.split_once(" - ") else { continue };
            let mount: Vec<&str> = mount.split(' ').collect();
            let fs: Vec<&str> = fs.split(' ').collect();
            let (Some(&root), Some(&point)) = (mount.get(3), mount.get(4)) else { continue };
            // A mount of a subtree (a container's view) is not the hierarchy's root.
            if root != "/" {
                continue;
            }
            // The first mount of a hierarchy is the machine's own; a later one
            // is another view of it (a container's, made on the host's mounts).
            match fs.first() {
                Some(&"cgroup2") => _ = layout.unified.get_or_insert_with(|| PathBuf::from(point)),
                Some(&"cgroup") => {
                    let options = fs.get(2).copied().unwrap_or("");
                    for controller in options.split(',').filter(|o| V1_CONTROLLERS.contains(o)) {
                        layout.v1.entry(controller.to_string()).or_insert_with(|| PathBuf::from(point));
                    }
                }
                _ => {}
            }
        }
        Ok(layout)
    }
    // ANCHOR_END: parse

    /// Unified, legacy or hybrid; an error when no cgroup filesystem is mounted.
    pub fn mode(&self) -> Result<Mode> {
        match (&self.unified, self.v1.is_empty()) {
            (Some(_), true) => Ok(Mode::Unified),
            (Some(_), false) => Ok(Mode::Hybrid),
            (None, false) => Ok(Mode::Legacy),
            (None, true) if self.kernel_has_v2 => {
                bail!("no cgroup filesystem is mounted; mount one: mount -t cgroup2 none /sys/fs/cgroup")
            }
            (None, true) => bail!("no cgroup filesystem is mounted, and this kernel has no cgroup2 support"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
25 1 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid shared:5 - cgroup2 cgroup2 rw,nsdelegate
27 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:7 - cgroup cgroup rw,cpu,cpuacct
28 25 0:26 / /sys/fs/cgroup/memory rw,nosuid shared:8 - cgroup cgroup rw,memory
29 25 0:27 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd
30 25 0:28 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
41 40 0:26 / /tmp/bundle/rootfs/sys/fs/cgroup/memory ro - cgroup cgroup rw,memory";

    #[test]
    fn hybrid_host() {
        let layout = Layout::parse(HYBRID, "nodev\tcgroup\nnodev\tcgroup2\n").unwrap();
        assert_eq!(layout.mode().unwrap(), Mode::Hybrid);
        assert_eq!(layout.unified, Some(PathBuf::from("/sys/fs/cgroup/unified")));
        assert_eq!(layout.v1["cpuacct"], PathBuf::from("/sys/fs/cgroup/cpu,cpuacct"));
        // The machine's own mount, not a container's later view of it.
        assert_eq!(layout.v1["memory"], PathBuf::from("/sys/fs/cgroup/memory"));
        // name=systemd is no controller; pids is mounted from a subtree only.
        assert_eq!(layout.v1.len(), 3);
    }

    #[test]
    fn unified_host() {
        let line = "30 24 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
        let layout = Layout::parse(line, "nodev\tcgroup2\n").unwrap();
        assert_eq!(layout.mode().unwrap(), Mode::Unified);
    }

    #[test]
    fn nothing_mounted() {
        let err = Layout::parse("", "nodev\tcgroup2\n").unwrap().mode().unwrap_err();
        assert!(err.to_string().contains("mount -t cgroup2"));
    }
}
