//! The time namespace (Linux 5.6), the eighth: CLOCK_MONOTONIC and
//! CLOCK_BOOTTIME, the clocks that count from the machine's boot, shifted by
//! an offset of the namespace's own. `/proc/uptime` reads CLOCK_BOOTTIME, so
//! a container can see a machine that booted a second ago, or a year ago.
//! The date (CLOCK_REALTIME) is not in it: no namespace gives a container a
//! date of its own. The use it was made for is moving a running container to
//! another machine (CRIU): its monotonic clock must not jump.
//!
//! clone(2) cannot create one: CLONE_NEWTIME's bit (0x80) lies in the low
//! byte where clone(2) takes the child's exit signal. So the parent calls
//! unshare(2) first. As with a PID namespace, that moves its future
//! children, not itself (`/proc/self/ns/time_for_children` changes, `time`
//! does not), and until the first child is in, the offsets may still be
//! written to `/proc/self/timens_offsets`. Once a process lives in the
//! namespace they are fixed.

use crate::explain;
use anyhow::{bail, Context, Result};
use nix::sched::{setns, unshare, CloneFlags};
use nix::time::{clock_gettime, ClockId};

/// CLONE_NEWTIME, which nix's CloneFlags does not name.
pub const CLONE_NEWTIME: CloneFlags = CloneFlags::from_bits_retain(libc::CLONE_NEWTIME);

/// How far the container's clocks are from the host's: positive is later
/// (a machine up for longer), negative earlier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offsets {
    pub monotonic: Offset,
    pub boottime: Offset,
}

/// Seconds, and nanoseconds on top (0 to 999999999).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offset {
    pub secs: i64,
    pub nanos: u32,
}

impl Offsets {
    /// The kernel refuses (ERANGE) an offset that would put a clock before
    /// zero: a container cannot have booted before the host did.
    pub fn check(&self) -> Result<()> {
        for (name, clock, offset) in [
            ("monotonic", ClockId::CLOCK_MONOTONIC, self.monotonic),
            ("boottime", ClockId::CLOCK_BOOTTIME, self.boottime),
        ] {
            if offset.nanos >= 1_000_000_000 {
                bail!("invalid {name} offset: {} nanoseconds is a second or more", offset.nanos);
            }
            let now = clock_gettime(clock).with_context(|| format!("read the {name} clock"))?.tv_sec();
            if offset.secs < -now {
                bail!(
                    "invalid --{name} {}: the clock is at {now} s, so the smallest offset is -{now}",
                    offset.secs
                );
            }
        }
        Ok(())
    }
}

// ANCHOR: unshare_time
/// Run `clone` with our children born in a new time namespace, its clocks
/// `offsets` (checked: [`Offsets::check`]) away from ours, and come back:
/// the processes we start later (a hook, a helper) keep the host's clocks.
pub fn in_new_time_namespace<T>(offsets: &Offsets, clone: impl FnOnce() -> Result<T>) -> Result<T> {
    // EXERCISE 1.6: unshare a time namespace, write its offsets, clone, and come back to our own
    // HINT: unshare(CLONE_NEWTIME) moves our future children, not us; open /proc/self/ns/time before, to setns back after
    // HINT: the offsets go to /proc/self/timens_offsets as "monotonic SECS NANOS\nboottime SECS NANOS\n", before the first child exists
    // HINT: call clone(), then setns(own, CLONE_NEWTIME) whatever it returned, then return its result
    let own = std::fs::File::open("/proc/self/ns/time")
        .context("open /proc/self/ns/time (a time namespace needs Linux 5.6)")?;
    unshare(CLONE_NEWTIME).context("unshare(CLONE_NEWTIME) (a time namespace needs root)")?;
    explain!("unshare(CLONE_NEWTIME): the next child starts in a new time namespace");
    let (m, b) = (offsets.monotonic, offsets.boottime);
    let lines = format!("monotonic {} {}\nboottime {} {}\n", m.secs, m.nanos, b.secs, b.nanos);
    explain!("write /proc/self/timens_offsets {lines:?}");
    let child = std::fs::write("/proc/self/timens_offsets", &lines)
        .context("write /proc/self/timens_offsets")
        .and_then(|()| clone());
    setns(own, CLONE_NEWTIME).context("setns back to our own time namespace")?;
    child
    // END EXERCISE
}
// ANCHOR_END: unshare_time

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_clock_before_boot() {
        let day = Offset { secs: 86_400, nanos: 0 };
        assert!(Offsets { boottime: day, ..Default::default() }.check().is_ok());
        let past = Offset { secs: i64::MIN / 2, nanos: 0 };
        let err = Offsets { monotonic: past, ..Default::default() }.check().unwrap_err().to_string();
        assert!(err.contains("--monotonic") && err.contains("smallest offset"), "{err}");
        let nanos = Offset { secs: 0, nanos: 1_000_000_000 };
        assert!(Offsets { boottime: nanos, ..Default::default() }.check().is_err());
    }
}
