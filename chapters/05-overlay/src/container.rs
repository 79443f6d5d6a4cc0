//! A container's own directories in the store: its writable layer.

use crate::digest::Digest;
use crate::store::Store;
use anyhow::{bail, Context, Result};
use std::path::PathBuf;

/// Is process `pid` there, and not a zombie (done, waiting to be reaped)?
pub fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // "PID (comm) STATE ...": the state follows the last ')'.
    stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']))
}

/// The containers of a store, `STORE/containers/<name>/`.
pub struct Containers<'a> {
    store: &'a Store,
}

/// One container's directories.
#[derive(Clone, Debug)]
pub struct Dirs {
    pub root: PathBuf,
    /// The writable layer: everything the container wrote, and its whiteouts.
    pub upper: PathBuf,
    /// overlayfs's scratch space, on the same filesystem as `upper`.
    pub work: PathBuf,
    /// Where the overlay is mounted, inside the container's mount namespace.
    pub merged: PathBuf,
}

impl<'a> Containers<'a> {
    pub fn new(store: &'a Store) -> Self {
        Containers { store }
    }

    pub fn dirs(&self, name: &str) -> Dirs {
        let root = self.store.root.join("containers").join(name);
        Dirs { upper: root.join("upper"), work: root.join("work"), merged: root.join("merged"), root }
    }

    /// Make the directories of a new container `name` from the image named
    /// `image`, whose manifest is `manifest` (kept, so that the image's
    /// layers stay while the container does, even if the name moves on).
    pub fn create(&self, name: &str, image: &str, manifest: &Digest) -> Result<Dirs> {
        let valid = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
        if name.is_empty() || name.len() > 64 || !name.chars().all(valid) || name.starts_with('.') {
            bail!("--name {name:?}: 1 to 64 letters, digits, '_', '.' or '-', not starting with '.'");
        }
        let dirs = self.dirs(name);
        std::fs::create_dir(&dirs.root).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "container {name:?} exists: `ch05-overlay rm {name}`, or choose another --name"
                )
            }
            _ => anyhow::Error::from(e).context(format!("mkdir {}", dirs.root.display())),
        })?;
        for dir in [&dirs.upper, &dirs.work, &dirs.merged] {
            std::fs::create_dir(dir).with_context(|| format!("mkdir {}", dir.display()))?;
        }
        std::fs::write(dirs.root.join("image"), image)?;
        std::fs::write(dirs.root.join("manifest"), manifest.to_string())?;
        Ok(dirs)
    }

    /// The manifest digest of container `name`'s image.
    pub fn manifest_of(&self, name: &str) -> Result<Digest> {
        let path = self.dirs(name).root.join("manifest");
        Digest::parse(
            std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?.trim(),
        )
    }

    /// Every container's name.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = std::fs::read_dir(self.store.root.join("containers"))?
            .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_>>()?;
        names.sort();
        Ok(names)
    }

    /// Record that container `name` runs, supervised by process `pid` (a
    /// `pid` file, removed by [`Containers::stopped`]).
    pub fn started(&self, name: &str, pid: u32) -> Result<()> {
        std::fs::write(self.dirs(name).root.join("pid"), pid.to_string()).context("write the pid file")
    }

    pub fn stopped(&self, name: &str) {
        let _ = std::fs::remove_file(self.dirs(name).root.join("pid"));
    }

    /// The pid supervising container `name`, if it is still alive.
    pub fn running(&self, name: &str) -> Option<u32> {
        let pid: u32 = std::fs::read_to_string(self.dirs(name).root.join("pid")).ok()?.trim().parse().ok()?;
        alive(pid).then_some(pid)
    }

    /// The name of the image container `name` was made from.
    pub fn image_of(&self, name: &str) -> Result<String> {
        let path = self.dirs(name).root.join("image");
        std::fs::read_to_string(&path)
            .with_context(|| format!("no container {name:?} ({} missing)", path.display()))
    }

    /// Remove container `name`'s directories.
    pub fn remove(&self, name: &str) -> Result<()> {
        let root = self.dirs(name).root;
        std::fs::remove_dir_all(&root).with_context(|| format!("remove {}", root.display()))
    }
}
