//! A datagram socket of either kind: UDP, or (with `-U`) a Unix datagram
//! socket, and the peer a datagram came from. The sender and the receiver
//! work on this, so both kinds behave the same: every datagram whole,
//! every peer answered at its own address.
//!
//! A Unix datagram sender is answered only at an address it bound: an
//! unbound one (socat's `UNIX-SENDTO` without `bind=`) has none, and the
//! receiver says so once instead of answering.

use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// Where a datagram came from, or goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// A UDP peer.
    Ip(SocketAddr),
    /// A Unix datagram socket bound to this path.
    #[cfg(unix)]
    Unix(std::path::PathBuf),
    /// A Unix datagram socket bound to nothing (or to an abstract name):
    /// it cannot be answered.
    Unnamed,
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Ip(addr) => addr.fmt(f),
            #[cfg(unix)]
            Peer::Unix(path) => f.write_str(&shared::io_text::path(path)),
            Peer::Unnamed => f.write_str("an unbound socket"),
        }
    }
}

/// A datagram socket.
#[derive(Debug)]
pub enum Datagrams {
    /// UDP.
    Udp(UdpSocket),
    /// A Unix datagram socket.
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixDatagram),
}

/// The error for a peer that has no address to answer at.
fn unanswerable() -> io::Error {
    io::Error::new(io::ErrorKind::AddrNotAvailable, "the sender bound no address to answer at")
}

impl Datagrams {
    /// The next datagram, whole, and where it came from.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, Peer)> {
        match self {
            Datagrams::Udp(s) => {
                let (n, from) = shared::sys::socket::recv_from(s, buf)?;
                Ok((n, Peer::Ip(SocketAddr::new(from.ip().to_canonical(), from.port()))))
            }
            #[cfg(unix)]
            Datagrams::Unix(s) => {
                let (n, from) = s.recv_from(buf)?;
                Ok((n, from.as_pathname().map_or(Peer::Unnamed, |p| Peer::Unix(p.to_path_buf()))))
            }
        }
    }

    /// Sends one datagram to `to`.
    pub fn send_to(&self, buf: &[u8], to: &Peer) -> io::Result<usize> {
        match (self, to) {
            (Datagrams::Udp(s), Peer::Ip(addr)) => shared::sys::socket::send_to(s, buf, *addr),
            #[cfg(unix)]
            (Datagrams::Unix(s), Peer::Unix(path)) => s.send_to(buf, path),
            _ => Err(unanswerable()),
        }
    }

    /// Sends one datagram to the peer connected to.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Datagrams::Udp(s) => shared::sys::socket::send_connected(s, buf),
            #[cfg(unix)]
            Datagrams::Unix(s) => s.send(buf),
        }
    }

    /// Receives one datagram from the peer connected to.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Datagrams::Udp(s) => shared::sys::socket::recv_connected(s, buf),
            #[cfg(unix)]
            Datagrams::Unix(s) => s.recv(buf),
        }
    }

    /// A second handle on the same socket, for another thread.
    pub fn try_clone(&self) -> io::Result<Datagrams> {
        match self {
            Datagrams::Udp(s) => s.try_clone().map(Datagrams::Udp),
            #[cfg(unix)]
            Datagrams::Unix(s) => s.try_clone().map(Datagrams::Unix),
        }
    }

    /// Whether receiving waits.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Datagrams::Udp(s) => s.set_nonblocking(on),
            #[cfg(unix)]
            Datagrams::Unix(s) => s.set_nonblocking(on),
        }
    }

    /// How long receiving may wait.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Datagrams::Udp(s) => s.set_read_timeout(timeout),
            #[cfg(unix)]
            Datagrams::Unix(s) => s.set_read_timeout(timeout),
        }
    }

    /// Asks the kernel for `bytes` of receive buffer (it may grant less).
    pub fn ask_receive_buffer(&self, bytes: usize) {
        let _ = match self {
            Datagrams::Udp(s) => socket2::SockRef::from(s).set_recv_buffer_size(bytes),
            #[cfg(unix)]
            Datagrams::Unix(s) => socket2::SockRef::from(s).set_recv_buffer_size(bytes),
        };
    }

    /// Asks the kernel for `bytes` of send buffer: a Unix datagram can be
    /// no larger than the sender's buffer (2 KiB by default on macOS).
    pub fn ask_send_buffer(&self, bytes: usize) {
        let _ = match self {
            Datagrams::Udp(s) => socket2::SockRef::from(s).set_send_buffer_size(bytes),
            #[cfg(unix)]
            Datagrams::Unix(s) => socket2::SockRef::from(s).set_send_buffer_size(bytes),
        };
    }

    /// The buffer a whole datagram fits in: a UDP payload is at most
    /// 65,527 bytes; a Unix datagram may be as large as its sender's buffer.
    pub fn receive_buffer_len(&self) -> usize {
        match self {
            Datagrams::Udp(_) => 65_536,
            #[cfg(unix)]
            Datagrams::Unix(_) => UNIX_RECEIVE,
        }
    }
}

/// The largest Unix datagram received whole: Linux's default limit on a
/// sender's buffer is 208 KiB.
#[cfg(unix)]
pub const UNIX_RECEIVE: usize = 256 * 1024;
