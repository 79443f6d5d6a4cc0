//! A veth pair: two network interfaces joined by a wire. A packet sent into
//! one comes out of the other. One end stays on the host, plugged into the
//! bridge; the other is made in the container's network namespace, as `eth0`.
//!
//! ```text
//!  container netns            host netns
//!  ┌───────────────┐          ┌──────────────────────────────┐
//!  │ eth0 10.99.0.2├──veth────┤bw-4242 ──┐                   │
//!  └───────────────┘          │          burrow0 10.99.0.1   │
//!  ┌───────────────┐          │          (a switch, and the  │
//!  │ eth0 10.99.0.3├──veth────┤bw-4243 ──┘ containers' gateway)
//!  └───────────────┘          └──────────────────────────────┘
//! ```

use crate::ipam::Subnet;
use crate::netlink::{is_no_device, link_index, with_netlink};
use anyhow::{Context, Result};
use ch01_unshare::explain;
use nix::fcntl::{Flock, FlockArg};
use rtnetlink::packet_route::link::{InfoData, InfoVeth};
use rtnetlink::{LinkBridge, LinkMessageBuilder, LinkUnspec, LinkVeth, RouteMessageBuilder};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

/// The host's end of a container's veth pair, and its bridge.
#[derive(Debug)]
pub struct HostSide {
    pub veth: String,
    pub bridge: String,
}

/// Bridges burrow made are marked by a file `STATE/bridges/NAME`; plugging in
/// and unplugging take turns on `STATE/bridges/NAME.lock`, so that one run
/// never removes an empty bridge that another is about to plug into.
fn lock_bridge(state: &Path, bridge: &str) -> Result<Flock<std::fs::File>> {
    let dir = state.join("bridges");
    std::fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
    let file = std::fs::File::create(dir.join(format!("{bridge}.lock")))
        .with_context(|| format!("create {}/{bridge}.lock", dir.display()))?;
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| e).context("flock the bridge")
}

/// The name of the host's end of a container's veth pair, unique on the
/// host (15 bytes at most: IFNAMSIZ). The other end is `eth0`, in the
/// container's namespace, where that name is free.
pub fn host_name(pid: u32) -> String {
    format!("bw-{pid}")
}

// ANCHOR: plug_in
/// On the host: make sure `bridge` exists with the gateway address and is up,
/// then create the veth pair: `host` plugged into the bridge and up, its peer
/// `eth0` made directly in the network namespace of process `pid`. `side` is
/// filled in before the veth exists, so a failure half-way still tells the
/// caller what to remove.
pub fn plug_in(
    state: &Path,
    bridge: &str,
    subnet: &Subnet,
    host: &str,
    pid: i32,
    side: &mut Option<HostSide>,
) -> Result<()> {
    let _turn = lock_bridge(state, bridge)?;
    let marker = state.join("bridges").join(bridge);
    *side = Some(HostSide { veth: host.to_string(), bridge: bridge.to_string() });
    with_netlink(|handle| async move {
        let bridge_index = match link_index(&handle, bridge).await? {
            Some(index) => index,
            None => {
                // EXERCISE 4.3: make the bridge: create it, leave the marker file, give it the gateway address (.1), bring it up, return its index
                // HINT: handle.link().add(LinkBridge::new(bridge).build()).execute().await is `ip link add BRIDGE type bridge`
                // HINT: write the marker (burrow made it: unplug may delete it), then link_index(&handle, bridge) for the new index
                // HINT: handle.address().add(index, IpAddr::V4(subnet.host(1)), subnet.prefix).execute().await, then set_up(&handle, bridge) and return index
                explain!("RTM_NEWLINK {bridge} type bridge");
                handle
                    .link()
                    .add(LinkBridge::new(bridge).build())
                    .execute()
                    .await
                    .with_context(|| format!("create bridge {bridge}"))?;
                std::fs::write(&marker, "made by burrow\n")
                    .with_context(|| format!("write {}", marker.display()))?;
                let index = link_index(&handle, bridge).await?.context("the new bridge has no index")?;
                let gateway = IpAddr::V4(subnet.host(1));
                explain!("RTM_NEWADDR {gateway}/{} dev {bridge}", subnet.prefix);
                handle
                    .address()
                    .add(index, gateway, subnet.prefix)
                    .execute()
                    .await
                    .with_context(|| format!("add {gateway} to {bridge}"))?;
                set_up(&handle, bridge).await?;
                index
                // END EXERCISE
            }
        };
        // EXERCISE 4.4: make the veth pair in one RTM_NEWLINK: `host` plugged into the bridge and up, its peer eth0 made in the netns of `pid`
        // HINT: the peer is a link message of its own, nested in the veth's IFLA_INFO_DATA: LinkMessageBuilder::<LinkUnspec>::new().name("eth0").setns_by_pid(pid as u32).build()
        // HINT: LinkVeth::new(host, "eth0").set_info_data(InfoData::Veth(InfoVeth::Peer(peer))), then .controller(bridge_index) (IFLA_MASTER) and .up()
        // HINT: .build() it and send it with handle.link().add(pair).execute().await
        explain!("RTM_NEWLINK {host} type veth master {bridge} up, peer eth0 netns pid {pid}");
        let peer = LinkMessageBuilder::<LinkUnspec>::new().name("eth0").setns_by_pid(pid as u32).build();
        let pair = LinkVeth::new(host, "eth0")
            .set_info_data(InfoData::Veth(InfoVeth::Peer(peer)))
            .controller(bridge_index)
            .up()
            .build();
        handle
            .link()
            .add(pair)
            .execute()
            .await
            .with_context(|| format!("create veth {host}, peer in pid {pid}"))
        // END EXERCISE
    })
}
// ANCHOR_END: plug_in

// ANCHOR: configure_inside
/// Inside the container's network namespace: give eth0 `addr`, bring lo and
/// eth0 up, and route everything else via the bridge's address.
pub fn configure_inside(addr: Ipv4Addr, subnet: &Subnet) -> Result<()> {
    // EXERCISE 4.5: in the container's netns: lo up, `addr` on eth0, eth0 up, the default route via the gateway, then wait for the carrier
    // HINT: this runs in the child: with_netlink opens a socket here, in the container's netns, where eth0 is (link_index finds it)
    // HINT: handle.address().add(index, IpAddr::V4(addr), subnet.prefix): the prefix length makes the kernel add the subnet's own route
    // HINT: RouteMessageBuilder::<Ipv4Addr>::new().gateway(subnet.host(1)).build() is the default route, sent by handle.route().add(..); end with carrier(&handle, index).await
    with_netlink(|handle| async move {
        set_up(&handle, "lo").await?;
        let index = link_index(&handle, "eth0").await?.context("no eth0 in the container")?;
        explain!("RTM_NEWADDR {addr}/{} dev eth0", subnet.prefix);
        handle
            .address()
            .add(index, IpAddr::V4(addr), subnet.prefix)
            .execute()
            .await
            .context("add the address")?;
        set_up(&handle, "eth0").await?;
        let gateway = subnet.host(1);
        explain!("RTM_NEWROUTE default via {gateway}");
        let route = RouteMessageBuilder::<Ipv4Addr>::new().gateway(gateway).build();
        handle.route().add(route).execute().await.context("add the default route")?;
        carrier(&handle, index).await
    })
    // END EXERCISE
}
// ANCHOR_END: configure_inside

/// Wait (at most a second) until `index` is operationally up. The kernel
/// notices the carrier of a link just brought up a moment later, in a
/// worker thread, and until then drops what is sent on it: a command that
/// pings at once would lose its first packet.
async fn carrier(handle: &rtnetlink::Handle, index: u32) -> Result<()> {
    use futures::TryStreamExt;
    use rtnetlink::packet_route::link::{LinkAttribute, State};
    explain!("RTM_GETLINK eth0, until its operstate is UP (the carrier is seen)");
    for _ in 0..200 {
        let mut links = handle.link().get().match_index(index).execute();
        if let Some(link) = links.try_next().await.context("RTM_GETLINK")? {
            if link.attributes.iter().any(|a| matches!(a, LinkAttribute::OperState(State::Up))) {
                return Ok(());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    anyhow::bail!("eth0 is still not up after a second: no carrier (is the host end up?)")
}

/// RTM_SETLINK with IFF_UP set (`ip link set NAME up` sends RTM_NEWLINK
/// without NLM_F_CREATE, which the kernel treats the same).
async fn set_up(handle: &rtnetlink::Handle, name: &str) -> Result<u32> {
    // EXERCISE 4.1: bring the link `name` up: find its index, then send RTM_SETLINK with IFF_UP; return the index
    // HINT: link_index(handle, name) (netlink.rs) asks the kernel: None means there is no such link in this netns
    // HINT: LinkUnspec::new_with_index(index).up().build() is the message; handle.link().set(msg).execute().await sends it and waits for the kernel's answer
    let index =
        link_index(handle, name).await?.with_context(|| format!("no link {name} in this namespace"))?;
    explain!("RTM_SETLINK {name} up");
    let up = LinkUnspec::new_with_index(index).up().build();
    handle.link().set(up).execute().await.with_context(|| format!("set {name} up"))?;
    Ok(index)
    // END EXERCISE
}

/// Only `lo`, up: `--net none`.
pub fn lo_up() -> Result<()> {
    with_netlink(|handle| async move {
        set_up(&handle, "lo").await?;
        Ok(())
    })
}

// ANCHOR: unplug
/// After the container: delete the host end (the kernel deletes its peer with
/// it; when the container's namespace died, both are gone already), and the
/// bridge if burrow made it and nothing is plugged into it any more.
pub fn unplug(state: &Path, side: &HostSide) -> Result<()> {
    let _turn = lock_bridge(state, &side.bridge)?;
    let marker = state.join("bridges").join(&side.bridge);
    with_netlink(|handle| async move {
        if let Some(index) = link_index(&handle, &side.veth).await? {
            explain!("RTM_DELLINK {}", side.veth);
            match handle.link().del(index).execute().await {
                // The container's namespace was being torn down, and its veth with it.
                Err(e) if is_no_device(&e) => {}
                other => other.with_context(|| format!("delete {}", side.veth))?,
            }
        }
        let Some(bridge) = link_index(&handle, &side.bridge).await? else { return Ok(()) };
        if marker.exists() && ports_of(&handle, bridge).await? == 0 {
            explain!("RTM_DELLINK {} (burrow made it, and it is empty)", side.bridge);
            handle.link().del(bridge).execute().await.with_context(|| format!("delete {}", side.bridge))?;
            let _ = std::fs::remove_file(&marker);
        }
        Ok(())
    })
}
// ANCHOR_END: unplug

/// How many links name the bridge `index` as their controller (IFLA_MASTER).
async fn ports_of(handle: &rtnetlink::Handle, index: u32) -> Result<usize> {
    use futures::TryStreamExt;
    use rtnetlink::packet_route::link::LinkAttribute;
    let mut links = handle.link().get().execute();
    let mut ports = 0;
    while let Some(link) = links.try_next().await.context("RTM_GETLINK (dump)")? {
        ports += link
            .attributes
            .iter()
            .filter(|a| matches!(a, LinkAttribute::Controller(c) if *c == index))
            .count();
    }
    Ok(ports)
}
