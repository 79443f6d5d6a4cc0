//! Chapter 1: a container is a process in new namespaces.
//!
//! `ch01-unshare` creates namespaces with clone(2), maps the caller to root in
//! a user namespace, mounts a fresh /proc for a new PID namespace, and can run
//! a tiny init as PID 1. Later chapters build on [`container::run`].

pub mod cli;
pub mod container;
pub mod exec;
pub mod explain;
pub mod idmap;
pub mod mount;
pub mod namespaces;
pub mod pid1;
pub mod procfs;
pub mod timens;

pub use container::{run, run_placed, Container};
pub use namespaces::Namespaces;

use anyhow::Result;
use std::path::Path;

// ANCHOR: setup
/// Chapter 1's setup inside the new namespaces: with a mount namespace, make
/// every mount private; with a PID namespace too, mount a fresh /proc over the
/// host's, so `ps` (which reads /proc) shows only the container's processes.
pub fn mount_fresh_proc(flags: nix::sched::CloneFlags) -> Result<()> {
    use nix::sched::CloneFlags as F;
    if flags.contains(F::CLONE_NEWNS) {
        // EXERCISE 1.4: make every mount private, and with a new PID namespace too mount a fresh /proc
        // HINT: mount::make_root_private() first: otherwise the /proc mount propagates back to the host
        // HINT: then, only when flags also has CLONE_NEWPID, mount::mount_proc(Path::new("/proc"))
        mount::make_root_private()?;
        if flags.contains(F::CLONE_NEWPID) {
            mount::mount_proc(Path::new("/proc"))?;
        }
        // END EXERCISE
    }
    Ok(())
}
// ANCHOR_END: setup

/// The end of every chapter's `main`: print an error as `tool: error:
/// message` and exit with the container convention's code (125 for the tool
/// itself).
pub fn exit_with(tool: &str, result: Result<i32>) -> std::process::ExitCode {
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            report(tool, "error", &format!("{e:#}"));
            exec::code_of(&e)
        }
    };
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(exec::TOOL_FAILED as u8))
}

/// Say `tool: level: message` on stderr, the shape git and cargo use (level
/// `error` or `warning`), so that people and programs driving the tool can
/// tell a failure from output. A stderr closed early (`2>&1 | head -c 100`)
/// loses the line rather than panicking, as `eprintln!` would.
pub fn report(tool: &str, level: &str, message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{tool}: {level}: {message}");
}

/// Parse the command line; a usage error exits 125 like any other failure of
/// the tool (clap's own code for it, 2, could be mistaken for the command's).
pub fn parse_args<T: clap::Parser>() -> T {
    T::try_parse().unwrap_or_else(|e| {
        let code = if e.use_stderr() { exec::TOOL_FAILED } else { 0 };
        let _ = e.print();
        std::process::exit(code)
    })
}
