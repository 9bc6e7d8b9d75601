//! One connection, whatever carries it: a TCP socket or a Unix stream
//! socket. Both directions use it at once, from two threads (the pump
//! writes, the session reads), so every operation takes `&self`.
//!
//! Reading goes through an [`Inbound`], which keeps what reading needs
//! between calls: splice's pipe on Linux, or a buffer. A plain socket's
//! bytes go to a file by `shared::sys::splice` and come from a file by
//! `shared::sys::sendfile`, whichever kind of socket it is.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use shared::sys::splice::{MoveError, SocketToFile};

/// Most bytes one move from a link takes.
const MOVE_MAX: usize = 1 << 20;

/// Who is at the other end, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// A TCP peer.
    Ip(SocketAddr),
    /// Anything else, as messages name it: a Unix socket's path (or
    /// `@name`), a target reached through a proxy.
    Named(String),
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Ip(addr) => addr.fmt(f),
            Peer::Named(path) => f.write_str(path),
        }
    }
}

/// A connection of any kind.
#[derive(Debug)]
pub enum Link {
    /// TCP.
    Tcp(TcpStream),
    /// A Unix stream socket.
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixStream),
}

impl From<TcpStream> for Link {
    fn from(s: TcpStream) -> Link {
        Link::Tcp(s)
    }
}

#[cfg(unix)]
impl From<std::os::unix::net::UnixStream> for Link {
    fn from(s: std::os::unix::net::UnixStream) -> Link {
        Link::Unix(s)
    }
}

impl Link {
    /// Writes all of `data`.
    pub fn write_all(&self, data: &[u8]) -> io::Result<()> {
        match self {
            Link::Tcp(s) => (&*s).write_all(data),
            #[cfg(unix)]
            Link::Unix(s) => (&*s).write_all(data),
        }
    }

    /// Sends up to `count` bytes of `file` from `*offset` (sendfile where
    /// the system has it), moving `*offset` past them; 0 at the file's end.
    pub fn send_file(&self, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
        match self {
            Link::Tcp(s) => shared::sys::sendfile::sendfile(s, file, offset, count),
            #[cfg(unix)]
            Link::Unix(s) => shared::sys::sendfile::sendfile(s, file, offset, count),
        }
    }

    /// Says this side has finished sending (a FIN); reading goes on.
    pub fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.shutdown(Shutdown::Write),
            #[cfg(unix)]
            Link::Unix(s) => s.shutdown(Shutdown::Write),
        }
    }

    /// How long a read may wait (`None`: for ever).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.set_read_timeout(timeout),
            #[cfg(unix)]
            Link::Unix(s) => s.set_read_timeout(timeout),
        }
    }

    /// How long a write may wait (`None`: for ever).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.set_write_timeout(timeout),
            #[cfg(unix)]
            Link::Unix(s) => s.set_write_timeout(timeout),
        }
    }

    /// Sends small writes at once (an echo answers each as it comes).
    pub fn set_nodelay(&self) {
        match self {
            Link::Tcp(s) => {
                let _ = s.set_nodelay(true);
            }
            #[cfg(unix)]
            Link::Unix(_) => {}
        }
    }
}

/// What reading a link keeps between calls.
#[derive(Debug, Default)]
pub struct Inbound {
    /// Socket to file: splice's pipe, or a buffer.
    mover: SocketToFile,
}

impl Inbound {
    /// Reading state for a new link.
    pub fn new() -> Inbound {
        Inbound::default()
    }

    /// Moves what `link` has (waiting as a read would) to `out`; 0 at the
    /// end of the stream.
    pub fn move_to(&mut self, link: &Link, out: &File) -> Result<usize, MoveError> {
        match link {
            Link::Tcp(s) => self.mover.move_some(s, out, MOVE_MAX),
            #[cfg(unix)]
            Link::Unix(s) => self.mover.move_some(s, out, MOVE_MAX),
        }
    }

    /// Reads what `link` has into `buf`; 0 at the end of the stream.
    pub fn read(&mut self, link: &Link, buf: &mut [u8]) -> io::Result<usize> {
        match link {
            Link::Tcp(s) => (&*s).read(buf),
            #[cfg(unix)]
            Link::Unix(s) => (&*s).read(buf),
        }
    }
}
