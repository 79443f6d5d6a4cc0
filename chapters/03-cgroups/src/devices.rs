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
const JNE_K: u8 = 0x55; // if dst != imm: skip `off` instructions
const JNE_X: u8 = 0x5d; // if dst != src: skip `off` instructions
const EXIT: u8 = 0x95; // return r0

/// The device program for `rules`. The kernel calls it with r1 pointing at
/// `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }`,
/// where access_type is (access << 16) | type; it returns 1 to allow, 0 to
/// deny. The rules are tested last to first, so the first match is the rule
/// that wins; nothing matching means deny.
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
            'b' => Some((JNE_K, 2, 0, 1)),
            'c' => Some((JNE_K, 2, 0, 2)),
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
        // Every access asked must be in the rule's: (asked & rule) == asked.
        let masked = match mask {
            7 => Vec::new(),
            _ => vec![insn(MOV_X, 1, 3, 0, 0), insn(AND_K, 1, 0, 0, mask)],
        };
        let checks: Vec<(u8, u8, u8, i32)> = [
            (mask != 7).then_some((JNE_X, 1, 3, 0)),
            rule.major.map(|m| (JNE_K, 4, 0, m as i32)),
            rule.minor.map(|m| (JNE_K, 5, 0, m as i32)),
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
    use super::*;

    #[test]
    fn rules_as_lines() {
        let rule = DeviceRule { allow: true, kind: 'c', major: Some(1), minor: None, access: "rw".into() };
        assert_eq!(rule.line(), "c 1:* rw");
    }

    #[test]
    fn jumps_land_on_the_next_rule() {
        let rules = [
            DeviceRule { allow: false, kind: 'a', major: None, minor: None, access: "rwm".into() },
            DeviceRule { allow: true, kind: 'c', major: Some(1), minor: Some(3), access: "rw".into() },
        ];
        let prog = program(&rules).expect("a program");
        // prologue 6; rule 2: type, mov, and, 3 jumps, r0, exit = 8; rule 1
        // (deny all): r0, exit, and no default after it.
        assert_eq!(prog.len(), 6 + 8 + 2);
        // The type check of rule 2 skips its 7 remaining instructions.
        assert_eq!((prog[6] >> 16) & 0xffff, 7);
    }
}
