//! `burrow create`: build the whole container from a bundle, and leave its
//! process blocked just before execve(2), waiting for `burrow start`.
//!
//! Why two steps? The caller (containerd's shim, podman's conmon) needs the
//! container's pid, and a cgroup and network namespace that exist, *before*
//! the command runs: to wire the network in (podman's hooks), to watch the
//! process, to attach its terminal. `create` hands all of that over and exits;
//! the container process is then re-parented to the caller when the caller is
//! a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)), as shims and conmon are.

use crate::hooks::{self, Stage};
use crate::init::{self, Plan};
use crate::state::{self, State, Status, OCI_VERSION};
use crate::sync::{self, expect, send_msg, Message};
use crate::{cgroups, process};
use anyhow::{bail, Context, Result};
use ch01_unshare::container::{clone_child, kill_and_reap};
use ch01_unshare::{explain, flag_names, idmap, timens};
use ch03_cgroups::clone3::clone_into;
use ch03_cgroups::{Cgroup, Layout};
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::signal::SigSet;
use nix::sys::stat::Mode;
use nix::unistd::Pid;
use oci_spec::runtime::{LinuxIdMapping, LinuxNamespaceType, Spec};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

/// What `create` (and `run`) are told on the command line.
pub struct Options<'a> {
    pub root: &'a Path,
    pub id: &'a str,
    pub bundle: &'a Bundle,
    pub pid_file: Option<&'a Path>,
    pub no_pivot: bool,
    /// With process.terminal: the unix socket the pty's master is sent on
    /// (connected to `--console-socket`, or `run`'s own socketpair).
    pub console: Option<RawFd>,
    /// `--preserve-fds N`: fds 3 to 3+N-1 stay open in the container's process.
    pub preserve_fds: u32,
}

/// A bundle, read and checked: its directory, its config.json, its rootfs.
pub struct Bundle {
    pub dir: PathBuf,
    pub spec: Spec,
    pub rootfs: PathBuf,
}

/// Read and check `bundle/config.json`.
pub fn load_spec(bundle: &Path) -> Result<Bundle> {
    let bundle =
        bundle.canonicalize().with_context(|| format!("--bundle {}: no such directory", bundle.display()))?;
    let config = bundle.join("config.json");
    if !config.exists() {
        bail!("{}: no config.json in the bundle; write one with `burrow spec`", config.display());
    }
    let text = std::fs::read(&config).with_context(|| format!("read {}", config.display()))?;
    // From a slice, not a reader: serde_json parses a buffer several times faster.
    let spec: Spec =
        serde_json::from_slice(&text).map_err(|e| anyhow::anyhow!("{}: {e}", config.display()))?;
    process::of(&spec)?;
    check_version(spec.version())?;
    let root = spec.root().as_ref().context("config.json has no \"root\": say where the rootfs is")?;
    let rootfs = bundle.join(root.path());
    let rootfs = rootfs.canonicalize().ok().filter(|r| r.is_dir()).with_context(|| {
        format!(
            "root.path {}: no such directory (make one: scripts/rootfs.sh, or umoci unpack)",
            rootfs.display()
        )
    })?;
    if rootfs == Path::new("/") {
        bail!("root.path {}: the host's own root is not a container's rootfs", root.path().display());
    }
    Ok(Bundle { dir: bundle, spec, rootfs })
}

/// config.json's `ociVersion`: a 1.x version of the runtime spec, the one
/// burrow implements (later minor versions only add fields).
fn check_version(version: &str) -> Result<()> {
    let mut parts = version.split(['.', '-', '+']);
    let is_1x = parts.next() == Some("1") && parts.next().is_some_and(|minor| minor.parse::<u32>().is_ok());
    if !is_1x {
        bail!("config.json: ociVersion {version:?} is not a version of the runtime spec burrow implements (1.x, e.g. \"{OCI_VERSION}\")");
    }
    Ok(())
}

// ANCHOR: create
/// Create the container `opts.id`: on success its process waits on the exec
/// fifo and `state.json` says `created`; on failure nothing is left.
pub fn create(opts: &Options, old_mask: &SigSet) -> Result<State> {
    state::check_id(opts.id)?;
    let Bundle { dir: bundle, spec, rootfs } = opts.bundle;
    let terminal = spec.process().as_ref().and_then(|p| p.terminal()).unwrap_or(false);
    match (terminal, opts.console.is_some()) {
        (true, false) => bail!("process.terminal is true: give --console-socket SOCKET (the pty's master is sent there), or set \"terminal\": false in config.json"),
        (false, true) => bail!("--console-socket given, but process.terminal is false: set \"terminal\": true in config.json, or drop the flag"),
        _ => {}
    }
    let namespaces = Namespaces::of(spec)?;
    crate::apparmor::check(spec.process().as_ref())?;
    let (cgroup_parent, cgroup_name) = cgroups::path(spec, opts.id)?;
    let resources = cgroups::resources(spec)?;
    let rootless = cgroups::rootless();
    if rootless {
        cgroups::check_rootless(&resources)?;
    }
    std::fs::create_dir_all(opts.root).with_context(|| format!("mkdir --root {}", opts.root.display()))?;
    let dir = state::dir(opts.root, opts.id)?;
    match std::fs::create_dir(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "container {:?} already exists ({}); pick another id, or `burrow delete` it",
                opts.id,
                dir.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("mkdir {}", dir.display())),
    }
    let built = (|| {
        let layout = cgroups::layout()?;
        let mut state = State {
            oci_version: OCI_VERSION.into(),
            id: opts.id.into(),
            status: Status::Creating,
            pid: 0,
            bundle: bundle.clone(),
            annotations: spec.annotations().clone().unwrap_or_default(),
            rootfs: rootfs.clone(),
            created: crate::log::rfc3339(std::time::SystemTime::now()),
            owner: nix::unistd::geteuid().to_string(),
            start_time: 0,
            cgroup_parent: if rootless { String::new() } else { cgroup_parent.clone() },
            cgroup_name: if rootless { String::new() } else { cgroup_name.clone() },
            cgroup_made: Vec::new(),
            host_mounts: None,
        };
        // On disk at every step from here, `creating`: a create killed
        // half-way (SIGKILL runs no cleanup) leaves what `delete --force`
        // needs to find its cgroup and its process.
        state.save(opts.root)?;
        let cgroup = match rootless {
            true => None,
            false => Some(Cgroup::create(layout, &cgroup_parent, &cgroup_name, &resources)?),
        };
        if let Some(cgroup) = &cgroup {
            state.cgroup_made = cgroup.made_below_parent();
            state.save(opts.root)?;
            cgroup.apply(&resources)?;
        }
        let placed = Placed { cgroup: cgroup.as_ref(), layout };
        let sock = spawn(spec, bundle, rootfs, &dir, &namespaces, placed, &mut state, opts, old_mask)?;
        // While the container's process drops its privileges (see Prepared).
        let finished = (|| {
            state.status = Status::Created;
            state.save(opts.root)?;
            if let Some(path) = opts.pid_file {
                write_pid_file(path, state.pid)?;
            }
            expect(&sock, Message::Ready).map(drop)
        })();
        if let Err(e) = finished {
            kill_and_reap(Pid::from_raw(state.pid));
            detach_host_mounts(&state);
            return Err(e);
        }
        if let Some(cgroup) = cgroup {
            cgroup.leak();
        }
        Ok(state)
    })();
    if built.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    built
}
// ANCHOR_END: create

// ANCHOR: spawn
/// clone(2) the container's process and take it through its setup, up to
/// `Prepared`; returns the setup socket, on which `Ready` follows.
#[allow(clippy::too_many_arguments)]
fn spawn(
    spec: &Spec,
    bundle: &Path,
    rootfs: &Path,
    dir: &Path,
    ns: &Namespaces,
    Placed { cgroup, layout }: Placed,
    state: &mut State,
    opts: &Options,
    old_mask: &SigSet,
) -> Result<OwnedFd> {
    let seccomp = crate::seccomp::of(spec)?;
    let fifo = dir.join("exec.fifo");
    explain!("mkfifo({fifo:?}, 0622)");
    nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o622))
        .with_context(|| format!("mkfifo {}", fifo.display()))?;
    // Writable by anyone (mkfifo applied the umask): the container's process
    // may be a user namespace's root, an unprivileged uid on the host.
    std::fs::set_permissions(&fifo, std::os::unix::fs::PermissionsExt::from_mode(0o622))
        .with_context(|| format!("chmod 0622 {}", fifo.display()))?;
    let fifo_fd = open_fd(&fifo, OFlag::O_PATH)?;
    let (ours, theirs) = sync::pair()?;
    let plan = Plan {
        spec,
        bundle,
        rootfs,
        join: ns.join.iter().map(|(flag, fd)| (*flag, fd.as_raw_fd())).collect(),
        cgroup_ns: ns.cgroup,
        uts: ns.own(CloneFlags::CLONE_NEWUTS),
        mount_ns: ns.mount,
        userns: ns.clone.contains(CloneFlags::CLONE_NEWUSER) || ns.join_user.is_some(),
        cgroups: layout,
        fifo: fifo_fd.as_raw_fd(),
        no_pivot: opts.no_pivot,
        console: opts.console,
        old_mask: *old_mask,
        seccomp: seccomp.as_ref(),
        preserve_fds: opts.preserve_fds,
    };
    let (sock, parent_end) = (theirs.as_raw_fd(), ours.as_raw_fd());
    if ns.mount == MountNs::Host {
        // Saved with the pid, before the child mounts anything (see host_mounts).
        state.host_mounts = Some(crate::host_mounts::Record::before(rootfs)?);
    }
    let child = &mut || init::init(&plan, sock, parent_end);
    let mut clone = || -> Result<(Pid, bool)> {
        // On cgroup v2 the child is born in its cgroup: no move, no wait (see clone3).
        let born = match (cgroup.and_then(|c| c.v2_dir()), &ns.join_user) {
            (Some(dir), None) => born_in(dir, ns, child)?,
            _ => None,
        };
        let pid = match (born, &ns.join_user) {
            (Some(pid), _) => pid,
            (None, Some(user)) => clone_in_user_namespace(user, ns.clone, child)?,
            (None, None) => in_pid_namespace(ns.join_pid.as_ref(), || clone_child(ns.clone, child))?,
        };
        Ok((pid, born.is_some()))
    };
    let (pid, born) = match &ns.time {
        Some(offsets) => timens::in_new_time_namespace(offsets, clone)?,
        None => clone()?,
    };
    explain!("clone({}) -> pid {pid}", flag_names!(ns.clone));
    drop(theirs);
    state.pid = pid.as_raw();
    let setup = (|| {
        state.start_time = state::proc_stat(pid.as_raw())
            .map(|(_, start)| start)
            .context("the container process vanished")?;
        state.save(opts.root)?;
        if ns.clone.contains(CloneFlags::CLONE_NEWUSER) {
            write_id_maps(spec, pid)?;
        }
        if let Some(score) = spec.process().as_ref().and_then(|p| p.oom_score_adj()) {
            idmap::write_proc(pid, "oom_score_adj", &score.to_string())?;
        }
        send_msg(ours.as_raw_fd(), &Message::Go(String::new()))?;
        // While the child mounts: the move into a new cgroup is slow (see rootfs::mount_cgroups).
        if let (Some(cgroup), false) = (cgroup, born) {
            cgroup.add(pid)?;
        }
        expect(&ours, Message::Mounted)?;
        // The environment exists (the lifecycle's step 2 is done): the hooks
        // of steps 3 to 5 see the container `created`, as the spec defines it.
        let json = State { status: Status::Created, ..state.clone() }.spec_json().to_string();
        hooks::run(spec, Stage::Prestart, &json, None)?;
        hooks::run(spec, Stage::CreateRuntime, &json, None)?;
        send_msg(ours.as_raw_fd(), &Message::Go(json))?;
        expect(&ours, Message::Prepared)?;
        match &mut state.host_mounts {
            Some(record) => record.note_made(rootfs),
            None => Ok(()),
        }
    })();
    match setup {
        Ok(()) => Ok(ours),
        Err(e) => {
            kill_and_reap(pid);
            detach_host_mounts(state);
            Err(e)
        }
    }
}
// ANCHOR_END: spawn

/// Without a mount namespace of its own, detach the host's mounts the
/// container made under its rootfs (see host_mounts).
pub fn detach_host_mounts(state: &State) {
    if let Some(record) = &state.host_mounts {
        record.detach(&state.rootfs);
    }
}

/// clone3 `child` into the cgroup v2 directory `dir`; None where this kernel
/// (or a seccomp filter around burrow) cannot, and the child must be moved.
fn born_in(dir: &Path, ns: &Namespaces, child: &mut dyn FnMut() -> isize) -> Result<Option<Pid>> {
    let cgroup = open_fd(dir, OFlag::O_PATH | OFlag::O_DIRECTORY)?;
    let fd = cgroup.as_raw_fd();
    let child = &mut || {
        // A host directory must not stay open in the container: a cwd of
        // /proc/self/fd/N would lead there (runc's CVE-2024-21626).
        let _ = nix::unistd::close(fd);
        child()
    };
    in_pid_namespace(ns.join_pid.as_ref(), || clone_into(cgroup.as_fd(), ns.clone, child))
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

/// The container's cgroup, and the hierarchies it is in.
struct Placed<'a> {
    /// None without root (see [`cgroups::rootless`]).
    cgroup: Option<&'a Cgroup>,
    layout: &'a Layout,
}

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
                    let fd = open_fd(path, OFlag::O_RDONLY)
                        .with_context(|| format!("the {typ} namespace to join"))?;
                    match typ {
                        LinuxNamespaceType::Pid => ns.join_pid = Some(fd),
                        LinuxNamespaceType::User => ns.join_user = Some(fd),
                        _ => ns.join.push((flag, fd)),
                    }
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

/// open(2) with O_CLOEXEC, as an owned fd.
pub(crate) fn open_fd(path: &Path, flags: OFlag) -> Result<OwnedFd> {
    let fd = nix::fcntl::open(path, flags | OFlag::O_CLOEXEC, Mode::empty())
        .with_context(|| format!("open {}", path.display()))?;
    // SAFETY: `open` just returned this fd, and nothing else owns it.
    Ok(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
}

/// `linux.uidMappings` and `gidMappings` into the new user namespace.
fn write_id_maps(spec: &Spec, pid: Pid) -> Result<()> {
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
    rootless_maps(pid, &uid_map, &gid_map)
}

// ANCHOR: rootless_maps
/// Maps written by a user who is not root. The kernel lets such a user map
/// one id, their own, and only after denying setgroups(2) in the namespace
/// (chapter 1). Any other map, such as 65536 ids from /etc/subuid, takes
/// newuidmap and newgidmap: small setuid-root helpers (package uidmap) that
/// check /etc/subuid and /etc/subgid and write the maps on the user's behalf.
fn rootless_maps(pid: Pid, uid_map: &str, gid_map: &str) -> Result<()> {
    let own = (format!("0 {} 1", nix::unistd::geteuid()), format!("0 {} 1", nix::unistd::getegid()));
    let single = |map: &str, own: &str| {
        map.split_whitespace().collect::<Vec<_>>() == own.split_whitespace().collect::<Vec<_>>()
    };
    if single(uid_map, &own.0) && single(gid_map, &own.1) {
        return idmap::map_root_to_caller(pid);
    }
    for (helper, map) in [("newuidmap", uid_map), ("newgidmap", gid_map)] {
        let args: Vec<&str> = map.split_whitespace().collect();
        explain!("{helper} {pid} {}", args.join(" "));
        let status = std::process::Command::new(helper).arg(pid.to_string()).args(&args).status().with_context(|| {
            format!("run {helper}: maps other than your own id need it (apt install uidmap), or map only 0 to your id")
        })?;
        if !status.success() {
            bail!(
                "{helper} {pid} {}: {status} (are the ids yours in /etc/subuid and /etc/subgid?)",
                args.join(" ")
            );
        }
    }
    Ok(())
}
// ANCHOR_END: rootless_maps

/// `--pid-file`: the container's pid, written atomically (the caller may be
/// polling for it).
pub fn write_pid_file(path: &Path, pid: i32) -> Result<()> {
    let tmp = path.with_extension("tmp-burrow");
    std::fs::write(&tmp, pid.to_string()).with_context(|| format!("write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("write --pid-file {}", path.display()))
}
