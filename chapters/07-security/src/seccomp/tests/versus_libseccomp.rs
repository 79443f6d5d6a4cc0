//! burrow's seccomp programs against libseccomp's, run side by side.
//!
//! For a profile, burrow compiles its program, and libseccomp (the library
//! runc, crun and podman use) builds its own from the same rules, as runc
//! has it do. Both run in the interpreter of [`cbpf`] on the same inputs:
//! every call the profile names and others it does not, in each ABI, with
//! arguments on both sides of every value a condition compares with. They
//! must give the same answer, except where a test says why they differ.

use super::super::{compile, Insn, ABIS, X32_BIT};
use super::cbpf;
use libseccomp::{ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall};
use oci_spec::runtime::{Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompOperator as Op};
use serde_json::{json, Value};
use std::io::{Read, Seek, SeekFrom};
use std::str::FromStr;

/// config.json's action as libseccomp's (an ERRNO without errnoRet is
/// EPERM, as in runc and burrow).
fn action(action: LinuxSeccompAction, errno: Option<u32>) -> ScmpAction {
    use LinuxSeccompAction as A;
    let errno = |default: i32| errno.map_or(default, |e| e as i32);
    match action {
        A::ScmpActAllow => ScmpAction::Allow,
        A::ScmpActErrno => ScmpAction::Errno(errno(libc::EPERM)),
        A::ScmpActKill | A::ScmpActKillThread => ScmpAction::KillThread,
        A::ScmpActKillProcess => ScmpAction::KillProcess,
        A::ScmpActTrap => ScmpAction::Trap,
        A::ScmpActLog => ScmpAction::Log,
        A::ScmpActTrace => ScmpAction::Trace(errno(0) as u16),
        other => panic!("no such action in these tests: {other:?}"),
    }
}

/// libseccomp's program for `profile`, built as runc builds it: the
/// native architecture and the profile's others, a rule whose action is
/// the default one dropped (libseccomp refuses it: EACCES), a name
/// libseccomp does not know skipped, and a rule with two conditions on one
/// argument made one rule a condition (alternatives). `x32`: whether to
/// add SCMP_ARCH_X32 when the profile lists it (see `x32_calls_are_killed`).
fn libseccomp_program(profile: &LinuxSeccomp, x32: bool) -> Vec<Insn> {
    let default = action(profile.default_action(), profile.default_errno_ret());
    let mut filter = ScmpFilterContext::new(default).expect("a libseccomp filter");
    // burrow kills the process on an architecture it does not filter;
    // libseccomp kills the thread unless told otherwise.
    filter.set_act_badarch(ScmpAction::KillProcess).expect("the bad-architecture action");
    for arch in profile.architectures().iter().flatten() {
        let arch = ScmpArch::from_str(&arch.to_string()).expect("an architecture libseccomp knows");
        if arch != ScmpArch::X32 || x32 {
            filter.add_arch(arch).expect("an architecture");
        }
    }
    for rule in profile.syscalls().as_deref().unwrap_or_default() {
        let answer = action(rule.action(), rule.errno_ret());
        if answer == default {
            continue;
        }
        let args = rule.args().as_deref().unwrap_or_default();
        let compare = |arg: &oci_spec::runtime::LinuxSeccompArg| {
            let op = match arg.op() {
                Op::ScmpCmpNe => ScmpCompareOp::NotEqual,
                Op::ScmpCmpLt => ScmpCompareOp::Less,
                Op::ScmpCmpLe => ScmpCompareOp::LessOrEqual,
                Op::ScmpCmpEq => ScmpCompareOp::Equal,
                Op::ScmpCmpGe => ScmpCompareOp::GreaterEqual,
                Op::ScmpCmpGt => ScmpCompareOp::Greater,
                Op::ScmpCmpMaskedEq => ScmpCompareOp::MaskedEqual(arg.value()),
            };
            let datum =
                if arg.op() == Op::ScmpCmpMaskedEq { arg.value_two().unwrap_or(0) } else { arg.value() };
            ScmpArgCompare::new(arg.index() as u32, op, datum)
        };
        let conditions: Vec<ScmpArgCompare> = args.iter().map(compare).collect();
        let repeated =
            args.iter().enumerate().any(|(at, a)| args[..at].iter().any(|b| b.index() == a.index()));
        let alternatives: Vec<&[ScmpArgCompare]> =
            if repeated { conditions.chunks(1).collect() } else { vec![&conditions] };
        for name in rule.names() {
            let Ok(call) = ScmpSyscall::from_name(name) else { continue };
            for conditions in &alternatives {
                filter.add_rule_conditional(answer, call, conditions).expect("a libseccomp rule");
            }
        }
    }
    // libseccomp 2.5 exports to a file (2.6 also to memory).
    let mut file = tempfile::tempfile().expect("a temp file");
    filter.export_bpf(&file).expect("libseccomp's program");
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0)).and_then(|_| file.read_to_end(&mut bytes)).expect("read the program");
    cbpf::from_bytes(&bytes)
}

/// Values around each of `values`: each 32-bit word one less, the same and
/// one more (wrapping), so that every comparison is tried on both sides of
/// its boundary in each word; and 0 and all ones.
fn around(values: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut out = vec![0, u64::MAX];
    for value in values {
        let (hi, lo) = ((value >> 32) as u32, value as u32);
        for h in [hi.wrapping_sub(1), hi, hi.wrapping_add(1)] {
            for l in [lo.wrapping_sub(1), lo, lo.wrapping_add(1)] {
                out.push(u64::from(h) << 32 | u64::from(l));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Every value and mask the conditions of `profile` compare with.
fn values_of(profile: &LinuxSeccomp) -> Vec<u64> {
    let rules = profile.syscalls().as_deref().unwrap_or_default();
    let args = rules.iter().flat_map(|rule| rule.args().as_deref().unwrap_or_default());
    args.flat_map(|arg| [arg.value(), arg.value_two().unwrap_or(0)]).collect()
}

/// The argument vectors to try on `name`: every one of `values` in each
/// argument a rule of `name` compares (all combinations), the others 0.
/// A call no condition looks at gets `values` in argument 0.
fn arguments(profile: &LinuxSeccomp, name: &str, values: &[u64]) -> Vec<[u64; 6]> {
    let rules = profile.syscalls().as_deref().unwrap_or_default();
    let mut indices: Vec<usize> = rules
        .iter()
        .filter(|rule| rule.names().iter().any(|n| n == name))
        .flat_map(|rule| rule.args().as_deref().unwrap_or_default().iter().map(|arg| arg.index()))
        .collect();
    indices.sort_unstable();
    indices.dedup();
    if indices.is_empty() {
        indices.push(0);
    }
    let mut out = vec![[0; 6]];
    for index in indices {
        out = out
            .iter()
            .flat_map(|args| {
                values.iter().map(move |&value| {
                    let mut args = *args;
                    args[index] = value;
                    args
                })
            })
            .collect();
    }
    out
}

/// An ABI as the tests make calls in it: the `seccomp_data.arch` its calls
/// have and its numbers for a name, from libseccomp's table and burrow's
/// (the `syscalls` crate), both tried.
struct Abi {
    name: &'static str,
    arch: u32,
    scmp: ScmpArch,
    burrow: fn(&str) -> Option<u32>,
}

const X86_64: u32 = Arch::ScmpArchX86_64 as u32;

/// x86_64, i386 (`int 0x80`), and x32: x86_64's `arch` with the x32 bit
/// in every number. burrow has no x32 table, so only libseccomp's numbers
/// are tried there (and x86_64's with the bit, which are most of them).
const TRIED: [Abi; 3] = [
    Abi { name: "x86_64", arch: X86_64, scmp: ScmpArch::X8664, burrow: |n| (ABIS[0].number)(n) },
    Abi {
        name: "i386",
        arch: Arch::ScmpArchX86 as u32,
        scmp: ScmpArch::X86,
        burrow: |n| (ABIS[1].number)(n),
    },
    Abi {
        name: "x32",
        arch: X86_64,
        scmp: ScmpArch::X32,
        burrow: |n| (ABIS[0].number)(n).map(|nr| nr | X32_BIT),
    },
];

impl Abi {
    /// The numbers `name` has in this ABI, by either table.
    fn numbers(&self, name: &str) -> Vec<u32> {
        let scmp = ScmpSyscall::from_name_by_arch(name, self.scmp).ok().map(|call| call.as_raw_syscall());
        let mut out: Vec<u32> =
            scmp.and_then(|nr| u32::try_from(nr).ok()).into_iter().chain((self.burrow)(name)).collect();
        out.dedup();
        out
    }
}

/// An answer as people read it: `ERRNO(1)`, `ALLOW`, ...
fn show(answer: u32) -> String {
    let data = answer & libc::SECCOMP_RET_DATA;
    match answer & libc::SECCOMP_RET_ACTION_FULL {
        libc::SECCOMP_RET_KILL_PROCESS => "KILL_PROCESS".into(),
        libc::SECCOMP_RET_KILL_THREAD => "KILL_THREAD".into(),
        libc::SECCOMP_RET_TRAP => format!("TRAP({data})"),
        libc::SECCOMP_RET_ERRNO => format!("ERRNO({data})"),
        libc::SECCOMP_RET_TRACE => format!("TRACE({data})"),
        libc::SECCOMP_RET_LOG => "LOG".into(),
        libc::SECCOMP_RET_ALLOW => "ALLOW".into(),
        other => format!("{other:#x}?"),
    }
}

/// The cases run, the encoded differences met, and the cases where
/// burrow's answer is not the one expected.
#[derive(Default)]
struct Tally {
    cases: usize,
    differences: usize,
    wrong: Vec<String>,
}

impl Tally {
    fn check(&mut self, what: impl FnOnce() -> String, burrow: u32, expected: u32) {
        self.cases += 1;
        if burrow != expected {
            self.wrong.push(format!("{}: burrow {}, expected {}", what(), show(burrow), show(expected)));
        }
    }

    fn assert_all_right(&self, profile: &str) {
        eprintln!("{profile}: {} cases, {} of them an encoded difference", self.cases, self.differences);
        let first: Vec<&String> = self.wrong.iter().take(20).collect();
        assert!(
            self.wrong.is_empty(),
            "{profile}: {} of {} cases differ:\n{first:#?}",
            self.wrong.len(),
            self.cases
        );
    }
}

/// What burrow answers on purpose where libseccomp answers otherwise, for
/// a call (`abi`, `nr`, `args`); `None` where they must agree.
type Differs<'a> = &'a dyn Fn(&Abi, u32, &[u64; 6]) -> Option<u32>;

/// Run burrow's program for `profile` and libseccomp's for `reference`
/// (the same profile, or a rewriting of it the caller explains) on `names`
/// with arguments around the profile's values and `extra`, in each ABI;
/// then on numbers no call has, and on architectures neither filters.
fn compare(
    profile: &LinuxSeccomp,
    reference: &LinuxSeccomp,
    names: &[&str],
    extra: &[u64],
    differs: Differs,
) -> Tally {
    let burrow = compile(profile).expect("burrow compiles the profile");
    let libseccomp = libseccomp_program(reference, false);
    let values = around(values_of(profile).into_iter().chain(extra.iter().copied()));
    let mut tally = Tally::default();
    let mut case = |abi: &Abi, what: &dyn Fn() -> String, nr: u32, args: [u64; 6]| {
        let data = cbpf::data(abi.arch, nr, args);
        let mut expected = cbpf::run(&libseccomp, &data);
        if let Some(answer) = differs(abi, nr, &args).filter(|&answer| answer != expected) {
            tally.differences += 1;
            expected = answer;
        }
        tally.check(
            || format!("{} ({} {nr:#x}) {args:x?}", what(), abi.name),
            cbpf::run(&burrow, &data),
            expected,
        );
    };
    for abi in &TRIED {
        for name in names {
            for nr in abi.numbers(name) {
                for args in arguments(profile, name, &values) {
                    case(abi, &|| name.to_string(), nr, args);
                }
            }
        }
        // -1 (a tracer skipping a call) and numbers no call has
        for nr in [u32::MAX, 999, 0x3fff_ffff, X32_BIT, X32_BIT | 999, 0x8000_0000, 0xffff_fffe] {
            case(abi, &|| "no call".into(), nr, [0; 6]);
        }
    }
    // Architectures neither filters (aarch64, arm, none, x86_64 without
    // its 64-bit bit): both kill the process.
    let unknown = [Arch::ScmpArchAarch64 as u32, Arch::ScmpArchArm as u32, 0, X86_64 & !0x8000_0000];
    for arch in unknown {
        let abi = Abi { name: "unknown", arch, scmp: ScmpArch::Native, burrow: |_| None };
        for nr in [0, 1, 59, 999] {
            case(&abi, &|| format!("arch {arch:#x}"), nr, [0; 6]);
        }
    }
    for arch in unknown {
        let data = cbpf::data(arch, 59, [0; 6]);
        tally.check(|| format!("arch {arch:#x}"), cbpf::run(&burrow, &data), libc::SECCOMP_RET_KILL_PROCESS);
    }
    tally
}

/// A profile from its JSON, config.json's `linux.seccomp`.
fn profile(value: Value) -> LinuxSeccomp {
    serde_json::from_value(value).expect("a profile")
}

/// Calls Docker's profile does not name (it refuses them), and a few it
/// does, among those containers are kept from: namespaces, mounts, keys,
/// BPF, tracing, modules, the clock, the machine.
#[rustfmt::skip]
const OTHERS: &[&str] = &[
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "keyctl", "add_key", "request_key", "bpf", "ptrace",
    "process_vm_readv", "process_vm_writev", "clone3", "perf_event_open", "userfaultfd", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
    "settimeofday", "clock_settime", "stime", "adjtimex", "acct", "quotactl", "open_by_handle_at",
    "name_to_handle_at", "lookup_dcookie", "nfsservctl", "vm86", "vm86old", "iopl", "ioperm", "syslog",
    "sysfs", "uselib", "ustat", "_sysctl", "personality", "vhangup", "get_kernel_syms", "query_module",
    "create_module", "fanotify_init", "kcmp", "sethostname", "setdomainname", "io_uring_setup",
];

/// Docker's profile: every call it names and those of [`OTHERS`], in
/// x86_64, i386 and x32, with arguments around personality's values,
/// clone's CLONE_NEW* mask and socket's AF_VSOCK, and the values below.
#[test]
fn docker_profile_as_libseccomp_has_it() {
    let docker = super::super::docker_default().expect("Docker's profile");
    // socket: burrow's copy of the profile allows every family, and
    // refuses AF_VSOCK with a more severe rule whose action is the default
    // one. libseccomp takes no such rule, so it is given socket as Moby's
    // profile has it: allowed when the family != AF_VSOCK, on all 64 bits.
    let mut reference = serde_json::to_value(&docker).expect("json");
    let rules = reference["syscalls"].as_array_mut().expect("rules");
    rules.retain(|rule| rule["names"] != json!(["socket"]));
    rules.push(json!({"names": ["socket"], "action": "SCMP_ACT_ALLOW",
                      "args": [{"index": 0, "value": libc::AF_VSOCK, "op": "SCMP_CMP_NE"}]}));
    // The kernel reads socket's family as an int: burrow refuses AF_VSOCK
    // in the low 32 bits whatever the high ones hold (i386's arguments
    // have no high bits to differ in).
    let vsock = |abi: &Abi, nr: u32, args: &[u64; 6]| {
        let socket = abi.name == "x86_64" && Some(nr) == (abi.burrow)("socket");
        (socket && args[0] as u32 == libc::AF_VSOCK as u32)
            .then_some(libc::SECCOMP_RET_ERRNO | libc::EPERM as u32)
    };
    let mut names: Vec<&str> =
        docker.syscalls().iter().flatten().flat_map(|r| r.names()).map(String::as_str).collect();
    names.extend(OTHERS);
    names.sort_unstable();
    names.dedup();
    // what fork and pthread_create pass to clone, and each namespace flag
    let thread = libc::CLONE_VM
        | libc::CLONE_FS
        | libc::CLONE_FILES
        | libc::CLONE_SIGHAND
        | libc::CLONE_THREAD
        | libc::CLONE_SYSVSEM
        | libc::CLONE_SETTLS
        | libc::CLONE_PARENT_SETTID
        | libc::CLONE_CHILD_CLEARTID;
    let mut extra: Vec<u64> = vec![libc::SIGCHLD as u64, thread as u64];
    let namespaces = [
        libc::CLONE_NEWNS,
        libc::CLONE_NEWUTS,
        libc::CLONE_NEWIPC,
        libc::CLONE_NEWUSER,
        libc::CLONE_NEWPID,
        libc::CLONE_NEWNET,
        libc::CLONE_NEWCGROUP,
    ];
    extra.extend(namespaces.map(|flag| (flag | libc::SIGCHLD) as u64));
    // socket families, and AF_VSOCK with a high word
    extra.extend([libc::AF_UNIX, libc::AF_INET, libc::AF_NETLINK].map(|family| family as u64));
    extra.push(1 << 32 | libc::AF_VSOCK as u64);
    // a persona Docker refuses
    extra.push(libc::ADDR_NO_RANDOMIZE as u64);
    let tally = compare(&docker, &profile(reference), &names, &extra, &vsock);
    assert!(tally.differences > 0, "no input met the socket difference");
    tally.assert_all_right("Docker's profile");
}

/// Docker lists SCMP_ARCH_X32. libseccomp then filters x32 calls by its
/// x32 table; burrow has none and kills them all, as libseccomp kills the
/// calls of an architecture its filter does not have (which is why the
/// other tests give libseccomp no x32). Here the difference is shown.
#[test]
fn x32_calls_are_killed() {
    let docker = super::super::docker_default().expect("Docker's profile");
    let read =
        ScmpSyscall::from_name_by_arch("read", ScmpArch::X32).expect("x32 read").as_raw_syscall() as u32;
    assert_eq!(read, X32_BIT, "x32 numbers are x86_64's with the x32 bit");
    let data = cbpf::data(X86_64, read, [0; 6]);
    let with_x32 = libseccomp_program(&docker, true);
    assert_eq!(cbpf::run(&with_x32, &data), libc::SECCOMP_RET_ALLOW);
    let burrow = compile(&docker).expect("compile");
    assert_eq!(cbpf::run(&burrow, &data), libc::SECCOMP_RET_KILL_PROCESS);
}

/// A rule a call for each operator on `value` (MASKED_EQ with `mask`),
/// each with another action, and the shapes of rules burrow must get
/// right: two conditions (both must hold), two conditions on one argument
/// (either may), two rules of one call, a rule with no condition.
fn every_operator(value: u64, mask: u64) -> Value {
    let arg = |index: u32, op: &str, value: u64| json!({"index": index, "value": value, "op": op});
    let masked = json!({"index": 0, "value": mask, "valueTwo": value & mask, "op": "SCMP_CMP_MASKED_EQ"});
    json!([
        {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": [arg(0, "SCMP_CMP_EQ", value)]},
        {"names": ["write"], "action": "SCMP_ACT_ERRNO", "args": [arg(0, "SCMP_CMP_NE", value)]},
        {"names": ["close"], "action": "SCMP_ACT_TRACE", "errnoRet": 77, "args": [arg(0, "SCMP_CMP_GT", value)]},
        {"names": ["lseek"], "action": "SCMP_ACT_LOG", "args": [arg(0, "SCMP_CMP_GE", value)]},
        {"names": ["mmap"], "action": "SCMP_ACT_KILL_PROCESS", "args": [arg(0, "SCMP_CMP_LT", value)]},
        {"names": ["mprotect"], "action": "SCMP_ACT_TRAP", "args": [arg(0, "SCMP_CMP_LE", value)]},
        {"names": ["munmap"], "action": "SCMP_ACT_KILL", "args": [masked]},
        {"names": ["brk"], "action": "SCMP_ACT_ERRNO", "errnoRet": 12,
         "args": [arg(1, "SCMP_CMP_EQ", value), arg(3, "SCMP_CMP_GT", 7)]},
        {"names": ["ioctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
         "args": [arg(2, "SCMP_CMP_EQ", 1), arg(2, "SCMP_CMP_EQ", 3)]},
        {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 14, "args": [arg(0, "SCMP_CMP_EQ", 1)]},
        {"names": ["getpid"], "action": "SCMP_ACT_LOG", "args": [arg(0, "SCMP_CMP_EQ", 2)]},
        {"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 15, "args": [arg(0, "SCMP_CMP_EQ", u64::MAX)]},
        {"names": ["getppid"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["getgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 16},
    ])
}

/// Custom profiles: every operator and action, under three default
/// actions, on 64-bit values (x86_64 alone: i386 and x32 calls are
/// killed) and on 32-bit ones (with i386; a mask with both words; x32
/// listed, and killed by both as above). Where a rule's action is the
/// default one, both leave the call to the default.
#[test]
fn operators_and_actions_as_libseccomp_has_them() {
    // Both words matter, and the low word's top bit is set, where a
    // signed comparison would go wrong.
    const WIDE: u64 = 5 << 32 | 0x8000_0002;
    const NARROW: u64 = 0x8000_0002;
    let profiles = [
        (
            "default ALLOW, 64-bit values",
            json!({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": every_operator(WIDE, 0xf_0000_000f)}),
        ),
        (
            "default ERRNO, 32-bit values",
            json!({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 95,
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
            "syscalls": every_operator(NARROW, 0xffff_0000_f000_000f)}),
        ),
        (
            "default KILL_PROCESS, i386 and x32",
            json!({"defaultAction": "SCMP_ACT_KILL_PROCESS",
            "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": every_operator(NARROW, 0xf000_000f)}),
        ),
    ];
    for (what, json) in profiles {
        let custom = profile(json);
        let mut names: Vec<&str> =
            custom.syscalls().iter().flatten().flat_map(|r| r.names()).map(String::as_str).collect();
        names.extend(["exit", "execve", "kill"]); // not named: the default answer
        compare(&custom, &custom, &names, &[], &|_, _, _| None).assert_all_right(what);
    }
}

/// A value beyond 32 bits in a rule for i386, whose arguments are 32-bit:
/// libseccomp compares the value's low word (5 for `1 << 32 | 5`); burrow
/// decides without looking, since no 32-bit argument can equal or exceed
/// it (see `bpf::condition`). The answers differ on purpose; on x86_64
/// they agree.
#[test]
fn values_beyond_32_bits_for_i386() {
    const BEYOND: u64 = 1 << 32 | 5;
    let arg = |op: &str| json!([{"index": 0, "value": BEYOND, "op": op}]);
    let custom =
        profile(json!({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": arg("SCMP_CMP_EQ")},
        {"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": 6, "args": arg("SCMP_CMP_LT")}]}));
    let (burrow, libseccomp) = (compile(&custom).expect("compile"), libseccomp_program(&custom, false));
    let answers = |program: &[Insn], name: &str| {
        let nr = (ABIS[1].number)(name).expect("an i386 call");
        [4, 5, 6].map(|arg| {
            show(cbpf::run(program, &cbpf::data(Arch::ScmpArchX86 as u32, nr, [arg, 0, 0, 0, 0, 0])))
        })
    };
    assert_eq!(answers(&burrow, "read"), ["ALLOW"; 3], "no 32-bit argument equals 1 << 32 | 5");
    assert_eq!(answers(&libseccomp, "read"), ["ALLOW", "ERRNO(5)", "ALLOW"], "libseccomp: the low word == 5");
    assert_eq!(answers(&burrow, "write"), ["ERRNO(6)"; 3], "every 32-bit argument is less than 1 << 32 | 5");
    assert_eq!(answers(&libseccomp, "write"), ["ERRNO(6)", "ALLOW", "ALLOW"], "libseccomp: the low word < 5");
    // And over all of `compare`'s inputs: on i386, burrow's answers as
    // above; on x86_64, libseccomp's.
    let ours = |abi: &Abi, nr: u32, _: &[u64; 6]| match abi.name {
        "i386" if Some(nr) == (abi.burrow)("read") => Some(libc::SECCOMP_RET_ALLOW),
        "i386" if Some(nr) == (abi.burrow)("write") => Some(libc::SECCOMP_RET_ERRNO | 6),
        _ => None,
    };
    compare(&custom, &custom, &["read", "write"], &[], &ours).assert_all_right("values beyond 32 bits");
}
