//! A classic BPF interpreter for seccomp filters, for the tests: it runs a
//! program on a `struct seccomp_data` as the kernel does and returns the
//! program's answer (a SECCOMP_RET_* action and its data).
//!
//! It knows the instructions the kernel's seccomp checker lets in that
//! burrow's compiler and libseccomp emit: load a word of seccomp_data,
//! and/or with a constant, compare with a constant (==, >, >=, bit test),
//! jump, return. Anything else stops the test, and so does what the kernel
//! would refuse to install (a load outside seccomp_data or not on a word,
//! a jump past the end, a program with no `ret` at its end).

use super::super::Insn;
use libc::seccomp_data;

/// The sixteen 32-bit words of `data`, in the order the kernel lays them
/// out (little-endian: an argument's low word first).
fn words(data: &seccomp_data) -> [u32; 16] {
    let mut out = [0; 16];
    out[0] = data.nr as u32;
    out[1] = data.arch;
    let wide = std::iter::once(data.instruction_pointer).chain(data.args);
    for (at, value) in wide.enumerate() {
        out[2 + 2 * at] = value as u32;
        out[3 + 2 * at] = (value >> 32) as u32;
    }
    out
}

/// Run `program` on `data`: the value of the `ret` it reaches.
pub fn run(program: &[Insn], data: &seccomp_data) -> u32 {
    use libc::{BPF_ABS, BPF_ALU, BPF_AND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K};
    use libc::{BPF_LD, BPF_OR, BPF_RET, BPF_W};
    assert!(
        !program.is_empty() && program.len() <= libc::BPF_MAXINSNS as usize,
        "{} instructions",
        program.len()
    );
    let last = program[program.len() - 1].code as u32;
    assert_eq!(last & 0x07, BPF_RET, "the program ends without a ret: the kernel refuses it");
    let words = words(data);
    let mut a: u32 = 0; // the accumulator
    let mut pc = 0; // the next instruction
    loop {
        let insn = program.get(pc).unwrap_or_else(|| panic!("a jump past the end (to {pc})"));
        pc += 1;
        let k = insn.k;
        let code = insn.code as u32;
        match code {
            c if c == BPF_LD | BPF_W | BPF_ABS => {
                assert!(k % 4 == 0 && k < 64, "load at {k}: outside seccomp_data or not on a word");
                a = words[k as usize / 4];
            }
            c if c == BPF_ALU | BPF_AND | BPF_K => a &= k,
            c if c == BPF_ALU | BPF_OR | BPF_K => a |= k,
            c if c == BPF_JMP | BPF_JA => pc += k as usize,
            c if c == BPF_RET | BPF_K => return k,
            c if c & 0x07 == BPF_JMP && c & 0x08 == BPF_K => {
                let holds = match c & 0xf0 {
                    BPF_JEQ => a == k,
                    BPF_JGT => a > k,
                    BPF_JGE => a >= k,
                    BPF_JSET => a & k != 0,
                    _ => panic!("instruction {}: jump {code:#x} is not one of seccomp's", pc - 1),
                };
                pc += usize::from(if holds { insn.jt } else { insn.jf });
            }
            _ => panic!("instruction {}: code {code:#x} is not one this interpreter knows", pc - 1),
        }
    }
}

/// `struct seccomp_data` for call `nr` of the ABI `arch` (an AUDIT_ARCH_*),
/// made from some address no filter here looks at.
pub fn data(arch: u32, nr: u32, args: [u64; 6]) -> seccomp_data {
    seccomp_data { nr: nr as i32, arch, instruction_pointer: 0x7f00_dead_beef, args }
}

/// The instructions of libseccomp's exported program: `struct sock_filter`
/// after `struct sock_filter`, 8 bytes each, in the machine's byte order.
pub fn from_bytes(bytes: &[u8]) -> Vec<Insn> {
    assert_eq!(bytes.len() % 8, 0, "not whole instructions");
    let insn = |b: &[u8]| Insn {
        code: u16::from_ne_bytes([b[0], b[1]]),
        jt: b[2],
        jf: b[3],
        k: u32::from_ne_bytes([b[4], b[5], b[6], b[7]]),
    };
    bytes.chunks(8).map(insn).collect()
}

/// The interpreter on a program small enough to follow by hand.
#[test]
fn the_interpreter_runs_what_the_kernel_would() {
    use super::super::bpf::{jump, load, ret, ARCH, NR};
    let and = Insn { code: (libc::BPF_ALU | libc::BPF_AND | libc::BPF_K) as u16, jt: 0, jf: 0, k: 0xff };
    // if arch == 7 and (nr & 0xff) > 3: 0x100, else 0
    let program = [
        load(ARCH),
        jump(libc::BPF_JEQ, 7, 0, 4), // to `ret(0)`
        load(NR),
        and,
        jump(libc::BPF_JGT, 3, 0, 1),
        ret(0x100),
        ret(0),
    ];
    assert_eq!(run(&program, &data(7, 0x1234, [0; 6])), 0x100);
    assert_eq!(run(&program, &data(7, 0x1203, [0; 6])), 0);
    assert_eq!(run(&program, &data(8, 9, [0; 6])), 0);
    // The words of the arguments: argument 2's low word is word 8, its high word 9.
    let w = words(&data(0, 0, [0, 0, 0x5_0000_0006, 0, 0, 0]));
    assert_eq!((w[8], w[9]), (6, 5));
}
