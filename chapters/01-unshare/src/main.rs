//! `ch01-unshare`: run a command in new namespaces.

use ch01_unshare::{explain, Container, Namespaces};
use clap::Parser;
use std::process::ExitCode;

/// Run CMD in new namespaces made with clone(2).
///
/// Each flag turns on one namespace; --explain shows every syscall.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Example: ch01-unshare --all --init --hostname box -- /bin/sh -c 'hostname; ps'"
)]
struct Cli {
    #[command(flatten)]
    namespaces: Namespaces,

    /// Set the hostname in the new UTS namespace (implies --uts).
    #[arg(long, value_name = "NAME")]
    hostname: Option<String>,

    /// Run a tiny init as PID 1 that reaps zombies and forwards signals to CMD.
    #[arg(long)]
    init: bool,

    /// Narrate each kernel step (clone flags, id maps, mounts) on stderr.
    #[arg(long)]
    explain: bool,

    /// The command to run, and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<String>,
}

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    if cli.explain {
        explain::enable();
    }
    let container = Container {
        namespaces: cli.namespaces,
        hostname: cli.hostname,
        init: cli.init,
        command: cli.command,
    };
    let flags = container.clone_flags();
    let result = ch01_unshare::run(&container, &mut || ch01_unshare::mount_fresh_proc(flags));
    ch01_unshare::exit_with("ch01-unshare", result)
}
