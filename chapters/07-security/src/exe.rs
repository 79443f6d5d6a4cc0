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
//! The fix: before making a container, the runtime re-executes itself from a
//! file that nothing can write, so that every `/proc/PID/exe` on the
//! container's side leads there and never to the writable file on the disk.
//! Two ways to get such a file, the cheap one first:
//!
//! - an **overlayfs with no upper layer**, made with the new mount API
//!   (fsopen, fsconfig, fsmount) and never attached anywhere: its lower
//!   layer is the binary's own directory, so nothing is copied, and the
//!   kernel refuses every write with `EROFS`, as there is no layer to write
//!   to. Only root may make one (runc 1.2 does the same);
//! - a **sealed memfd**: a copy of the binary in a file that lives only in
//!   memory, sealed against any change. It costs a copy of the binary at
//!   every start, and works for every user (runc 1.0).
//!
//! And a way to need neither: install burrow on a **read-only mount** (a
//! read-only /usr, NixOS's store, or the binary bind-mounted read-only over
//! itself). Every write through its `/proc/PID/exe` already fails with
//! `EROFS`, so burrow runs as it was started: one start instead of two.

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag, SealFlag};
use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use nix::sys::stat::Mode;
use nix::sys::statvfs::{fstatvfs, FsFlags};
use std::ffi::{CString, OsStr};
use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `BURROW_EXE_SEAL=memfd` skips the overlay: the lab's check and the
/// benchmark compare the two ways with it.
const FORCE_MEMFD: &str = "BURROW_EXE_SEAL";

const MEMFD_SEALS: SealFlag = SealFlag::F_SEAL_SEAL
    .union(SealFlag::F_SEAL_SHRINK)
    .union(SealFlag::F_SEAL_GROW)
    .union(SealFlag::F_SEAL_WRITE);

// ANCHOR: reexec
/// Re-execute this process from a sealed view of its binary, unless it
/// already runs from one: returns only then. `spare` is an existing
/// directory that neither holds nor contains the binary (the state root): an
/// overlay without an upper layer needs two lower ones.
pub fn ensure_sealed(spare: &Path) -> Result<()> {
    let exe = File::open("/proc/self/exe").context("open /proc/self/exe")?;
    if is_sealed(&exe) {
        explain!("/proc/self/exe is a sealed memfd or on a read-only mount: no re-execution");
        return Ok(());
    }
    let overlay = match std::env::var_os(FORCE_MEMFD).as_deref() == Some(OsStr::new("memfd")) {
        true => Err(anyhow::anyhow!("{FORCE_MEMFD}=memfd")),
        false => through_overlay(spare),
    };
    // The new start checks is_sealed again: only a file that passes it now
    // is executed, or burrow would execute itself forever.
    let sealed = match overlay.and_then(|file| match is_sealed(&file) {
        true => Ok(file),
        false => bail!("the overlay's file does not look read-only"),
    }) {
        Ok(file) => file,
        Err(e) => {
            explain!("no read-only overlay ({e:#}): copy the binary into a sealed memfd");
            match memfd_copy(exe)? {
                copy if is_sealed(&copy) => copy,
                _ => bail!(
                    "the memfd copy of the binary is not sealed (F_ADD_SEALS): its start would copy it again"
                ),
            }
        }
    };
    fexecve(sealed.as_fd())
}

/// Already running from an unwritable file: a sealed memfd, or a file on a
/// read-only mount (burrow's overlay, or wherever burrow was installed).
/// A mount that could be made writable again is trusted too: only root of
/// the host's mount namespace can remount it (the kernel refuses a remount,
/// or an open_tree(2) copy, of a mount outside the caller's namespace, and
/// a container's root is always outside), and that root can change burrow's
/// binary anyway. (A container given CAP_SYS_ADMIN or CAP_DAC_READ_SEARCH
/// in the host's user namespace has other ways to the file; such a
/// container is not contained anyway: see the book.)
fn is_sealed(exe: &File) -> bool {
    let seals = fcntl(exe.as_raw_fd(), FcntlArg::F_GET_SEALS);
    if seals.is_ok_and(|seals| SealFlag::from_bits_truncate(seals).contains(MEMFD_SEALS)) {
        return true;
    }
    fstatvfs(exe).is_ok_and(|fs| fs.flags().contains(FsFlags::ST_RDONLY))
}
// ANCHOR_END: reexec

// ANCHOR: overlay
/// Open the running binary through a new, detached, read-only overlayfs
/// whose layers are the binary's directory (on top) and `spare`.
fn through_overlay(spare: &Path) -> Result<File> {
    let binary = std::fs::read_link("/proc/self/exe").context("readlink /proc/self/exe")?;
    let (Some(dir), Some(name)) = (binary.parent(), binary.file_name()) else {
        bail!("/proc/self/exe is {}: no directory to make a layer of", binary.display());
    };
    // In lowerdir, ':' separates the layers and '\' escapes.
    let escape = |p: &Path| {
        let mut out = Vec::new();
        for &b in p.as_os_str().as_bytes() {
            if b == b'\\' || b == b':' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out
    };
    let lowerdir = [escape(dir), b":".to_vec(), escape(spare)].concat();
    let shown = String::from_utf8_lossy(&lowerdir).into_owned();
    explain!(
        "fsopen(\"overlay\"), fsconfig(lowerdir={shown}), fsmount(RDONLY|NOSUID|NODEV): attached nowhere"
    );
    let context = fsopen(c"overlay")?;
    fsconfig_string(&context, c"lowerdir", lowerdir)?;
    // xino would only add messages to the kernel log when the layers are on
    // different filesystems; burrow needs no inode numbers.
    let _ = fsconfig_string(&context, c"xino", b"off".to_vec());
    fsconfig_create(&context)?;
    let mount = fsmount(&context)?;
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = nix::fcntl::openat(Some(mount.as_raw_fd()), name, flags, Mode::empty())
        .with_context(|| format!("open {} in the overlay", binary.display()))?;
    // SAFETY: openat just returned this fd; nothing else owns it.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}
// ANCHOR_END: overlay

/// The new mount API has no wrappers in nix yet: raw syscalls.
fn fsopen(fs: &std::ffi::CStr) -> Result<OwnedFd> {
    // SAFETY: a NUL-terminated name and flags; returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_fsopen, fs.as_ptr(), libc::FSOPEN_CLOEXEC) };
    owned(fd).with_context(|| format!("fsopen({fs:?}) (needs root and overlayfs)"))
}

fn fsconfig_string(context: &OwnedFd, key: &std::ffi::CStr, value: Vec<u8>) -> Result<()> {
    let value = CString::new(value).context("a NUL byte in an overlay option")?;
    // SAFETY: a valid fs context fd and NUL-terminated key and value.
    let r = unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            context.as_raw_fd(),
            libc::FSCONFIG_SET_STRING,
            key.as_ptr(),
            value.as_ptr(),
            0,
        )
    };
    check(r).with_context(|| format!("fsconfig({key:?}={value:?})"))
}

fn fsconfig_create(context: &OwnedFd) -> Result<()> {
    // SAFETY: a valid fs context fd; no key, no value.
    let r = unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            context.as_raw_fd(),
            libc::FSCONFIG_CMD_CREATE,
            std::ptr::null::<libc::c_char>(),
            std::ptr::null::<libc::c_void>(),
            0,
        )
    };
    check(r).context("fsconfig(FSCONFIG_CMD_CREATE): the overlay refused its layers")
}

fn fsmount(context: &OwnedFd) -> Result<OwnedFd> {
    let attrs = libc::MOUNT_ATTR_RDONLY | libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV;
    // SAFETY: a valid, created fs context fd; returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_fsmount, context.as_raw_fd(), libc::FSMOUNT_CLOEXEC, attrs) };
    owned(fd).context("fsmount")
}

fn check(r: libc::c_long) -> Result<()> {
    Ok(Errno::result(r).map(drop)?)
}

fn owned(fd: libc::c_long) -> Result<OwnedFd> {
    let fd = Errno::result(fd)?;
    // SAFETY: the syscall just returned this fd (an int); nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

// ANCHOR: memfd
/// Copy the binary into a memfd and seal it against every change.
fn memfd_copy(mut exe: File) -> Result<File> {
    // EXERCISE 7.8: copy the binary into a memfd and seal it against every change
    // HINT: memfd_create(2) with MFD_ALLOW_SEALING (and MFD_CLOEXEC) makes a file that lives only in memory; add MFD_EXEC where the kernel knows it (an older one says EINVAL: try again without)
    // HINT: std::io::copy from `exe` (/proc/self/exe) into the memfd, then fcntl(F_ADD_SEALS(MEMFD_SEALS))
    // HINT: MEMFD_SEALS is SEAL, SHRINK, GROW and WRITE: with all four is_sealed() knows the copy, and its start re-executes nothing
    let flags = MemFdCreateFlag::MFD_CLOEXEC | MemFdCreateFlag::MFD_ALLOW_SEALING;
    // MFD_EXEC (Linux 6.3): say that the memfd will be executed, or a kernel
    // with vm.memfd_noexec set refuses; older kernels refuse the flag itself.
    let exec = MemFdCreateFlag::from_bits_retain(libc::MFD_EXEC);
    let copy = match memfd_create(c"burrow", flags | exec) {
        Err(nix::errno::Errno::EINVAL) => memfd_create(c"burrow", flags),
        other => other,
    }
    .context("memfd_create")?;
    let mut writer = File::from(copy);
    std::io::copy(&mut exe, &mut writer).context("copy /proc/self/exe into the memfd")?;
    fcntl(writer.as_raw_fd(), FcntlArg::F_ADD_SEALS(MEMFD_SEALS)).context("seal the memfd")?;
    Ok(writer)
    // END EXERCISE
}
// ANCHOR_END: memfd

/// Execute `file` with this process's arguments and environment.
fn fexecve(file: std::os::fd::BorrowedFd) -> Result<()> {
    let args: Vec<CString> = std::env::args_os()
        .map(|a| CString::new(a.into_encoded_bytes()))
        .collect::<Result<_, _>>()
        .context("an argument with a NUL byte")?;
    let env: Vec<CString> = std::env::vars_os()
        .map(|(k, v)| CString::new([k.into_encoded_bytes(), b"=".to_vec(), v.into_encoded_bytes()].concat()))
        .collect::<Result<_, _>>()
        .context("an environment variable with a NUL byte")?;
    let Err(errno) = nix::unistd::fexecve(file.as_raw_fd(), &args, &env);
    Err(errno).context("fexecve the sealed binary")
}
