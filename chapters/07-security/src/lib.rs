//! Chapter 7: burrow, chapter 6's OCI runtime with the container's process
//! confined. Chapter 6 left it root with every capability and every system
//! call, and /proc and /sys as they are; what config.json asks for beyond
//! that comes in here, through the seam chapter 6 offers
//! (`ch06_runtime::security`), without a change to chapter 6's files:
//!
//! | config.json | module |
//! |---|---|
//! | `process.capabilities` | [`caps`] |
//! | `linux.seccomp` | [`seccomp`] |
//! | `process.noNewPrivileges`, the non-dumpable child | [`confine`] |
//! | `linux.maskedPaths`, `readonlyPaths` | [`paths`] |
//! | `process.apparmorProfile` | [`apparmor`] |
//! | (the runtime's own binary, CVE-2019-5736) | [`exe`] |
//! | `linux.uidMappings` of many ids, without root | [`rootless`] |

pub mod apparmor;
pub mod caps;
pub mod confine;
pub mod exe;
pub mod paths;
pub mod rootless;
pub mod seccomp;
