//! `--explain`: narrate every kernel-level step on stderr.
//!
//! Every binary in burrow can tell the learner which syscalls it makes and
//! with which arguments, so what the book describes is what the terminal shows.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turn narration on for this process and every child it forks or clones
/// (a child gets a copy of this flag along with the rest of memory).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Is `--explain` on?
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Print one step, prefixed with the pid of the process that takes it as that
/// process sees itself: the init of a new PID namespace prints `pid 1`.
pub fn step(args: std::fmt::Arguments) {
    if enabled() {
        // Not eprintln!, which panics when stderr is gone (`| head` closed it):
        // narration must never stop a tool half-way through its cleanup.
        // One write(2) for the whole line: a parent and a child narrating at
        // once on the same pipe then never interleave within a line.
        use std::io::Write;
        let line = format!("[explain pid {}] {}\n", std::process::id(), args);
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}

/// `explain!("mount({:?}, ...)", target)`: narrate a step when `--explain` is on.
#[macro_export]
macro_rules! explain {
    ($($arg:tt)*) => { $crate::explain::step(format_args!($($arg)*)) };
}

/// The names of the bits set in a nix flags value, joined with `|` as C writes
/// them: `flag_names!(CloneFlags::CLONE_NEWUTS | CloneFlags::CLONE_NEWPID)` is
/// `"CLONE_NEWUTS|CLONE_NEWPID"` (and `"0"` when no bit is set).
#[macro_export]
macro_rules! flag_names {
    ($flags:expr) => {{
        let names: Vec<&str> = $flags.iter_names().map(|(name, _)| name).collect();
        if names.is_empty() {
            "0".to_string()
        } else {
            names.join("|")
        }
    }};
}
