//! A container's state: what `create` leaves behind for `start`, `state`,
//! `kill` and `delete`, which are separate processes.
//!
//! runc keeps a directory per container under its `--root` (`/run/runc`),
//! burrow under `/run/burrow`: `ROOT/ID/state.json` and, until `start`,
//! `ROOT/ID/exec.fifo`. The status is never stored: it is read from the
//! kernel each time (is the process alive, is the fifo still there, is the
//! cgroup frozen), so it cannot go stale when a container dies on its own.
//!
//! ```text
//!            create              start               process exits
//!  (none) ──────────▶ created ──────────▶ running ─────────────────▶ stopped
//!                        │                 │  ▲                         │
//!                        │          pause  ▼  │ resume                  │ delete
//!                        │                paused                        ▼
//!                        └────────── delete (kills the process) ────▶ (none)
//! ```

use anyhow::{bail, Context, Result};
use ch03_cgroups::Cgroup;
use oci_spec::runtime::Spec;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The runtime spec's version this runtime implements.
pub const OCI_VERSION: &str = "1.0.2-dev";

/// The four states of the runtime spec (plus `paused`, which runc reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_value(self).ok().and_then(|v| v.as_str().map(String::from));
        f.write_str(&text.unwrap_or_default())
    }
}

// ANCHOR: state
/// `state.json`: the spec's state (what `burrow state` prints and hooks get on
/// stdin) and what burrow needs to find the container again.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    #[serde(rename = "ociVersion")]
    pub oci_version: String,
    pub id: String,
    pub status: Status,
    /// The container's process, as the host numbers it.
    pub pid: i32,
    pub bundle: PathBuf,
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub annotations: HashMap<String, String>,
    /// burrow's own fields (runc's `list` shows the same ones).
    pub rootfs: PathBuf,
    pub created: String,
    pub owner: String,
    /// The process's start time (field 22 of /proc/PID/stat): a pid can be
    /// reused once the process is gone, its start time cannot.
    pub start_time: u64,
    /// The cgroup, as `parent` and `name` under each hierarchy's root, and
    /// the levels between them that `create` made (`delete` removes them).
    pub cgroup_parent: String,
    pub cgroup_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cgroup_made: Vec<PathBuf>,
    /// Without a mount namespace of its own: the host's mounts its setup
    /// made, for `delete` to detach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_mounts: Option<crate::host_mounts::Record>,
}
// ANCHOR_END: state

/// The spec leaves ids to the runtime; runc allows these characters, which
/// keep an id safe as a file name and a cgroup name.
pub fn check_id(id: &str) -> Result<()> {
    let ok = |c: char| c.is_ascii_alphanumeric() || "_+-.".contains(c);
    if id.is_empty() || id.len() > 1024 || id == "." || id == ".." || !id.chars().all(ok) {
        bail!("invalid container id {id:?}: use letters, digits and _ + - . (e.g. web-1)");
    }
    Ok(())
}

/// `ROOT/ID`, the container's state directory.
pub fn dir(root: &Path, id: &str) -> Result<PathBuf> {
    check_id(id)?;
    Ok(root.join(id))
}

impl State {
    /// Read `ROOT/ID/state.json`; an unknown id is the spec's "does not exist".
    pub fn load(root: &Path, id: &str) -> Result<State> {
        let path = dir(root, id)?.join("state.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!(
                    "container {id:?} does not exist (no {}); `{} list` shows those that do",
                    path.display(),
                    crate::log::tool()
                )
            }
            Err(e) => return Err(e).with_context(|| format!("read {}", path.display())),
        };
        let mut state: State =
            serde_json::from_str(&text).with_context(|| format!("parse {}", path.display()))?;
        state.status = state.current_status(root);
        Ok(state)
    }

    // ANCHOR: save
    /// Write state.json atomically: to a temporary file in the same directory,
    /// then rename(2)d over the old one. A reader sees the old file or the new
    /// one, never half of one. (No fsync: `--root` is a tmpfs, which a crash
    /// empties along with every container it describes.)
    pub fn save(&self, root: &Path) -> Result<()> {
        let dir = dir(root, &self.id)?;
        let (tmp, path) = (dir.join(".state.json.tmp"), dir.join("state.json"));
        let mut file = std::fs::File::create(&tmp).with_context(|| format!("create {}", tmp.display()))?;
        file.write_all(&serde_json::to_vec(self)?).with_context(|| format!("write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("rename {} to {}", tmp.display(), path.display()))
    }
    // ANCHOR_END: save

    // ANCHOR: status
    /// The status now, from the kernel: a process that is gone (or is a
    /// zombie, or is another process with the same pid) is `stopped`; one
    /// still blocked on the exec fifo is `created`; a frozen cgroup `paused`.
    pub fn current_status(&self, root: &Path) -> Status {
        // EXERCISE 6.3: work the status out from the kernel: stopped, created, paused or running
        // HINT: proc_stat(self.pid) gives the state letter and start time; no process, a zombie ('Z', 'X') or another start time than self.start_time (a reused pid) is Stopped
        // HINT: then ROOT/ID/exec.fifo still there is Created (start removes it), and a frozen cgroup (self.cgroup(), Cgroup::frozen) is Paused; else Running
        match proc_stat(self.pid) {
            Some((state, start)) if state != 'Z' && state != 'X' && start == self.start_time => {}
            _ => return Status::Stopped,
        }
        if root.join(&self.id).join("exec.fifo").exists() {
            return Status::Created;
        }
        if self.cgroup().ok().flatten().is_some_and(|cgroup| cgroup.frozen()) {
            return Status::Paused;
        }
        Status::Running
        // END EXERCISE
    }
    // ANCHOR_END: status

    // ANCHOR: config
    /// Keep config.json, as `create` read and checked it, in the state
    /// directory: `start`, `exec` and `delete` read their hooks, namespaces
    /// and process from this copy, not from a bundle that may have changed
    /// or gone since (runc keeps it in its state.json).
    pub fn save_config(&self, root: &Path, spec: &Spec) -> Result<()> {
        let path = dir(root, &self.id)?.join("config.json");
        std::fs::write(&path, serde_json::to_vec(spec)?).with_context(|| format!("write {}", path.display()))
    }

    /// The config.json `create` kept.
    pub fn config(&self, root: &Path) -> Result<Spec> {
        let path = dir(root, &self.id)?.join("config.json");
        let text = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        serde_json::from_slice(&text).with_context(|| format!("parse {}", path.display()))
    }
    // ANCHOR_END: config

    /// The container's cgroup, as `create` made it (`None` for a rootless
    /// container, which has none).
    pub fn cgroup(&self) -> Result<Option<Cgroup>> {
        if self.cgroup_name.is_empty() {
            return Ok(None);
        }
        let layout = crate::cgroups::layout()?;
        Cgroup::open(layout, &self.cgroup_parent, &self.cgroup_name, self.cgroup_made.clone()).map(Some)
    }

    /// The spec's state only: what `burrow state` prints and hooks read.
    pub fn spec_json(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "ociVersion": self.oci_version,
            "id": self.id,
            "status": self.status,
            "bundle": self.bundle,
            "annotations": self.annotations,
        });
        if self.status != Status::Stopped {
            value["pid"] = self.pid.into();
        }
        value
    }
}

/// A process's state letter and start time (in clock ticks since boot), from
/// /proc/PID/stat; `None` if there is no such process.
pub fn proc_stat(pid: i32) -> Option<(char, u64)> {
    let stat = ch01_unshare::procfs::read(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some((fields.first()?.chars().next()?, fields.get(19)?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(check_id("web-1.a_b+c").is_ok());
        for bad in ["", ".", "..", "a/b", "a b", "../x"] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn own_stat() {
        let (state, start) = proc_stat(std::process::id() as i32).expect("our own stat");
        assert!("RS".contains(state), "state {state}");
        assert!(start > 0);
    }
}
