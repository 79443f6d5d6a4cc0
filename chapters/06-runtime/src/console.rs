//! `process.terminal`: a pseudo-terminal for the container's process.
//!
//! A pty is a pair of character devices: whatever is written to the
//! *master* is what the program reading the *slave* sees as typed, and what
//! it prints comes out of the master. The container's process gets the
//! slave as its stdin, stdout, stderr and controlling terminal; the master
//! goes to whoever plays the keyboard and the screen.
//!
//! The pty is opened *inside* the container, from its own devpts instance
//! (chapter 2's `newinstance`), so that `tty` there says `/dev/pts/0` and the
//! host's ptys stay invisible. The master then leaves the container the way
//! runc hands it over: sent over a unix socket (`--console-socket`, which
//! podman's conmon and containerd's shim listen on) as SCM_RIGHTS ancillary
//! data, which makes the kernel install a copy of the fd in the receiver.

use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use nix::fcntl::OFlag;
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags, UnixAddr};
use nix::sys::stat::Mode;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

// ANCHOR: child
/// In the container, after pivot_root: open a pty from its devpts, send the
/// master to `socket`, and make the slave this process's controlling
/// terminal and stdio.
pub fn set_up(socket: RawFd) -> Result<()> {
    explain!("posix_openpt(O_RDWR|O_NOCTTY): /dev/ptmx, the container's devpts");
    let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)
        .context("open /dev/ptmx (does config.json mount a devpts on /dev/pts?)")?;
    grantpt(&master).context("grantpt")?;
    unlockpt(&master).context("unlockpt")?;
    let name = ptsname_r(&master).context("ptsname")?;
    let slave = nix::fcntl::open(name.as_str(), OFlag::O_RDWR | OFlag::O_NOCTTY, Mode::empty())
        .with_context(|| format!("open {name}"))?;
    explain!("sendmsg(console socket, {name:?}, SCM_RIGHTS [master])");
    send_fd(socket, master.as_raw_fd(), &name)?;
    drop(master);
    // A new session has no controlling terminal; TIOCSCTTY makes the slave its own.
    explain!("setsid(); ioctl({name}, TIOCSCTTY); dup2 to 0, 1, 2");
    nix::unistd::setsid().context("setsid")?;
    // SAFETY: TIOCSCTTY takes an int argument (0: do not steal); `slave` is open.
    let rc = unsafe { libc::ioctl(slave, libc::TIOCSCTTY, 0) };
    nix::errno::Errno::result(rc).with_context(|| format!("ioctl({name}, TIOCSCTTY)"))?;
    for fd in 0..3 {
        nix::unistd::dup2(slave, fd).with_context(|| format!("dup2({name}, {fd})"))?;
    }
    if slave > 2 {
        nix::unistd::close(slave).context("close the pty slave")?;
    }
    Ok(())
}
// ANCHOR_END: child

// ANCHOR: send
/// Send `fd` over the unix socket `socket`, with `name` as the message.
pub fn send_fd(socket: RawFd, fd: RawFd, name: &str) -> Result<()> {
    let fds = [fd];
    let cmsg = [ControlMessage::ScmRights(&fds)];
    sendmsg::<UnixAddr>(socket, &[IoSlice::new(name.as_bytes())], &cmsg, MsgFlags::empty(), None)
        .context("send the pty master on the console socket")?;
    Ok(())
}

/// Receive an fd sent with [`send_fd`]: what conmon, the containerd shim and
/// `burrow run` do on their end of the console socket.
pub fn recv_fd(socket: RawFd) -> Result<OwnedFd> {
    let mut name = [0u8; 4096];
    let mut iov = [IoSliceMut::new(&mut name)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<UnixAddr>(socket, &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC)
        .context("receive the pty master")?;
    for cmsg in msg.cmsgs().context("read the message's ancillary data")? {
        if let ControlMessageOwned::ScmRights(fds) = cmsg {
            if let Some(&fd) = fds.first() {
                // SAFETY: the kernel just installed this fd in our table for us.
                return Ok(unsafe { OwnedFd::from_raw_fd(fd) });
            }
        }
    }
    bail!("the console socket's message carried no fd")
}
// ANCHOR_END: send

/// `burrow run` with a terminal and no `--console-socket`: burrow plays the
/// keyboard and the screen itself, as `runc run` does. Its own terminal is
/// put in raw mode (every key goes through as typed, Ctrl-C included, for
/// the container's terminal to interpret), and two threads copy bytes.
pub struct Proxy {
    saved: Option<nix::sys::termios::Termios>,
    output: std::thread::JoinHandle<()>,
}

// ANCHOR: proxy
impl Proxy {
    pub fn start(master: OwnedFd) -> Result<Proxy> {
        use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
        let stdin = std::io::stdin();
        let saved = tcgetattr(&stdin).ok();
        if let Some(saved) = &saved {
            copy_window_size(0, master.as_raw_fd());
            let mut raw = saved.clone();
            cfmakeraw(&mut raw);
            tcsetattr(&stdin, SetArg::TCSANOW, &raw).context("put the terminal in raw mode")?;
        }
        let mut to_screen = std::fs::File::from(master);
        let mut from_keyboard = to_screen.try_clone().context("dup the pty master")?;
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut from_keyboard);
        });
        // Ends with EIO once no process holds the slave: the container is gone.
        let output = std::thread::spawn(move || {
            let _ = std::io::copy(&mut to_screen, &mut std::io::stdout().lock());
        });
        Ok(Proxy { saved, output })
    }

    /// Wait for the last output, and give the terminal back as it was.
    pub fn finish(self) {
        let _ = self.output.join();
        if let Some(saved) = &self.saved {
            let _ = nix::sys::termios::tcsetattr(std::io::stdin(), nix::sys::termios::SetArg::TCSANOW, saved);
        }
    }
}
// ANCHOR_END: proxy

/// With `console` (our end of the socket the pty's master is sent on):
/// receive the master and relay it to our own terminal.
pub fn relay(console: Option<OwnedFd>) -> Result<Option<Proxy>> {
    let master = console.map(|socket| recv_fd(socket.as_raw_fd())).transpose()?;
    master.map(Proxy::start).transpose()
}

/// Wait for our child `pid` in the foreground, forwarding signals to it,
/// then for the relay's last output; return the child's exit code.
pub fn wait(relay: Option<Proxy>, pid: nix::unistd::Pid) -> Result<i32> {
    let code = ch01_unshare::pid1::supervise(pid)?;
    finish(relay);
    Ok(code)
}

/// End the relay, if any (the pty must have closed, or this waits for it).
pub fn finish(relay: Option<Proxy>) {
    if let Some(proxy) = relay {
        proxy.finish();
    }
}

/// Give the pty the size of our terminal (the program inside lays its
/// output out for it: `ls` columns, an editor's screen).
fn copy_window_size(from: RawFd, to: RawFd) {
    let mut size = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ writes a winsize into `size`, which is one; TIOCSWINSZ reads it.
    unsafe {
        if libc::ioctl(from, libc::TIOCGWINSZ, &mut size) == 0 {
            libc::ioctl(to, libc::TIOCSWINSZ, &size);
        }
    }
}
