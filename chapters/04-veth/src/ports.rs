//! Published ports: `-p 8080:80` makes the host's port 8080 lead to port 80
//! of the container.
//!
//! The container's address (10.99.0.7) exists only on the host and its bridge:
//! a client elsewhere can reach the host, not the container. A published port
//! is a promise that the host forwards what arrives on HOSTPORT to the
//! container ([`crate::nat`] writes the DNAT rule). Here the port is also
//! *reserved*: burrow binds it on the host for as long as the container runs,
//! so that a second container or a host server asking for the same port gets
//! "address in use" instead of a rule that silently steals its traffic.

use anyhow::{bail, Context, Result};
use nix::sys::socket::{bind, socket, AddressFamily, SockFlag, SockType, SockaddrIn};
use std::fmt;
use std::os::fd::OwnedFd;
use std::str::FromStr;

/// The transport protocol of a published port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        })
    }
}

/// One `-p HOSTPORT:CONTAINERPORT[/tcp|udp]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Publish {
    pub host: u16,
    pub container: u16,
    pub proto: Proto,
}

impl FromStr for Publish {
    type Err = anyhow::Error;

    fn from_str(spec: &str) -> Result<Publish> {
        let hint = || format!("-p {spec:?}: give HOSTPORT:CONTAINERPORT[/tcp|/udp], e.g. -p 8080:80");
        let (ports, proto) = match spec.split_once('/') {
            None => (spec, Proto::Tcp),
            Some((ports, "tcp")) => (ports, Proto::Tcp),
            Some((ports, "udp")) => (ports, Proto::Udp),
            Some(_) => bail!(hint()),
        };
        let (host, container) = ports.split_once(':').with_context(hint)?;
        let port = |text: &str| match text.parse::<u16>() {
            Ok(0) | Err(_) => bail!("{}: a port is a number from 1 to 65535", hint()),
            Ok(port) => Ok(port),
        };
        Ok(Publish { host: port(host)?, container: port(container)?, proto })
    }
}

impl fmt::Display for Publish {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}:{}/{}", self.host, self.container, self.proto)
    }
}

/// A host port held by this process: a bound socket, closed (and the port
/// freed) when dropped.
pub type Reservation = OwnedFd;

// ANCHOR: reserve
/// Bind a socket to 0.0.0.0:HOSTPORT for every published port, or fail
/// naming the first one that is taken. The sockets only hold the ports: a
/// TCP socket that is bound and never listens refuses connections (the
/// container is not up yet), and once the DNAT rule is in, the packets are
/// the container's before the host looks for a socket. Without SO_REUSEADDR,
/// no other socket can bind the port while it is held.
pub fn reserve(ports: &[Publish]) -> Result<Vec<Reservation>> {
    ports.iter().map(hold).collect()
}

/// Hold one published port: a socket of its protocol, bound to 0.0.0.0:HOSTPORT.
fn hold(p: &Publish) -> Result<Reservation> {
    // EXERCISE 4.8: hold the host port of `p`: a socket of its protocol bound to 0.0.0.0:HOSTPORT, or an error naming the port
    // HINT: socket(AddressFamily::Inet, SockType::Stream (tcp) or SockType::Datagram (udp), SockFlag::SOCK_CLOEXEC, None)
    // HINT: bind(fd, &SockaddrIn::new(0, 0, 0, 0, p.host)), without SO_REUSEADDR and without listen(2): EADDRINUSE means the port is taken
    // HINT: the error says "-p {p}: host port {host}/{proto} is taken"; return the socket: dropping it frees the port
    let kind = match p.proto {
        Proto::Tcp => SockType::Stream,
        Proto::Udp => SockType::Datagram,
    };
    let sock = socket(AddressFamily::Inet, kind, SockFlag::SOCK_CLOEXEC, None)
        .with_context(|| format!("-p {p}: socket(2)"))?;
    bind(std::os::fd::AsRawFd::as_raw_fd(&sock), &SockaddrIn::new(0, 0, 0, 0, p.host)).with_context(
        || format!("-p {p}: host port {}/{} is taken; publish another host port", p.host, p.proto),
    )?;
    Ok(sock)
    // END EXERCISE
}
// ANCHOR_END: reserve

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        let p: Publish = "8080:80".parse().unwrap();
        assert_eq!(p, Publish { host: 8080, container: 80, proto: Proto::Tcp });
        let p: Publish = "5353:53/udp".parse().unwrap();
        assert_eq!(p, Publish { host: 5353, container: 53, proto: Proto::Udp });
        for bad in ["80", "0:80", "8080:80/sctp", "x:80", "70000:80", "8080:"] {
            let err = bad.parse::<Publish>().unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn a_taken_port_is_refused() {
        // Host port 0: the kernel picks a free one.
        let first = reserve(&[Publish { host: 0, container: 80, proto: Proto::Tcp }]).unwrap();
        let bound: SockaddrIn =
            nix::sys::socket::getsockname(std::os::fd::AsRawFd::as_raw_fd(&first[0])).unwrap();
        let port = bound.port();
        let again = reserve(&[Publish { host: port, container: 80, proto: Proto::Tcp }]);
        assert!(again.unwrap_err().to_string().contains(&format!("host port {port}/tcp is taken")));
        // A server cannot take it either, and a client is refused, not left hanging.
        assert!(std::net::TcpListener::bind(("0.0.0.0", port)).is_err());
        let refused = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        drop(first);
        assert!(reserve(&[Publish { host: port, container: 80, proto: Proto::Tcp }]).is_ok());
    }
}
