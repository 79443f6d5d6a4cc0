//! config.json's `linux.namespaces`: which are new (clone(2) flags, and
//! the time namespace, which clone has no room for), which are joined by
//! path (setns(2)), and the ways a process gets into them: a PID namespace
//! from the parent, a user namespace through a helper, the rest from the
//! child. And a new user namespace's id maps, written from outside.

use crate::cgroups;
use crate::fd::open_fd;
use crate::security::Security;
use anyhow::{bail, Context, Result};
use ch01_unshare::container::clone_child;
use ch01_unshare::{explain, flag_names, idmap, timens};
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::unistd::Pid;
use oci_spec::runtime::{LinuxIdMapping, LinuxNamespaceType, Spec};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

/// The namespaces of config.json: new ones become clone(2) flags, those with
/// a `path` are joined with setns(2).
pub struct Namespaces {
    pub clone: CloneFlags,
    /// Joined in the child, first thing.
    pub join: Vec<(CloneFlags, OwnedFd)>,
    /// Joined in the parent: setns(CLONE_NEWPID) only affects later children.
    pub join_pid: Option<OwnedFd>,
    /// Joined by a helper that then makes the new namespaces: see
    /// [`clone_in_user_namespace`].
    pub join_user: Option<OwnedFd>,
    /// A new cgroup namespace, unshared once the child is in its cgroup.
    pub cgroup: bool,
    /// A new time namespace, and its clocks' offsets: unshared before the
    /// clone (clone(2) has no room for its flag; see chapter 1's timens).
    pub time: Option<timens::Offsets>,
    /// Where the container's mounts are made.
    pub mount: MountNs,
}

/// The mount namespace the container's mounts are made in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountNs {
    /// A new one (CLONE_NEWNS), as almost every container has.
    New,
    /// One joined by path: the mounts, and the pivot_root, happen there.
    Joined,
    /// None listed: the host's own, as runc allows. The rootfs is entered
    /// with chroot(2), and its mounts are the host's: see [`crate::host_mounts`].
    Host,
}

impl Namespaces {
    // ANCHOR: namespaces
    pub fn of(spec: &Spec) -> Result<Namespaces> {
        let mut ns = Namespaces {
            clone: CloneFlags::empty(),
            join: Vec::new(),
            join_pid: None,
            join_user: None,
            cgroup: false,
            time: None,
            mount: MountNs::Host,
        };
        let list = spec.linux().as_ref().and_then(|l| l.namespaces().clone()).unwrap_or_default();
        for entry in list {
            let typ = entry.typ();
            let flag = CloneFlags::from_bits_retain(typ as i32);
            match entry.path() {
                None if typ == LinuxNamespaceType::Cgroup => ns.cgroup = true,
                None if typ == LinuxNamespaceType::Time => ns.time = Some(time_offsets(spec)?),
                None => ns.clone |= flag,
                Some(path) => {
                    // EXERCISE 6.5: a namespace with a path is joined: open it, and say who joins it (the parent, a helper, or the child)
                    // HINT: open_fd(path, OFlag::O_RDONLY): the fd is what setns(2) takes, later, once the child exists
                    // HINT: setns(CLONE_NEWPID) moves only the caller's future children: a PID namespace is the parent's to join (ns.join_pid), before clone
                    // HINT: a user namespace must be joined before the new namespaces are made: ns.join_user (clone_in_user_namespace); any other kind ns.join.push((flag, fd)), joined by the child
                    let fd = open_fd(path, OFlag::O_RDONLY)
                        .with_context(|| format!("the {typ} namespace to join"))?;
                    match typ {
                        LinuxNamespaceType::Pid => ns.join_pid = Some(fd),
                        LinuxNamespaceType::User => ns.join_user = Some(fd),
                        _ => ns.join.push((flag, fd)),
                    }
                    // END EXERCISE
                }
            }
        }
        let offsets =
            spec.linux().as_ref().and_then(|l| l.time_offsets().as_ref()).is_some_and(|o| !o.is_empty());
        if offsets && ns.time.is_none() {
            bail!("linux.timeOffsets needs a new time namespace: add {{\"type\": \"time\"}} (without a path) to linux.namespaces");
        }
        if ns.join_user.is_some() && ns.join_pid.is_some() {
            bail!("linux.namespaces: joining both a user and a PID namespace by path is not supported by burrow");
        }
        ns.mount = match (ns.clone.contains(CloneFlags::CLONE_NEWNS), ns.joins(CloneFlags::CLONE_NEWNS)) {
            (true, _) => MountNs::New,
            (false, true) => MountNs::Joined,
            (false, false) => MountNs::Host,
        };
        if ns.mount == MountNs::Host {
            refuse_on_the_host(spec)?;
        }
        Ok(ns)
    }
    // ANCHOR_END: namespaces

    /// Is the namespace of kind `flag` new or joined, not the host's?
    pub fn own(&self, flag: CloneFlags) -> bool {
        self.clone.contains(flag) || self.joins(flag)
    }

    fn joins(&self, flag: CloneFlags) -> bool {
        self.join.iter().any(|(f, _)| *f == flag)
    }
}

/// `linux.timeOffsets`: how far the new time namespace's clocks are from
/// the host's, by clock name.
fn time_offsets(spec: &Spec) -> Result<timens::Offsets> {
    let mut offsets = timens::Offsets::default();
    let listed = spec.linux().as_ref().and_then(|l| l.time_offsets().clone()).unwrap_or_default();
    for (clock, offset) in listed {
        let value =
            timens::Offset { secs: offset.secs().unwrap_or(0), nanos: offset.nanosecs().unwrap_or(0) };
        match clock.as_str() {
            "monotonic" => offsets.monotonic = value,
            "boottime" => offsets.boottime = value,
            other => {
                bail!("linux.timeOffsets: no clock {other:?} in a time namespace; use monotonic or boottime")
            }
        }
    }
    offsets.check().context("linux.timeOffsets")?;
    Ok(offsets)
}

/// Without a mount namespace of its own, what would change the host's
/// mounts rather than the container's is refused: the masked and read-only
/// paths (they would cover the host's /proc files), a read-only root and a
/// root propagation (they would remount the host's mounts).
fn refuse_on_the_host(spec: &Spec) -> Result<()> {
    let linux = spec.linux().as_ref();
    let asked = [
        ("linux.maskedPaths", linux.and_then(|l| l.masked_paths().as_ref()).is_some_and(|p| !p.is_empty())),
        (
            "linux.readonlyPaths",
            linux.and_then(|l| l.readonly_paths().as_ref()).is_some_and(|p| !p.is_empty()),
        ),
        ("linux.rootfsPropagation", linux.and_then(|l| l.rootfs_propagation().as_ref()).is_some()),
        ("root.readonly", spec.root().as_ref().and_then(|r| r.readonly()).unwrap_or(false)),
    ];
    if let Some((name, _)) = asked.iter().find(|(_, set)| *set) {
        bail!("{name} needs a mount namespace of its own (without one, it would change the host's mounts): add {{\"type\": \"mount\"}} to linux.namespaces, or drop {name}");
    }
    Ok(())
}

/// setns(2) into each namespace, in the order given (a user namespace first).
pub fn join(namespaces: &[(CloneFlags, RawFd)]) -> Result<()> {
    for (flag, fd) in namespaces {
        explain!("setns({fd}, {})", ch01_unshare::flag_names!(*flag));
        // SAFETY: the caller opened the fd on a namespace file, and keeps it open.
        let ns = unsafe { std::os::fd::BorrowedFd::borrow_raw(*fd) };
        nix::sched::setns(ns, *flag)
            .with_context(|| format!("setns({})", ch01_unshare::flag_names!(*flag)))?;
    }
    Ok(())
}

/// In a user namespace just entered, this process is still the host's root,
/// which the namespace's map does not include (files it made would have an
/// owner the namespace cannot name: EOVERFLOW). Become the namespace's root.
pub fn become_namespace_root() -> Result<()> {
    explain!("setresuid(0, 0, 0); setresgid(0, 0, 0) in the user namespace");
    let (uid, gid) = (nix::unistd::Uid::from_raw(0), nix::unistd::Gid::from_raw(0));
    nix::unistd::setresgid(gid, gid, gid).context("setresgid(0) in the user namespace")?;
    nix::unistd::setresuid(uid, uid, uid).context("setresuid(0) in the user namespace")
}

// ANCHOR: pid_namespace
/// Run `clone` with our children born in the PID namespace `ns` (if any),
/// and come back to our own. setns(CLONE_NEWPID) moves only the caller's
/// *future children*; the way back matters too, because while the two
/// differ the kernel refuses this process a new thread (EINVAL).
pub fn in_pid_namespace<T>(ns: Option<&OwnedFd>, clone: impl FnOnce() -> Result<T>) -> Result<T> {
    let Some(ns) = ns else { return clone() };
    let own = open_fd(Path::new("/proc/self/ns/pid"), OFlag::O_RDONLY)?;
    explain!("setns({}, CLONE_NEWPID): our next child is born in it", ns.as_raw_fd());
    nix::sched::setns(ns, CloneFlags::CLONE_NEWPID).context("setns(CLONE_NEWPID)")?;
    let pid = clone();
    // Refused (EPERM) to a rootless `exec`, which joined the container's user
    // namespace and has no say over the host's PID namespace any more; it
    // then only cannot start threads (a terminal of its own).
    let _ = nix::sched::setns(&own, CloneFlags::CLONE_NEWPID);
    pid
}
// ANCHOR_END: pid_namespace

// ANCHOR: user_namespace
/// clone(2) `child` with new namespaces owned by the user namespace `user`.
///
/// Every namespace belongs to the user namespace of the process that creates
/// it, and only root *of that user namespace* may administer it (mount in a
/// mount namespace, configure a network namespace). A child that joined
/// `user` after clone(2) had made its namespaces would be a stranger in
/// them. So a helper joins `user` first and clones the container's process
/// from there, with CLONE_PARENT: the process is our child, not the
/// helper's, and the helper exits as soon as it has said which pid it got.
pub fn clone_in_user_namespace(
    user: &OwnedFd,
    flags: CloneFlags,
    child: &mut dyn FnMut() -> isize,
) -> Result<Pid> {
    let (report_read, report_write) = nix::unistd::pipe2(OFlag::O_CLOEXEC).context("pipe2")?;
    let helper = clone_child(CloneFlags::empty(), &mut || {
        let pid = nix::sched::setns(user, CloneFlags::CLONE_NEWUSER)
            .context("setns(CLONE_NEWUSER)")
            .and_then(|()| clone_child(flags | CloneFlags::CLONE_PARENT, &mut *child));
        let report = match pid {
            Ok(pid) => pid.to_string(),
            Err(e) => format!("error {e:#}"),
        };
        let _ = nix::unistd::write(&report_write, report.as_bytes());
        0
    })?;
    explain!("helper {helper}: setns(CLONE_NEWUSER), then clone({}|CLONE_PARENT)", flag_names!(flags));
    drop(report_write);
    let _ = nix::sys::wait::waitpid(helper, None);
    // One read, not to end-of-file: the container's process holds a copy of
    // the write end (until its execve).
    let mut buf = [0u8; 4096];
    let n = nix::unistd::read(report_read.as_raw_fd(), &mut buf).context("read the helper's report")?;
    let report = String::from_utf8_lossy(&buf[..n]).into_owned();
    match report.strip_prefix("error ") {
        Some(e) => bail!("in the user namespace to join: {e}"),
        None => report.parse().map(Pid::from_raw).with_context(|| format!("the helper's report {report:?}")),
    }
}
// ANCHOR_END: user_namespace

/// `linux.uidMappings` and `gidMappings` into the new user namespace.
pub fn write_id_maps(spec: &Spec, pid: Pid, security: &dyn Security) -> Result<()> {
    let linux = spec.linux().as_ref();
    let lines = |maps: Option<&Vec<LinuxIdMapping>>| -> Result<String> {
        let maps = maps.filter(|m| !m.is_empty()).context(
            "a user namespace needs linux.uidMappings and gidMappings (e.g. containerID 0, hostID 100000, size 65536)",
        )?;
        Ok(maps
            .iter()
            .map(|m| format!("{} {} {}", m.container_id(), m.host_id(), m.size()))
            .collect::<Vec<_>>()
            .join("\n"))
    };
    let uid_map = lines(linux.and_then(|l| l.uid_mappings().as_ref()))?;
    let gid_map = lines(linux.and_then(|l| l.gid_mappings().as_ref()))?;
    if !cgroups::rootless() {
        idmap::write_proc(pid, "uid_map", &uid_map)?;
        return idmap::write_proc(pid, "gid_map", &gid_map);
    }
    rootless_maps(pid, &uid_map, &gid_map, security)
}

// ANCHOR: own_id
/// Maps written by a user who is not root. The kernel lets such a user map
/// one id, their own, and only after denying setgroups(2) in the namespace
/// (chapter 1). Any other map, such as 65536 ids from /etc/subuid, is
/// chapter 7's (`security.map_ids`).
fn rootless_maps(pid: Pid, uid_map: &str, gid_map: &str, security: &dyn Security) -> Result<()> {
    let own = (format!("0 {} 1", nix::unistd::geteuid()), format!("0 {} 1", nix::unistd::getegid()));
    let single = |map: &str, own: &str| {
        map.split_whitespace().collect::<Vec<_>>() == own.split_whitespace().collect::<Vec<_>>()
    };
    if single(uid_map, &own.0) && single(gid_map, &own.1) {
        return idmap::map_root_to_caller(pid);
    }
    security.map_ids(pid, uid_map, gid_map)
}
// ANCHOR_END: own_id
