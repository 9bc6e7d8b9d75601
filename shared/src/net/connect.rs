//! Connecting: try every resolved address in turn, under a time limit that
//! is either per address (netcat's `-w`) or for all of them together
//! (curl's `--connect-timeout`), and say which target failed and why.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};

use crate::io_text::describe;

/// How long connecting may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnectLimit {
    /// The system's own timeout for each address.
    #[default]
    System,
    /// Each address gets this long.
    EachAddress(Duration),
    /// All addresses together get this long; each try gets what is left.
    Total(Duration),
}

/// A failed connection attempt, naming what the user asked for.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConnectError {
    /// The target as the user wrote it (`example.org:80`).
    pub target: String,
    /// The error of the last address tried (`TimedOut` when the limit ran
    /// out before an address could be tried).
    pub source: io::Error,
    /// How many addresses were tried.
    pub tried: usize,
    /// The last address tried, if any.
    pub last: Option<SocketAddr>,
}

impl ConnectError {
    /// True when the attempt ran out of time rather than being refused.
    pub fn timed_out(&self) -> bool {
        matches!(self.source.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connect to {}: {}", self.target, describe(&self.source))?;
        if self.tried > 1 {
            write!(f, " ({} addresses tried)", self.tried)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Connects to the first of `addrs` that accepts, within `limit`. `target`
/// names the destination in the error.
///
/// ```
/// use std::net::TcpListener;
/// use shared::net::{ConnectLimit, connect_any};
///
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// let stream = connect_any("local", &[addr], ConnectLimit::Total(std::time::Duration::from_secs(5))).unwrap();
/// assert_eq!(stream.peer_addr().unwrap(), addr);
/// ```
pub fn connect_any(target: &str, addrs: &[SocketAddr], limit: ConnectLimit) -> Result<TcpStream, ConnectError> {
    let started = Instant::now();
    let mut last = io::Error::new(io::ErrorKind::AddrNotAvailable, "no address to connect to");
    let mut tried = 0;
    let mut last_addr = None;
    for addr in addrs {
        let attempt = match limit {
            ConnectLimit::System => connect_one(addr, None),
            ConnectLimit::EachAddress(t) if t.is_zero() => connect_one(addr, None),
            ConnectLimit::EachAddress(t) => connect_one(addr, Some(t)),
            ConnectLimit::Total(t) => {
                let left = t.saturating_sub(started.elapsed());
                if left.is_zero() {
                    last = io::Error::from(io::ErrorKind::TimedOut);
                    break;
                }
                connect_one(addr, Some(left))
            }
        };
        tried += 1;
        last_addr = Some(*addr);
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(ConnectError { target: target.to_string(), source: last, tried, last: last_addr })
}

/// One socket, one connection attempt (waiting at most `limit`): made
/// here rather than by `TcpStream::connect` so that `--trace` can name
/// the socket before it connects, as the lesson does.
fn connect_one(addr: &SocketAddr, limit: Option<Duration>) -> io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(*addr), Type::STREAM, Some(Protocol::TCP))?;
    crate::trace::socket(&socket, addr, true);
    let done = match limit {
        Some(t) => socket.connect_timeout(&(*addr).into(), t),
        None => crate::sys::retry(|| socket.connect(&(*addr).into())),
    };
    crate::trace::connect(&socket, addr, &done);
    done?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn reports_last_error_with_target() {
        // Bind then drop to find a port nobody listens on.
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let target = format!("127.0.0.1:{port}");
        let addrs = [SocketAddr::from(([127, 0, 0, 1], port))];
        let e = connect_any(&target, &addrs, ConnectLimit::EachAddress(Duration::from_secs(5))).unwrap_err();
        assert_eq!(e.to_string(), format!("connect to {target}: connection refused"));
        assert!(!e.timed_out());
        assert_eq!((e.tried, e.last), (1, Some(addrs[0])));
    }

    #[test]
    fn a_spent_total_limit_is_a_timeout() {
        let addrs = [SocketAddr::from(([127, 0, 0, 1], 9))];
        let e = connect_any("x", &addrs, ConnectLimit::Total(Duration::ZERO)).unwrap_err();
        assert!(e.timed_out(), "{e}");
        assert_eq!(e.tried, 0);
    }
}
