//! The conversation between `burrow create` and the container's first process
//! while it is being set up: a socketpair of datagrams (SOCK_SEQPACKET keeps
//! each message whole), close-on-exec so the command never inherits it.
//!
//! ```text
//!  burrow create (host)                 container process (new namespaces)
//!  maps, cgroup, oom_score_adj
//!  Go ──────────────────────────────▶   join namespaces, hostname, mounts
//!     ◀──────────────────────────────   Mounted
//!  prestart, createRuntime hooks
//!  Go(state) ───────────────────────▶   createContainer hooks, pivot_root,
//!                                       sysctl, rlimits, find the command
//!     ◀──────────────────────────────   Prepared
//!  write state.json                     the user, capabilities, seccomp
//!     ◀──────────────────────────────   Ready  (or Failed at any step)
//!  exit                                 open exec.fifo: blocks until `start`
//! ```

use anyhow::{bail, Context, Result};
use nix::sys::socket::{recv, send, socketpair, AddressFamily, MsgFlags, SockFlag, SockType};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// One step of the conversation.
#[derive(Debug, PartialEq)]
pub enum Message {
    /// Go on; the second one carries the state (JSON) for the hooks.
    Go(String),
    Mounted,
    /// Set up; what is left is to drop privileges (the parent meanwhile
    /// writes the state).
    Prepared,
    Ready,
    /// Setup failed: the exit code to use and what went wrong.
    Failed(i32, String),
}

/// A socketpair: one end for each side.
pub fn pair() -> Result<(OwnedFd, OwnedFd)> {
    socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC)
        .context("socketpair(AF_UNIX, SOCK_SEQPACKET)")
}

/// Send `message` on `fd`.
pub fn send_msg(fd: RawFd, message: &Message) -> Result<()> {
    let text = match message {
        Message::Go(state) => format!("go\n{state}"),
        Message::Mounted => "mounted".to_string(),
        Message::Prepared => "prepared".to_string(),
        Message::Ready => "ready".to_string(),
        Message::Failed(code, text) => format!("failed\n{code}\n{text}"),
    };
    send(fd, text.as_bytes(), MsgFlags::MSG_NOSIGNAL).context("send on the setup socket")?;
    Ok(())
}

/// The next message; `None` when the other side closed its end (it died).
pub fn recv_msg(fd: &OwnedFd) -> Result<Option<Message>> {
    let mut buf = vec![0u8; 64 * 1024];
    let n = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).context("recv on the setup socket")?;
    let text = String::from_utf8_lossy(&buf[..n]);
    Ok(Some(match text.as_ref() {
        "" => return Ok(None),
        "mounted" => Message::Mounted,
        "prepared" => Message::Prepared,
        "ready" => Message::Ready,
        other if other.starts_with("go\n") => Message::Go(other[3..].to_string()),
        other => match other.strip_prefix("failed\n").and_then(|rest| rest.split_once('\n')) {
            Some((code, text)) => Message::Failed(code.parse().unwrap_or(125), text.to_string()),
            None => bail!("unexpected message on the setup socket: {other:?}"),
        },
    }))
}

/// Wait for `wanted`; anything else (or the other side gone) is an error.
/// Returns a `Go`'s state.
pub fn expect(fd: &OwnedFd, wanted: Message) -> Result<String> {
    match recv_msg(fd)? {
        Some(Message::Go(state)) if matches!(wanted, Message::Go(_)) => Ok(state),
        Some(got) if got == wanted => Ok(String::new()),
        Some(Message::Failed(code, text)) => {
            Err(ch01_unshare::exec::ExitError { code, message: text }.into())
        }
        Some(got) => bail!("expected {wanted:?} on the setup socket, got {got:?}"),
        None => bail!("the other side of the setup socket exited (expected {wanted:?})"),
    }
}
