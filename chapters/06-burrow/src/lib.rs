//! Chapter 6: burrow, an OCI runtime.
//!
//! An OCI runtime is what containerd, podman and Docker call to make a
//! container out of a *bundle*: a directory with a root filesystem and a
//! `config.json` ([`spec`]) that says, field by field, everything chapters 1
//! to 5 chose on the command line.

pub mod apparmor;
pub mod bundle;
pub mod caps;
pub mod cgroups;
pub mod child;
pub mod console;
pub mod create;
pub mod exe;
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
pub mod paths;
pub mod process;
pub mod recursive;
pub mod rootfs;
pub mod seccomp;
pub mod spawn;
pub mod spec;
pub mod state;
pub mod sync;
pub mod update;
