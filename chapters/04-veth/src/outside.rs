//! What surrounds a container on the host: chapter 3's cgroup (when a limit
//! is given) and chapter 4's network, set up and torn down together around
//! chapter 1's `run_placed`. Chapter 5's containers use it as chapter 4's do.

use crate::network::{Attachment, NetArgs};
use anyhow::Result;
use ch01_unshare::Namespaces;
use ch03_cgroups::cli::LimitArgs;
use ch03_cgroups::{Cgroup, Layout, PARENT};
use nix::unistd::Pid;

/// The cgroup and the network of one container.
pub struct Outside {
    pub network: Attachment,
    pub cgroup: Option<Cgroup>,
}

// ANCHOR: outside
impl Outside {
    /// Before clone(2): check the limits, attach the network (ports, lease),
    /// and make the cgroup `burrow/<name>` if a limit is asked for.
    pub fn prepare(net: &NetArgs, limits: &LimitArgs, name: &str) -> Result<Outside> {
        let res = limits.resources()?;
        let network = net.attach()?;
        let cgroup =
            limits.any().then(|| Cgroup::create(&Layout::detect()?, PARENT, name, &res)).transpose()?;
        if let Some(cgroup) = &cgroup {
            cgroup.apply(&res)?;
        }
        Ok(Outside { network, cgroup })
    }

    /// `base`, with a network namespace only when the network needs one,
    /// and the cgroup namespace left to [`Outside::inside`] when there is a
    /// cgroup (it must be made once the child is in it).
    pub fn namespaces(&self, mut base: Namespaces) -> Namespaces {
        base.net = self.network.new_netns();
        base.cgroup = self.cgroup.is_none();
        base
    }

    /// In the parent, while the child waits: into the cgroup, then onto the network.
    pub fn place(&self, pid: Pid) -> Result<()> {
        if let Some(cgroup) = &self.cgroup {
            cgroup.add(pid)?;
        }
        self.network.place(pid)
    }

    /// In the child: its own cgroup namespace (now that it is in the
    /// cgroup), then its side of the network.
    pub fn inside(&self) -> Result<()> {
        if self.cgroup.is_some() {
            ch03_cgroups::unshare_cgroup_namespace()?;
        }
        self.network.inside()
    }

    /// After the container: the network is detached, the cgroup removed.
    pub fn remove(self) -> Result<()> {
        let detached = self.network.detach();
        drop(self.cgroup);
        detached
    }
}
// ANCHOR_END: outside
