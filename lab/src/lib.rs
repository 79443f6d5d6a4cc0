//! The harness behind every chapter's integration tests, which are also the
//! learner's lab checks.
//!
//! A check names what it tests, what it looks at, the hint to show when it
//! fails, the book section that explains it, and the exercises of the
//! chapter's starter crate it needs (`scripts/exercise N`). It runs the binary
//! under test: the learner's own when `BURROW_CHNN_BIN` (or `scripts/lab N
//! --bin PATH`) names one, else the reference binary. Root checks skip without
//! root, unless `BURROW_REQUIRE_ROOT=1` (as in CI) turns a skip into a
//! failure. A check that takes longer than its time limit fails, and the
//! processes it started are killed. With `BURROW_LAB_REPORT=FILE` each check
//! appends one line to FILE, which `scripts/lab` prints.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

/// One lab check: what it proves, how, and where to look when it fails.
#[derive(Clone, Copy)]
pub struct Check {
    /// Short, stable id, e.g. `ch01/uts`.
    pub id: &'static str,
    /// What a pass proves, in one line.
    pub what: &'static str,
    /// What the check looks at, and what it does to the tool, in one line.
    pub looks: &'static str,
    /// What to look at when it fails (a failed assertion may give its own).
    pub hint: &'static str,
    /// The book section that explains it, e.g. `ch01-unshare.md#uts`.
    pub book: &'static str,
    /// The exercises of the chapter's starter crate (`1.2`, ...) it needs done.
    pub exercises: &'static [&'static str],
}

/// Why a check failed: what it expected, what it saw, and (when the check's
/// own hint is not the one for this assertion) what to look at.
#[derive(Debug)]
pub struct Failure {
    pub expected: String,
    pub seen: String,
    pub hint: Option<&'static str>,
}

impl Failure {
    pub fn new(expected: impl fmt::Display, seen: impl fmt::Display) -> Self {
        Failure { expected: expected.to_string(), seen: seen.to_string(), hint: None }
    }
}

/// `ensure(cond, expected, seen)?`: fail the check unless `cond` holds.
pub fn ensure(cond: bool, expected: impl fmt::Display, seen: impl fmt::Display) -> Result<(), Failure> {
    if cond {
        Ok(())
    } else {
        Err(Failure::new(expected, seen))
    }
}

/// `ensure(..).hint("...")?`: the hint for this assertion, shown instead of
/// the check's when it is the one that failed.
pub trait Hint {
    fn hint(self, hint: &'static str) -> Self;
}

impl<T> Hint for Result<T, Failure> {
    fn hint(self, hint: &'static str) -> Self {
        self.map_err(|f| Failure { hint: f.hint.or(Some(hint)), ..f })
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::new("the check's own I/O to work", e)
    }
}

/// How long a check may take: `BURROW_LAB_TIME_LIMIT` seconds, else 120.
pub fn time_limit() -> Duration {
    let secs = std::env::var("BURROW_LAB_TIME_LIMIT").ok().and_then(|s| s.parse().ok());
    Duration::from_secs_f64(secs.unwrap_or(120.0))
}

impl Check {
    /// Run the check's body (as root), report it, and panic if it failed.
    pub fn run(&self, body: impl FnOnce() -> Result<(), Failure>) {
        if !is_root() {
            if std::env::var("BURROW_REQUIRE_ROOT").as_deref() == Ok("1") {
                self.report("FAIL", "to run as root", "not root, and BURROW_REQUIRE_ROOT=1", None);
                panic!("{}: needs root, and BURROW_REQUIRE_ROOT=1 forbids skipping it", self.id);
            }
            eprintln!("SKIP {}: needs root (run the tests as root, or in the lab VM)", self.id);
            self.report("SKIP", "to run as root", "not root", None);
            return;
        }
        let limit = time_limit();
        let (done, watchdog) = self.watchdog(limit);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        let _ = done.send(());
        let timed_out = watchdog.join().unwrap_or(false);
        let failure = match outcome {
            _ if timed_out => Failure::new(
                format!("to finish within {} s", limit.as_secs()),
                format!("took more than {} s; the lab killed the processes it started", limit.as_secs()),
            ),
            Ok(Ok(())) => return self.report("PASS", "", "", None),
            Ok(Err(f)) => f,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                Failure::new(
                    "the check to run to its end",
                    format!("it panicked: {}", why.unwrap_or_default()),
                )
            }
        };
        let hint = failure.hint.unwrap_or(self.hint);
        self.report("FAIL", &failure.expected, &failure.seen, Some(hint));
        panic!(
            "check {} failed: {}\n  looks at: {}\n  expected: {}\n  seen:     {}\n  hint:     {}\n  book:     {}",
            self.id, self.what, self.looks, failure.expected, failure.seen, hint, self.book
        );
    }

    /// A thread that waits for the check (this thread) to end. At the time
    /// limit it SIGKILLs every process this thread started, with their
    /// descendants, which ends the waits of a hung check; if the check still
    /// does not end, it reports the failure and ends the test process.
    /// Returns the sender that says "done", and the thread (true: timed out).
    fn watchdog(&self, limit: Duration) -> (mpsc::Sender<()>, std::thread::JoinHandle<bool>) {
        let (done, finished) = mpsc::channel::<()>();
        // SAFETY: gettid(2) takes no arguments and cannot fail.
        let tid = unsafe { libc::gettid() } as u32;
        let check = *self;
        let thread = std::thread::spawn(move || {
            if finished.recv_timeout(limit) != Err(mpsc::RecvTimeoutError::Timeout) {
                return false;
            }
            let own = format!("/proc/self/task/{tid}/children");
            for _ in 0..50 {
                let mut tree = pids_in(&std::fs::read_to_string(&own).unwrap_or_default());
                tree.extend(tree.clone().into_iter().flat_map(descendants));
                tree.into_iter().for_each(|pid| send_signal(pid, libc::SIGKILL));
                if finished.recv_timeout(Duration::from_millis(200)) != Err(mpsc::RecvTimeoutError::Timeout) {
                    return true;
                }
            }
            let secs = limit.as_secs();
            let seen = format!("took more than {secs} s, and still ran 10 s after its processes were killed");
            check.report("FAIL", &format!("to finish within {secs} s"), &seen, None);
            eprintln!("check {} failed: {seen}", check.id);
            std::process::exit(101)
        });
        (done, thread)
    }

    fn report(&self, status: &str, expected: &str, seen: &str, hint: Option<&str>) {
        let Ok(path) = std::env::var("BURROW_LAB_REPORT") else { return };
        // Fields are separated by the ASCII unit separator, which no message contains.
        let clean = |s: &str| s.replace(['\x1f', '\n'], " ");
        let exercises = self.exercises.join(",");
        let hint = hint.unwrap_or(self.hint);
        let fields = [
            status,
            self.id,
            self.what,
            &clean(expected),
            &clean(seen),
            hint,
            self.book,
            &exercises,
            self.looks,
        ];
        let line = fields.join("\x1f") + "\n";
        // One write(2) with O_APPEND: lines from parallel checks do not interleave.
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// Is this process root (effective uid 0)?
pub fn is_root() -> bool {
    // SAFETY: geteuid(2) takes no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The workspace's top directory.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The binary under test: `$var` when set (lab mode), else `reference`.
pub fn binary(var: &str, reference: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(reference),
    }
}

/// The shared busybox root filesystem, built by `scripts/rootfs.sh` on first
/// use (the script is idempotent and safe to run from several tests at once).
/// Tests that write into a rootfs take a private copy with [`rootfs_copy`].
pub fn rootfs() -> PathBuf {
    static ROOTFS: OnceLock<PathBuf> = OnceLock::new();
    ROOTFS
        .get_or_init(|| {
            if let Some(dir) = std::env::var_os("BURROW_ROOTFS") {
                return PathBuf::from(dir);
            }
            let out =
                Command::new(workspace().join("scripts/rootfs.sh")).output().expect("run scripts/rootfs.sh");
            assert!(
                out.status.success(),
                "scripts/rootfs.sh failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        })
        .clone()
}

/// A private copy of the busybox rootfs in a new temporary directory.
pub fn rootfs_copy() -> tempfile::TempDir {
    let dir = temp_dir();
    let status =
        Command::new("cp").arg("-a").arg(rootfs().join(".")).arg(dir.path()).status().expect("run cp");
    assert!(status.success(), "cp -a of the rootfs failed");
    dir
}

/// A temporary directory named `burrow-test-*`, so the leak check can find
/// anything left mounted in one.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("burrow-test-").tempdir().expect("create a temp dir")
}

/// Put chapter 2's chroot escape program at `target`: compiled statically
/// (a busybox rootfs has no libc), or copied from the one `BURROW_ESCAPE_BIN`
/// names (prebuilt, where there is no rustc: the VM).
pub fn chroot_escape(target: &Path) -> Result<(), Failure> {
    if let Some(prebuilt) = std::env::var_os("BURROW_ESCAPE_BIN") {
        std::fs::copy(prebuilt, target)?;
        return Ok(());
    }
    let src = workspace().join("chapters/02-chroot/lab/chroot-escape.rs");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let built = Command::new(rustc)
        .args(["--edition", "2021", "-O", "-C", "target-feature=+crt-static", "-o"])
        .arg(target)
        .arg(&src)
        .output()?;
    ensure(built.status.success(), "rustc to build chroot-escape", String::from_utf8_lossy(&built.stderr))
}

/// A random lowercase name, so a check cannot be passed by printing a constant.
pub fn random_name(prefix: &str) -> String {
    let mut bytes = [0u8; 6];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    let suffix: String = bytes.iter().map(|b| (b'a' + b % 26) as char).collect();
    format!("{prefix}{suffix}")
}

/// What a finished run printed, and how it ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {:?}, stdout {:?}, stderr {:?}", self.code, self.stdout, self.stderr)
    }
}

/// Run `bin args...` to the end and collect what it printed.
pub fn run(bin: &Path, args: &[&str]) -> Result<Run, Failure> {
    let out = Command::new(bin)
        .args(args)
        .output()
        .map_err(|e| Failure::new(format!("to start {}", bin.display()), e))?;
    Ok(out.into())
}

/// The pids of `pid`'s children, from `/proc/PID/task/PID/children`: those
/// its main thread started.
pub fn children(pid: u32) -> Vec<u32> {
    pids_in(&std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default())
}

/// Every process below `pid`: the children of each of its threads (a Go
/// program starts processes from any thread), theirs, and so on.
pub fn descendants(pid: u32) -> Vec<u32> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten();
    let children =
        tasks.flat_map(|t| pids_in(&std::fs::read_to_string(t.path().join("children")).unwrap_or_default()));
    children.flat_map(|c| std::iter::once(c).chain(descendants(c))).collect()
}

fn pids_in(list: &str) -> Vec<u32> {
    list.split_whitespace().filter_map(|p| p.parse().ok()).collect()
}

/// The host pid of the first process of the container started by the tool
/// `tool`, once the container runs a process named `command` (as PID 1, or as
/// PID 1's child under an init): the command has been executed.
pub fn container_running(tool: u32, command: &str) -> Option<u32> {
    let named =
        |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == command);
    let pid1 = *children(tool).first()?;
    (named(pid1) || children(pid1).into_iter().any(named)).then_some(pid1)
}

/// One field of `/proc/PID/status` (`State`, `SigCgt`, `PPid`, ...), trimmed.
pub fn status_field(pid: u32, field: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| line.strip_prefix(field)?.strip_prefix(':').map(|v| v.trim().to_string()))
}

/// Poll `cond` every 20 ms until it returns `Some`, for at most `secs` seconds.
pub fn wait_for<T>(secs: f64, mut cond: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    loop {
        if let Some(v) = cond() {
            return Some(v);
        }
        if std::time::Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Send `signal` to `pid` (a test observing the kernel, not the code under test).
pub fn send_signal(pid: u32, signal: i32) {
    // kill(2) reads 0 as "my process group" and -1 as "every process".
    let pid = i32::try_from(pid).ok().filter(|&p| p > 0).expect("a positive pid");
    // SAFETY: kill(2) takes plain integers, and pid names one process.
    unsafe {
        libc::kill(pid, signal);
    }
}

/// Start `command`'s process with `signals` at their default action,
/// whatever this one inherited: an ignored signal stays ignored across
/// execve(2), and a lab run under `nohup` (which ignores SIGHUP) would
/// otherwise start every container's command deaf to SIGHUP.
pub fn with_default_signals<'a>(command: &'a mut Command, signals: &'static [i32]) -> &'a mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and execve, where
    // only async-signal-safe calls are allowed; signal(2) with SIG_DFL is one
    // and installs no handler.
    unsafe {
        command.pre_exec(move || {
            for &signal in signals {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        })
    }
}

/// The namespace `/proc/PID/ns/KIND` links to, e.g. `uts:[4026531838]`.
pub fn namespace_of(pid: &str, kind: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/{kind}")).map(|p| p.display().to_string()).unwrap_or_default()
}

/// The cgroup filesystems mounted here: (mount point, controllers). A v1
/// mount lists its controllers in its options; the cgroup2 mount lists them
/// in its cgroup.controllers file.
pub fn cgroup_mounts() -> Vec<(PathBuf, Vec<String>)> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut mounts = Vec::new();
    for line in table.lines() {
        let Some((left, right)) = line.split_once(" - ") else { continue };
        let point = PathBuf::from(left.split(' ').nth(4).unwrap_or(""));
        let fs: Vec<&str> = right.split(' ').collect();
        let controllers: Vec<String> = match fs.first() {
            Some(&"cgroup") => fs.get(2).unwrap_or(&"").split(',').map(String::from).collect(),
            Some(&"cgroup2") => std::fs::read_to_string(point.join("cgroup.controllers"))
                .unwrap_or_default()
                .split_whitespace()
                .map(String::from)
                .collect(),
            _ => continue,
        };
        mounts.push((point, controllers));
    }
    mounts
}

/// The directory of `pid`'s cgroup that holds `controller`'s files, from
/// /proc/PID/cgroup (`4:memory:/burrow/x` in v1, `0::/burrow/x` in v2).
pub fn cgroup_dir(pid: u32, controller: &str) -> Option<PathBuf> {
    let table = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    let mounts = cgroup_mounts();
    for line in table.lines() {
        let mut parts = line.splitn(3, ':');
        let (id, names, path) = (parts.next()?, parts.next()?, parts.next()?);
        let v2 = id == "0" && names.is_empty();
        let wanted = |(_, c): &&(PathBuf, Vec<String>)| c.iter().any(|c| c == controller);
        let found = mounts.iter().filter(wanted).find(|(point, _)| {
            let is_v2 = point.join("cgroup.controllers").exists();
            if v2 {
                is_v2
            } else {
                !is_v2 && names.split(',').any(|n| n == controller)
            }
        });
        if let Some((point, _)) = found {
            return Some(point.join(path.trim_start_matches('/')));
        }
    }
    None
}

/// Every cgroup directory under a `burrow*` parent, in every hierarchy: what
/// a container left behind, when it is not empty after the container ended.
/// (An empty parent is no container's: `burrow`, like runc, keeps its own.)
pub fn burrow_cgroups() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for (point, _) in cgroup_mounts() {
        let Ok(entries) = std::fs::read_dir(&point) else { continue };
        for parent in entries.flatten().filter(|e| e.file_name().to_string_lossy().starts_with("burrow")) {
            if !parent.path().is_dir() {
                continue;
            }
            let children = std::fs::read_dir(parent.path()).into_iter().flatten().flatten();
            found.extend(children.filter(|c| c.path().is_dir()).map(|c| c.path()));
        }
    }
    found
}
