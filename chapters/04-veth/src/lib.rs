//! Chapter 4: a network of its own.
//!
//! A new network namespace has only a loopback device, down. To reach
//! anything, a container needs an interface whose other end is outside: a veth
//! pair, with the host's end plugged into a bridge ([`veth`]), an address that
//! no other container has ([`ipam`]), and a default route. Everything is done
//! with netlink messages ([`netlink`]), as `ip` does it. To reach the world
//! and be reached on a published port ([`ports`]), the host rewrites
//! addresses ([`nat`]).

pub mod ipam;
pub mod nat;
pub mod netlink;
pub mod network;
pub mod outside;
pub mod ports;
pub mod veth;

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use std::fs::File;

/// How the container is networked (Docker's `--network`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// A veth pair to a bridge, an address, a default route via the bridge.
    Bridge,
    /// A network namespace with only lo.
    None,
    /// No network namespace: the host's interfaces.
    Host,
    /// The network namespace of the process with this pid (another container).
    Container(i32),
}

impl std::str::FromStr for Network {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Network> {
        Ok(match text {
            "bridge" => Network::Bridge,
            "none" => Network::None,
            "host" => Network::Host,
            _ => match text.strip_prefix("container:").map(str::parse) {
                Some(Ok(pid)) if pid > 0 => Network::Container(pid),
                _ => bail!("--net {text:?}: give bridge, none, host or container:PID (a pid on this host)"),
            },
        })
    }
}

// ANCHOR: join
/// `--net container:PID`: open the network namespace of process `pid`, on
/// the host, before the container exists (a bad pid fails here, with nothing
/// to undo). The container's first process joins it with [`join`].
pub fn open_netns(pid: i32) -> Result<File> {
    let path = format!("/proc/{pid}/ns/net");
    File::open(&path).with_context(|| format!("--net container:{pid}: cannot open {path}: is {pid} running?"))
}

/// setns(2): move this process into the network namespace `ns` refers to.
/// Its interfaces, addresses and ports are now this process's, shared with
/// every other process there: 127.0.0.1 is the same loopback for both.
pub fn join(ns: &File, pid: i32) -> Result<()> {
    explain!("setns(/proc/{pid}/ns/net, CLONE_NEWNET)");
    nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET).context("setns into the other netns")
}
// ANCHOR_END: join
