//! Capabilities: root's power, cut into 41 pieces that can be kept or dropped
//! one by one.
//!
//! The kernel does not ask "is this uid 0?" before a privileged operation; it
//! asks "does this thread have CAP_SYS_ADMIN?" (mount), "CAP_SYS_MODULE?"
//! (load a module), "CAP_NET_ADMIN?" (configure the network). A thread has
//! five sets of them:
//!
//! - **bounding**: the most it can ever gain again, through execve(2) of a
//!   setuid or file-capability program. Can only shrink.
//! - **permitted**: what it may turn on; **effective**: what is on now (what
//!   the checks look at).
//! - **inheritable** and **ambient**: what may survive execve(2): an
//!   inheritable one only into a program whose file lists it too, an
//!   ambient one into any program that is not setuid (as a non-root user).
//!
//! Root keeps across execve(2) whatever the bounding set allows, so for a
//! container's root the bounding set *is* the list of its powers. A
//! container's process starts as a copy of the runtime, which is the host's
//! root with all 41; everything config.json does not list is dropped here.

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::errno::Errno;
use oci_spec::runtime::{Capabilities, Capability, LinuxCapabilities};

// ANCHOR: names
/// The capabilities by number, as `<linux/capability.h>` numbers them.
pub const NAMES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// Docker's default set: what `docker run` leaves a container's root.
/// Missing, among others: CAP_SYS_ADMIN (mount, most of the rest),
/// CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_PTRACE, CAP_SYS_TIME, CAP_NET_ADMIN.
pub const DOCKER_DEFAULT: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];
// ANCHOR_END: names

/// The kernel's number for a capability of config.json.
fn number(cap: &Capability) -> Result<u32> {
    let name = serde_json::to_value(cap)?.as_str().map(String::from).unwrap_or_default();
    match NAMES.iter().position(|n| *n == name) {
        Some(n) => Ok(n as u32),
        None => bail!("capability {name}: not known to burrow"),
    }
}

/// A set as the kernel's 64-bit mask.
fn mask(set: &Option<Capabilities>) -> Result<u64> {
    let mut bits = 0u64;
    for cap in set.iter().flatten() {
        bits |= 1 << number(cap)?;
    }
    Ok(bits)
}

/// The five sets of config.json, as masks (absent sets are empty: dropped).
pub struct Sets {
    pub bounding: u64,
    pub effective: u64,
    pub permitted: u64,
    pub inheritable: u64,
    pub ambient: u64,
}

impl Sets {
    pub fn of(caps: &LinuxCapabilities) -> Result<Sets> {
        Ok(Sets {
            bounding: mask(caps.bounding())?,
            effective: mask(caps.effective())?,
            permitted: mask(caps.permitted())?,
            inheritable: mask(caps.inheritable())?,
            ambient: mask(caps.ambient())?,
        })
    }
}

/// The highest capability this kernel knows (newer kernels know more).
fn last_cap() -> u32 {
    ch01_unshare::procfs::read("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

// ANCHOR: bounding
/// Shrink the bounding set to `sets.bounding`: prctl(PR_CAPBSET_DROP) for
/// every other capability. It needs CAP_SETPCAP, so it comes first, while the
/// process is still the runtime's all-powerful copy.
pub fn drop_bounding(sets: &Sets) -> Result<()> {
    // EXERCISE 7.1: drop from the bounding set every capability that config.json's bounding set does not list
    // HINT: bit n of sets.bounding is capability n; this kernel knows 0 to last_cap() (/proc/sys/kernel/cap_last_cap)
    // HINT: prctl(PR_CAPBSET_DROP, n) drops one; it needs CAP_SETPCAP, which this process still has (it is the runtime's all-powerful copy)
    // HINT: for each n in 0..=last_cap() with sets.bounding & (1 << n) == 0: unsafe { libc::prctl(libc::PR_CAPBSET_DROP, n as libc::c_ulong, 0, 0, 0) }, checked with Errno::result(rc)
    let dropped: Vec<u32> = (0..=last_cap()).filter(|&n| sets.bounding & (1 << n) == 0).collect();
    let names: Vec<&str> = dropped.iter().map(|&n| name(n)).collect();
    explain!("prctl(PR_CAPBSET_DROP) x{}: {}", dropped.len(), names.join(" "));
    for n in dropped {
        // SAFETY: PR_CAPBSET_DROP takes a capability number; no pointers.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, n as libc::c_ulong, 0, 0, 0) };
        Errno::result(rc).with_context(|| format!("prctl(PR_CAPBSET_DROP, {})", name(n)))?;
    }
    Ok(())
    // END EXERCISE
}

/// Capability number `n`'s name (one this table is too old to know: CAP_?).
fn name(n: u32) -> &'static str {
    NAMES.get(n as usize).copied().unwrap_or("CAP_?")
}
// ANCHOR_END: bounding

// ANCHOR: capset
/// Set the effective, permitted and inheritable sets with capset(2), then
/// raise the ambient ones. Done after setuid(2), which (without
/// PR_SET_KEEPCAPS, see [`keep_across_setuid`]) would clear them.
pub fn set(sets: &Sets) -> Result<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522; // two 32-bit halves per set

    // EXERCISE 7.2: set the effective, permitted and inheritable sets with capset(2), then raise each ambient capability
    // HINT: capset(2) reads a Header (VERSION_3, pid 0: this thread) and two Data: the low 32 bits of each mask, then the high 32
    // HINT: unsafe { libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr()) }, checked with Errno::result
    // HINT: then for each bit n of sets.ambient: prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, n, 0, 0); the kernel raises only one that is permitted and inheritable already
    let half = |mask: u64, i: u32| (mask >> (32 * i)) as u32;
    let header = Header { version: VERSION_3, pid: 0 };
    let data: [Data; 2] = [0, 1].map(|i| Data {
        effective: half(sets.effective, i),
        permitted: half(sets.permitted, i),
        inheritable: half(sets.inheritable, i),
    });
    explain!(
        "capset(effective {:#x}, permitted {:#x}, inheritable {:#x})",
        sets.effective,
        sets.permitted,
        sets.inheritable
    );
    // SAFETY: header and data are the v3 layout capset(2) reads, alive for the call.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr()) };
    Errno::result(rc).context("capset")?;
    for n in (0..=last_cap()).filter(|&n| sets.ambient & (1 << n) != 0) {
        // SAFETY: PR_CAP_AMBIENT_RAISE takes a capability number; no pointers.
        let rc = unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                n as libc::c_ulong,
                0,
                0,
            )
        };
        Errno::result(rc).with_context(|| format!("raise ambient {}", name(n)))?;
    }
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: capset

/// prctl(PR_SET_KEEPCAPS): keep the permitted set across the coming
/// setuid(2) away from root, so that capset(2) can still choose from it.
pub fn keep_across_setuid(keep: bool) -> Result<()> {
    // SAFETY: PR_SET_KEEPCAPS takes 0 or 1; no pointers.
    let rc = unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, libc::c_ulong::from(keep), 0, 0, 0) };
    Errno::result(rc).map(drop).context("prctl(PR_SET_KEEPCAPS)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_kernel() {
        assert_eq!(number(&Capability::Chown).expect("known"), 0);
        assert_eq!(number(&Capability::SysAdmin).expect("known"), 21);
        assert_eq!(number(&Capability::CheckpointRestore).expect("known"), 40);
        for name in DOCKER_DEFAULT {
            assert!(NAMES.contains(&name), "{name}");
        }
    }
}
