//! uid_map and gid_map: who a user namespace's ids are on the outside.
//!
//! A new user namespace starts with no mapping: every id inside shows as
//! 65534 ("nobody") and the process can do almost nothing. The parent, from
//! outside, writes one line `INSIDE OUTSIDE COUNT` to
//! `/proc/PID/uid_map` and `/proc/PID/gid_map`. Each file can be written once.

use crate::explain;
use anyhow::{Context, Result};
use nix::unistd::{Gid, Pid, Uid};
use std::fs;

// ANCHOR: write_maps
/// Map the caller's own uid and gid to 0 inside the user namespace of `pid`.
///
/// A writer without CAP_SETGID must first write `deny` to
/// `/proc/PID/setgroups`: otherwise the new "root" could call setgroups(2) and
/// drop a supplementary group that was denying it access to a file
/// (CVE-2014-8989). We always deny, as `unshare --map-root-user` does: a
/// single-id map has no other group to switch to anyway.
pub fn map_root_to_caller(pid: Pid) -> Result<()> {
    // EXERCISE 1.5: map uid 0 and gid 0 inside to the caller's own ids outside
    // HINT: write_proc(pid, FILE, LINE) writes /proc/PID/FILE; a map line is "INSIDE OUTSIDE COUNT"
    // HINT: "deny" into setgroups first (the kernel asks it of a writer without CAP_SETGID), then "0 {uid} 1" into uid_map and "0 {gid} 1" into gid_map, with Uid::effective() and Gid::effective()
    // The kernel checks a one-id map against the writer's effective ids.
    let (uid, gid) = (Uid::effective(), Gid::effective());
    write_proc(pid, "setgroups", "deny")?;
    write_proc(pid, "uid_map", &format!("0 {uid} 1"))?;
    write_proc(pid, "gid_map", &format!("0 {gid} 1"))
    // END EXERCISE
}
// ANCHOR_END: write_maps

/// Write `line` to `/proc/PID/FILE` (uid_map, gid_map, setgroups), narrated.
pub fn write_proc(pid: Pid, file: &str, line: &str) -> Result<()> {
    let path = format!("/proc/{pid}/{file}");
    explain!("write {path} {line:?}");
    fs::write(&path, format!("{line}\n")).with_context(|| format!("write {line:?} to {path}"))
}
