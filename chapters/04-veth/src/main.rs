//! `ch04-veth`: run a command in a container with its own network.

use anyhow::{bail, Result};
use ch01_unshare::cli::RunArgs;
use ch01_unshare::explain;
use ch04_veth::ipam::{self, Subnet};
use ch04_veth::veth::{self, HostSide};
use ch04_veth::Network;
use clap::Parser;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run CMD in new namespaces (and a rootfs, with --rootfs) with a network of
/// its own: a veth pair to a bridge, an address, a default route.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Example: ch04-veth --net bridge -- sh -c 'ip addr; ip route; ping -c1 10.99.0.1'"
)]
struct Cli {
    /// bridge: a veth pair to the bridge, an address from --subnet;
    /// none: only lo; host: the host's own network namespace.
    #[arg(long, value_enum, default_value_t = Network::Bridge)]
    net: Network,

    /// The container's address (default: the lowest free one in --subnet).
    #[arg(long, value_name = "ADDR")]
    ip: Option<Ipv4Addr>,

    /// The bridge to plug the container into (made if missing).
    #[arg(long, default_value = "burrow0", value_name = "NAME")]
    bridge: String,

    /// The bridge's subnet: the bridge gets its first address, containers the rest.
    #[arg(long, default_value = "10.99.0.0/24", value_name = "CIDR")]
    subnet: String,

    /// Where address leases are kept.
    #[arg(long, default_value = "/run/burrow", value_name = "DIR")]
    state_dir: PathBuf,

    /// Run inside this root filesystem (chapter 2).
    #[arg(long, value_name = "DIR")]
    rootfs: Option<PathBuf>,

    #[command(flatten)]
    run: RunArgs,
}

// ANCHOR: main
fn run(cli: Cli) -> Result<i32> {
    if cli.run.explain {
        explain::enable();
    }
    let subnet = Subnet::parse(&cli.subnet)?;
    if cli.bridge.is_empty() || cli.bridge.len() > 15 || cli.bridge.contains(['/', ' ']) {
        bail!(
            "--bridge {:?}: an interface name is 1 to 15 bytes (IFNAMSIZ), without / or spaces",
            cli.bridge
        );
    }
    if let (Some(ip), false) = (cli.ip, cli.net == Network::Bridge) {
        bail!(
            "--ip {ip} needs --net bridge: with --net {:?} the container gets no address of its own",
            cli.net
        );
    }
    let rootfs = cli.rootfs.as_deref().map(ch02_chroot::check_rootfs).transpose()?;
    let lease = match cli.net {
        Network::Bridge => Some(ipam::take(&cli.state_dir, &cli.bridge, &subnet, cli.ip)?),
        _ => None,
    };
    let mut namespaces = ch02_chroot::NAMESPACES;
    namespaces.net = cli.net != Network::Host;
    let container = cli.run.into_container(namespaces);
    let flags = container.clone_flags();
    let mut side: Option<HostSide> = None;
    // Named for this tool's pid, which the child knows too (it is a copy).
    let names = veth::pair_names(std::process::id());
    let (net, bridge, state) = (cli.net, cli.bridge.clone(), cli.state_dir.clone());
    let result = ch01_unshare::run_placed(
        &container,
        &mut |pid| match net {
            Network::Bridge => veth::plug_in(&state, &bridge, &subnet, &names, pid.as_raw(), &mut side),
            _ => Ok(()),
        },
        &mut || {
            match (net, &lease) {
                (Network::Bridge, Some(lease)) => veth::configure_inside(&names.1, lease.addr, &subnet)?,
                (Network::None, _) => veth::lo_up()?,
                _ => {}
            }
            match &rootfs {
                Some(rootfs) => ch02_chroot::enter_rootfs(rootfs, ch02_chroot::Mode::Pivot),
                None => ch01_unshare::mount_fresh_proc(flags),
            }
        },
    );
    if let Some(side) = &side {
        veth::unplug(&cli.state_dir, side)?;
    }
    drop(lease);
    result
}
// ANCHOR_END: main

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    ch01_unshare::exit_with("ch04-veth", run(cli))
}
