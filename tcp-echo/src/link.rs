//! One connection, whatever carries it: a TCP socket, a Unix stream
//! socket, or TLS over either. Both directions use it at once, from two
//! threads (the pump writes, the session reads), so every operation takes
//! `&self`.
//!
//! Reading goes through an [`Inbound`], which keeps what reading needs
//! between calls: splice's pipe on Linux, a buffer, TLS's raw bytes. A
//! plain socket's bytes go to a file by `shared::sys::splice` and come
//! from a file by `shared::sys::sendfile`, whichever kind of socket it
//! is; TLS's are read, decrypted and written (encrypted on the way out).

use std::fmt;
use std::fs::File;
use std::io;
#[cfg(feature = "tls")]
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
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
    /// TLS over one of the others, its handshake done.
    #[cfg(feature = "tls")]
    Tls(Box<crate::tls::stream::TlsStream>),
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
            Link::Tcp(s) => shared::sys::socket::send_all(s, data),
            #[cfg(unix)]
            Link::Unix(s) => shared::sys::socket::send_all(s, data),
            #[cfg(feature = "tls")]
            Link::Tls(t) => t.write_all(data),
        }
    }

    /// Reads the socket's own bytes (under TLS, the records): for the TLS
    /// layer above a plain link.
    pub fn read_raw(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Link::Tcp(s) => shared::sys::socket::recv(s, buf),
            #[cfg(unix)]
            Link::Unix(s) => shared::sys::socket::recv(s, buf),
            #[cfg(feature = "tls")]
            Link::Tls(_) => Err(io::Error::new(io::ErrorKind::Unsupported, "TLS over TLS")),
        }
    }

    /// True for TLS: its end must be confirmed by close_notify.
    pub fn is_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        if let Link::Tls(_) = self {
            return true;
        }
        false
    }

    /// Sends up to `count` bytes of `file` from `*offset` (sendfile where
    /// the system has it), moving `*offset` past them; 0 at the file's end.
    pub fn send_file(&self, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
        match self {
            Link::Tcp(s) => shared::sys::sendfile::sendfile(s, file, offset, count),
            #[cfg(unix)]
            Link::Unix(s) => shared::sys::sendfile::sendfile(s, file, offset, count),
            // The pump reads stdin for TLS (`Pump::start`): nothing comes here.
            #[cfg(feature = "tls")]
            Link::Tls(_) => Err(io::Error::new(io::ErrorKind::Unsupported, "no sendfile under TLS")),
        }
    }

    /// Says this side has finished sending (a FIN; under TLS close_notify
    /// first); reading goes on.
    pub fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Link::Tcp(s) => shared::sys::socket::shutdown_write(s),
            #[cfg(unix)]
            Link::Unix(s) => shared::sys::socket::shutdown_write(s),
            #[cfg(feature = "tls")]
            Link::Tls(t) => t.close(),
        }
    }

    /// Closes the connection (what dropping it does), said in `--trace`.
    pub fn close(self) {
        match self {
            Link::Tcp(s) => shared::sys::socket::close(s),
            #[cfg(unix)]
            Link::Unix(s) => shared::sys::socket::close(s),
            #[cfg(feature = "tls")]
            Link::Tls(t) => t.into_raw().close(),
        }
    }

    /// How long a read may wait (`None`: for ever).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.set_read_timeout(timeout),
            #[cfg(unix)]
            Link::Unix(s) => s.set_read_timeout(timeout),
            #[cfg(feature = "tls")]
            Link::Tls(t) => t.raw().set_read_timeout(timeout),
        }
    }

    /// How long a write may wait (`None`: for ever).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Link::Tcp(s) => s.set_write_timeout(timeout),
            #[cfg(unix)]
            Link::Unix(s) => s.set_write_timeout(timeout),
            #[cfg(feature = "tls")]
            Link::Tls(t) => t.raw().set_write_timeout(timeout),
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
            #[cfg(feature = "tls")]
            Link::Tls(t) => t.raw().set_nodelay(),
        }
    }
}

/// What reading a link keeps between calls.
#[derive(Debug, Default)]
pub struct Inbound {
    /// Socket to file: splice's pipe, or a buffer.
    mover: SocketToFile,
    /// TLS's raw bytes not yet decrypted.
    #[cfg(feature = "tls")]
    tls: crate::tls::stream::ReadState,
    /// TLS's plaintext on its way to a file.
    #[cfg(feature = "tls")]
    plain: Vec<u8>,
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
            #[cfg(feature = "tls")]
            Link::Tls(t) => {
                if self.plain.len() < crate::tls::stream::PLAIN {
                    self.plain.resize(crate::tls::stream::PLAIN, 0);
                }
                let n = t.read(&mut self.tls, &mut self.plain).map_err(MoveError::Read)?;
                (&*out).write_all(&self.plain[..n]).map_err(MoveError::Write)?;
                Ok(n)
            }
        }
    }

    /// Reads what `link` has into `buf`; 0 at the end of the stream.
    pub fn read(&mut self, link: &Link, buf: &mut [u8]) -> io::Result<usize> {
        match link {
            #[cfg(feature = "tls")]
            Link::Tls(t) => t.read(&mut self.tls, buf),
            _ => link.read_raw(buf),
        }
    }
}
