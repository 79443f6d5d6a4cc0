//! seccomp: a filter the kernel runs on every system call the container
//! makes, before the call does anything.
//!
//! Capabilities decide what root may do; seccomp decides which system calls
//! may be made at all, by anyone. The filter is a classic BPF program
//! ([`bpf`]) that reads the call's architecture, number and arguments and
//! answers: allow it, fail it with an errno, kill the thread or process,
//! send SIGSYS (trap), or log it. Once installed it cannot be removed, and
//! every child inherits it. Most of the kernel's bugs that let a container
//! out were in calls a web server never makes (`keyctl`, `bpf`,
//! `userfaultfd`, `unshare`), so Docker's profile allows some 350 calls and
//! refuses the rest with EPERM.
//!
//! config.json's `linux.seccomp` is a default action, the architectures to
//! filter, and rules (call names, argument conditions, an action each).
//! burrow compiles it to BPF itself, as libseccomp does for runc: one
//! program that first branches on the architecture, since a call's number
//! means different calls in different ABIs (on x86_64, 310 is
//! `process_vm_readv` in 64-bit mode and `unshare` through `int 0x80`).
//! The `syscalls` crate gives each ABI's numbers for the names.

pub mod bpf;
mod docker;

use anyhow::{bail, Context, Result};
use bpf::{Insn, Step};
use nix::errno::Errno;
use oci_spec::runtime::{Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompFilterFlag, LinuxSyscall};
use serde_json::json;
use std::str::FromStr;

pub use docker::docker_default;

/// A compiled program.
pub type Program = Vec<Insn>;

/// A filter to install: the program, and config.json's `flags` as the
/// kernel's SECCOMP_FILTER_FLAG_* bits.
pub struct Filter {
    pub program: Program,
    pub flags: libc::c_ulong,
}

// ANCHOR: abis
/// An ABI this machine's kernel runs: the `seccomp_data.arch` of its calls,
/// whether its arguments are 64-bit, and its table of call numbers.
struct Abi {
    arch: Arch,
    wide: bool,
    number: fn(&str) -> Option<u32>,
}

macro_rules! numbers {
    ($table:ident) => {
        |name| syscalls::$table::Sysno::from_str(name).ok().and_then(|call| u32::try_from(call.id()).ok())
    };
}

/// The native ABI first, then the 32-bit one its kernel also runs.
#[cfg(target_arch = "x86_64")]
const ABIS: &[Abi] = &[
    Abi { arch: Arch::ScmpArchX86_64, wide: true, number: numbers!(x86_64) },
    Abi { arch: Arch::ScmpArchX86, wide: false, number: numbers!(x86) },
];
#[cfg(target_arch = "aarch64")]
const ABIS: &[Abi] = &[
    Abi { arch: Arch::ScmpArchAarch64, wide: true, number: numbers!(aarch64) },
    Abi { arch: Arch::ScmpArchArm, wide: false, number: numbers!(arm) },
];
#[cfg(target_arch = "riscv64")]
const ABIS: &[Abi] = &[Abi { arch: Arch::ScmpArchRiscv64, wide: true, number: numbers!(riscv64) }];

/// x32 programs run on x86_64 with this bit set in their call numbers, and
/// under x86_64's `arch`. burrow has no x32 table: such calls are killed,
/// as libseccomp kills those of an architecture a filter does not list.
const X32_BIT: u32 = 0x4000_0000;
// ANCHOR_END: abis

/// What `burrow features` says of seccomp: the actions of [`action`], the
/// operators of [`bpf::condition`], the architectures of [`ABIS`], and the
/// flags of [`of`] that this kernel takes.
pub fn features() -> serde_json::Value {
    let archs: Vec<_> = ABIS.iter().map(|abi| abi.arch).collect();
    let flags: Vec<String> =
        FLAGS.into_iter().filter(|flag| kernel_takes(bit(*flag))).map(|flag| flag.to_string()).collect();
    json!({
        "enabled": true,
        "actions": ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
                    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"],
        "operators": ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                      "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"],
        "archs": archs,
        "supportedFlags": flags,
    })
}

/// The filter flags config.json may name, each passed on to seccomp(2).
const FLAGS: [LinuxSeccompFilterFlag; 3] = [
    LinuxSeccompFilterFlag::SeccompFilterFlagTsync,
    LinuxSeccompFilterFlag::SeccompFilterFlagLog,
    LinuxSeccompFilterFlag::SeccompFilterFlagSpecAllow,
];

/// A flag of config.json as the kernel's SECCOMP_FILTER_FLAG_* bit.
fn bit(flag: LinuxSeccompFilterFlag) -> libc::c_ulong {
    match flag {
        LinuxSeccompFilterFlag::SeccompFilterFlagLog => libc::SECCOMP_FILTER_FLAG_LOG,
        LinuxSeccompFilterFlag::SeccompFilterFlagSpecAllow => libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW,
        LinuxSeccompFilterFlag::SeccompFilterFlagTsync => libc::SECCOMP_FILTER_FLAG_TSYNC,
    }
}

/// Does this kernel take `flag`? Asked with no program at all: the kernel
/// checks the flags first (EINVAL for one it does not know), then copies
/// the program (EFAULT from a null address), so the call installs nothing
/// either way. libseccomp asks the same way.
fn kernel_takes(flag: libc::c_ulong) -> bool {
    // SAFETY: a null program: the kernel fails before it reads or installs anything.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            flag,
            std::ptr::null::<libc::c_void>(),
        )
    };
    r == -1 && Errno::last() == Errno::EFAULT
}

/// config.json's action as the kernel's SECCOMP_RET_* answer.
fn action(action: LinuxSeccompAction, errno: Option<u32>) -> Result<u32> {
    use LinuxSeccompAction as A;
    let data = |value: u32, most: u32| match value <= most {
        true => Ok(value),
        false => Err(anyhow::anyhow!(
            "seccomp errnoRet {value}: more than the kernel returns ({most}); use an errno(3) number"
        )),
    };
    Ok(match action {
        A::ScmpActAllow => libc::SECCOMP_RET_ALLOW,
        A::ScmpActErrno => libc::SECCOMP_RET_ERRNO | data(errno.unwrap_or(libc::EPERM as u32), 4095)?,
        A::ScmpActKill | A::ScmpActKillThread => libc::SECCOMP_RET_KILL_THREAD,
        A::ScmpActKillProcess => libc::SECCOMP_RET_KILL_PROCESS,
        A::ScmpActTrap => libc::SECCOMP_RET_TRAP,
        A::ScmpActLog => libc::SECCOMP_RET_LOG,
        A::ScmpActTrace => libc::SECCOMP_RET_TRACE | data(errno.unwrap_or(0), libc::SECCOMP_RET_DATA)?,
        other => bail!("seccomp action {other:?} is not supported by burrow"),
    })
}

/// The kernel's order of answers, most severe first: it is how it picks
/// among several filters, and how burrow picks among a call's rules.
fn severity(answer: u32) -> i32 {
    (answer & libc::SECCOMP_RET_ACTION_FULL) as i32
}

// ANCHOR: compile
/// Compile `linux.seccomp` to one BPF program:
///
/// ```text
/// A = arch; one jump per ABI to its section; else kill the process
/// section: A = nr; find its range of calls with the same rules, by halves;
///          not there: the default answer
/// rules:   the call's rules, most severe first: conditions, then the answer
/// ```
///
/// The native ABI is always compiled (as libseccomp's filters start with
/// it), the 32-bit one when `architectures` lists it. A name the ABI has
/// no call for (`chown32` in 64-bit mode) is skipped, as runc does, and so
/// is a call whose rules all give the default answer. (runc drops every
/// rule with the default action; burrow keeps one among a call's other
/// rules, where, if it is the more severe, it must win.)
pub fn compile(seccomp: &LinuxSeccomp) -> Result<Program> {
    let default = action(seccomp.default_action(), seccomp.default_errno_ret())?;
    let listed = seccomp.architectures().as_deref().unwrap_or_default();
    let abis: Vec<&Abi> = ABIS
        .iter()
        .enumerate()
        .filter(|(at, abi)| *at == 0 || listed.contains(&abi.arch))
        .map(|(_, abi)| abi)
        .collect();
    let sections: Vec<Program> =
        abis.iter().map(|abi| section(seccomp, abi, default)).collect::<Result<_>>()?;
    let program = by_arch(&abis, sections);
    for rule in seccomp.syscalls().as_deref().unwrap_or_default() {
        for name in rule.names().iter().filter(|name| abis.iter().all(|abi| (abi.number)(name).is_none())) {
            ch01_unshare::explain!("seccomp: no call is named {name:?} here: its rule is skipped");
        }
    }
    if program.len() > libc::BPF_MAXINSNS as usize {
        bail!("the seccomp profile compiles to {} BPF instructions, more than the kernel's 4096: merge its rules", program.len());
    }
    Ok(program)
}

/// The program: its head, which reads the architecture and jumps to the
/// section of `abis` that matches (or kills the process), then `sections`,
/// one per ABI, in the same order.
fn by_arch(abis: &[&Abi], sections: Vec<Program>) -> Program {
    // EXERCISE 7.4: start the program with the architecture check: load seccomp_data.arch, jump to each ABI's section, kill any other architecture
    // HINT: bpf::load(bpf::ARCH) puts seccomp_data.arch in A; per ABI, bpf::jump(libc::BPF_JEQ, abi.arch as u32, 0, 1) skips the next instruction unless A is that ABI's
    // HINT: that next instruction is bpf::ja(N), which skips N instructions (jt and jf reach only 255); after the ABIs, bpf::ret(libc::SECCOMP_RET_KILL_PROCESS), then the sections
    // HINT: the head is 1 + 2 * abis.len() + 1 instructions, so the first section starts there and each next one after the last one's len(); N = start - program.len() - 1 when the ja is pushed
    let mut program = vec![bpf::load(bpf::ARCH)];
    let head = 1 + 2 * abis.len() + 1;
    let mut start = head;
    for (abi, section) in abis.iter().zip(&sections) {
        program.push(bpf::jump(libc::BPF_JEQ, abi.arch as u32, 0, 1));
        program.push(bpf::ja((start - program.len() - 1) as u32));
        start += section.len();
    }
    program.push(bpf::ret(libc::SECCOMP_RET_KILL_PROCESS));
    program.extend(sections.into_iter().flatten());
    program
    // END EXERCISE
}

/// A call the profile names: its number, the rule's answer, and the rule.
type Named<'a> = (u32, u32, &'a LinuxSyscall);

/// One ABI's part of the program: its calls, in its numbering.
fn section(seccomp: &LinuxSeccomp, abi: &Abi, default: u32) -> Result<Program> {
    let mut named: Vec<Named> = Vec::new();
    for rule in seccomp.syscalls().as_deref().unwrap_or_default() {
        let answer = action(rule.action(), rule.errno_ret())?;
        named.extend(rule.names().iter().filter_map(|name| (abi.number)(name)).map(|nr| (nr, answer, rule)));
    }
    // By number; a call's rules most severe first (a stable sort: rules as
    // severe as each other stay in the profile's order).
    named.sort_by_key(|&(nr, answer, _)| (nr, severity(answer)));
    let mut out = vec![bpf::load(bpf::NR)];
    if abi.arch == Arch::ScmpArchX86_64 {
        // -1 is no call (a tracer skipping one): on to the default answer.
        // Numbers with the x32 bit: killed.
        out.extend([
            bpf::jump(libc::BPF_JEQ, u32::MAX, 2, 0),
            bpf::jump(libc::BPF_JGE, X32_BIT, 0, 1),
            bpf::ret(libc::SECCOMP_RET_KILL_PROCESS),
        ]);
    }
    let compiled: Vec<(u32, Program)> = ranges(&named, default)
        .into_iter()
        .map(|(first, rules)| Ok((first, call(rules, abi.wide, default)?)))
        .collect::<Result<_>>()?;
    out.extend(search(&compiled));
    Ok(out)
}

/// Cut the call numbers into ranges that get the same answer: a run of
/// consecutive calls with the same rules (most are one `ALLOW` without
/// conditions), or the numbers between two named calls (no rules: the
/// default answer). Each range is its first number and its rules; it ends
/// where the next begins. Each range is then compiled once, not each call.
fn ranges<'a, 'p>(named: &'a [Named<'p>], default: u32) -> Vec<(u32, &'a [Named<'p>])> {
    // The same answers and conditions, in the same order: the same program.
    let same = |a: &[Named], b: &[Named]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.1 == y.1 && x.2.args() == y.2.args())
    };
    let mut out: Vec<(u32, &[Named])> = Vec::new();
    let mut next = 0; // the first number after the last range's calls
    for rules in named.chunk_by(|a, b| a.0 == b.0) {
        if rules.iter().all(|&(_, answer, _)| answer == default) {
            continue; // named only to get the default answer: part of a gap
        }
        let nr = rules[0].0;
        let goes_on = nr == next && out.last().is_some_and(|(_, last)| same(last, rules));
        if !goes_on {
            if nr > next {
                out.push((next, &[])); // a gap: the default answer
            }
            out.push((nr, rules));
        }
        next = nr + 1;
    }
    out.push((next, &[]));
    out
}

/// Find the range `A` is in by halves: a profile names some 350 calls in
/// a few dozen ranges, and a linear chain of tests would make every call
/// pass all of them. (The kernel also runs the filter once per call number
/// when it is installed, to cache the calls it always allows: with a
/// chain of 350 tests, installing Docker's profile took 1 ms here.)
fn search(ranges: &[(u32, Program)]) -> Program {
    if let [(_, rules)] = ranges {
        return rules.clone();
    }
    let (below, from) = ranges.split_at(ranges.len() / 2);
    let below = search(below);
    // if A >= from's first number, skip `below`: with jt when it can
    // reach, else with a `ja`
    let mut out = match u8::try_from(below.len()) {
        Ok(skip) => vec![bpf::jump(libc::BPF_JGE, from[0].0, skip, 0)],
        Err(_) => vec![bpf::jump(libc::BPF_JGE, from[0].0, 0, 1), bpf::ja(below.len() as u32)],
    };
    out.extend(below);
    out.extend(search(from));
    out
}

/// One call's rules: the first whose conditions all hold answers; if none
/// does, the default answer.
fn call(rules: &[Named], wide: bool, default: u32) -> Result<Program> {
    // EXERCISE 7.5: compile one call's rules: each rule's conditions, then its answer; when no rule's conditions hold, the default answer
    // HINT: bpf::condition(arg, wide) gives one condition's steps, which jump to To::Fail (past the rule) when it does not hold; bpf::assemble(&steps) turns steps into instructions
    // HINT: per rule: the steps of each of rule.args(), then Step::Ret(answer); a rule without conditions always answers, so stop there; after every rule, bpf::ret(default)
    // HINT: two conditions on one argument (the same index) cannot both hold: runc makes them alternatives, a set of steps per condition (args.chunks(1))
    let mut out = Vec::new();
    for &(_, answer, rule) in rules {
        let args = rule.args().as_deref().unwrap_or_default();
        // Two conditions on one argument cannot both hold for ==: runc
        // makes each condition of such a rule a rule of its own, so that
        // they are alternatives, and so does burrow.
        let repeated =
            args.iter().enumerate().any(|(at, a)| args[..at].iter().any(|b| b.index() == a.index()));
        let alternatives: Vec<&[_]> = if repeated { args.chunks(1).collect() } else { vec![args] };
        for conditions in alternatives {
            let mut steps = Vec::new();
            for arg in conditions {
                steps.extend(bpf::condition(arg, wide)?);
            }
            let always = steps.is_empty();
            steps.push(Step::Ret(answer));
            out.extend(bpf::assemble(&steps)?);
            if always {
                return Ok(out);
            }
        }
    }
    out.push(bpf::ret(default));
    Ok(out)
    // END EXERCISE
}
// ANCHOR_END: compile

/// The filter of config.json's `linux.seccomp` (none without it). Its
/// flags: `LOG` has the kernel log every answer but ALLOW (to the kernel
/// log, as audit records), not only the kills; `SPEC_ALLOW` leaves
/// Speculative Store Bypass unmitigated where installing a filter would
/// turn the mitigation on (`spec_store_bypass_disable=seccomp`); `TSYNC`
/// puts the filter on every thread (burrow has one thread there).
pub fn of(spec: &oci_spec::runtime::Spec) -> Result<Option<Filter>> {
    let Some(seccomp) = spec.linux().as_ref().and_then(|l| l.seccomp().as_ref()) else { return Ok(None) };
    let rules = seccomp.syscalls().iter().flatten();
    let notify = seccomp.default_action() == LinuxSeccompAction::ScmpActNotify
        || rules.into_iter().any(|r| r.action() == LinuxSeccompAction::ScmpActNotify);
    if notify || seccomp.listener_path().is_some() {
        bail!(
            "seccomp SCMP_ACT_NOTIFY and listenerPath (a supervisor that answers the calls) are not supported by burrow; use SCMP_ACT_ERRNO for those calls, or runc"
        );
    }
    let flags = seccomp.flags().iter().flatten().fold(0, |all, flag| all | bit(*flag));
    Ok(Some(Filter { program: compile(seccomp)?, flags }))
}

// ANCHOR: install
/// Install the filter on this thread: seccomp(SECCOMP_SET_MODE_FILTER).
/// The kernel allows it only with no_new_privs set or with CAP_SYS_ADMIN:
/// a filter could otherwise trick a setuid program.
pub fn install(filter: &Filter) -> Result<()> {
    // EXERCISE 7.6: install the filter on this thread with seccomp(SECCOMP_SET_MODE_FILTER), config.json's flags with it
    // HINT: the kernel reads a libc::sock_fprog: the number of instructions (a u16) and a pointer to the first
    // HINT: unsafe { libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, flags, &fprog) }, checked with Errno::result; EACCES: neither no_new_privs nor CAP_SYS_ADMIN
    // HINT: with SECCOMP_FILTER_FLAG_TSYNC a result above 0 names a thread that could not take the filter: an error too
    let (program, flags) = (&filter.program, filter.flags);
    ch01_unshare::explain!(
        "seccomp(SECCOMP_SET_MODE_FILTER, flags {flags:#x}, {} BPF instructions)",
        program.len()
    );
    let len = u16::try_from(program.len()).context("a seccomp program of more than 65535 instructions")?;
    let fprog = libc::sock_fprog { len, filter: program.as_ptr().cast_mut() };
    // SAFETY: fprog points to `len` instructions that live until the call
    // returns; the kernel copies them and only reads.
    let done = unsafe { libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, flags, &fprog) };
    Errno::result(done).context("install the seccomp filter")?;
    if done > 0 {
        // With TSYNC, a thread that could not take the filter (one with a
        // filter of its own the new one does not extend) is named instead.
        bail!("seccomp TSYNC: thread {done} could not take the filter");
    }
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: install

#[cfg(test)]
mod tests {
    use super::*;

    mod cbpf;
    mod versus_libseccomp;

    #[test]
    fn the_kernel_is_asked_which_flags_it_takes() {
        // LOG is Linux 4.14's; no kernel has a flag at bit 30.
        assert!(kernel_takes(libc::SECCOMP_FILTER_FLAG_LOG));
        assert!(!kernel_takes(1 << 30));
    }

    #[test]
    fn the_default_profile_compiles() {
        let program = compile(&docker_default().expect("profile")).expect("compile");
        assert!(program.len() < 4096, "{} instructions", program.len());
    }

    /// System call `nr` with six arguments, in 64-bit mode: the result, or -errno.
    fn call6(nr: libc::c_long, a: [u64; 6]) -> i64 {
        // SAFETY: the callers make only calls that read no memory, or that
        // the filter answers before they run.
        let done = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
        if done == -1 {
            -(Errno::last() as i64)
        } else {
            done
        }
    }

    #[test]
    fn docker_profile_answers() {
        let profile = serde_json::to_value(docker_default().expect("profile")).expect("json");
        let [unix, vsock, vsock_high, none] = filtered(profile, || {
            let unix = call6(libc::SYS_socket, [libc::AF_UNIX as u64, libc::SOCK_STREAM as u64, 0, 0, 0, 0]);
            let vsock =
                call6(libc::SYS_socket, [libc::AF_VSOCK as u64, libc::SOCK_STREAM as u64, 0, 0, 0, 0]);
            // The kernel reads the family as an int: this is AF_VSOCK too.
            let high = (1 << 32) | libc::AF_VSOCK as u64;
            let vsock_high = call6(libc::SYS_socket, [high, libc::SOCK_STREAM as u64, 0, 0, 0, 0]);
            // -1: no call, as a tracer skipping one sets it: the default
            // answer (were it killed, so would be this test).
            let none = call6(-1, [0; 6]);
            [unix, vsock, vsock_high, none]
        });
        assert!(unix >= 0, "socket(AF_UNIX): {unix}");
        let _ = nix::unistd::close(unix as i32);
        assert_eq!([vsock, vsock_high, none], [-(libc::EPERM as i64); 3]);
    }

    #[test]
    fn rules_of_one_call() {
        let eaddr = -(libc::EADDRNOTAVAIL as i64);
        // The more severe rule wins, even when its action is the default one.
        let profile = json!({
            "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": libc::EADDRNOTAVAIL,
            "syscalls": [
                {"names": ["exit", "futex", "munmap", "madvise", "rt_sigprocmask", "rseq", "set_robust_list", "sigaltstack"],
                 "action": "SCMP_ACT_ALLOW"},
                {"names": ["getppid"], "action": "SCMP_ACT_ALLOW"},
                {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": libc::EADDRNOTAVAIL,
                 "args": [{"index": 0, "value": 7, "op": "SCMP_CMP_EQ"}]}]
        });
        let seen = filtered(profile, || {
            [call6(libc::SYS_getppid, [7, 0, 0, 0, 0, 0]), call6(libc::SYS_getppid, [8, 0, 0, 0, 0, 0])]
        });
        assert_eq!(seen[0], eaddr);
        assert!(seen[1] > 0);
        // Two conditions on one argument: alternatives, as runc makes them.
        let profile = json!({
            "defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": libc::EADDRNOTAVAIL,
                          "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 6, "op": "SCMP_CMP_EQ"}]}]
        });
        let seen = filtered(profile, move || {
            [5, 6, 7].map(|arg| call6(libc::SYS_getppid, [arg, 0, 0, 0, 0, 0]) == eaddr)
        });
        assert_eq!(seen, [true, true, false]);
        // Errnos the kernel cannot return are refused by name.
        let profile = json!({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000});
        let err = compile(&serde_json::from_value(profile).expect("profile")).expect_err("errno 70000");
        assert!(format!("{err:#}").contains("70000"), "{err:#}");
    }

    #[test]
    fn long_rules_of_neighbouring_calls() {
        // Sixteen calls in a row (0 to 15), each with two rules of six
        // conditions of its own: sixteen ranges, too long for the jumps of
        // the tests that find them, which then jump to a `ja`.
        let six =
            |v: u64| (0..6).map(|i| json!({"index": i, "value": v, "op": "SCMP_CMP_EQ"})).collect::<Vec<_>>();
        let mut rules = Vec::new();
        for nr in 0..16 {
            let name = syscalls::x86_64::Sysno::new(nr).map(|s| s.name()).expect("a call");
            for v in [1000 + nr as u64, 2000 + nr as u64] {
                rules.push(json!({"names": [name], "action": "SCMP_ACT_ERRNO", "errnoRet": libc::EADDRNOTAVAIL, "args": six(v)}));
            }
        }
        let profile = json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": rules});
        // close (3) with every argument 2003: refused by the filter, not EBADF;
        // with 2000, another call's rule, on to close itself. lseek (8) and
        // mprotect (10), past the first half, are found through a `ja`.
        let program = compile(&serde_json::from_value(profile.clone()).expect("profile")).expect("compile");
        // One `ja` is the head's, to the native section; the others, the search's.
        let ja = program.iter().filter(|insn| insn.code == (libc::BPF_JMP | libc::BPF_JA) as u16).count();
        assert!(ja > 1, "the search jumps through a ja ({ja} in all)");
        let seen = filtered(profile, || {
            [
                call6(libc::SYS_close, [2003; 6]),
                call6(libc::SYS_close, [2000; 6]),
                call6(libc::SYS_lseek, [2008; 6]),
                call6(libc::SYS_lseek, [2000; 6]),
                call6(libc::SYS_mprotect, [2010; 6]),
            ]
        });
        let (refused, bad_fd) = (-(libc::EADDRNOTAVAIL as i64), -(libc::EBADF as i64));
        assert_eq!(seen, [refused, bad_fd, refused, bad_fd, refused]);
    }

    /// How the calls are made: `syscall` in 64-bit mode, or `int 0x80`.
    #[derive(Clone, Copy)]
    enum Mode {
        Native,
        #[cfg(target_arch = "x86_64")]
        I386,
    }

    /// Run `calls` on a thread of its own under `profile`'s filter:
    /// no_new_privs and seccomp are per thread without
    /// SECCOMP_FILTER_FLAG_TSYNC, so the test process stays unfiltered.
    fn filtered<T: Send + 'static>(
        profile: serde_json::Value,
        calls: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let program = compile(&serde_json::from_value(profile).expect("profile")).expect("compile");
        let thread = std::thread::spawn(move || {
            nix::sys::prctl::set_no_new_privs().expect("no_new_privs");
            install(&Filter { program, flags: 0 }).expect("install");
            calls()
        });
        thread.join().expect("the filtered thread")
    }

    /// Which of `tries`, passed as getppid(2)'s argument 0, a rule
    /// "refuse getppid when argument 0 `op` `value`" refuses. getppid reads
    /// no argument, but the filter sees every register.
    fn refused(mode: Mode, op: &str, value: u64, value_two: u64, tries: &[u64]) -> Vec<bool> {
        let profile = json!({
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86"],
            "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": libc::EADDRNOTAVAIL,
                          "args": [{"index": 0, "value": value, "valueTwo": value_two, "op": op}]}]
        });
        let tries = tries.to_vec();
        filtered(profile, move || {
            tries
                .iter()
                .map(|&arg| call_with(mode, GETPPID[mode as usize], arg) == -libc::EADDRNOTAVAIL as i64)
                .collect()
        })
    }

    /// getppid's number in each mode: 64 is semget in the 64-bit table.
    const GETPPID: [u32; 2] = [libc::SYS_getppid as u32, 64];

    /// System call `nr` with `arg` in argument 0's register (the others
    /// 0): the result, or -errno.
    fn call_with(mode: Mode, nr: u32, arg: u64) -> i64 {
        match mode {
            Mode::Native => {
                // SAFETY: the callers make only calls that read no memory,
                // or that the filter answers before they run.
                let done = unsafe { libc::syscall(libc::c_long::from(nr), arg, 0, 0, 0, 0, 0) };
                if done == -1 {
                    -(Errno::last() as i64)
                } else {
                    done
                }
            }
            #[cfg(target_arch = "x86_64")]
            Mode::I386 => {
                let mut eax = nr;
                // SAFETY: int 0x80 is the 32-bit system call; ebx (saved
                // and restored: the compiler owns rbx) is argument 0, the
                // others are zeroed; the kernel may clear r8-r11. As above
                // for the calls made.
                unsafe {
                    std::arch::asm!("push rbx", "mov ebx, {arg:e}", "int 0x80", "pop rbx",
                        arg = in(reg) arg as u32, inout("eax") eax, in("ecx") 0, in("edx") 0, in("esi") 0, in("edi") 0,
                        out("r8") _, out("r9") _, out("r10") _, out("r11") _);
                }
                i64::from(eax as i32)
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_call_number_finds_its_rules() {
        // Of every seven numbers of each table, the first alone and the
        // third to fifth (a range) answer EXFULL, every other number
        // EADDRNOTAVAIL: the filter answers before a call runs, so any
        // number can be tried. Only what the thread needs to end is allowed.
        const LIVE: [&str; 7] =
            ["exit", "futex", "munmap", "madvise", "rt_sigprocmask", "rseq", "set_robust_list"];
        let some_ranges = |name: &'static str, id: i32| {
            (matches!(id % 7, 0 | 2..=4) && !LIVE.contains(&name)).then_some(name)
        };
        let mut named: Vec<&str> =
            syscalls::x86_64::Sysno::iter().filter_map(|s| some_ranges(s.name(), s.id())).collect();
        named.extend(syscalls::x86::Sysno::iter().filter_map(|s| some_ranges(s.name(), s.id())));
        let profile = json!({
            "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": libc::EADDRNOTAVAIL,
            "architectures": ["SCMP_ARCH_X86"],
            "syscalls": [{"names": named, "action": "SCMP_ACT_ERRNO", "errnoRet": libc::EXFULL},
                         {"names": LIVE, "action": "SCMP_ACT_ALLOW"}]
        });
        for (mode, abi) in [(Mode::Native, &ABIS[0]), (Mode::I386, &ABIS[1])] {
            let mut skipped: Vec<u32> = LIVE.iter().filter_map(|name| (abi.number)(name)).collect();
            if mode as usize == 0 {
                // uretprobe and uprobe: Linux 6.11+ runs them unfiltered (and
                // sends SIGILL to a caller that is not its trampoline).
                skipped.extend([335, 336]);
            }
            let expected: Vec<(u32, bool)> = (0..500)
                .filter(|nr| !skipped.contains(nr))
                .map(|nr| (nr, named.iter().any(|name| (abi.number)(name) == Some(nr))))
                .collect();
            let seen = filtered(profile.clone(), {
                let expected = expected.clone();
                move || {
                    expected
                        .iter()
                        .map(|&(nr, _)| (nr, call_with(mode, nr, 0) == -libc::EXFULL as i64))
                        .collect::<Vec<_>>()
                }
            });
            assert_eq!(seen, expected);
        }
    }

    #[test]
    fn comparisons_of_64_bit_arguments() {
        const HIGH: u64 = 1 << 32;
        let value = 5 * HIGH + 2;
        let tries = [
            2,            // high word less, low word equal
            3 * HIGH + 9, // high word less, low word greater
            5 * HIGH,     // high word equal, low word less
            value,        // equal
            5 * HIGH + 3, // high word equal, low word greater
            6 * HIGH,     // high word greater, low word less
            2 * HIGH + 5, // the words swapped
        ];
        let case = |op: &str, two: u64| refused(Mode::Native, op, value, two, &tries);
        assert_eq!(case("SCMP_CMP_EQ", 0), [false, false, false, true, false, false, false]);
        assert_eq!(case("SCMP_CMP_NE", 0), [true, true, true, false, true, true, true]);
        assert_eq!(case("SCMP_CMP_GT", 0), [false, false, false, false, true, true, false]);
        assert_eq!(case("SCMP_CMP_GE", 0), [false, false, false, true, true, true, false]);
        assert_eq!(case("SCMP_CMP_LT", 0), [true, true, true, false, false, false, true]);
        assert_eq!(case("SCMP_CMP_LE", 0), [true, true, true, true, false, false, true]);
        // A greater high word decides, even over a greater low word of the value.
        for op in ["SCMP_CMP_GT", "SCMP_CMP_GE"] {
            assert_eq!(refused(Mode::Native, op, HIGH + 9, 0, &[2 * HIGH]), [true], "{op}");
        }
        // (argument & value) == valueTwo, with the mask 0xf in each word
        let masked = refused(Mode::Native, "SCMP_CMP_MASKED_EQ", 0xf * HIGH + 0xf, value, &tries);
        assert_eq!(masked, [false, false, false, true, false, false, false]);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn comparisons_of_32_bit_arguments() {
        let tries = [4, 5, 6, 0xffff_ffff];
        let case = |op: &str, value: u64, two: u64| refused(Mode::I386, op, value, two, &tries);
        assert_eq!(case("SCMP_CMP_EQ", 5, 0), [false, true, false, false]);
        assert_eq!(case("SCMP_CMP_NE", 5, 0), [true, false, true, true]);
        assert_eq!(case("SCMP_CMP_GT", 5, 0), [false, false, true, true]);
        assert_eq!(case("SCMP_CMP_GE", 5, 0), [false, true, true, true]);
        assert_eq!(case("SCMP_CMP_LT", 5, 0), [true, false, false, false]);
        assert_eq!(case("SCMP_CMP_LE", 5, 0), [true, true, false, false]);
        assert_eq!(case("SCMP_CMP_MASKED_EQ", 0xf, 4), [true, false, false, false]);
        // A value beyond 32 bits: above every argument...
        const BEYOND: u64 = (1 << 32) + 5;
        assert_eq!(case("SCMP_CMP_EQ", BEYOND, 0), [false; 4]);
        assert_eq!(case("SCMP_CMP_NE", BEYOND, 0), [true; 4]);
        assert_eq!(case("SCMP_CMP_GT", BEYOND, 0), [false; 4]);
        assert_eq!(case("SCMP_CMP_LT", BEYOND, 0), [true; 4]);
        assert_eq!(case("SCMP_CMP_MASKED_EQ", u64::MAX, BEYOND), [false; 4]);
        // ...unless it is a negative int, sign-extended: -1 is 0xffffffff.
        assert_eq!(case("SCMP_CMP_EQ", u64::MAX, 0), [false, false, false, true]);
        // 64 is getppid in the 32-bit table.
        assert_eq!(call_with(Mode::I386, GETPPID[1], 0), i64::from(std::os::unix::process::parent_id()));
    }
}
