//! The device controller: which device nodes the processes of a cgroup may
//! open (read, write) or create (mknod), whatever the file's permissions say.
//!
//! A device node is only a name for a (type, major, minor) triple: a root
//! process that can mknod `b 8:0` has the host's first disk, wherever it
//! makes the node. The device controller checks the triple itself, at open(2)
//! and mknod(2). cgroup v1 keeps an allow list in `devices.allow`/`devices.deny`;
//! cgroup v2 has no file for it at all: the rules are a small eBPF program,
//! attached to the cgroup, that the kernel runs at every device access.

use crate::fs::write;
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::errno::Errno;
use std::os::fd::AsRawFd;
use std::path::Path;

/// One rule: allow or deny `access` (any of r, w, m) to devices of `kind`
/// (`a` all, `c` character, `b` block) with these numbers (`None`: any).
/// Later rules win over earlier ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRule {
    pub allow: bool,
    pub kind: char,
    pub major: Option<u64>,
    pub minor: Option<u64>,
    pub access: String,
}

impl DeviceRule {
    /// `c 1:3 rwm`: the v1 file format (and how `--explain` shows a rule).
    pub fn line(&self) -> String {
        let num = |n: Option<u64>| n.map_or("*".to_string(), |n| n.to_string());
        match self.kind {
            'a' => "a".to_string(),
            kind => format!("{kind} {}:{} {}", num(self.major), num(self.minor), self.access),
        }
    }
}

// ANCHOR: v1
/// cgroup v1: write each rule to devices.allow or devices.deny, in order.
/// `a` in devices.deny empties the allow list: everything is denied that a
/// later line does not allow again.
pub fn apply_v1(dir: &Path, rules: &[DeviceRule]) -> Result<()> {
    for rule in rules {
        write(dir, if rule.allow { "devices.allow" } else { "devices.deny" }, &rule.line())?;
    }
    Ok(())
}
// ANCHOR_END: v1

// ANCHOR: program
/// eBPF instructions, each 8 bytes: opcode, dst and src registers, offset, immediate.
fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> u64 {
    u64::from(code)
        | (u64::from(dst | (src << 4)) << 8)
        | (u64::from(off as u16) << 16)
        | (u64::from(imm as u32) << 32)
}
const LDX_W: u8 = 0x61; // dst = *(u32 *)(src + off)
const AND_K: u8 = 0x54; // dst &= imm (32 bit)
const RSH_K: u8 = 0x74; // dst >>= imm (32 bit)
const MOV_X: u8 = 0xbc; // dst = src (32 bit)
const MOV_K: u8 = 0xb7; // dst = imm
const JEQ_K: u8 = 0x15; // if dst == imm: skip `off` instructions
const JNE_X: u8 = 0x5d; // if dst != src: skip `off` instructions
const JNE32_K: u8 = 0x56; // if (u32)dst != (u32)imm: skip `off` instructions
const EXIT: u8 = 0x95; // return r0

/// The device program for `rules`. The kernel calls it with r1 pointing at
/// `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }`,
/// where access_type is (access << 16) | type; it returns 1 to allow, 0 to
/// deny. The rules are tested last to first, so the first match is the rule
/// that wins; nothing matching means deny. An allow rule matches a request
/// when it names every access asked, a deny rule when it names any: as
/// in v1, `deny c 1:3 w` refuses an open(O_RDWR) of /dev/null too.
pub fn program(rules: &[DeviceRule]) -> Result<Vec<u64>> {
    let mut prog = vec![
        insn(LDX_W, 2, 1, 0, 0),      // r2 = access_type
        insn(AND_K, 2, 0, 0, 0xffff), // r2 = the device's type (1 block, 2 char)
        insn(LDX_W, 3, 1, 0, 0),      // r3 = access_type
        insn(RSH_K, 3, 0, 0, 16),     // r3 = the access asked (1 mknod, 2 read, 4 write)
        insn(LDX_W, 4, 1, 4, 0),      // r4 = major
        insn(LDX_W, 5, 1, 8, 0),      // r5 = minor
    ];
    for rule in rules.iter().rev() {
        let type_check = match rule.kind {
            'a' => None,
            'b' => Some((JNE32_K, 2, 0, 1)),
            'c' => Some((JNE32_K, 2, 0, 2)),
            other => bail!("device rule type {other:?}: use a, b or c"),
        };
        let mut mask = 0;
        for c in rule.access.chars() {
            mask |= match c {
                'm' => 1,
                'r' => 2,
                'w' => 4,
                other => bail!("device rule access {other:?} in {:?}: use r, w and m", rule.access),
            };
        }
        // r1 = the accesses asked that the rule names. An allow matches if
        // that is all of them (r1 == asked), a deny if it is any (r1 != 0).
        let access_check = match (rule.allow, mask) {
            (true, 7) => None,
            (true, _) => Some((JNE_X, 1, 3, 0)),
            (false, _) => Some((JEQ_K, 1, 0, 0)),
        };
        let masked = match access_check {
            None => Vec::new(),
            Some(_) => vec![insn(MOV_X, 1, 3, 0, 0), insn(AND_K, 1, 0, 0, mask)],
        };
        // The context's numbers are u32: compare 32 bits (a 64-bit jump would
        // sign-extend an immediate of 2^31 or more and never match).
        let number = |n: Option<u64>| -> Result<Option<i32>> {
            match n {
                Some(n) if n > u64::from(u32::MAX) => {
                    bail!("device rule {}: {n} is above 2^32-1", rule.line())
                }
                n => Ok(n.map(|n| n as u32 as i32)),
            }
        };
        let checks: Vec<(u8, u8, u8, i32)> = [
            access_check,
            number(rule.major)?.map(|m| (JNE32_K, 4, 0, m)),
            number(rule.minor)?.map(|m| (JNE32_K, 5, 0, m)),
        ]
        .into_iter()
        .flatten()
        .collect();
        // The block: [type check] [mask] checks, r0 = verdict, exit. A failed
        // check jumps over the rest of the block, to the next rule.
        let unconditional = type_check.is_none() && checks.is_empty();
        let len = usize::from(type_check.is_some()) + masked.len() + checks.len() + 2;
        let start = prog.len();
        let jump = |prog: &mut Vec<u64>, (code, dst, src, imm): (u8, u8, u8, i32)| {
            let off = (start + len - prog.len() - 1) as i16;
            prog.push(insn(code, dst, src, off, imm));
        };
        if let Some(check) = type_check {
            jump(&mut prog, check);
        }
        prog.extend(masked);
        for check in checks {
            jump(&mut prog, check);
        }
        prog.push(insn(MOV_K, 0, 0, 0, i32::from(rule.allow)));
        prog.push(insn(EXIT, 0, 0, 0, 0));
        if unconditional {
            // It matches everything: the rules before it can never be reached,
            // and the verifier refuses a program with unreachable code.
            return Ok(prog);
        }
    }
    prog.push(insn(MOV_K, 0, 0, 0, 0));
    prog.push(insn(EXIT, 0, 0, 0, 0));
    Ok(prog)
}
// ANCHOR_END: program

// ANCHOR: attach
const BPF_PROG_LOAD: libc::c_long = 5;
const BPF_PROG_ATTACH: libc::c_long = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE: u32 = 15;
const BPF_CGROUP_DEVICE: u32 = 6;
const BPF_F_ALLOW_MULTI: u32 = 2;

/// cgroup v2: load the program for `rules` with bpf(2) and attach it to the
/// cgroup `dir`. The attachment keeps the program alive after this process
/// exits, until the cgroup is removed.
pub fn apply_v2(dir: &Path, rules: &[DeviceRule]) -> Result<()> {
    let prog = program(rules)?;
    let license = c"Apache-2.0";
    // The verifier explains a refusal in this log.
    let mut log = vec![0u8; 64 * 1024];
    // union bpf_attr for BPF_PROG_LOAD: prog_type, insn_cnt, insns, license,
    // log_level, log_size, log_buf (the rest zero).
    let mut attr = [0u8; 128];
    attr[0..4].copy_from_slice(&BPF_PROG_TYPE_CGROUP_DEVICE.to_ne_bytes());
    attr[4..8].copy_from_slice(&(prog.len() as u32).to_ne_bytes());
    attr[8..16].copy_from_slice(&(prog.as_ptr() as u64).to_ne_bytes());
    attr[16..24].copy_from_slice(&(license.as_ptr() as u64).to_ne_bytes());
    attr[24..28].copy_from_slice(&1u32.to_ne_bytes());
    attr[28..32].copy_from_slice(&(log.len() as u32).to_ne_bytes());
    attr[32..40].copy_from_slice(&(log.as_mut_ptr() as u64).to_ne_bytes());
    explain!(
        "bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, {} instructions for {} rules)",
        prog.len(),
        rules.len()
    );
    let prog_fd = bpf(BPF_PROG_LOAD, &attr).with_context(|| {
        let text = String::from_utf8_lossy(&log);
        format!(
            "bpf(BPF_PROG_LOAD) of the device program; the verifier said: {}",
            text.trim_end_matches('\0').trim()
        )
    })?;
    // SAFETY: bpf(2) just returned this fd, and nothing else owns it.
    let prog_fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(prog_fd) };
    let cgroup = std::fs::File::open(dir).with_context(|| format!("open {}", dir.display()))?;
    // union bpf_attr for BPF_PROG_ATTACH: target_fd, attach_bpf_fd, attach_type, attach_flags.
    let mut attr = [0u8; 128];
    attr[0..4].copy_from_slice(&(cgroup.as_raw_fd() as u32).to_ne_bytes());
    attr[4..8].copy_from_slice(&(prog_fd.as_raw_fd() as u32).to_ne_bytes());
    attr[8..12].copy_from_slice(&BPF_CGROUP_DEVICE.to_ne_bytes());
    attr[12..16].copy_from_slice(&BPF_F_ALLOW_MULTI.to_ne_bytes());
    explain!("bpf(BPF_PROG_ATTACH, {}, BPF_CGROUP_DEVICE)", dir.display());
    bpf(BPF_PROG_ATTACH, &attr).with_context(|| format!("bpf(BPF_PROG_ATTACH) to {}", dir.display()))?;
    Ok(())
}

fn bpf(cmd: libc::c_long, attr: &[u8; 128]) -> Result<i32, Errno> {
    // SAFETY: `attr` is a bpf_attr-sized, zero-padded buffer that outlives the
    // call, and the pointers in it (instructions, license) are alive too.
    let rc = unsafe { libc::syscall(libc::SYS_bpf, cmd, attr.as_ptr(), attr.len() as u32) };
    Errno::result(rc).map(|fd| fd as i32)
}
// ANCHOR_END: attach

#[cfg(test)]
mod tests {
    //! The device program is machine code written by hand, so its tests run
    //! it: rbpf, an eBPF interpreter, executes the program on the context the
    //! kernel passes (`struct bpf_cgroup_dev_ctx`, include/uapi/linux/bpf.h),
    //! and every verdict is compared with [`expected`], the same rules
    //! decided in plain Rust. A jump that lands one instruction off, a
    //! register mixed up or an immediate wrong makes some verdict differ.
    use super::*;
    use std::collections::BTreeSet;

    // include/uapi/linux/bpf.h: access_type is (access << 16) | type.
    const BPF_DEVCG_DEV_BLOCK: u32 = 1;
    const BPF_DEVCG_DEV_CHAR: u32 = 2;
    const BPF_DEVCG_ACC_MKNOD: u32 = 1;
    const BPF_DEVCG_ACC_READ: u32 = 2;
    const BPF_DEVCG_ACC_WRITE: u32 = 4;

    /// Every access a request can ask for. open(2) asks r, w or rw, mknod(2)
    /// m, and access(2) with F_OK nothing at all; the other sets never come
    /// from the kernel, but the program must decide them right too.
    const ACCESSES: [&str; 8] = ["", "r", "w", "m", "rw", "rm", "wm", "rwm"];

    fn access_bits(access: &str) -> u32 {
        let bit = |c| match c {
            'm' => BPF_DEVCG_ACC_MKNOD,
            'r' => BPF_DEVCG_ACC_READ,
            'w' => BPF_DEVCG_ACC_WRITE,
            other => panic!("access {other:?} in a test fixture"),
        };
        access.chars().map(bit).fold(0, |bits, b| bits | b)
    }

    /// A rule written as in the v1 files, after allow or deny:
    /// `allow c 1:3 rw`, `deny b *:* w`, `deny a` (every device, every access).
    fn rule(text: &str) -> DeviceRule {
        let words: Vec<&str> = text.split(' ').collect();
        let (verdict, kind, numbers, access) = match words[..] {
            [verdict, "a"] => (verdict, "a", "*:*", "rwm"),
            [verdict, kind, numbers, access] => (verdict, kind, numbers, access),
            _ => panic!("test fixture {text:?}: write `allow c 1:3 rw`"),
        };
        let (major, minor) = numbers.split_once(':').expect("major:minor in a test fixture");
        let number = |n: &str| (n != "*").then(|| n.parse().expect("a number in a test fixture"));
        DeviceRule {
            allow: verdict == "allow",
            kind: kind.chars().next().expect("a type in a test fixture"),
            major: number(major),
            minor: number(minor),
            access: access.into(),
        }
    }

    fn rules(texts: &[&str]) -> Vec<DeviceRule> {
        texts.iter().map(|text| rule(text)).collect()
    }

    /// The decision the program must make, in plain Rust. The last rule that
    /// names the device and decides the request wins; with none, deny. An
    /// allow rule decides a request if it names every access asked, a deny
    /// rule if it names any of them, as the v1 kernel matches its allow and
    /// deny lists (match_exception and match_exception_partial in
    /// security/device_cgroup.c): `deny c 1:3 w` refuses an open(O_RDWR) of
    /// /dev/null too, because it asks for w.
    fn expected(rules: &[DeviceRule], kind: char, major: u32, minor: u32, asked: u32) -> bool {
        let names_device = |r: &&DeviceRule| {
            (r.kind == 'a' || r.kind == kind)
                && r.major.is_none_or(|m| m == u64::from(major))
                && r.minor.is_none_or(|m| m == u64::from(minor))
        };
        let decision = |r: &DeviceRule| {
            let named = asked & access_bits(&r.access);
            match r.allow {
                true => (named == asked).then_some(true),
                false => (named != 0).then_some(false),
            }
        };
        rules.iter().rev().filter(names_device).find_map(decision).unwrap_or(false)
    }

    /// Runs `prog` in the interpreter as the kernel does at an open, mknod or
    /// access of a device: r1 points at the context, r0 is the verdict.
    fn run(prog: &[u64], kind: char, major: u32, minor: u32, asked: u32) -> u64 {
        let code: Vec<u8> = prog.iter().flat_map(|insn| insn.to_ne_bytes()).collect();
        let kind = if kind == 'b' { BPF_DEVCG_DEV_BLOCK } else { BPF_DEVCG_DEV_CHAR };
        // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
        let fields = [(asked << 16) | kind, major, minor];
        let mut ctx: Vec<u8> = fields.iter().flat_map(|field| field.to_ne_bytes()).collect();
        let vm = rbpf::EbpfVmRaw::new(Some(&code)).expect("rbpf loads the program");
        vm.execute_program(&mut ctx).expect("the program runs to its exit")
    }

    /// The numbers to try as majors and minors: 0, the largest, and each
    /// number the rules name with its neighbours, where an off-by-one shows.
    fn numbers(rules: &[DeviceRule]) -> BTreeSet<u32> {
        let named = rules.iter().flat_map(|r| [r.major, r.minor]).flatten();
        let named = named.map(|n| u32::try_from(n).expect("a u32 in a test fixture"));
        let around = named.flat_map(|n| [n.saturating_sub(1), n, n.saturating_add(1)]);
        around.chain([0, 1, u32::MAX]).collect()
    }

    /// Every block and char device with those numbers, every access: the
    /// program's verdict must be [`expected`]'s. Returns how many cases ran.
    fn check(texts: &[&str]) -> usize {
        let rules = rules(texts);
        let prog = program(&rules).expect("a program for the rules");
        let numbers = numbers(&rules);
        let (mut cases, mut wrong) = (0, Vec::new());
        for kind in ['b', 'c'] {
            for &major in &numbers {
                for &minor in &numbers {
                    for access in ACCESSES {
                        cases += 1;
                        let got = run(&prog, kind, major, minor, access_bits(access));
                        let want = u64::from(expected(&rules, kind, major, minor, access_bits(access)));
                        if got != want {
                            wrong.push(format!(
                                "{kind} {major}:{minor} {access:?}: program {got}, expected {want}"
                            ));
                        }
                    }
                }
            }
        }
        let shown = wrong.iter().take(8).cloned().collect::<Vec<_>>().join("\n  ");
        assert!(wrong.is_empty(), "rules {texts:?}: {} of {cases} verdicts wrong:\n  {shown}", wrong.len());
        cases
    }

    #[test]
    fn rules_as_lines() {
        assert_eq!(rule("allow c 1:* rw").line(), "c 1:* rw");
        assert_eq!(rule("deny a").line(), "a");
    }

    /// runc's default list (libcontainer/configs/device_defaults.go), which
    /// Docker's matches: deny everything, then mknod of any node and the
    /// usual devices (null, zero, full, random, urandom, tty, console, ptmx,
    /// pts, tun).
    #[test]
    fn runcs_default_list() {
        check(&[
            "deny a",
            "allow c *:* m",
            "allow b *:* m",
            "allow c 5:1 rwm",
            "allow c 136:* rwm",
            "allow c 5:2 rwm",
            "allow c 10:200 rwm",
            "allow c 1:3 rwm",
            "allow c 1:5 rwm",
            "allow c 1:7 rwm",
            "allow c 5:0 rwm",
            "allow c 1:9 rwm",
            "allow c 1:8 rwm",
        ]);
    }

    /// No rule: every device is denied (the program is just `r0 = 0`).
    #[test]
    fn no_rules_deny_everything() {
        check(&[]);
    }

    /// An allow list with partial accesses: each rule grants only what it names.
    #[test]
    fn deny_all_then_allows() {
        check(&["deny a", "allow c 1:3 rw", "allow b 8:0 r", "allow c 4:* w", "allow b *:1 m"]);
    }

    /// Wildcards: all devices (the program ends at the first block, as the
    /// rules before it can never decide anything), a whole type, a major.
    #[test]
    fn wildcard_rules() {
        check(&["deny c 1:3 rwm", "allow a"]);
        check(&["allow a *:* r"]);
        check(&["deny a", "allow b *:* rwm"]);
        check(&["deny a", "allow c 1:* rw", "allow c *:5 m"]);
    }

    /// A later deny takes back part of an earlier allow: the accesses it
    /// names, on the devices it names, and nothing else.
    #[test]
    fn allow_then_deny_a_subset() {
        check(&["deny a", "allow c 1:* rwm", "deny c 1:3 w"]);
        check(&["deny a", "allow c *:* rw", "deny c 1:* r", "deny c 5:0 rw"]);
    }

    /// A deny list: everything is allowed but what a later rule denies, and a
    /// still later allow can give some of it back.
    #[test]
    fn allow_all_then_denies() {
        check(&["allow a", "deny b *:* rw", "deny c 1:3 w", "allow c 1:3 w", "deny c 10:200 rwm"]);
    }

    /// Numbers at the ends of the u32 range the context holds, and one with
    /// the sign bit set: the immediates compare as u32.
    #[test]
    fn extreme_numbers() {
        check(&["deny a", "allow c 0:0 rwm", "allow b 2147483648:4294967295 r", "allow c 4294967295:* w"]);
    }

    /// A number the context cannot hold is refused, not cut to 32 bits
    /// (2^32 + 1 would have become 1, and allowed /dev/null's major).
    #[test]
    fn numbers_above_u32_are_refused() {
        let err = program(&rules(&["allow c 4294967297:3 rwm"])).expect_err("major 2^32 + 1");
        assert!(err.to_string().contains("4294967297 is above 2^32-1"), "{err}");
    }
}
