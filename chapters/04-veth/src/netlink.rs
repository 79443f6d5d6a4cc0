//! A netlink connection: how `ip` (and this chapter) talks to the kernel's
//! network stack.
//!
//! netlink is a socket family (AF_NETLINK) whose other end is the kernel.
//! `ip link add`, `ip addr add` and `ip route add` each send one message
//! (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE) and read the kernel's answer:
//! `ip` is only a netlink client, and so is this crate, through `rtnetlink`.
//! A netlink socket belongs to the network namespace it was opened in.

use anyhow::{Context, Result};
use std::future::Future;

/// Open a netlink socket in this process's network namespace and run `work`
/// with it on a single-threaded runtime (no thread is started: chapter 1's
/// clone(2) needs a single-threaded process).
pub fn with_netlink<T, F>(work: impl FnOnce(rtnetlink::Handle) -> F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("start a tokio runtime for netlink")?;
    runtime.block_on(async {
        let (connection, handle, _) = rtnetlink::new_connection().context("open a netlink socket")?;
        let driver = tokio::spawn(connection);
        let result = work(handle).await;
        driver.abort();
        result
    })
}

/// The interface index of `name`, if there is such a link.
pub async fn link_index(handle: &rtnetlink::Handle, name: &str) -> Result<Option<u32>> {
    use futures::TryStreamExt;
    let mut links = handle.link().get().match_name(name.to_string()).execute();
    match links.try_next().await {
        Ok(Some(link)) => Ok(Some(link.header.index)),
        Ok(None) => Ok(None),
        // The kernel answers ENODEV for a name it does not know.
        Err(e) if is_no_device(&e) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("RTM_GETLINK {name}")),
    }
}

/// Is this the kernel's ENODEV, "no such device"? (A netlink error carries
/// the negated errno.)
pub fn is_no_device(err: &rtnetlink::Error) -> bool {
    matches!(err, rtnetlink::Error::NetlinkError(e) if e.raw_code() == -(nix::errno::Errno::ENODEV as i32))
}
