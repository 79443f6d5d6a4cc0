//! `burrow create`: build the whole container from a bundle, and leave its
//! process blocked just before execve(2), waiting for `burrow start`.
//!
//! Why two steps? The caller (containerd's shim, podman's conmon) needs the
//! container's pid, and a cgroup and network namespace that exist, *before*
//! the command runs: to wire the network in (podman's hooks), to watch the
//! process, to attach its terminal. `create` hands all of that over and exits;
//! the container process is then re-parented to the caller when the caller is
//! a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)), as shims and conmon are.

use crate::bundle::Bundle;
use crate::child::Becoming;
use crate::fd::open_fd;
use crate::hooks::{self, Stage};
use crate::init::{self, Plan};
use crate::namespaces::{clone_in_user_namespace, in_pid_namespace, write_id_maps, MountNs, Namespaces};
use crate::security::Security;
use crate::spawn::{self, write_pid_file, Child};
use crate::state::{self, State, Status, OCI_VERSION};
use crate::sync::{expect, send_msg, Message};
use crate::{cgroups, process};
use anyhow::{bail, Context, Result};
use ch01_unshare::container::clone_child;
use ch01_unshare::{explain, flag_names, idmap, timens};
use ch03_cgroups::clone3::clone_into;
use ch03_cgroups::{Cgroup, Layout};
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::signal::SigSet;
use nix::sys::stat::Mode;
use nix::unistd::Pid;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::path::Path;

/// What `create` (and `run`) are told on the command line.
pub struct Options<'a> {
    /// Chapter 7's part (see [`crate::security`]).
    pub security: &'a dyn Security,
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
    let process = process::of(spec)?;
    let harden = opts.security.prepare(spec, process)?;
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
                "container {:?} already exists ({}); pick another id, or `{} delete` it",
                opts.id,
                dir.display(),
                crate::log::tool()
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
        state.save_config(opts.root, spec)?;
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
        let becoming = Becoming {
            process,
            console: opts.console,
            old_mask,
            preserve_fds: opts.preserve_fds,
            harden: harden.as_ref(),
        };
        let child = spawn(opts, &dir, &namespaces, placed, &mut state, becoming)?;
        // While the container's process drops its privileges (see Prepared).
        let finished = child.step(|sock| {
            state.status = Status::Created;
            state.save(opts.root)?;
            if let Some(path) = opts.pid_file {
                write_pid_file(path, state.pid)?;
            }
            expect(sock, Message::Ready).map(drop)
        });
        if let Err(e) = finished {
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
/// `Prepared`; `Ready` follows on the child's setup socket.
fn spawn(
    opts: &Options,
    dir: &Path,
    ns: &Namespaces,
    Placed { cgroup, layout }: Placed,
    state: &mut State,
    becoming: Becoming,
) -> Result<Child> {
    let Bundle { dir: bundle, spec, rootfs } = opts.bundle;
    let fifo = dir.join("exec.fifo");
    explain!("mkfifo({fifo:?}, 0622)");
    nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o622))
        .with_context(|| format!("mkfifo {}", fifo.display()))?;
    // Writable by anyone (mkfifo applied the umask): the container's process
    // may be a user namespace's root, an unprivileged uid on the host.
    std::fs::set_permissions(&fifo, std::os::unix::fs::PermissionsExt::from_mode(0o622))
        .with_context(|| format!("chmod 0622 {}", fifo.display()))?;
    let fifo_fd = open_fd(&fifo, OFlag::O_PATH)?;
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
        becoming,
    };
    if ns.mount == MountNs::Host {
        // Saved with the pid, before the child mounts anything (see host_mounts).
        state.host_mounts = Some(crate::host_mounts::Record::before(rootfs)?);
    }
    let clone = |child: &mut dyn FnMut() -> isize| {
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
        match &ns.time {
            Some(offsets) => timens::in_new_time_namespace(offsets, clone),
            None => clone(),
        }
    };
    let (child, born) = spawn::spawn(clone, |ends| init::init(&plan, ends))?;
    let pid = child.pid;
    explain!("clone({}) -> pid {pid}", flag_names!(ns.clone));
    state.pid = pid.as_raw();
    let setup = child.step(|sock| {
        state.start_time = state::proc_stat(pid.as_raw())
            .map(|(_, start)| start)
            .context("the container process vanished")?;
        state.save(opts.root)?;
        if ns.clone.contains(CloneFlags::CLONE_NEWUSER) {
            write_id_maps(spec, pid, opts.security)?;
        }
        if let Some(score) = plan.becoming.process.oom_score_adj() {
            idmap::write_proc(pid, "oom_score_adj", &score.to_string())?;
        }
        send_msg(sock.as_raw_fd(), &Message::Go(String::new()))?;
        // While the child mounts: the move into a new cgroup is slow (see rootfs::mount_cgroups).
        if let (Some(cgroup), false) = (cgroup, born) {
            cgroup.add(pid)?;
        }
        expect(sock, Message::Mounted)?;
        // The environment exists (the lifecycle's step 2 is done): the hooks
        // of steps 3 to 5 see the container `created`, as the spec defines it.
        let json = State { status: Status::Created, ..state.clone() }.spec_json().to_string();
        hooks::run(spec, Stage::Prestart, &json, None)?;
        hooks::run(spec, Stage::CreateRuntime, &json, None)?;
        send_msg(sock.as_raw_fd(), &Message::Go(json))?;
        expect(sock, Message::Prepared)?;
        match &mut state.host_mounts {
            Some(record) => record.note_made(rootfs),
            None => Ok(()),
        }
    });
    if setup.is_err() {
        detach_host_mounts(state);
    }
    setup.map(|()| child)
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

/// The container's cgroup, and the hierarchies it is in.
struct Placed<'a> {
    /// None without root (see [`cgroups::rootless`]).
    cgroup: Option<&'a Cgroup>,
    layout: &'a Layout,
}
