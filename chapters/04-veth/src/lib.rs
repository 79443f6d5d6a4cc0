//! Chapter 4: a network of its own.
//!
//! A new network namespace has only a loopback device, down. To reach
//! anything, a container needs an interface whose other end is outside: a veth
//! pair, with the host's end plugged into a bridge ([`veth`]), an address that
//! no other container has ([`ipam`]), and a default route. Everything is done
//! with netlink messages ([`netlink`]), as `ip` does it.

pub mod ipam;
pub mod netlink;
pub mod veth;

/// How the container is networked (Docker's `--network`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Network {
    /// A veth pair to a bridge, an address, a default route via the bridge.
    Bridge,
    /// A network namespace with only lo.
    None,
    /// No network namespace: the host's interfaces.
    Host,
}
