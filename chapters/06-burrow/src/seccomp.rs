//! seccomp: a filter the kernel runs on every system call the container
//! makes, before the call does anything.
//!
//! Capabilities decide what root may do; seccomp decides which system calls
//! may be made at all, by anyone. The filter is a classic BPF program that
//! reads the call's number and arguments and answers: allow it, fail it with
//! an errno, kill the thread or process, send SIGSYS (trap), or log it. Once
//! installed it cannot be removed, and every child inherits it. Most of the
//! kernel's bugs that let a container out were in calls a web server never
//! makes (`keyctl`, `bpf`, `userfaultfd`, `unshare`), so Docker's profile
//! allows some 300 calls and refuses the rest with EPERM.
//!
//! config.json's `linux.seccomp` is a default action and rules (names,
//! argument conditions, an action each). burrow compiles it with the
//! `seccompiler` crate (Firecracker's: pure Rust, no C library to install,
//! and it shows its BPF), with the `syscalls` crate for the names' numbers
//! on this architecture. A seccompiler filter has one action for its
//! matches and one for the rest, so a profile becomes several filters, one
//! per action. The kernel runs every installed filter and keeps the most
//! severe answer, so: a filter for the default action, which lets through
//! every call that some rule names, and one filter per other action.

use anyhow::{bail, Context, Result};
use oci_spec::runtime::{LinuxSeccomp, LinuxSeccompAction, LinuxSeccompOperator, LinuxSyscall};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
    TargetArch,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::str::FromStr;

#[cfg(target_arch = "x86_64")]
const ARCH: (TargetArch, &str) = (TargetArch::x86_64, "SCMP_ARCH_X86_64");
#[cfg(target_arch = "aarch64")]
const ARCH: (TargetArch, &str) = (TargetArch::aarch64, "SCMP_ARCH_AARCH64");
#[cfg(target_arch = "riscv64")]
const ARCH: (TargetArch, &str) = (TargetArch::riscv64, "SCMP_ARCH_RISCV64");

/// What `burrow features` says of seccomp: the actions of [`action`] and the
/// operators of [`conditions`], for the native architecture only.
pub fn features() -> serde_json::Value {
    json!({
        "enabled": true,
        "actions": ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
                    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"],
        "operators": ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                      "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"],
        "archs": [ARCH.1],
    })
}

/// config.json's action as seccompiler's.
fn action(action: LinuxSeccompAction, errno: Option<u32>) -> Result<SeccompAction> {
    use LinuxSeccompAction as A;
    Ok(match action {
        A::ScmpActAllow => SeccompAction::Allow,
        A::ScmpActErrno => SeccompAction::Errno(errno.unwrap_or(libc::EPERM as u32)),
        A::ScmpActKill | A::ScmpActKillThread => SeccompAction::KillThread,
        A::ScmpActKillProcess => SeccompAction::KillProcess,
        A::ScmpActTrap => SeccompAction::Trap,
        A::ScmpActLog => SeccompAction::Log,
        A::ScmpActTrace => SeccompAction::Trace(errno.unwrap_or(0)),
        other => bail!("seccomp action {other:?} is not supported by burrow"),
    })
}

/// A rule's argument conditions, all of which must hold.
fn conditions(rule: &LinuxSyscall) -> Result<Vec<SeccompCondition>> {
    let mut all = Vec::new();
    for arg in rule.args().as_deref().unwrap_or_default() {
        use LinuxSeccompOperator as Op;
        let (op, value) = match arg.op() {
            Op::ScmpCmpNe => (SeccompCmpOp::Ne, arg.value()),
            Op::ScmpCmpLt => (SeccompCmpOp::Lt, arg.value()),
            Op::ScmpCmpLe => (SeccompCmpOp::Le, arg.value()),
            Op::ScmpCmpEq => (SeccompCmpOp::Eq, arg.value()),
            Op::ScmpCmpGe => (SeccompCmpOp::Ge, arg.value()),
            Op::ScmpCmpGt => (SeccompCmpOp::Gt, arg.value()),
            // (argument & value) == valueTwo
            Op::ScmpCmpMaskedEq => (SeccompCmpOp::MaskedEq(arg.value()), arg.value_two().unwrap_or(0)),
        };
        let index = u8::try_from(arg.index()).context("seccomp argument index")?;
        all.push(
            SeccompCondition::new(index, SeccompCmpArgLen::Qword, op, value).context("seccomp condition")?,
        );
    }
    Ok(all)
}

/// Rules per syscall number; `None` matches every call of that number.
type Rules = BTreeMap<i64, Option<Vec<SeccompRule>>>;

fn add(rules: &mut Rules, nr: i64, rule: Option<&SeccompRule>) {
    let slot = rules.entry(nr).or_insert_with(|| Some(Vec::new()));
    match (slot.as_mut(), rule) {
        (Some(list), Some(rule)) => list.push(rule.clone()),
        (_, None) => *slot = None,
        (None, Some(_)) => {}
    }
}

fn filter(rules: Rules, mismatch: SeccompAction, matched: SeccompAction) -> Result<BpfProgram> {
    let rules = rules.into_iter().map(|(nr, list)| (nr, list.unwrap_or_default())).collect();
    let filter = SeccompFilter::new(rules, mismatch, matched, ARCH.0).context("build a seccomp filter")?;
    filter.try_into().context("compile a seccomp filter to BPF")
}

// ANCHOR: compile
/// Compile `linux.seccomp` into BPF programs, one per action. A name this
/// architecture has no call for (profiles list every architecture's:
/// `chown32` is 32-bit only) is skipped, as runc does. Only the native
/// architecture is compiled (`architectures` is not read): seccompiler's
/// programs kill a process that makes a call of another one (32-bit x86).
pub fn compile(seccomp: &LinuxSeccomp) -> Result<Vec<BpfProgram>> {
    let default = action(seccomp.default_action(), seccomp.default_errno_ret())?;
    let mut by_action: Vec<(SeccompAction, Rules)> = Vec::new();
    let mut named = Rules::new();
    for rule in seccomp.syscalls().as_deref().unwrap_or_default() {
        let act = action(rule.action(), rule.errno_ret())?;
        if act == default {
            continue;
        }
        let conditions = conditions(rule)?;
        let one = match conditions.is_empty() {
            true => None,
            false => Some(SeccompRule::new(conditions).context("seccomp rule")?),
        };
        let at = match by_action.iter().position(|(a, _)| *a == act) {
            Some(at) => at,
            None => {
                by_action.push((act, Rules::new()));
                by_action.len() - 1
            }
        };
        for name in rule.names() {
            let Ok(sysno) = syscalls::Sysno::from_str(name) else { continue };
            let nr = i64::from(sysno.id());
            add(&mut by_action[at].1, nr, one.as_ref());
            add(&mut named, nr, one.as_ref());
        }
    }
    let mut programs = Vec::new();
    if default != SeccompAction::Allow {
        // Every call some rule names goes on to the other filters; the rest get the default.
        programs.push(filter(named, default, SeccompAction::Allow)?);
    }
    for (act, rules) in by_action {
        if act != SeccompAction::Allow {
            programs.push(filter(rules, SeccompAction::Allow, act)?);
        }
    }
    Ok(programs)
}
// ANCHOR_END: compile

/// The filters of config.json's `linux.seccomp` (none without it).
pub fn of(spec: &oci_spec::runtime::Spec) -> Result<Vec<BpfProgram>> {
    match spec.linux().as_ref().and_then(|l| l.seccomp().as_ref()) {
        Some(seccomp) => compile(seccomp),
        None => Ok(Vec::new()),
    }
}

// ANCHOR: install
/// Install the filters on this process: seccomp(SECCOMP_SET_MODE_FILTER)
/// for each. The kernel allows it only with no_new_privs set or with
/// CAP_SYS_ADMIN: a filter could otherwise trick a setuid program.
pub fn install(programs: &[BpfProgram]) -> Result<()> {
    for program in programs {
        ch01_unshare::explain!("seccomp(SECCOMP_SET_MODE_FILTER, {} BPF instructions)", program.len());
        seccompiler::apply_filter(program).context("install the seccomp filter")?;
    }
    Ok(())
}
// ANCHOR_END: install

/// Docker's default profile: refuse (EPERM) every call but some 300 that
/// ordinary programs make; among those refused are the ones that reach the
/// kernel's less-travelled code (keyctl, bpf, userfaultfd, add_key), change
/// the machine (reboot, swapon, settimeofday, init_module) or make namespaces
/// (unshare, setns, and clone with a CLONE_NEW* flag).
pub fn docker_default() -> Result<LinuxSeccomp> {
    let allow = |names: &[&str]| json!({"names": names, "action": "SCMP_ACT_ALLOW"});
    let arg = |names: &[&str], index: u32, value: u64, op: &str| json!({"names": names, "action": "SCMP_ACT_ALLOW", "args": [{"index": index, "value": value, "op": op}]});
    let namespace_flags = libc::CLONE_NEWNS
        | libc::CLONE_NEWUTS
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWUSER
        | libc::CLONE_NEWPID
        | libc::CLONE_NEWNET
        | libc::CLONE_NEWCGROUP;
    let mut syscalls = vec![allow(&DOCKER_ALLOWED), allow(&["arch_prctl", "modify_ldt"])];
    syscalls.push(arg(&["socket"], 0, libc::AF_VSOCK as u64, "SCMP_CMP_NE"));
    for persona in [0u64, 8, 0x20000, 0x20008, 0xffff_ffff] {
        syscalls.push(arg(&["personality"], 0, persona, "SCMP_CMP_EQ"));
    }
    // clone(2) without any CLONE_NEW* flag: (flags & namespace_flags) == 0.
    syscalls.push(arg(&["clone"], 0, namespace_flags as u64, "SCMP_CMP_MASKED_EQ"));
    // clone3 passes its flags in memory, where a filter cannot look: ENOSYS
    // makes the C library fall back to clone(2), which the rule above checks.
    syscalls.push(json!({"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": libc::ENOSYS}));
    let profile = json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": libc::EPERM,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": syscalls,
    });
    serde_json::from_value(profile).context("Docker's default seccomp profile")
}

/// The calls Docker's default profile allows unconditionally.
const DOCKER_ALLOWED: [&str; 350] = [
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_time64",
    "futex_waitv",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "ioctl",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "ipc",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "_llseek",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "madvise",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "_newselect",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "pselect6",
    "pselect6_time64",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setuid32",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "sigprocmask",
    "sigreturn",
    "socketcall",
    "socketpair",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
    "chroot",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_profile_compiles() {
        let programs = compile(&docker_default().expect("profile")).expect("compile");
        // The default (EPERM) filter and the ENOSYS one for clone3.
        assert_eq!(programs.len(), 2);
    }
}
