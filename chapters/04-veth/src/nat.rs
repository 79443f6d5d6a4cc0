//! NAT: how a container with a private address talks to the world, and how
//! the world reaches a published port.
//!
//! Two rewrites, both by the kernel's netfilter, both remembered per
//! connection by conntrack so that the replies are rewritten back:
//!
//! - **masquerade** (source NAT): a packet from 10.99.0.7 leaving the host by
//!   any other interface than the bridge gets the host's address on that
//!   interface as its source. The world never sees 10.99.0.7.
//! - **DNAT** (destination NAT): a packet for one of the host's own
//!   addresses, port 8080, gets 10.99.0.7 port 80 as its destination, before
//!   the host routes it. The `prerouting` hook sees packets arriving from
//!   outside; the `output` hook sees the host's own (`curl localhost:8080`).
//!
//! The rules are an nftables ruleset, one table per container, handed to
//! `nft -f -`; deleting the table deletes them all at once. (nftables is also
//! spoken over netlink, but its messages are a bytecode for a small virtual
//! machine: `nft` compiles the text to it, and that compiler is not the
//! lesson here.)

use crate::ipam::Subnet;
use crate::ports::Publish;
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use std::io::Write;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

/// The nftables table holding one container's rules: named for the tool's
/// pid, as its veth is.
pub fn table_name(pid: u32) -> String {
    format!("burrow_{pid}")
}

// ANCHOR: ruleset
/// The rules for a container at `addr` on `bridge`, publishing `ports`: the
/// way out, and with published ports the way in.
pub fn ruleset(table: &str, bridge: &str, subnet: &Subnet, addr: Ipv4Addr, ports: &[Publish]) -> String {
    let mut rules = format!("table ip {table} {{\n");
    rules += &postrouting(bridge, subnet, addr, !ports.is_empty());
    if !ports.is_empty() {
        rules += &published(bridge, addr, ports);
    }
    rules + "}\n"
}

/// The way out: the `postrouting` chain, where what the container sends to
/// the world gets the host's address as its source.
fn postrouting(bridge: &str, subnet: &Subnet, addr: Ipv4Addr, published: bool) -> String {
    // EXERCISE 4.6: write the postrouting chain: masquerade what comes from `addr` and leaves by any other interface than the bridge
    // HINT: a base chain of type nat on the postrouting hook: "type nat hook postrouting priority srcnat; policy accept;"
    // HINT: the rule: ip saddr ADDR oifname != "BRIDGE" masquerade (to another container or the host itself, the source stays)
    // HINT: when `published`, also: ip daddr ADDR oifname "BRIDGE" ct status dnat ip saddr { 127.0.0.0/8, SUBNET } masquerade
    let mut chain = format!(
        "\tchain postrouting {{
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr {addr} oifname != \"{bridge}\" masquerade\n"
    );
    if published {
        // From the host itself (127.0.0.1) or another container, the reply
        // would not come back through the host to be un-DNATed: make the
        // host the source, so it does.
        let net = format!("{}/{}", subnet.network, subnet.prefix);
        chain += &format!(
            "\t\tip daddr {addr} oifname \"{bridge}\" ct status dnat ip saddr {{ 127.0.0.0/8, {net} }} masquerade\n"
        );
    }
    chain + "\t}\n"
    // END EXERCISE
}

/// The way in, for published ports: DNAT in `prerouting` (packets that
/// arrive) and `output` (the host's own), and the `localnet` chain that
/// keeps containers away from the host's 127.0.0.0/8.
fn published(bridge: &str, addr: Ipv4Addr, ports: &[Publish]) -> String {
    // EXERCISE 4.7: write the DNAT rules of the published ports, in a prerouting and an output chain, and the localnet chain
    // HINT: one rule per port: fib daddr type local PROTO dport HOSTPORT dnat to ADDR:CONTAINERPORT (any address of this host)
    // HINT: the same rules in two nat chains: "type nat hook prerouting priority dstnat;" and "type nat hook output priority -100;", each "policy accept;"
    // HINT: then a filter chain on prerouting, priority raw: iifname "BRIDGE" ip daddr 127.0.0.0/8 drop (route_localnet opens that door)
    let dnat: String = ports
        .iter()
        .map(|p| {
            format!("\t\tfib daddr type local {} dport {} dnat to {addr}:{}\n", p.proto, p.host, p.container)
        })
        .collect();
    format!(
        "\tchain prerouting {{\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n{dnat}\t}}
\tchain output {{\n\t\ttype nat hook output priority -100; policy accept;\n{dnat}\t}}
\tchain localnet {{
\t\ttype filter hook prerouting priority raw; policy accept;
\t\tiifname \"{bridge}\" ip daddr 127.0.0.0/8 drop
\t}}\n"
    )
    // END EXERCISE
}
// ANCHOR_END: ruleset

// ANCHOR: apply
/// Turn on forwarding between interfaces, and load the container's rules.
/// With published ports, also let the host route 127.0.0.1 to the bridge
/// (`route_localnet`), or `curl localhost:8080` could not reach the
/// container; the ruleset's `localnet` chain drops what a container sends to
/// 127.0.0.0/8, so that this opens no door to the host's local services.
pub fn apply(table: &str, bridge: &str, ruleset: &str, localhost: bool) -> Result<()> {
    sysctl("/proc/sys/net/ipv4/ip_forward")?;
    if localhost {
        sysctl(&format!("/proc/sys/net/ipv4/conf/{bridge}/route_localnet"))?;
    }
    explain!("nft -f -:\ncreate table ip {table}\n{}", ruleset.trim_end());
    // `create` fails if the table exists: one left by a tool that was
    // killed (SIGKILL) and had the same pid. Only then, delete it first
    // (deleting costs an RCU grace period: milliseconds, not microseconds).
    match nft(&["-f", "-"], &format!("create table ip {table}\n{ruleset}")) {
        Err(e) if e.to_string().contains("File exists") => {
            remove(table)?;
            nft(&["-f", "-"], ruleset)
        }
        other => other,
    }
}
// ANCHOR_END: apply

/// Delete the container's table, with every rule in it.
pub fn remove(table: &str) -> Result<()> {
    explain!("nft delete table ip {table}");
    nft(&["delete", "table", "ip", table], "")
}

/// Write 1 to a sysctl of this network namespace, unless it is already 1.
fn sysctl(path: &str) -> Result<()> {
    if std::fs::read_to_string(path).map(|v| v.trim() == "1").unwrap_or(false) {
        return Ok(());
    }
    explain!("write 1 to {path}");
    std::fs::write(path, "1").with_context(|| format!("write 1 to {path}"))
}

fn nft(args: &[&str], input: &str) -> Result<()> {
    let mut child = Command::new("nft")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("run nft: is nftables installed? (scripts/provision.sh installs it)")?;
    child.stdin.take().context("nft's stdin")?.write_all(input.as_bytes()).context("write to nft")?;
    let out = child.wait_with_output().context("wait for nft")?;
    if !out.status.success() {
        bail!("nft {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masquerade_only_without_ports() {
        let net = Subnet::parse("10.99.0.0/24").unwrap();
        let rules = ruleset("burrow_1", "burrow0", &net, net.host(7), &[]);
        assert!(rules.contains("ip saddr 10.99.0.7 oifname != \"burrow0\" masquerade"), "{rules}");
        assert!(!rules.contains("dnat"), "{rules}");
    }

    #[test]
    fn a_published_port_is_dnat_in_prerouting_and_output() {
        let net = Subnet::parse("10.99.0.0/24").unwrap();
        let ports = ["8080:80".parse().unwrap(), "5353:53/udp".parse().unwrap()];
        let rules = ruleset("burrow_1", "burrow0", &net, net.host(7), &ports);
        assert_eq!(rules.matches("fib daddr type local tcp dport 8080 dnat to 10.99.0.7:80").count(), 2);
        assert_eq!(rules.matches("fib daddr type local udp dport 5353 dnat to 10.99.0.7:53").count(), 2);
        assert!(rules.contains("iifname \"burrow0\" ip daddr 127.0.0.0/8 drop"), "{rules}");
    }
}
