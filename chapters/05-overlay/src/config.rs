//! The image config's process: what to run, and how.

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::unistd::{Gid, Uid};
use oci_spec::image::ImageConfiguration;

const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The container's process, from the image's config and the command line.
#[derive(Clone, Debug)]
pub struct Process {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub user: String,
}

// ANCHOR: process
impl Process {
    /// Entrypoint + Cmd, where a command given on the command line replaces
    /// Cmd (as with `docker run IMAGE CMD`); Env, WorkingDir and User.
    pub fn of(image: &ImageConfiguration, command: &[String]) -> Result<Process> {
        let config = image.config().clone().unwrap_or_default();
        let mut args = config.entrypoint().clone().unwrap_or_default();
        match command {
            [] => args.extend(config.cmd().clone().unwrap_or_default()),
            given => args.extend(given.iter().cloned()),
        }
        if args.is_empty() {
            bail!("the image has no Entrypoint or Cmd: give a command after the image's name");
        }
        let mut env = config.env().clone().unwrap_or_default();
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.push(DEFAULT_PATH.to_string());
        }
        let cwd = config.working_dir().clone().filter(|d| !d.is_empty()).unwrap_or_else(|| "/".into());
        Ok(Process { args, env, cwd, user: config.user().clone().unwrap_or_default() })
    }

    /// In the container, after pivot_root: the environment, the working
    /// directory (made if missing), and the user, last.
    pub fn apply(&self) -> Result<()> {
        for (key, _) in std::env::vars_os() {
            std::env::remove_var(key);
        }
        for pair in &self.env {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            std::env::set_var(key, value);
        }
        std::fs::create_dir_all(&self.cwd).with_context(|| format!("WorkingDir {}", self.cwd))?;
        std::env::set_current_dir(&self.cwd).with_context(|| format!("chdir {}", self.cwd))?;
        if self.user.is_empty() || self.user == "root" || self.user == "0" {
            return Ok(());
        }
        let (uid, gid) = resolve_user(&self.user)?;
        explain!("User {:?}: setgroups([]), setgid({gid}), setuid({uid})", self.user);
        nix::unistd::setgroups(&[]).context("setgroups")?;
        nix::unistd::setgid(Gid::from_raw(gid)).context("setgid")?;
        nix::unistd::setuid(Uid::from_raw(uid)).context("setuid")
    }
}
// ANCHOR_END: process

/// `USER` as the image says it (`1000`, `1000:1000`, `nobody`, `nobody:nogroup`),
/// names looked up in the container's own /etc/passwd and /etc/group.
fn resolve_user(user: &str) -> Result<(u32, u32)> {
    let (name, group) = user.split_once(':').map_or((user, None), |(u, g)| (u, Some(g)));
    let lookup = |file: &str, key: &str| -> Result<(u32, u32)> {
        let text = std::fs::read_to_string(file).with_context(|| format!("User {user:?}: read {file}"))?;
        text.lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .find(|f| f.first() == Some(&key))
            .and_then(|f| Some((f.get(2)?.parse().ok()?, f.get(3).and_then(|g| g.parse().ok()).unwrap_or(0))))
            .with_context(|| format!("User {user:?}: no {key:?} in the container's {file}"))
    };
    let (uid, primary) = match name.parse::<u32>() {
        Ok(uid) => (uid, uid),
        Err(_) => lookup("/etc/passwd", name)?,
    };
    let gid = match group {
        None => primary,
        Some(g) => match g.parse::<u32>() {
            Ok(gid) => gid,
            Err(_) => lookup("/etc/group", g)?.0,
        },
    };
    Ok((uid, gid))
}
