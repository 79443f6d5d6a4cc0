//! Published ports: `-p 8080:80` makes the host's port 8080 lead to port 80
//! of the container.
//!
//! The container's address (10.99.0.7) exists only on the host and its bridge:
//! a client elsewhere can reach the host, not the container. A published port
//! is a promise that the host forwards what arrives on HOSTPORT to the
//! container ([`crate::nat`] writes the DNAT rule). Here the port is also
//! *reserved*: burrow binds it on the host for as long as the container runs,
//! as Docker's `docker-proxy` does, so that a second container or a host
//! server asking for the same port gets "address in use" instead of a rule
//! that silently steals its traffic.

use anyhow::{bail, Context, Result};
use std::fmt;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
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

/// A host port held by this process: closed (freed) when dropped.
#[derive(Debug)]
pub enum Reservation {
    Tcp(TcpListener),
    Udp(UdpSocket),
}

// ANCHOR: reserve
/// Bind every published host port on 0.0.0.0, or fail naming the first one
/// that is taken. The sockets never see a packet: the DNAT rule rewrites
/// the destination before the host's socket lookup.
pub fn reserve(ports: &[Publish]) -> Result<Vec<Reservation>> {
    ports
        .iter()
        .map(|p| {
            let addr = (Ipv4Addr::UNSPECIFIED, p.host);
            let held = match p.proto {
                Proto::Tcp => TcpListener::bind(addr).map(Reservation::Tcp),
                Proto::Udp => UdpSocket::bind(addr).map(Reservation::Udp),
            };
            held.with_context(|| {
                format!("-p {p}: host port {}/{} is taken; publish another host port", p.host, p.proto)
            })
        })
        .collect()
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
        let Reservation::Tcp(listener) = &first[0] else { panic!("tcp") };
        let port = listener.local_addr().unwrap().port();
        let again = reserve(&[Publish { host: port, container: 80, proto: Proto::Tcp }]);
        assert!(again.unwrap_err().to_string().contains(&format!("host port {port}/tcp is taken")));
        drop(first);
        assert!(reserve(&[Publish { host: port, container: 80, proto: Proto::Tcp }]).is_ok());
    }
}
