//! One container's network, from the command line to teardown, in the three
//! moments chapter 1's `run_placed` offers: before clone(2) ([`NetArgs::attach`]:
//! checks, ports, lease), in the parent while the child waits
//! ([`Attachment::place`]: veth, rules), in the child ([`Attachment::inside`]:
//! eth0, or joining another netns), and after ([`Attachment::detach`]).

use crate::ipam::{self, Lease, Subnet};
use crate::ports::{self, Publish, Reservation};
use crate::veth::{self, HostSide};
use crate::{nat, Network};
use anyhow::{bail, Result};
use nix::unistd::Pid;
use std::cell::{Cell, RefCell};
use std::fs::File;
use std::net::Ipv4Addr;
use std::path::PathBuf;

/// The network flags, shared by every chapter from 4 on.
#[derive(clap::Args, Debug, Clone)]
pub struct NetArgs {
    /// bridge: a veth pair to the bridge, an address from --subnet, NAT;
    /// none: only lo; host: the host's own network namespace;
    /// container:PID: the network namespace of process PID (another container).
    #[arg(long, default_value = "bridge", value_name = "MODE")]
    pub net: Network,

    /// Publish a port: what reaches the host's HOSTPORT goes to the
    /// container's CONTAINERPORT (repeat for more; bridge mode).
    #[arg(short = 'p', long = "publish", value_name = "HOSTPORT:CONTAINERPORT[/tcp|udp]")]
    pub publish: Vec<Publish>,

    /// The container's address (default: the lowest free one in --subnet).
    #[arg(long, value_name = "ADDR")]
    pub ip: Option<Ipv4Addr>,

    /// The bridge to plug the container into (made if missing).
    #[arg(long, default_value = "burrow0", value_name = "NAME")]
    pub bridge: String,

    /// The bridge's subnet: the bridge gets its first address, containers the rest.
    #[arg(long, default_value = "10.99.0.0/24", value_name = "CIDR")]
    pub subnet: String,

    /// Where address leases are kept.
    #[arg(long, default_value = "/run/burrow", value_name = "DIR")]
    pub state_dir: PathBuf,
}

/// What one container's network holds while it runs.
pub struct Attachment {
    args: NetArgs,
    subnet: Subnet,
    other_netns: Option<File>,
    reserved: Vec<Reservation>,
    lease: Option<Lease>,
    host_veth: String,
    table: String,
    // Filled in by `place`, which runs while `inside` is borrowed too (the
    // two closures of run_placed): hence cells.
    side: RefCell<Option<HostSide>>,
    nat_loaded: Cell<bool>,
}

// ANCHOR: attach
impl NetArgs {
    /// Does the container get a network namespace of its own (CLONE_NEWNET)?
    pub fn new_netns(&self) -> bool {
        matches!(self.net, Network::Bridge | Network::None)
    }

    /// Before clone(2): refuse flags that do not fit together, open the
    /// other container's netns, hold the published ports, take a lease.
    /// A bad value fails here, with nothing made.
    pub fn attach(&self) -> Result<Attachment> {
        if self.bridge.is_empty() || self.bridge.len() > 15 || self.bridge.contains(['/', ' ']) {
            bail!(
                "--bridge {:?}: an interface name is 1 to 15 bytes (IFNAMSIZ), without / or spaces",
                self.bridge
            );
        }
        if self.net != Network::Bridge {
            if let Some(ip) = self.ip {
                bail!(
                    "--ip {ip} needs --net bridge: with --net {:?} the container gets no address of its own",
                    self.net
                );
            }
            if let Some(p) = self.publish.first() {
                bail!(
                    "-p {p} needs --net bridge: only a container behind the host's NAT has ports to publish"
                );
            }
        }
        let subnet = Subnet::parse(&self.subnet)?;
        let other_netns = match self.net {
            Network::Container(pid) => Some(crate::open_netns(pid)?),
            _ => None,
        };
        let reserved = ports::reserve(&self.publish)?;
        let lease = match self.net {
            Network::Bridge => Some(ipam::take(&self.state_dir, &self.bridge, &subnet, self.ip)?),
            _ => None,
        };
        // Named for this tool's pid: unique on the host while it runs.
        let pid = std::process::id();
        Ok(Attachment {
            args: self.clone(),
            subnet,
            other_netns,
            reserved,
            lease,
            host_veth: veth::host_name(pid),
            table: nat::table_name(pid),
            side: RefCell::new(None),
            nat_loaded: Cell::new(false),
        })
    }
}

impl Attachment {
    /// Does the container get a network namespace of its own?
    pub fn new_netns(&self) -> bool {
        self.args.new_netns()
    }

    /// In the parent, while the child waits: plug it into the bridge and
    /// load its rules (bridge mode only).
    pub fn place(&self, pid: Pid) -> Result<()> {
        let Some(lease) = &self.lease else { return Ok(()) };
        let args = &self.args;
        veth::plug_in(
            &args.state_dir,
            &args.bridge,
            &self.subnet,
            &self.host_veth,
            pid.as_raw(),
            &mut self.side.borrow_mut(),
        )?;
        let rules = nat::ruleset(&self.table, &args.bridge, &self.subnet, lease.addr, &args.publish);
        self.nat_loaded.set(true);
        nat::apply(&self.table, &args.bridge, &rules, !args.publish.is_empty())
    }

    /// In the child: configure eth0 (bridge), bring lo up (none), or join
    /// the other container's netns (container:PID).
    pub fn inside(&self) -> Result<()> {
        match (self.args.net, &self.lease, &self.other_netns) {
            (Network::Bridge, Some(lease), _) => veth::configure_inside(lease.addr, &self.subnet),
            (Network::None, _, _) => veth::lo_up(),
            (Network::Container(pid), _, Some(ns)) => crate::join(ns, pid),
            _ => Ok(()),
        }
    }

    /// After the container: undo in reverse, every step even if one fails:
    /// the rules, the veth (and the bridge if it is burrow's and empty),
    /// then the lease and the ports.
    pub fn detach(self) -> Result<()> {
        let removed = if self.nat_loaded.get() { nat::remove(&self.table) } else { Ok(()) };
        let side = self.side.take();
        let unplugged = side.as_ref().map_or(Ok(()), |side| veth::unplug(&self.args.state_dir, side));
        drop((self.lease, self.reserved));
        removed.and(unplugged)
    }
}
// ANCHOR_END: attach
