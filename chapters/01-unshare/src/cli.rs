//! The command-line options every chapter's binary shares.

use crate::{explain, timens, Container, Namespaces};

/// `--hostname`, `--init`, `--explain` and `-- CMD...`: flattened into each
/// chapter's own clap parser.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Set the container's hostname (sethostname(2) in a new UTS namespace, so --uts is implied).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,

    /// Run a tiny init as PID 1 that reaps zombies and forwards signals to CMD.
    #[arg(long)]
    pub init: bool,

    /// Start the container's CLOCK_BOOTTIME (its uptime) SECS from the
    /// host's, negative for earlier (a new time namespace, so --time is implied).
    #[arg(long, value_name = "SECS", allow_hyphen_values = true)]
    pub boottime: Option<i64>,

    /// The same for CLOCK_MONOTONIC.
    #[arg(long, value_name = "SECS", allow_hyphen_values = true)]
    pub monotonic: Option<i64>,

    /// Narrate each kernel step (clone, id maps, mounts, ...) on stderr.
    #[arg(long)]
    pub explain: bool,

    /// The command to run, and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

impl RunArgs {
    /// The container these options describe, in `namespaces`; turns on
    /// `--explain` narration for this process and its children.
    pub fn into_container(self, namespaces: Namespaces) -> Container {
        if self.explain {
            explain::enable();
        }
        let mut namespaces = namespaces;
        namespaces.time |= self.boottime.is_some() || self.monotonic.is_some();
        let secs = |s: Option<i64>| timens::Offset { secs: s.unwrap_or(0), nanos: 0 };
        let clock_offsets =
            timens::Offsets { monotonic: secs(self.monotonic), boottime: secs(self.boottime) };
        Container {
            namespaces,
            hostname: self.hostname,
            init: self.init,
            clock_offsets,
            command: self.command,
        }
    }
}
