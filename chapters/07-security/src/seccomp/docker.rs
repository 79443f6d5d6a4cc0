//! Docker's default seccomp profile, which `burrow spec` writes. It is data,
//! kept as Docker keeps its own: `docker-default.json`, in config.json's
//! `linux.seccomp` format.
//!
//! It refuses (EPERM) every call but some 350 that ordinary programs make.
//! Among those refused are the ones that reach the kernel's less-travelled
//! code (keyctl, bpf, userfaultfd, add_key), change the machine (reboot,
//! swapon, settimeofday, init_module) or make namespaces (unshare, setns).
//! A few calls are allowed only with some arguments:
//!
//! - `socket` of any family but AF_VSOCK (40). The kernel reads the family
//!   as an int, so only its low 32 bits are compared (Docker's `!= 40` on
//!   all 64 lets `1<<32 | 40` through). 32-bit programs reach socket through
//!   socketcall(2) too, whose arguments are in memory: out of a filter's reach.
//! - `personality` with the five personas programs ask for.
//! - `clone` without any CLONE_NEW* flag: `flags & 0x7e020000 == 0`.
//! - `clone3` fails with ENOSYS: it passes its flags in memory, where a
//!   filter cannot look, and ENOSYS makes the C library fall back to
//!   clone(2), which the rule above checks.

use anyhow::{Context, Result};
use oci_spec::runtime::LinuxSeccomp;

/// Docker's default profile, parsed.
pub fn docker_default() -> Result<LinuxSeccomp> {
    serde_json::from_str(include_str!("docker-default.json"))
        .context("Docker's default seccomp profile (seccomp/docker-default.json)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The numbers in the data file are the kernel's, as libc names them.
    #[test]
    fn the_profiles_numbers_are_the_kernels() {
        let profile = serde_json::to_value(docker_default().expect("profile")).expect("json");
        let rule = |name: &str| -> Vec<Value> {
            let rules = profile["syscalls"].as_array().expect("syscalls");
            rules
                .iter()
                .filter(|r| r["names"].as_array().is_some_and(|n| n.len() == 1 && n[0] == name))
                .cloned()
                .collect()
        };
        let namespaces = libc::CLONE_NEWNS
            | libc::CLONE_NEWUTS
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUSER
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWNET
            | libc::CLONE_NEWCGROUP;
        assert_eq!(rule("clone")[0]["args"][0]["value"], json!(namespaces as u64));
        assert_eq!(rule("clone3")[0]["errnoRet"], json!(libc::ENOSYS));
        assert_eq!(rule("socket")[1]["args"][0]["valueTwo"], json!(libc::AF_VSOCK));
        assert_eq!(profile["defaultErrnoRet"], json!(libc::EPERM));
    }
}
