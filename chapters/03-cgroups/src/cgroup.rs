//! A container's cgroup: created under burrow's own parent, given limits,
//! joined by the container, read, frozen, killed, removed.

use crate::fs::{self, write};
use crate::layout::{Layout, Mode};
use crate::limits::Resources;
use crate::stats::Stats;
use crate::{v1, v2};
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where each hierarchy keeps this cgroup's directory.
#[derive(Debug)]
enum Dirs {
    /// cgroup v2: one directory.
    V2(PathBuf),
    /// cgroup v1: a directory per controller (co-mounted controllers such as
    /// `cpu,cpuacct` share one).
    V1(BTreeMap<&'static str, PathBuf>),
}

/// A cgroup this process created. Dropping it kills what is left in it and
/// removes its directories, and every level above it that it made too once
/// nothing uses it (a runtime keeps its parent: see [`Cgroup::open`]).
#[derive(Debug)]
pub struct Cgroup {
    /// Its path inside each hierarchy, e.g. `burrow/ch03-4242`.
    pub path: PathBuf,
    dirs: Dirs,
    /// Its own directories, one per hierarchy.
    leaves: Vec<PathBuf>,
    /// The levels above it this process made because they were missing, in
    /// the order made (a parent before its child), each with whether it is
    /// the parent or above it (shared with other cgroups) or below it.
    made: Vec<(PathBuf, bool)>,
    /// How many levels the parent has (`burrow`: 1; none: 0).
    parent_depth: usize,
    /// Remove it when dropped: true for a cgroup this process created.
    owned: bool,
}

impl Cgroup {
    // ANCHOR: create
    /// Create `parent/name` in every hierarchy `res` needs, and whichever
    /// levels of it are missing (`name` may have several: `a/b/c`). On
    /// error, what was already created is removed again (by `Drop`).
    pub fn create(layout: &Layout, parent: &str, name: &str, res: &Resources) -> Result<Cgroup> {
        let path = Path::new(parent).join(name);
        let mut cgroup = Cgroup::new(&path, parent, true);
        match (layout.mode()?, &layout.unified) {
            (Mode::Unified, Some(root)) => {
                let wanted = v2::controllers(res);
                v2::check_root(root, &wanted)?;
                // Each level hands the controllers down; the leaf holds the processes.
                let dir = cgroup.make(root, |level| v2::enable(level, &wanted))?;
                cgroup.dirs = Dirs::V2(dir);
            }
            _ => {
                let mut dirs = BTreeMap::new();
                for controller in v1::controllers(res) {
                    let Some(mount) = layout.v1.get(controller) else { continue };
                    let dir = match dirs.values().find(|d: &&PathBuf| d.starts_with(mount)) {
                        Some(shared) => PathBuf::clone(shared), // co-mounted: cpu,cpuacct
                        // A new cpuset cgroup has no CPUs until given some.
                        None if controller == "cpuset" => cgroup.make(mount, v1::init_cpuset)?,
                        None => cgroup.make(mount, |_| Ok(()))?,
                    };
                    dirs.insert(controller, dir);
                }
                cgroup.dirs = Dirs::V1(dirs);
            }
        }
        Ok(cgroup)
    }
    // ANCHOR_END: create

    fn new(path: &Path, parent: &str, owned: bool) -> Cgroup {
        let dirs = Dirs::V1(BTreeMap::new());
        let parent_depth = Path::new(parent).components().count();
        Cgroup { path: path.to_path_buf(), dirs, leaves: Vec::new(), made: Vec::new(), parent_depth, owned }
    }

    // ANCHOR: outlive
    /// Let the cgroup outlive this value: nothing is killed or removed when it
    /// is dropped. An OCI runtime's `create` exits while the container lives
    /// on in its cgroup; `delete`, a later process, finds it with
    /// [`Cgroup::open`] and calls [`Cgroup::remove`].
    pub fn leak(mut self) {
        self.owned = false;
    }

    /// The levels between the parent and the cgroup that this process made
    /// (of a name such as `testdir/container`): what a later
    /// [`Cgroup::open`] is given, so that `remove` takes them too.
    pub fn made_below_parent(&self) -> Vec<PathBuf> {
        self.made.iter().filter(|(_, shared)| !shared).map(|(dir, _)| dir.clone()).collect()
    }

    /// The cgroup `parent/name` as an earlier process created it: the
    /// directories that exist of it, ready to be read, frozen or removed,
    /// with `made`, the levels that [`Cgroup::made_below_parent`] listed.
    /// Dropping it changes nothing; [`Cgroup::remove`] removes it, and leaves
    /// the parent: a runtime's parent is shared by all its containers, and
    /// runc, Docker and podman keep theirs, so that the next container need
    /// not make it again (on cgroup v1, six parents made and removed cost
    /// 0.4 ms a container).
    pub fn open(layout: &Layout, parent: &str, name: &str, made: Vec<PathBuf>) -> Result<Cgroup> {
        let path = Path::new(parent).join(name);
        let mut cgroup = Cgroup::new(&path, parent, false);
        cgroup.made = made.into_iter().map(|dir| (dir, false)).collect();
        let mut found = |root: &Path| {
            let dir = root.join(&path);
            if !dir.is_dir() {
                return None;
            }
            cgroup.leaves.push(dir.clone());
            Some(dir)
        };
        match (layout.mode()?, &layout.unified) {
            (Mode::Unified, Some(root)) => {
                if let Some(dir) = found(root) {
                    cgroup.dirs = Dirs::V2(dir);
                }
            }
            _ => {
                let mut dirs = BTreeMap::new();
                for controller in crate::layout::V1_CONTROLLERS {
                    let Some(mount) = layout.v1.get(controller) else { continue };
                    let shared = dirs.values().find(|d: &&PathBuf| d.starts_with(mount)).cloned();
                    if let Some(dir) = shared.or_else(|| found(mount)) {
                        dirs.insert(controller, dir);
                    }
                }
                cgroup.dirs = Dirs::V1(dirs);
            }
        }
        Ok(cgroup)
    }
    // ANCHOR_END: outlive

    // ANCHOR: make
    /// Under the hierarchy `root`: mkdir each missing level of the path,
    /// `prepare` every level below the root for the one under it (hand the
    /// controllers down on v2, give a v1 cpuset cgroup its CPUs), and mkdir
    /// the cgroup itself, which must be new. The hierarchy's root is never
    /// written (it is the machine's); levels that existed are prepared but
    /// never removed. Another run may remove a shared level in between: then
    /// start again from the top.
    fn make(&mut self, root: &Path, prepare: impl Fn(&Path) -> Result<()>) -> Result<PathBuf> {
        // EXERCISE 3.1: under `root`, mkdir each missing level above the cgroup (`burrow`), prepare each, then mkdir the cgroup itself
        // HINT: the levels are the components of self.path's parent, below root; create_dir each one missing, push (level, depth < self.parent_depth) to self.made, and call prepare(&level) on every level, new or not
        // HINT: prepare hands the controllers down to the level's children (v2: "+memory +cpu +pids" into its cgroup.subtree_control) or gives a v1 cpuset level its CPUs: a level is prepared before the one under it is made
        // HINT: last create_dir(root.join(&self.path)): AlreadyExists is an error (another container's cgroup), else push it to self.leaves and return it
        let dir = root.join(&self.path);
        let above = self.path.parent().map(Path::to_path_buf).unwrap_or_default();
        'again: for _ in 0..10 {
            let mut level = root.to_path_buf();
            for (depth, part) in above.components().enumerate() {
                level.push(part);
                if !level.is_dir() {
                    explain!("mkdir {}", level.display());
                    match std::fs::create_dir(&level) {
                        Ok(()) => self.made.push((level.clone(), depth < self.parent_depth)),
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue 'again,
                        Err(e) => return Err(e).with_context(|| format!("mkdir {}", level.display())),
                    }
                }
                match prepare(&level) {
                    Err(_) if !level.is_dir() => continue 'again,
                    other => other?,
                }
            }
            explain!("mkdir {}", dir.display());
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    self.leaves.push(dir.clone());
                    return Ok(dir);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    bail!(
                        "cgroup {} already exists: is another container using it? Pick another cgroupsPath or container id",
                        dir.display()
                    )
                }
                Err(e) => return Err(e).with_context(|| format!("mkdir {}", dir.display())),
            }
        }
        bail!("mkdir {}: a level above it kept disappearing", dir.display())
        // END EXERCISE
    }
    // ANCHOR_END: make

    /// The distinct directories of this cgroup (one per hierarchy).
    fn each_dir(&self) -> Vec<&Path> {
        let mut all: Vec<&Path> = match &self.dirs {
            Dirs::V2(dir) => vec![dir.as_path()],
            Dirs::V1(dirs) => dirs.values().map(PathBuf::as_path).collect(),
        };
        all.dedup();
        all
    }

    /// Set the limits.
    pub fn apply(&self, res: &Resources) -> Result<()> {
        match &self.dirs {
            Dirs::V2(dir) => v2::apply(dir, res),
            Dirs::V1(dirs) => v1::apply(dirs, res),
        }
    }

    // ANCHOR: add
    /// Move process `pid` into the cgroup: write its pid to cgroup.procs (in
    /// every hierarchy, on v1). Its children are born in the same cgroup.
    pub fn add(&self, pid: Pid) -> Result<()> {
        // EXERCISE 3.4: put process `pid` into the cgroup: its pid into cgroup.procs, in each of the cgroup's directories
        // HINT: self.each_dir() is the one directory on v2, one per hierarchy on v1 (each must be joined on its own)
        // HINT: write(dir, "cgroup.procs", &pid.to_string())? for each: one write(2) moves the whole process
        for dir in self.each_dir() {
            write(dir, "cgroup.procs", &pid.to_string())?;
        }
        Ok(())
        // END EXERCISE
    }
    // ANCHOR_END: add

    /// The cgroup's directory on cgroup v2 (one hierarchy), for
    /// [`crate::clone3::clone_into`]; None on v1.
    pub fn v2_dir(&self) -> Option<&Path> {
        match &self.dirs {
            Dirs::V2(dir) => Some(dir),
            Dirs::V1(_) => None,
        }
    }

    /// The processes in the cgroup now.
    pub fn procs(&self) -> Vec<Pid> {
        let dir = match &self.dirs {
            Dirs::V2(dir) => Some(dir),
            Dirs::V1(dirs) => dirs.get("pids").or_else(|| dirs.values().next()),
        };
        let text = dir.and_then(|d| fs::read(d, "cgroup.procs").ok()).unwrap_or_default();
        text.lines().filter_map(|l| l.parse().ok()).map(Pid::from_raw).collect()
    }

    /// What the kernel has counted so far.
    pub fn stats(&self) -> Stats {
        match &self.dirs {
            Dirs::V2(dir) => v2::stats(dir),
            Dirs::V1(dirs) => v1::stats(dirs),
        }
    }

    /// Freeze every process in the cgroup (`true`) or thaw them (`false`).
    /// A frozen process is stopped where it is, and cannot see it happen.
    pub fn freeze(&self, frozen: bool) -> Result<()> {
        match &self.dirs {
            Dirs::V2(dir) => v2::freeze(dir, frozen),
            Dirs::V1(dirs) => match dirs.get("freezer") {
                Some(freezer) => v1::freeze(freezer, frozen),
                None => bail!("no freezer controller is mounted"),
            },
        }
    }

    /// Is the cgroup frozen (`burrow pause`), as asked in cgroup.freeze
    /// (v2) or freezer.state (v1)?
    pub fn frozen(&self) -> bool {
        match &self.dirs {
            Dirs::V2(dir) => crate::fs::read(dir, "cgroup.freeze").is_ok_and(|s| s == "1"),
            Dirs::V1(dirs) => dirs
                .get("freezer")
                .is_some_and(|f| crate::fs::read(f, "freezer.state").is_ok_and(|s| s == "FROZEN")),
        }
    }

    // ANCHOR: kill_all
    /// SIGKILL every process in the cgroup: with cgroup.kill where the kernel
    /// has it; else freeze the cgroup (so nothing can fork while we look),
    /// kill each process listed, and thaw it so the signals are delivered.
    pub fn kill_all(&self) -> Result<()> {
        if let Dirs::V2(dir) = &self.dirs {
            if v2::kill(dir)? {
                return Ok(());
            }
        }
        for _ in 0..100 {
            let procs = self.procs();
            if procs.is_empty() {
                return Ok(());
            }
            let frozen = self.freeze(true).is_ok();
            for pid in procs {
                let _ = kill(pid, Signal::SIGKILL);
            }
            if frozen {
                self.freeze(false)?;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        bail!("processes are still in {} after SIGKILL", self.path.display())
    }
    // ANCHOR_END: kill_all

    // ANCHOR: remove
    /// Remove the cgroup: kill what is left, rmdir its directories, then the
    /// levels above it that were made for it, deepest first. The kernel
    /// refuses to remove a cgroup that still has processes or child cgroups
    /// (EBUSY); a process killed a moment ago may still be on its way out, so
    /// a leaf gets a few tries.
    pub fn remove(&mut self) -> Result<()> {
        // EXERCISE 3.8: remove the cgroup: kill what is left in it, rmdir its own directories, then the levels made for it, deepest first
        // HINT: if self.procs() is not empty, self.kill_all()? first: the kernel refuses to remove a cgroup with processes in it (EBUSY)
        // HINT: pop each of self.leaves and rmdir it (rmdir(&dir)); on EBUSY sleep 10 ms and try again (a killed process takes a moment to leave), up to 200 times; ENOENT is fine
        // HINT: then pop each of self.made and rmdir it, ignoring the error: EBUSY there means another container's cgroup is still inside
        if !self.procs().is_empty() {
            self.kill_all()?;
        }
        while let Some(dir) = self.leaves.pop() {
            explain!("rmdir {}", dir.display());
            let mut tries = 0;
            loop {
                match rmdir(&dir) {
                    Ok(()) | Err(Errno::ENOENT) => break,
                    Err(Errno::EBUSY) if tries < 200 => tries += 1,
                    Err(e) => return Err(e).with_context(|| format!("rmdir {}", dir.display())),
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        // EBUSY here means another container's cgroup is still inside.
        while let Some((level, _)) = self.made.pop() {
            if rmdir(&level).is_ok() {
                explain!("rmdir {} (no container uses it now)", level.display());
            }
        }
        Ok(())
        // END EXERCISE
    }
    // ANCHOR_END: remove
}

/// rmdir(2), with the errno to decide on.
fn rmdir(dir: &Path) -> Result<(), Errno> {
    std::fs::remove_dir(dir).map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(0)))
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        if let Err(e) = self.remove() {
            let tool = std::env::args().next().unwrap_or_default();
            let tool = Path::new(&tool).file_name().unwrap_or_default().to_string_lossy().into_owned();
            ch01_unshare::report(
                &tool,
                "warning",
                &format!("could not remove cgroup {}: {e:#}", self.path.display()),
            );
        }
    }
}
