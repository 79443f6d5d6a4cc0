//! The eight namespaces chapter 1 can create, and the clone(2) flags for seven of them.
//!
//! A namespace wraps one global resource so that the processes inside see
//! their own copy of it. clone(2) creates a new namespace of each kind whose
//! `CLONE_NEW*` flag it is given, and puts the new child process in it. The
//! time namespace is the exception: see [`crate::timens`].

use nix::sched::CloneFlags;

// ANCHOR: namespaces
/// Which namespaces to create. Each field is one `CLONE_NEW*` flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct Namespaces {
    /// UTS namespace (CLONE_NEWUTS): a hostname and domain name of its own.
    #[arg(long)]
    pub uts: bool,
    /// PID namespace (CLONE_NEWPID): process ids start again at 1; CMD is PID 1.
    #[arg(long)]
    pub pid: bool,
    /// Mount namespace (CLONE_NEWNS): a private copy of the mount table.
    /// With --pid, a fresh /proc is mounted so `ps` sees only the container.
    #[arg(long)]
    pub mount: bool,
    /// IPC namespace (CLONE_NEWIPC): its own System V queues, semaphores, shared memory.
    #[arg(long)]
    pub ipc: bool,
    /// Network namespace (CLONE_NEWNET): its own interfaces (only `lo`, down),
    /// routes, firewall and ports.
    #[arg(long)]
    pub net: bool,
    /// User namespace (CLONE_NEWUSER): your uid and gid become 0 inside, with
    /// no power over anything outside.
    #[arg(long)]
    pub user: bool,
    /// Cgroup namespace (CLONE_NEWCGROUP): /proc/self/cgroup shows the
    /// container's cgroup as the root, `/`.
    #[arg(long)]
    pub cgroup: bool,
    /// Time namespace (CLONE_NEWTIME): CLOCK_MONOTONIC and CLOCK_BOOTTIME
    /// (the uptime) offset from the host's by --monotonic and --boottime.
    #[arg(long)]
    pub time: bool,
    /// All eight of the above.
    #[arg(long)]
    pub all: bool,
}

impl Namespaces {
    /// Every namespace: what `--all` asks for.
    pub const ALL: Namespaces = Namespaces {
        uts: true,
        pid: true,
        mount: true,
        ipc: true,
        net: true,
        user: true,
        cgroup: true,
        time: true,
        all: false,
    };

    /// A new time namespace? It is not among the clone flags: unshare(2)
    /// makes it, before clone(2).
    pub fn time(&self) -> bool {
        self.time || self.all
    }

    /// The `CLONE_NEW*` flags to give clone(2): every namespace but time.
    pub fn clone_flags(&self) -> CloneFlags {
        // EXERCISE 1.1: turn the namespaces asked for into clone(2)'s CLONE_NEW* flags
        // HINT: --all means every namespace: start from Self::ALL then
        // HINT: one flag per field: flags.set(CloneFlags::CLONE_NEWUTS, ns.uts), and so on for pid, mount (CLONE_NEWNS), ipc, net, user, cgroup
        // HINT: time is not a clone flag (see timens.rs): leave it out
        let ns = if self.all { Self::ALL } else { *self };
        let mut flags = CloneFlags::empty();
        flags.set(CloneFlags::CLONE_NEWUTS, ns.uts);
        flags.set(CloneFlags::CLONE_NEWPID, ns.pid);
        flags.set(CloneFlags::CLONE_NEWNS, ns.mount);
        flags.set(CloneFlags::CLONE_NEWIPC, ns.ipc);
        flags.set(CloneFlags::CLONE_NEWNET, ns.net);
        flags.set(CloneFlags::CLONE_NEWUSER, ns.user);
        flags.set(CloneFlags::CLONE_NEWCGROUP, ns.cgroup);
        flags
        // END EXERCISE
    }
}
// ANCHOR_END: namespaces

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_sets_every_flag() {
        let all = Namespaces { all: true, ..Default::default() }.clone_flags();
        assert_eq!(all.bits().count_ones(), 7);
        assert_eq!(crate::flag_names!(Namespaces::default().clone_flags()), "0");
    }

    #[test]
    fn one_flag_each() {
        let ns = Namespaces { uts: true, pid: true, ..Default::default() };
        assert_eq!(crate::flag_names!(ns.clone_flags()), "CLONE_NEWUTS|CLONE_NEWPID");
    }
}
