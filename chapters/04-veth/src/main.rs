//! `ch04-veth`: run a command in a container with its own network.

use anyhow::Result;
use ch01_unshare::cli::RunArgs;
use ch01_unshare::explain;
use ch03_cgroups::cli::LimitArgs;
use ch04_veth::network::NetArgs;
use ch04_veth::outside::Outside;
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run CMD in new namespaces (and a rootfs, with --rootfs) with a network of
/// its own: a veth pair to a bridge, an address, a default route, NAT to the
/// outside and published ports.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Examples:\n  ch04-veth -- sh -c 'ip addr; ip route; ping -c1 10.99.0.1'\n  ch04-veth --init -p 8080:80 -- busybox httpd -f -p 80 -h /srv   (then: wget -qO- localhost:8080)"
)]
struct Cli {
    #[command(flatten)]
    network: NetArgs,

    /// Run inside this root filesystem (chapter 2).
    #[arg(long, value_name = "DIR")]
    rootfs: Option<PathBuf>,

    #[command(flatten)]
    limits: LimitArgs,

    #[command(flatten)]
    run: RunArgs,
}

// ANCHOR: main
fn run(cli: Cli) -> Result<i32> {
    if cli.run.explain {
        explain::enable();
    }
    let rootfs = cli.rootfs.as_deref().map(ch02_chroot::check_rootfs).transpose()?;
    // Chapters 3 and 4: a cgroup (only when a limit is asked for) and a network.
    let outside = Outside::prepare(&cli.network, &cli.limits, &format!("ch04-{}", std::process::id()))?;
    let namespaces = outside.namespaces(ch02_chroot::NAMESPACES);
    let container = cli.run.into_container(namespaces);
    let flags = container.clone_flags();
    let result = ch01_unshare::run_placed(&container, &mut |pid| outside.place(pid), &mut || {
        outside.inside()?;
        match &rootfs {
            Some(rootfs) => ch02_chroot::enter_rootfs(rootfs, ch02_chroot::Mode::Pivot),
            None => ch01_unshare::mount_fresh_proc(flags),
        }
    });
    let removed = outside.remove();
    let code = result?;
    removed?;
    Ok(code)
}
// ANCHOR_END: main

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    ch01_unshare::exit_with("ch04-veth", run(cli))
}
