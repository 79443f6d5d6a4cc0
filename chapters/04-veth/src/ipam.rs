//! IP address management: a lease file per address, so that containers
//! started at the same time never get the same one.
//!
//! The leases of a bridge are files in `STATE/ipam/BRIDGE/`, named by address
//! and holding the pid of the tool that took it. Taking one happens under an
//! exclusive flock(2) on the directory's lock file; a lease whose process is
//! gone is stale and free again. (Kubernetes' host-local IPAM plugin keeps its
//! leases the same way.)

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::fcntl::{Flock, FlockArg};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// An IPv4 subnet, e.g. `10.99.0.0/24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subnet {
    pub network: Ipv4Addr,
    pub prefix: u8,
}

impl Subnet {
    /// Parse `A.B.C.D/N` (N from 8 to 30).
    pub fn parse(text: &str) -> Result<Subnet> {
        let hint = || format!("invalid subnet {text:?}: give an IPv4 network, e.g. 10.99.0.0/24");
        let (addr, prefix) = text.split_once('/').with_context(hint)?;
        let (addr, prefix): (Ipv4Addr, u8) =
            (addr.parse().with_context(hint)?, prefix.parse().with_context(hint)?);
        if !(8..=30).contains(&prefix) {
            bail!(hint());
        }
        let mask = u32::MAX << (32 - prefix);
        Ok(Subnet { network: Ipv4Addr::from(u32::from(addr) & mask), prefix })
    }

    /// The n-th address of the subnet (1 is the gateway, on the bridge).
    pub fn host(&self, n: u32) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network) + n)
    }

    /// The addresses containers may get: from .2 up to the last before broadcast.
    pub fn hosts(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        (2..(1u32 << (32 - self.prefix)) - 1).map(|n| self.host(n))
    }

    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        let mask = u32::MAX << (32 - self.prefix);
        u32::from(addr) & mask == u32::from(self.network)
    }
}

/// One address, held until the lease is dropped.
#[derive(Debug)]
pub struct Lease {
    pub addr: Ipv4Addr,
    file: PathBuf,
}

impl Drop for Lease {
    fn drop(&mut self) {
        explain!("release lease {}", self.file.display());
        let _ = std::fs::remove_file(&self.file);
    }
}

// ANCHOR: take
/// Take `wanted`, or the lowest free address of `subnet`, for `bridge`.
pub fn take(state: &Path, bridge: &str, subnet: &Subnet, wanted: Option<Ipv4Addr>) -> Result<Lease> {
    if let Some(addr) = wanted {
        if !subnet.contains(addr) || !subnet.hosts().any(|a| a == addr) {
            bail!(
                "--ip {addr} is not a container address of {}/{} (use {} to {})",
                subnet.network,
                subnet.prefix,
                subnet.host(2),
                subnet.hosts().last().unwrap_or(subnet.host(2))
            );
        }
    }
    // EXERCISE 4.2: under an exclusive flock on STATE/ipam/BRIDGE/.lock, take `wanted` or the lowest free address, and write its lease file (our pid)
    // HINT: one lease per address: the file STATE/ipam/BRIDGE/ADDR holds the pid of the tool that took it; choosing and writing must be one step, under the lock
    // HINT: Flock::lock(File::create(dir.join(".lock"))?, FlockArg::LockExclusive) waits for the lock; it is released when the Flock is dropped
    // HINT: free: no file, or its pid has no /proc/PID (a killed tool's stale lease); subnet.hosts().find(free); a taken --ip is an error naming it
    let dir = state.join("ipam").join(bridge);
    std::fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
    let lock = std::fs::File::create(dir.join(".lock"))
        .with_context(|| format!("create {}/.lock", dir.display()))?;
    let _locked =
        Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| e).context("flock the leases")?;
    let free = |addr: &Ipv4Addr| match std::fs::read_to_string(dir.join(addr.to_string())) {
        Err(_) => true,
        Ok(pid) => !Path::new("/proc").join(pid.trim()).exists(), // stale: its owner is gone
    };
    let addr = match wanted {
        Some(addr) if free(&addr) => addr,
        Some(addr) => bail!(
            "--ip {addr} is taken by another container (lease {})",
            dir.join(addr.to_string()).display()
        ),
        None => subnet
            .hosts()
            .find(free)
            .with_context(|| format!("no free address left in {}/{}", subnet.network, subnet.prefix))?,
    };
    let file = dir.join(addr.to_string());
    explain!("lease {addr}: write {} (under flock {}/.lock)", file.display(), dir.display());
    std::fs::write(&file, std::process::id().to_string())
        .with_context(|| format!("write {}", file.display()))?;
    Ok(Lease { addr, file })
    // END EXERCISE
}
// ANCHOR_END: take

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets() {
        let net = Subnet::parse("10.99.0.7/24").unwrap();
        assert_eq!(net.network, Ipv4Addr::new(10, 99, 0, 0));
        assert_eq!(net.host(1), Ipv4Addr::new(10, 99, 0, 1));
        assert_eq!(net.hosts().count(), 253);
        assert!(net.contains(Ipv4Addr::new(10, 99, 0, 200)) && !net.contains(Ipv4Addr::new(10, 98, 0, 2)));
        assert!(Subnet::parse("10.99.0.0/31").is_err() && Subnet::parse("10.99.0.0").is_err());
    }

    #[test]
    fn leases_are_distinct_and_freed() {
        let dir = tempfile::tempdir().unwrap();
        let net = Subnet::parse("10.99.0.0/29").unwrap();
        let a = take(dir.path(), "br", &net, None).unwrap();
        let b = take(dir.path(), "br", &net, None).unwrap();
        assert_eq!((a.addr, b.addr), (net.host(2), net.host(3)));
        assert!(take(dir.path(), "br", &net, Some(net.host(2))).is_err());
        drop(a);
        assert_eq!(take(dir.path(), "br", &net, None).unwrap().addr, net.host(2));
        assert!(take(dir.path(), "br", &net, Some(net.host(1))).is_err());
    }
}
