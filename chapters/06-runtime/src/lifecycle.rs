//! The rest of the lifecycle, each a short-lived process that finds the
//! container by its state directory: `start`, `kill`, `delete`, `pause`,
//! `resume`, and the readers `state`, `list`, `ps`.

use crate::cgroups;
use crate::fd::open_fd;
use crate::hooks::{self, Stage};
use crate::state::{self, State, Status};
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use oci_spec::runtime::Spec;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::time::{Duration, Instant};

// ANCHOR: start
/// `start`: open the exec fifo for reading. The container process, blocked
/// opening it for writing, wakes up, writes one byte, runs the
/// startContainer hooks and goes on to execve(2), which closes its end (it
/// is close-on-exec): end-of-file here means the command is running, and
/// only then may the poststart hooks run; a second byte means it failed
/// first. The fifo is removed: from now on the container is `running`.
pub fn start(root: &Path, id: &str) -> Result<()> {
    let state = State::load(root, id)?;
    start_loaded(root, &state, &state.config(root)?)
}

/// `start` of a container whose state and config.json the caller has
/// already read.
pub fn start_loaded(root: &Path, state: &State, spec: &Spec) -> Result<()> {
    let id = &state.id;
    if state.status != Status::Created {
        bail!(
            "cannot start container {id:?}: it is {}, and only a created container can be started",
            state.status
        );
    }
    // EXERCISE 6.2: open the exec fifo to read, take the process's byte, read on to end-of-file (its execve), remove the fifo, run poststart
    // HINT: open_fd(&fifo, OFlag::O_RDONLY | OFlag::O_NONBLOCK): a blocking open would hang for ever on a process that died; then poll(2) and read(2) one byte at a time
    // HINT: a first byte: the process goes on; then end-of-file (read gives 0): execve closed its close-on-exec end; a second byte: it failed first (bail)
    // HINT: give up when state.current_status(root) is Stopped or after 10 s; then std::fs::remove_file(&fifo) (no fifo: running) and after_hooks(state, Ok(spec), Stage::Poststart, Status::Running)
    let fifo = state::dir(root, id)?.join("exec.fifo");
    explain!("open({fifo:?}, O_RDONLY): the container process's open for writing returns");
    // O_NONBLOCK: if the process died meanwhile, nobody would ever write.
    let mut reader = std::fs::File::from(open_fd(&fifo, OFlag::O_RDONLY | OFlag::O_NONBLOCK)?);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut signalled = false;
    loop {
        let mut fds = [PollFd::new(reader.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(100u16)).context("poll the exec fifo")?;
        let mut byte = [0u8; 1];
        match reader.read(&mut byte) {
            Ok(1) if !signalled => signalled = true,
            Ok(1) => bail!(
                "container {id:?}: its process failed before executing the command (its stderr says why)"
            ),
            // Before the byte: no writer yet. After it: the writer's execve.
            Ok(_) if signalled => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e).context("read the exec fifo"),
        }
        if !signalled && (state.current_status(root) == Status::Stopped || Instant::now() > deadline) {
            bail!("container {id:?}: its process did not take the start signal (it exited, or hangs)");
        }
    }
    std::fs::remove_file(&fifo).with_context(|| format!("remove {}", fifo.display()))?;
    after_hooks(state, Ok(spec), Stage::Poststart, Status::Running);
    Ok(())
    // END EXERCISE
}

/// Run the poststart or poststop hooks, with the state as it now is; a
/// failure is only a warning, as is a config.json that could not be read.
fn after_hooks(state: &State, spec: Result<&Spec, &anyhow::Error>, stage: Stage, status: Status) {
    match spec {
        Ok(spec) => {
            let now = State { status, ..state.clone() };
            hooks::run_warning(spec, stage, &now.spec_json().to_string());
        }
        Err(e) => ch01_unshare::report(
            crate::log::tool(),
            "warning",
            &format!("the {stage:?} hooks did not run: {e:#}"),
        ),
    }
}
// ANCHOR_END: start

/// `kill ID [SIGNAL]`: send a signal to the container's process, or with
/// `all` to every process in its cgroup.
pub fn kill_container(root: &Path, id: &str, signal: &str, all: bool) -> Result<()> {
    // EXERCISE 6.4: send the signal to the container's process, or with `all` to every process in its cgroup
    // HINT: parse_signal(signal) turns TERM, SIGTERM or 15 into a Signal; State::load(root, id) finds the container, and a Stopped one is an error (nothing to signal)
    // HINT: the pids: state.pid alone, or with `all` state.cgroup()'s procs() (a rootless container has no cgroup: its pid alone)
    // HINT: nix::sys::signal::kill(Pid::from_raw(pid), signal) for each; ESRCH (it exited meanwhile) is no error
    let signal = parse_signal(signal)?;
    let state = State::load(root, id)?;
    if state.status == Status::Stopped {
        bail!("cannot kill container {id:?}: it is stopped (nothing to signal)");
    }
    let pids = match all {
        true => state.cgroup()?.map_or_else(|| vec![Pid::from_raw(state.pid)], |c| c.procs()),
        false => vec![Pid::from_raw(state.pid)],
    };
    for pid in pids {
        explain!("kill({pid}, {signal})");
        match kill(pid, signal) {
            Ok(()) | Err(nix::errno::Errno::ESRCH) => {}
            Err(e) => return Err(e).with_context(|| format!("kill({pid}, {signal})")),
        }
    }
    Ok(())
    // END EXERCISE
}

/// `TERM`, `SIGTERM`, `15` and `sigterm` all name SIGTERM, as in runc.
pub fn parse_signal(text: &str) -> Result<Signal> {
    let upper = text.to_ascii_uppercase();
    let parsed = match upper.parse::<i32>() {
        Ok(number) => Signal::try_from(number).ok(),
        Err(_) => {
            let name = if upper.starts_with("SIG") { upper } else { format!("SIG{upper}") };
            name.parse().ok()
        }
    };
    parsed.with_context(|| format!("invalid signal {text:?}: use a name or a number, e.g. TERM, KILL, 9"))
}

// ANCHOR: delete
/// `delete`: remove a stopped (or still created) container: its processes,
/// cgroup and state. A running one only with `force`, which SIGKILLs it first.
/// Its mounts need no unmounting: they live in its mount namespace, which the
/// kernel tears down when the last process in it is gone.
pub fn delete(root: &Path, id: &str, force: bool) -> Result<()> {
    let dir = state::dir(root, id)?;
    let state = match State::load(root, id) {
        Ok(state) => state,
        Err(e) if force && dir.is_dir() => {
            explain!("delete --force {id}: {e:#}; finding what is left by the id");
            return destroy_unknown(&dir, id);
        }
        Err(e) => return Err(e),
    };
    match state.status {
        Status::Stopped | Status::Created => {}
        status if force => explain!("delete --force: the container is {status}: SIGKILL"),
        status => bail!("cannot delete container {id:?}: it is {status}; stop it first (`{} kill {id} KILL`) or use --force", crate::log::tool()),
    }
    destroy(root, &state, state.config(root).as_ref())
}

/// Kill whatever is left, remove the cgroup, the mounts made on the host and
/// the state directory, and run the poststop hooks. A step that fails does
/// not stop the others; the state directory is kept then, so that another
/// `delete` can finish the work.
pub fn destroy(root: &Path, state: &State, spec: Result<&Spec, &anyhow::Error>) -> Result<()> {
    // EXERCISE 6.7: SIGKILL the process if it still runs, remove its cgroup, wait until it is gone, remove the state directory, run poststop
    // HINT: a paused container's cgroup must be thawed first (cgroup.freeze(false)): a frozen process does not die of SIGKILL
    // HINT: state.current_status(root) != Stopped: kill(Pid::from_raw(state.pid), SIGKILL); state.cgroup() then Cgroup::remove; wait_gone(state, root); crate::create::detach_host_mounts(state)
    // HINT: do every step even when one fails, and remove ROOT/ID (std::fs::remove_dir_all) only when all went well, last; then after_hooks(state, spec, Stage::Poststop, Status::Stopped)
    let cgroup = state.cgroup();
    if let (Ok(Some(cgroup)), Status::Paused) = (&cgroup, state.status) {
        let _ = cgroup.freeze(false);
    }
    if state.current_status(root) != Status::Stopped {
        let _ = kill(Pid::from_raw(state.pid), Signal::SIGKILL);
    }
    let removed = cgroup.and_then(|cgroup| cgroup.map_or(Ok(()), |mut cgroup| cgroup.remove()));
    let gone = wait_gone(state, root);
    crate::create::detach_host_mounts(state);
    removed.and(gone)?;
    let dir = state::dir(root, &state.id)?;
    std::fs::remove_dir_all(&dir).with_context(|| format!("remove {}", dir.display()))?;
    after_hooks(state, spec, Stage::Poststop, Status::Stopped);
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: delete

/// `delete --force` of a container whose state.json is missing or cannot be
/// read (a create killed before it wrote one, a file someone broke): what
/// is left is found by the id alone. A process still waiting for `start`
/// holds `ROOT/ID/exec.fifo` open; the cgroup, unless config.json named
/// another, is `burrow/ID` (and removing it kills whatever is in it).
/// `dir` is its state directory.
fn destroy_unknown(dir: &Path, id: &str) -> Result<()> {
    let fifo = dir.join("exec.fifo");
    for pid in holders_of(&fifo) {
        explain!("delete --force {id}: process {pid} holds {}: SIGKILL", fifo.display());
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    if !cgroups::rootless() {
        let mut cgroup =
            ch03_cgroups::Cgroup::open(cgroups::layout()?, ch03_cgroups::PARENT, id, Vec::new())?;
        cgroup.remove()?;
    }
    std::fs::remove_dir_all(dir).with_context(|| format!("remove {}", dir.display()))
}

/// The processes with a file descriptor open on `path` (read from
/// /proc/PID/fd, as fuser(1) does).
fn holders_of(path: &Path) -> Vec<i32> {
    let Ok(procs) = std::fs::read_dir("/proc") else { return Vec::new() };
    let pids = procs.flatten().filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok());
    pids.filter(|pid| {
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).into_iter().flatten().flatten();
        fds.into_iter().any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == path))
    })
    .collect()
}

/// Wait until the container's process has exited (its parent, not us, reaps it).
fn wait_gone(state: &State, root: &Path) -> Result<()> {
    for _ in 0..500 {
        if state.current_status(root) == Status::Stopped {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    bail!("container {:?}: process {} is still alive after SIGKILL", state.id, state.pid)
}

/// `pause`/`resume`: freeze or thaw every process in the container's cgroup.
pub fn freeze(root: &Path, id: &str, frozen: bool) -> Result<()> {
    let state = State::load(root, id)?;
    let wanted = if frozen { Status::Running } else { Status::Paused };
    if state.status != wanted {
        let verb = if frozen { "pause" } else { "resume" };
        bail!("cannot {verb} container {id:?}: it is {}, not {wanted}", state.status);
    }
    match state.cgroup()? {
        Some(cgroup) => cgroup.freeze(frozen),
        None => bail!("container {id:?} has no cgroup (it was created without root): nothing can freeze it"),
    }
}

/// Every container under `root`, sorted by id.
pub fn list(root: &Path) -> Result<Vec<State>> {
    let Ok(entries) = std::fs::read_dir(root) else { return Ok(Vec::new()) };
    let mut all: Vec<State> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| State::load(root, &e.file_name().to_string_lossy()).ok())
        .collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(all)
}

/// The processes of the container (its cgroup's), with their command lines.
pub fn ps(root: &Path, id: &str) -> Result<Vec<(i32, String)>> {
    let state = State::load(root, id)?;
    let pids = state.cgroup()?.map_or_else(|| vec![Pid::from_raw(state.pid)], |c| c.procs());
    let mut procs: Vec<(i32, String)> = pids
        .into_iter()
        .map(|pid| {
            let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let words: Vec<String> = raw
                .split(|&b| b == 0)
                .filter(|w| !w.is_empty())
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            (pid.as_raw(), words.join(" "))
        })
        .collect();
    procs.sort();
    Ok(procs)
}

/// `run` without `-d` ends here: the same `start`, then wait for the process
/// (this process is its parent), forwarding signals, and delete it.
pub fn run_foreground(root: &Path, state: &State, spec: &Spec, console: Option<OwnedFd>) -> Result<i32> {
    // The master was sent before create returned: it waits in the socket.
    // Relay it before `start`: the container can write before its execve
    // (startContainer hooks), and would stop there once the pty is full.
    let relay = crate::console::relay(console)?;
    if let Err(e) = start_loaded(root, state, spec) {
        // Kill and remove it: then the relay sees the pty close, and ends.
        if destroy(root, state, Ok(spec)).is_ok() {
            crate::console::finish(relay);
        }
        return Err(e);
    }
    let code = crate::console::wait(relay, Pid::from_raw(state.pid))?;
    destroy(root, state, Ok(spec))?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_by_name_or_number() {
        for text in ["TERM", "SIGTERM", "sigterm", "15"] {
            assert_eq!(parse_signal(text).expect(text), Signal::SIGTERM);
        }
        assert!(parse_signal("NOPE").is_err());
        assert!(parse_signal("99").is_err());
    }
}
