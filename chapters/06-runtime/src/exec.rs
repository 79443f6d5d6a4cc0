//! `burrow exec`: start one more process in a running container.
//!
//! There is no "container" object in the kernel to start it in: a container
//! is its process's namespaces and cgroup. So `exec` makes a child that joins
//! each of them: the cgroup by writing its pid into cgroup.procs, the
//! namespaces with setns(2) on the files under `/proc/PID/ns/`, the PID
//! namespace first (it applies only to children, so it is joined before
//! the clone), the mount namespace last (it changes what every path means).
//! What `docker exec` and `kubectl exec` end up doing is this.

use crate::child::{self, Becoming};
use crate::fd::open_fd;
use crate::namespaces::{self, in_pid_namespace};
use crate::security::Harden;
use crate::spawn::{self, Ends};
use crate::state::{State, Status};
use crate::sync::{self, send_msg, Message};
use crate::{cgroups, console};
use anyhow::{bail, Context, Result};
use ch01_unshare::container::clone_child;
use ch01_unshare::exec as execve;
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::signal::SigSet;
use oci_spec::runtime::{LinuxNamespaceType, Process, Spec};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

/// What to execute, and how.
pub struct Options<'a> {
    pub root: &'a Path,
    pub id: &'a str,
    pub process: Process,
    pub detach: bool,
    pub pid_file: Option<&'a Path>,
    /// The console socket, connected, when `process.terminal` is set and the
    /// caller gave one.
    pub console: Option<RawFd>,
    /// The container's config.json, and chapter 7's steps prepared for
    /// the process (see [`crate::security`]).
    pub spec: &'a Spec,
    pub harden: Box<dyn Harden>,
    /// `--preserve-fds N`: fds 3 to 3+N-1 stay open in the process.
    pub preserve_fds: u32,
}

/// What `exec`'s flags change in the process, on top of config.json's or
/// `--process`'s.
#[derive(clap::Args, Debug, Default)]
pub struct Overrides {
    /// Give the process a terminal.
    #[arg(short, long)]
    pub tty: bool,
    /// Set an environment variable (NAME=VALUE), on top of config.json's.
    #[arg(short, long, value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// The working directory inside the container.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// The user: UID[:GID].
    #[arg(short, long, value_name = "UID[:GID]")]
    pub user: Option<String>,
}

impl Overrides {
    fn apply(&self, process: &mut Process) -> Result<()> {
        if self.tty {
            process.set_terminal(Some(true));
        }
        let mut vars = process.env().clone().unwrap_or_default();
        vars.extend(self.env.iter().cloned());
        process.set_env(Some(vars));
        if let Some(cwd) = &self.cwd {
            process.set_cwd(cwd.clone());
        }
        if let Some(user) = &self.user {
            let (uid, gid) = user.split_once(':').unwrap_or((user, "0"));
            let parse = |v: &str| {
                v.parse::<u32>()
                    .with_context(|| format!("invalid --user {user:?}: use UID or UID:GID, numbers"))
            };
            let mut spec_user = process.user().clone();
            spec_user.set_uid(parse(uid)?);
            spec_user.set_gid(parse(gid)?);
            process.set_user(spec_user);
        }
        Ok(())
    }
}

/// The process `exec` runs: `-p process.json`, or config.json's own process
/// (env, user, cwd, rlimits) with `args` in place of its command; then the
/// flags' `overrides`.
pub fn process_from(
    spec: &Spec,
    file: Option<&Path>,
    args: &[String],
    overrides: &Overrides,
) -> Result<Process> {
    let mut process = base_process(spec, file, args)?;
    overrides.apply(&mut process)?;
    Ok(process)
}

fn base_process(spec: &Spec, file: Option<&Path>, args: &[String]) -> Result<Process> {
    if let Some(file) = file {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("read --process {}", file.display()))?;
        let mut process: Process = serde_json::from_str(&text)
            .with_context(|| format!("--process {}: not a runtime-spec process", file.display()))?;
        // Without a profile of its own, the process gets the container's (as with runc).
        if process.apparmor_profile().as_deref().is_none_or(str::is_empty) {
            process.set_apparmor_profile(spec.process().as_ref().and_then(|p| p.apparmor_profile().clone()));
        }
        return Ok(process);
    }
    if args.is_empty() {
        bail!(
            "exec: give the command to run after the id (e.g. `{} exec ID sh`), or --process FILE",
            crate::log::tool()
        );
    }
    let mut process = spec.process().clone().context("config.json has no process")?;
    process.set_args(Some(args.to_vec()));
    process.set_terminal(Some(false));
    Ok(process)
}

// ANCHOR: join
/// The container's namespaces, as files of its first process: every kind
/// config.json lists, user first (joining it first gives the rights to join
/// the rest), mount last.
fn namespace_files(state: &State, spec: &Spec) -> Result<Vec<(CloneFlags, OwnedFd)>> {
    let listed = spec.linux().as_ref().and_then(|l| l.namespaces().clone()).unwrap_or_default();
    let order = [
        (LinuxNamespaceType::User, "user"),
        (LinuxNamespaceType::Ipc, "ipc"),
        (LinuxNamespaceType::Uts, "uts"),
        (LinuxNamespaceType::Network, "net"),
        (LinuxNamespaceType::Pid, "pid"),
        (LinuxNamespaceType::Cgroup, "cgroup"),
        (LinuxNamespaceType::Time, "time"),
        (LinuxNamespaceType::Mount, "mnt"),
    ];
    let mut files = Vec::new();
    for (typ, name) in order {
        if !listed.iter().any(|n| n.typ() == typ) {
            continue;
        }
        let path = format!("/proc/{}/ns/{name}", state.pid);
        files.push((CloneFlags::from_bits_retain(typ as i32), open_fd(Path::new(&path), OFlag::O_RDONLY)?));
    }
    Ok(files)
}
// ANCHOR_END: join

// ANCHOR: exec
/// Run `opts.process` in container `opts.id`. In the foreground, wait for it
/// and return its exit code; with `detach`, return once it is executing.
pub fn exec(opts: &Options, own_console: Option<OwnedFd>, old_mask: &SigSet) -> Result<i32> {
    let state = State::load(opts.root, opts.id)?;
    if !matches!(state.status, Status::Running | Status::Created) {
        bail!("cannot exec in container {:?}: it is {}", opts.id, state.status);
    }
    if opts.process.args().as_ref().is_none_or(|a| a.is_empty()) {
        bail!("exec: process.args is empty: give the command to run");
    }
    let terminal = opts.process.terminal().unwrap_or(false);
    if terminal && opts.console.is_none() {
        bail!("a terminal (-t, or process.terminal) needs --console-socket, or exec in the foreground");
    }
    let mut namespaces = namespace_files(&state, opts.spec)?;
    // No mount namespace to join: the container's root is a chroot(2) on
    // the host's mounts (see host_mounts), entered the same way.
    let joins_mounts = namespaces.iter().any(|(flag, _)| *flag == CloneFlags::CLONE_NEWNS);
    let chroot = (!joins_mounts).then_some(state.rootfs.as_path());
    let cgroup = state.cgroup()?;
    if cgroups::rootless() {
        // Without root, the container's PID namespace may be joined only
        // from inside its user namespace: join that one here, first.
        if let Some(at) = namespaces.iter().position(|(flag, _)| *flag == CloneFlags::CLONE_NEWUSER) {
            let (_, user) = namespaces.remove(at);
            nix::sched::setns(&user, CloneFlags::CLONE_NEWUSER).context("setns(CLONE_NEWUSER)")?;
            namespaces::become_namespace_root()?;
        }
    }
    let at = namespaces.iter().position(|(flag, _)| *flag == CloneFlags::CLONE_NEWPID);
    let pid_ns = at.map(|at| namespaces.remove(at).1);
    let join: Vec<(CloneFlags, RawFd)> = namespaces.iter().map(|(f, fd)| (*f, fd.as_raw_fd())).collect();
    let clone = |child: &mut dyn FnMut() -> isize| {
        in_pid_namespace(pid_ns.as_ref(), || clone_child(CloneFlags::empty(), child)).map(|pid| (pid, ()))
    };
    let (child, ()) = spawn::spawn(clone, |ends| in_container(opts, &join, chroot, ends, old_mask))?;
    let pid = child.pid;
    child.step(|sock| {
        if let Some(cgroup) = &cgroup {
            cgroup.add(pid)?;
        }
        send_msg(sock.as_raw_fd(), &Message::Go(String::new()))?;
        // The socket is close-on-exec: end-of-file means execve succeeded.
        match sync::recv_msg(sock)? {
            None => Ok(()),
            Some(Message::Failed(code, message)) => Err(execve::ExitError { code, message }.into()),
            Some(other) => bail!("unexpected {other:?} from the exec'd process"),
        }
    })?;
    if let Some(path) = opts.pid_file {
        spawn::write_pid_file(path, pid.as_raw())?;
    }
    if opts.detach {
        return Ok(0);
    }
    console::wait(console::relay(own_console)?, pid)
}
// ANCHOR_END: exec

/// The child: join, become the process config.json describes, execute.
fn in_container(
    opts: &Options,
    join: &[(CloneFlags, RawFd)],
    chroot: Option<&Path>,
    ends: Ends,
    old_mask: &SigSet,
) -> isize {
    let prepared = (|| {
        let userns = join.iter().any(|(flag, _)| *flag == CloneFlags::CLONE_NEWUSER);
        child::first_steps(ends, join, userns, opts.harden.as_ref())?;
        if let Some(root) = chroot {
            ch02_chroot::chroot::chroot_into(root)?;
        }
        let becoming = Becoming {
            process: &opts.process,
            console: opts.console,
            old_mask,
            preserve_fds: opts.preserve_fds,
            harden: opts.harden.as_ref(),
        };
        child::become_process(&becoming, || Ok(()))
    })();
    let error = match prepared {
        Ok(argv) => anyhow::Error::from(execve::execvp(&argv)),
        Err(e) => e,
    };
    child::fail(ends.sock, &error)
}
