//! Classic BPF, the language of seccomp filters.
//!
//! A filter is a list of `struct sock_filter` instructions with one
//! register, A. It loads a 32-bit word of the call's description, compares
//! A with constants, jumps forward (never back: the kernel checks that
//! every program ends) and returns an answer. The description is:
//!
//! ```text
//! struct seccomp_data {             offset
//!     int   nr;                      0    the call's number
//!     __u32 arch;                    4    AUDIT_ARCH_*: which table nr is from
//!     __u64 instruction_pointer;     8
//!     __u64 args[6];                16    each read as two words: low, high
//! };
//! ```
//!
//! Words are read in the machine's byte order; every architecture burrow
//! builds for is little-endian, so an argument's low word comes first.

use anyhow::{bail, Context, Result};
use oci_spec::runtime::{LinuxSeccompArg, LinuxSeccompOperator as Op};

/// One instruction, as the kernel reads it.
pub type Insn = libc::sock_filter;

/// Where `seccomp_data.nr` and `seccomp_data.arch` are.
pub const NR: u32 = 0;
pub const ARCH: u32 = 4;

/// A = the word at `offset` of seccomp_data.
pub fn load(offset: u32) -> Insn {
    Insn { code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16, jt: 0, jf: 0, k: offset }
}

/// Return `answer` (a SECCOMP_RET_* action and its data) to the kernel.
pub fn ret(answer: u32) -> Insn {
    Insn { code: (libc::BPF_RET | libc::BPF_K) as u16, jt: 0, jf: 0, k: answer }
}

/// Compare A with `k` (`op` is BPF_JEQ, BPF_JGT or BPF_JGE); skip `jt`
/// instructions if it holds, `jf` if not.
pub fn jump(op: u32, k: u32, jt: u8, jf: u8) -> Insn {
    Insn { code: (libc::BPF_JMP | op | libc::BPF_K) as u16, jt, jf, k }
}

/// Skip `k` instructions: the only jump farther than 255.
pub fn ja(k: u32) -> Insn {
    Insn { code: (libc::BPF_JMP | libc::BPF_JA) as u16, jt: 0, jf: 0, k }
}

/// Where a comparison goes: on, `n` instructions further, or past the rule
/// (a condition failed).
#[derive(Clone, Copy)]
pub enum To {
    Next,
    Skip(u8),
    Fail,
}

/// An instruction of a rule, before its jumps are counted.
pub enum Step {
    Load(u32),
    And(u32),
    Jeq(u32, To, To),
    Jgt(u32, To, To),
    Jge(u32, To, To),
    Ret(u32),
}

/// Count the jumps of `steps`: `To::Fail` lands just after the last one.
pub fn assemble(steps: &[Step]) -> Result<Vec<Insn>> {
    let far = |at: usize, to: To| -> Result<u8> {
        match to {
            To::Next => Ok(0),
            To::Skip(n) => Ok(n),
            To::Fail => {
                u8::try_from(steps.len() - at - 1).context("a seccomp rule longer than a BPF jump (255)")
            }
        }
    };
    let mut out = Vec::with_capacity(steps.len());
    for (at, step) in steps.iter().enumerate() {
        out.push(match *step {
            Step::Load(offset) => load(offset),
            Step::And(k) => {
                Insn { code: (libc::BPF_ALU | libc::BPF_AND | libc::BPF_K) as u16, jt: 0, jf: 0, k }
            }
            Step::Jeq(k, t, f) => jump(libc::BPF_JEQ, k, far(at, t)?, far(at, f)?),
            Step::Jgt(k, t, f) => jump(libc::BPF_JGT, k, far(at, t)?, far(at, f)?),
            Step::Jge(k, t, f) => jump(libc::BPF_JGE, k, far(at, t)?, far(at, f)?),
            Step::Ret(answer) => ret(answer),
        });
    }
    Ok(out)
}

// ANCHOR: condition
/// The steps that fall through when argument `arg.index()` compares with
/// `arg.value()` as `arg.op()` says, and jump to `To::Fail` when not.
///
/// BPF compares 32-bit words, so a 64-bit comparison is two: the high
/// words decide, unless they are equal and the low words must. A 32-bit
/// ABI (`wide` false) has 32-bit arguments: only their low word is read,
/// and a value beyond 32 bits decides the comparison alone.
pub fn condition(arg: &LinuxSeccompArg, wide: bool) -> Result<Vec<Step>> {
    use {Step::*, To::*};
    if arg.index() > 5 {
        bail!("seccomp argument index {} (system calls have arguments 0 to 5)", arg.index());
    }
    let low = 16 + 8 * arg.index() as u32;
    let high = low + 4;
    let split = |v: u64| (v as u32, (v >> 32) as u32);
    let (lo, hi) = split(arg.value());
    // Beyond any 32-bit argument, unless the high bits are only the sign
    // of a negative int (-1 written as 18446744073709551615).
    let beyond = |v: u64| v > u64::from(u32::MAX) && (v >> 31) != 0x1_ffff_ffff;
    if !wide {
        let never = vec![Jeq(0, Fail, Fail)];
        match arg.op() {
            Op::ScmpCmpMaskedEq if beyond(arg.value_two().unwrap_or(0)) => return Ok(never),
            Op::ScmpCmpEq | Op::ScmpCmpGt | Op::ScmpCmpGe if beyond(arg.value()) => return Ok(never),
            Op::ScmpCmpNe | Op::ScmpCmpLt | Op::ScmpCmpLe if beyond(arg.value()) => return Ok(Vec::new()),
            _ => {}
        }
    }
    Ok(match (arg.op(), wide) {
        // (argument & value) == valueTwo
        (Op::ScmpCmpMaskedEq, _) => {
            let ((mask_lo, mask_hi), (want_lo, want_hi)) =
                (split(arg.value()), split(arg.value_two().unwrap_or(0)));
            let mut steps = vec![Load(low), And(mask_lo), Jeq(want_lo, Next, Fail)];
            if wide {
                steps.extend([Load(high), And(mask_hi), Jeq(want_hi, Next, Fail)]);
            }
            steps
        }
        (Op::ScmpCmpEq, false) => vec![Load(low), Jeq(lo, Next, Fail)],
        (Op::ScmpCmpEq, true) => vec![Load(high), Jeq(hi, Next, Fail), Load(low), Jeq(lo, Next, Fail)],
        (Op::ScmpCmpNe, false) => vec![Load(low), Jeq(lo, Fail, Next)],
        (Op::ScmpCmpNe, true) => vec![Load(high), Jeq(hi, Next, Skip(2)), Load(low), Jeq(lo, Fail, Next)],
        (Op::ScmpCmpGt, false) => vec![Load(low), Jgt(lo, Next, Fail)],
        (Op::ScmpCmpGt, true) => {
            vec![Load(high), Jgt(hi, Skip(3), Next), Jeq(hi, Next, Fail), Load(low), Jgt(lo, Next, Fail)]
        }
        (Op::ScmpCmpGe, false) => vec![Load(low), Jge(lo, Next, Fail)],
        (Op::ScmpCmpGe, true) => {
            vec![Load(high), Jgt(hi, Skip(3), Next), Jeq(hi, Next, Fail), Load(low), Jge(lo, Next, Fail)]
        }
        // BPF has no "less than": a < b is !(a >= b).
        (Op::ScmpCmpLt, false) => vec![Load(low), Jge(lo, Fail, Next)],
        (Op::ScmpCmpLt, true) => {
            vec![Load(high), Jgt(hi, Fail, Next), Jeq(hi, Next, Skip(2)), Load(low), Jge(lo, Fail, Next)]
        }
        (Op::ScmpCmpLe, false) => vec![Load(low), Jgt(lo, Fail, Next)],
        (Op::ScmpCmpLe, true) => {
            vec![Load(high), Jgt(hi, Fail, Next), Jeq(hi, Next, Skip(2)), Load(low), Jgt(lo, Fail, Next)]
        }
    })
}
// ANCHOR_END: condition
