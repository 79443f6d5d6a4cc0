//! Chapter 6: an OCI runtime, with runc's command line ([`cli`]).
//!
//! An OCI runtime is what containerd, podman and Docker call to make a
//! container out of a *bundle*: a directory with a root filesystem and a
//! `config.json` ([`spec`]) that says, field by field, everything chapters 1
//! to 5 chose on the command line. What it asks for to confine the
//! container's process is chapter 7's, at the seam in [`security`].

pub mod bundle;
pub mod cgroups;
pub mod child;
pub mod cli;
pub mod console;
pub mod create;
pub mod exec;
pub mod fd;
pub mod features;
pub mod hooks;
pub mod host_mounts;
pub mod in_root;
pub mod init;
pub mod lifecycle;
pub mod log;
pub mod mounts;
pub mod namespaces;
pub mod process;
pub mod recursive;
pub mod rootfs;
pub mod security;
pub mod spawn;
pub mod spec;
pub mod state;
pub mod sync;
pub mod update;
