//! CVE-2019-5736: never let a container reach the runtime's own binary.
//!
//! Every process has a link to the file it executes, `/proc/PID/exe`, and
//! opening that link opens the *file*, wherever it is, even outside the
//! process's root. A container's first process is a copy of burrow until it
//! executes the command, so for a moment its `/proc/PID/exe` is the host's
//! burrow binary. In 2019 this was runc's hole: a container made its command
//! a script starting `#!/proc/self/exe`, so that runc, executing it, ran
//! *itself* again inside the container; the container's root then opened
//! `/proc/PID/exe` of that process and, once it had exited, wrote through the
//! open file into the host's runc, which the host's root would run next.
//!
//! runc's fix, and burrow's: before making a container, the runtime copies
//! itself into a memfd (a file that lives only in memory and has no path),
//! seals it against any write, and executes that copy. From then on every
//! `/proc/PID/exe` on the container's side leads to the sealed copy, which
//! nothing can change, and never to the file on the host's disk.

use anyhow::{Context, Result};
use nix::fcntl::{fcntl, FcntlArg, SealFlag};
use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use std::ffi::CString;
use std::fs::File;
use std::os::fd::AsRawFd;

// ANCHOR: reexec
/// Re-execute this process from a sealed in-memory copy of its binary,
/// unless it already runs from one. Returns only if it already does.
pub fn ensure_sealed() -> Result<()> {
    let mut exe = File::open("/proc/self/exe").context("open /proc/self/exe")?;
    let sealed =
        SealFlag::F_SEAL_SEAL | SealFlag::F_SEAL_SHRINK | SealFlag::F_SEAL_GROW | SealFlag::F_SEAL_WRITE;
    if fcntl(exe.as_raw_fd(), FcntlArg::F_GET_SEALS).is_ok_and(|seals| seals == sealed.bits()) {
        return Ok(()); // already the copy
    }
    ch01_unshare::explain!("memfd_create(\"burrow\"), copy /proc/self/exe, seal it, fexecve");
    let flags = MemFdCreateFlag::MFD_CLOEXEC | MemFdCreateFlag::MFD_ALLOW_SEALING;
    let copy = memfd_create(c"burrow", flags).context("memfd_create")?;
    let mut writer = File::from(copy);
    std::io::copy(&mut exe, &mut writer).context("copy /proc/self/exe into the memfd")?;
    fcntl(writer.as_raw_fd(), FcntlArg::F_ADD_SEALS(sealed)).context("seal the memfd")?;
    let args: Vec<CString> = std::env::args_os()
        .map(|a| CString::new(a.into_encoded_bytes()))
        .collect::<Result<_, _>>()
        .context("an argument with a NUL byte")?;
    let env: Vec<CString> = std::env::vars_os()
        .map(|(k, v)| CString::new([k.into_encoded_bytes(), b"=".to_vec(), v.into_encoded_bytes()].concat()))
        .collect::<Result<_, _>>()
        .context("an environment variable with a NUL byte")?;
    let Err(errno) = nix::unistd::fexecve(writer.as_raw_fd(), &args, &env);
    Err(errno).context("fexecve the sealed copy of burrow")
}
// ANCHOR_END: reexec
