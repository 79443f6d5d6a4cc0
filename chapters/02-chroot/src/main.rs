//! `ch02-chroot`: run a command inside a root filesystem.

use ch01_unshare::cli::RunArgs;
use ch02_chroot::Mode;
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run CMD with DIR as its root filesystem, in new uts, pid, mount, ipc, net
/// and cgroup namespaces, with /proc, a read-only /sys and a minimal /dev.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Example: ch02-chroot --rootfs target/burrow-rootfs/busybox -- /bin/sh -c 'ls /; cat /proc/1/cmdline'"
)]
struct Cli {
    /// The root filesystem: a directory holding the container's files.
    #[arg(long, value_name = "DIR")]
    rootfs: PathBuf,

    /// pivot: pivot_root(2) and detach the old root; chroot: chroot(2) only
    /// (escapable, kept to show why).
    #[arg(long, value_enum, default_value_t = Mode::Pivot)]
    mode: Mode,

    #[command(flatten)]
    run: RunArgs,
}

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    let result = ch02_chroot::check_rootfs(&cli.rootfs).and_then(|rootfs| {
        let container = cli.run.into_container(ch02_chroot::NAMESPACES);
        ch01_unshare::run(&container, &mut || ch02_chroot::enter_rootfs(&rootfs, cli.mode))
    });
    ch01_unshare::exit_with("ch02-chroot", result)
}
