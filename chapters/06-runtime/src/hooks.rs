//! Hooks: programs config.json asks the runtime to run at fixed points of the
//! lifecycle, each with the container's state (JSON) on its stdin. This is how
//! podman's network setup or an NVIDIA GPU hook plugs into any runtime.
//!
//! | stage | when | where it runs |
//! |---|---|---|
//! | prestart (deprecated), createRuntime | `create`: mounts done, before pivot_root | the runtime's namespaces |
//! | createContainer | right after, before pivot_root | the container's namespaces |
//! | startContainer | `start`: just before the command is executed | the container |
//! | poststart | `start`: once the command runs, before `start` returns | the runtime's |
//! | poststop | `delete`: once the container is gone | the runtime's |
//!
//! A failing hook before the command runs fails the container; a failing
//! poststart or poststop hook is only a warning, as the spec says.

use anyhow::{bail, Context, Result};
use oci_spec::runtime::{Hook, Spec};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The points of the lifecycle where hooks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Prestart,
    CreateRuntime,
    CreateContainer,
    StartContainer,
    Poststart,
    Poststop,
}

fn hooks_of(spec: &Spec, stage: Stage) -> &[Hook] {
    let Some(hooks) = spec.hooks() else { return &[] };
    let list = match stage {
        Stage::Prestart => hooks.prestart(),
        Stage::CreateRuntime => hooks.create_runtime(),
        Stage::CreateContainer => hooks.create_container(),
        Stage::StartContainer => hooks.start_container(),
        Stage::Poststart => hooks.poststart(),
        Stage::Poststop => hooks.poststop(),
    };
    list.as_deref().unwrap_or_default()
}

// ANCHOR: run
/// Run `stage`'s hooks in order, each with `state` on stdin, and fail at the
/// first that fails or outlives its `timeout`. A hook with an `env` of its
/// own gets exactly that; one without inherits `base` (the container's
/// process.env, for startContainer), or else burrow's own environment, as
/// runc's hooks do.
pub fn run(spec: &Spec, stage: Stage, state: &str, base: Option<&[String]>) -> Result<()> {
    for hook in hooks_of(spec, stage) {
        run_one(hook, state, base).with_context(|| format!("{stage:?} hook {}", hook.path().display()))?;
    }
    Ok(())
}

fn run_one(hook: &Hook, state: &str, base: Option<&[String]>) -> Result<()> {
    // EXERCISE 6.8: run one hook: its path with its args, the state on its stdin, its env (or `base`, or ours), and fail if it fails or outlives its timeout
    // HINT: std::process::Command::new(hook.path()); args[0] is the hook's argv[0] (CommandExt::arg0), the rest are its arguments; stdin Stdio::piped()
    // HINT: an env of its own, or else `base` (startContainer's process.env): env_clear() then each NAME=VALUE; with neither, it inherits ours
    // HINT: write the state to its stdin and ignore EPIPE (a hook need not read it); wait, or wait_within(&mut child, timeout) when hook.timeout() is above 0; a status that is not success() is an error
    let args = hook.args().clone().unwrap_or_default();
    let mut command = Command::new(hook.path());
    if let Some((arg0, rest)) = args.split_first() {
        command.arg0(arg0).args(rest);
    }
    command.stdin(Stdio::piped());
    if let Some(env) = hook.env().as_deref().or(base) {
        command.env_clear();
        for (key, value) in env.iter().filter_map(|kv| kv.split_once('=')) {
            command.env(key, value);
        }
    }
    ch01_unshare::explain!("hook: {} {args:?}, state on stdin", hook.path().display());
    let mut child = command.spawn().context("start it")?;
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that does not read its stdin is fine: ignore EPIPE.
        let _ = stdin.write_all(state.as_bytes());
    }
    let status = match hook.timeout().filter(|&t| t > 0) {
        None => child.wait().context("wait for it")?,
        Some(secs) => wait_within(&mut child, Duration::from_secs(secs as u64))?,
    };
    if !status.success() {
        bail!("it failed: {status}");
    }
    Ok(())
    // END EXERCISE
}

/// Wait for `child`, and kill it if it runs longer than `limit`.
fn wait_within(child: &mut Child, limit: Duration) -> Result<ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().context("wait for it")? {
            return Ok(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!("it did not finish within its timeout of {}s; killed", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
// ANCHOR_END: run

/// Run poststart or poststop hooks, every one of them: a failure is a
/// warning, and the hooks after it run all the same, as the spec says.
pub fn run_warning(spec: &Spec, stage: Stage, state: &str) {
    for hook in hooks_of(spec, stage) {
        if let Err(e) = run_one(hook, state, None) {
            ch01_unshare::report(
                crate::log::tool(),
                "warning",
                &format!("{stage:?} hook {}: {e:#}", hook.path().display()),
            );
        }
    }
}
