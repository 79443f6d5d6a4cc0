//! Rootless containers: a user who is not root makes one. Chapter 6's
//! runtime already does what the kernel lets such a user do: no cgroup (only
//! root may make one; there are no limits then), and a user namespace that
//! maps root inside to the user's own id outside. For more ids than one,
//! such as the 65536 that podman maps from /etc/subuid, it needs help.

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::unistd::Pid;

// ANCHOR: rootless_maps
/// Maps other than the user's own id take newuidmap and newgidmap: small
/// setuid-root helpers (package uidmap) that check /etc/subuid and
/// /etc/subgid and write the maps on the user's behalf.
pub fn map_ids(pid: Pid, uid_map: &str, gid_map: &str) -> Result<()> {
    // EXERCISE 7.7: write the new user namespace's maps through newuidmap and newgidmap
    // HINT: the helpers are setuid root: they check /etc/subuid and /etc/subgid, then write /proc/PID/uid_map and gid_map for you
    // HINT: a map is lines of "INSIDE OUTSIDE COUNT"; the helper takes the pid, then all the numbers as arguments: newuidmap PID 0 1000 1 1 400000 65536
    // HINT: std::process::Command::new(helper).arg(pid.to_string()).args(map.split_whitespace()).status(); a failed status is an error naming /etc/subuid and /etc/subgid
    for (helper, map) in [("newuidmap", uid_map), ("newgidmap", gid_map)] {
        let args: Vec<&str> = map.split_whitespace().collect();
        explain!("{helper} {pid} {}", args.join(" "));
        let status = std::process::Command::new(helper).arg(pid.to_string()).args(&args).status().with_context(|| {
            format!("run {helper}: maps other than your own id need it (apt install uidmap), or map only 0 to your id")
        })?;
        if !status.success() {
            bail!(
                "{helper} {pid} {}: {status} (are the ids yours in /etc/subuid and /etc/subgid?)",
                args.join(" ")
            );
        }
    }
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: rootless_maps
