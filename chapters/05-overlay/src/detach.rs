//! Detached containers: `run -d`, `logs`, `stop`.
//!
//! `run -d` starts this same program again, without `-d`, in a session of its
//! own (setsid: no terminal, so no Ctrl-C or hangup reaches it), with its
//! output going to the container's `log` file. That second process is the
//! container's supervisor, as a foreground `run` is: it waits for the
//! container and cleans up after it. The first one returns as soon as the
//! container is running (its `pid` file exists), or with the supervisor's
//! error if it could not start.

use crate::container::{alive, Containers};
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The hidden flag that makes the second process the supervisor.
pub const SUPERVISE_FLAG: &str = "--supervise";

// ANCHOR: detach
/// In the first process: start the supervisor (this program, with `args`
/// minus `-d`), and wait until container `name` runs.
pub fn start(containers: &Containers, name: &str, args: Vec<String>) -> Result<i32> {
    let exe = std::env::current_exe().context("find this program")?;
    // Until it has a log, its errors go where ours do.
    let mut supervisor = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .spawn()
        .context("start the container's supervisor")?;
    explain!("supervisor: pid {}, output to the container's log", supervisor.id());
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = supervisor.try_wait()? {
            return Ok(status.code().unwrap_or(125)); // it said why on stderr
        }
        if containers.running(name).is_some() {
            println!("{name}");
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    bail!("container {name:?} did not start in 30 s")
}

/// In the supervisor, once the container's directory exists: leave the
/// terminal's session, and send stdout and stderr (the container's too) to
/// the container's `log`.
pub fn become_supervisor(containers: &Containers, name: &str) -> Result<()> {
    nix::unistd::setsid().context("setsid")?;
    let path = containers.dirs(name).root.join("log");
    let log = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    for fd in [1, 2] {
        nix::unistd::dup2(log.as_raw_fd(), fd).with_context(|| format!("dup2 the log onto fd {fd}"))?;
    }
    Ok(())
}
// ANCHOR_END: detach

// ANCHOR: stop
/// `stop`: SIGTERM to the container's first process (through its
/// supervisor, which forwards it), then SIGKILL to that process if it is
/// still there after `timeout`. The supervisor sees it end and cleans up.
pub fn stop(containers: &Containers, name: &str, timeout: Duration) -> Result<()> {
    let Some(supervisor) = containers.running(name) else { bail!("container {name:?} is not running") };
    explain!("kill({supervisor}, SIGTERM): the supervisor forwards it to the container");
    kill(Pid::from_raw(supervisor as i32), Signal::SIGTERM).context("SIGTERM the supervisor")?;
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if !alive(supervisor) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Still running: its PID 1 ignored SIGTERM (chapter 1). Kill the
    // container, not the supervisor, so that the supervisor cleans up.
    let children = std::fs::read_to_string(format!("/proc/{supervisor}/task/{supervisor}/children"))?;
    for pid in children.split_whitespace().filter_map(|p| p.parse::<i32>().ok()) {
        explain!("kill({pid}, SIGKILL): still running after {timeout:?}");
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    while alive(supervisor) {
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}
// ANCHOR_END: stop
