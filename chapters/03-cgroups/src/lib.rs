//! Chapter 3: cgroups — limits and statistics for a container's processes.
//!
//! Namespaces change what a process can *see*; cgroups change how much it can
//! *use*. A cgroup is a directory in a cgroup filesystem: write a process's pid
//! into its `cgroup.procs` and the process, and every child it starts, is
//! accounted and limited by the files beside it (memory.max, cpu.max,
//! pids.max). This crate finds the hierarchies ([`layout`]), creates a cgroup
//! under burrow's own parent ([`cgroup`]), sets limits the v1 or v2 way
//! ([`v1`], [`v2`]) and reads what the kernel counted ([`stats`]). On v2, a
//! child can also be born in its cgroup ([`clone3`]).

pub mod cgroup;
pub mod cli;
pub mod clone3;
pub mod devices;
pub mod fs;
pub mod layout;
pub mod limits;
pub mod stats;
pub mod v1;
pub mod v2;

pub use cgroup::Cgroup;
pub use layout::Layout;
pub use limits::Resources;

/// The parent cgroup every burrow container lives under, in each hierarchy.
pub const PARENT: &str = "burrow";

/// unshare(CLONE_NEWCGROUP), in the child once it is in its cgroup: that
/// cgroup becomes the root of its view of /proc/self/cgroup and of a cgroup
/// filesystem mounted inside (as runc does it).
pub fn unshare_cgroup_namespace() -> anyhow::Result<()> {
    // EXERCISE 3.5: in the child, once the parent has put it into its cgroup, make a new cgroup namespace
    // HINT: unshare(2) with CLONE_NEWCGROUP: the cgroup the child is in now becomes the root (/) of its view of /proc/self/cgroup
    // HINT: nix::sched::unshare(CloneFlags::CLONE_NEWCGROUP)?: the caller runs it after the parent's "go" on the sync pipe, never in clone(2)'s flags (the child would still be in the tool's cgroup)
    ch01_unshare::explain!("unshare(CLONE_NEWCGROUP)");
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWCGROUP)?;
    Ok(())
    // END EXERCISE
}
