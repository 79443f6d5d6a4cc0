//! `ch01-unshare`: run a command in new namespaces.

use ch01_unshare::cli::RunArgs;
use ch01_unshare::Namespaces;
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

    #[command(flatten)]
    run: RunArgs,
}

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    let container = cli.run.into_container(cli.namespaces);
    let flags = container.clone_flags();
    let result = ch01_unshare::run(&container, &mut || ch01_unshare::mount_fresh_proc(flags));
    ch01_unshare::exit_with("ch01-unshare", result)
}
