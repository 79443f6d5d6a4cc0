//! `ch04-veth`: run a command in a container with its own network.

use anyhow::{bail, Result};
use ch01_unshare::cli::RunArgs;
use ch01_unshare::explain;
use ch03_cgroups::cli::LimitArgs;
use ch03_cgroups::{Cgroup, Layout, PARENT};
use ch04_veth::ipam::{self, Subnet};
use ch04_veth::ports::{self, Publish};
use ch04_veth::veth::{self, HostSide};
use ch04_veth::{nat, Network};
use clap::Parser;
use std::net::Ipv4Addr;
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
    /// bridge: a veth pair to the bridge, an address from --subnet, NAT;
    /// none: only lo; host: the host's own network namespace;
    /// container:PID: the network namespace of process PID (another container).
    #[arg(long, default_value = "bridge", value_name = "MODE")]
    net: Network,

    /// Publish a port: what reaches the host's HOSTPORT goes to the
    /// container's CONTAINERPORT (repeat for more; bridge mode).
    #[arg(short = 'p', long = "publish", value_name = "HOSTPORT:CONTAINERPORT[/tcp|udp]")]
    publish: Vec<Publish>,

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
    limits: LimitArgs,

    #[command(flatten)]
    run: RunArgs,
}

/// Refuse flags that do not fit together, before anything exists.
fn check(cli: &Cli) -> Result<()> {
    if cli.bridge.is_empty() || cli.bridge.len() > 15 || cli.bridge.contains(['/', ' ']) {
        bail!(
            "--bridge {:?}: an interface name is 1 to 15 bytes (IFNAMSIZ), without / or spaces",
            cli.bridge
        );
    }
    if cli.net != Network::Bridge {
        if let Some(ip) = cli.ip {
            bail!(
                "--ip {ip} needs --net bridge: with --net {:?} the container gets no address of its own",
                cli.net
            );
        }
        if let Some(p) = cli.publish.first() {
            bail!("-p {p} needs --net bridge: only a container behind the host's NAT has ports to publish");
        }
    }
    Ok(())
}

// ANCHOR: main
fn run(cli: Cli) -> Result<i32> {
    if cli.run.explain {
        explain::enable();
    }
    check(&cli)?;
    let subnet = Subnet::parse(&cli.subnet)?;
    let rootfs = cli.rootfs.as_deref().map(ch02_chroot::check_rootfs).transpose()?;
    let other_netns = match cli.net {
        Network::Container(pid) => Some(ch04_veth::open_netns(pid)?),
        _ => None,
    };
    let res = cli.limits.resources()?;
    let reserved = ports::reserve(&cli.publish)?;
    let lease = match cli.net {
        Network::Bridge => Some(ipam::take(&cli.state_dir, &cli.bridge, &subnet, cli.ip)?),
        _ => None,
    };
    // Chapter 3: a cgroup only when a limit is asked for.
    let name = format!("ch04-{}", std::process::id());
    let cgroup =
        cli.limits.any().then(|| Cgroup::create(&Layout::detect()?, PARENT, &name, &res)).transpose()?;
    if let Some(cgroup) = &cgroup {
        cgroup.apply(&res)?;
    }
    let mut namespaces = ch02_chroot::NAMESPACES;
    namespaces.net = matches!(cli.net, Network::Bridge | Network::None);
    namespaces.cgroup = cgroup.is_none(); // else unshared in the child, once it is in its cgroup
    let container = cli.run.into_container(namespaces);
    let flags = container.clone_flags();
    // Named for this tool's pid: unique on the host while it runs.
    let host_veth = veth::host_name(std::process::id());
    let table = nat::table_name(std::process::id());
    let (mut side, mut nat_loaded): (Option<HostSide>, bool) = (None, false);
    let result = ch01_unshare::run_placed(
        &container,
        &mut |pid| {
            if let Some(cgroup) = &cgroup {
                cgroup.add(pid)?;
            }
            let Some(lease) = &lease else { return Ok(()) };
            veth::plug_in(&cli.state_dir, &cli.bridge, &subnet, &host_veth, pid.as_raw(), &mut side)?;
            let rules = nat::ruleset(&table, &cli.bridge, &subnet, lease.addr, &cli.publish);
            nat_loaded = true;
            nat::apply(&table, &cli.bridge, &rules, !cli.publish.is_empty())
        },
        &mut || {
            if cgroup.is_some() {
                ch03_cgroups::unshare_cgroup_namespace()?;
            }
            match (cli.net, &lease, &other_netns) {
                (Network::Bridge, Some(lease), _) => veth::configure_inside(lease.addr, &subnet)?,
                (Network::None, _, _) => veth::lo_up()?,
                (Network::Container(pid), _, Some(ns)) => ch04_veth::join(ns, pid)?,
                _ => {}
            }
            match &rootfs {
                Some(rootfs) => ch02_chroot::enter_rootfs(rootfs, ch02_chroot::Mode::Pivot),
                None => ch01_unshare::mount_fresh_proc(flags),
            }
        },
    );
    // Undo in reverse, every step even if one fails: rules, veth (and the
    // bridge if it is burrow's and empty), then the lease and the ports.
    let removed = if nat_loaded { nat::remove(&table) } else { Ok(()) };
    let unplugged = side.as_ref().map_or(Ok(()), |side| veth::unplug(&cli.state_dir, side));
    drop((lease, reserved));
    let code = result?;
    removed.and(unplugged)?;
    Ok(code)
}
// ANCHOR_END: main

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    ch01_unshare::exit_with("ch04-veth", run(cli))
}
