//! What a container changed: its upper dir, read against the image's layers
//! (what `docker diff` prints).

use crate::whiteout;
use anyhow::{Context, Result};
use std::fmt;
use std::path::{Path, PathBuf};

/// One change, by its path inside the container.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// In the upper dir, and in no lower layer.
    Added(PathBuf),
    /// In the upper dir and in a lower layer: copied up, then written (or a
    /// directory something changed in).
    Changed(PathBuf),
    /// A whiteout: a lower layer's file, deleted.
    Deleted(PathBuf),
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Change::Added(p) => write!(f, "A {}", p.display()),
            Change::Changed(p) => write!(f, "C {}", p.display()),
            Change::Deleted(p) => write!(f, "D {}", p.display()),
        }
    }
}

// ANCHOR: diff
/// Walk `upper` and classify every entry against `lowers`, sorted by path.
pub fn diff(upper: &Path, lowers: &[PathBuf]) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    walk(upper, Path::new("/"), lowers, &mut changes)?;
    changes.sort_by(|a, b| path_of(a).cmp(path_of(b)));
    Ok(changes)
}

fn walk(dir: &Path, inside: &Path, lowers: &[PathBuf], changes: &mut Vec<Change>) -> Result<()> {
    // EXERCISE 5.2: classify every entry of the upper dir: a whiteout is Deleted, a name a lower has is Changed, anything else Added
    // HINT: read_dir(dir), and symlink_metadata() of each entry (never follow a link); whiteout::is_whiteout(&meta) spots a 0/0 device
    // HINT: the entry's path inside the container is inside.join(name); it is in a lower when some lower.join(that path without its leading /) exists
    // HINT: recurse into directories, with no lowers at all below an opaque one (whiteout::is_opaque): what is in it is new
    let entries = std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let path = inside.join(entry.file_name());
        let meta = entry.path().symlink_metadata()?;
        let relative = path.strip_prefix("/").unwrap_or(&path);
        let in_lower = lowers.iter().any(|l| l.join(relative).symlink_metadata().is_ok());
        changes.push(match (whiteout::is_whiteout(&meta), in_lower) {
            (true, _) => Change::Deleted(path.clone()),
            (false, true) => Change::Changed(path.clone()),
            (false, false) => Change::Added(path.clone()),
        });
        if meta.is_dir() {
            // An opaque directory hides the lowers: what is in it is new.
            let below: &[PathBuf] = if whiteout::is_opaque(&entry.path()) { &[] } else { lowers };
            walk(&entry.path(), &path, below, changes)?;
        }
    }
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: diff

fn path_of(change: &Change) -> &Path {
    match change {
        Change::Added(p) | Change::Changed(p) | Change::Deleted(p) => p,
    }
}
