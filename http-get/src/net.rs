//! Connecting to each resolved address in turn through `shared::net`; and
//! a stream, plain or TLS, whose every read and write is bounded by the
//! transfer's deadline and an idle timeout.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use shared::net::{ConnectError, ConnectLimit, connect_any};

#[cfg(feature = "tls")]
use rustls::{ClientConnection, StreamOwned};

use crate::error::{Error, Kind};

/// When things must be done by.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// The end of the whole transfer (`--max-time`), if any.
    pub deadline: Option<Instant>,
    /// Longest wait for any one read or write.
    pub idle: Duration,
}

impl Clock {
    /// The time one I/O call may take now; `None` when the deadline passed.
    pub fn io_timeout(&self) -> Option<Duration> {
        match self.deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                (!left.is_zero()).then(|| left.min(self.idle))
            }
            None => Some(self.idle),
        }
    }

    /// `limit` cut to what is left before the deadline.
    pub fn within(&self, limit: Duration) -> Option<Duration> {
        match self.deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                (!left.is_zero()).then(|| left.min(limit))
            }
            None => Some(limit),
        }
    }
}

/// A plain or TLS connection.
#[derive(Debug)]
pub enum Stream {
    /// http.
    Plain(TcpStream),
    /// https.
    #[cfg(feature = "tls")]
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            #[cfg(feature = "tls")]
            Stream::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => shared::sys::socket::recv(s, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => match s.read(buf) {
                // A server that closes without close_notify has still ended
                // the stream; framing decides whether the body is complete.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => shared::sys::socket::send(s, buf, false),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// A stream whose reads and writes are bounded by a [`Clock`].
#[derive(Debug)]
pub struct Timed {
    /// The connection.
    pub stream: Stream,
    /// The bounds.
    pub clock: Clock,
    /// The read and write timeouts last set on the socket: set again only
    /// when they change (every time under a deadline, once otherwise).
    set: (Option<Duration>, Option<Duration>),
    /// The address at the other end, asked once.
    pub peer: Option<SocketAddr>,
}

impl Timed {
    /// `stream` bounded by `clock`.
    pub fn new(stream: Stream, clock: Clock) -> Timed {
        let peer = stream.tcp().peer_addr().ok();
        Timed { stream, clock, set: (None, None), peer }
    }

    /// The bare TCP socket of a plain connection, for the zero-copy path
    /// (which bounds its own waits); a TLS connection comes back as it is.
    pub fn into_plain(self) -> Result<TcpStream, Timed> {
        match self.stream {
            Stream::Plain(tcp) => Ok(tcp),
            #[cfg(feature = "tls")]
            tls @ Stream::Tls(_) => Err(Timed { stream: tls, ..self }),
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "timed out")
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let t = self.clock.io_timeout().ok_or_else(timed_out)?;
        if self.set.0 != Some(t) {
            self.stream.tcp().set_read_timeout(Some(t))?;
            self.set.0 = Some(t);
        }
        self.stream.read(buf).map_err(|e| if e.kind() == io::ErrorKind::WouldBlock { timed_out() } else { e })
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let t = self.clock.io_timeout().ok_or_else(timed_out)?;
        if self.set.1 != Some(t) {
            self.stream.tcp().set_write_timeout(Some(t))?;
            self.set.1 = Some(t);
        }
        self.stream.write(buf).map_err(|e| if e.kind() == io::ErrorKind::WouldBlock { timed_out() } else { e })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl shared::http::head::TimedRead for Timed {
    fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
        // Every read sets its own timeout from the clock.
        Ok(())
    }
}

/// Connects to the first of `addrs` that accepts, all of them together
/// within `limit`, through `shared`'s connect (each try gets what is left).
pub fn connect(addrs: &[SocketAddr], shown: &str, limit: Duration) -> Result<TcpStream, Error> {
    // The target in shared's error is the list as messages show it.
    let tcp = connect_any(&list(addrs), addrs, ConnectLimit::Total(limit)).map_err(|e| connect_error(shown, e))?;
    // Requests go out in one write; replies are read as they come: Nagle
    // would only delay a request body sent after its head.
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

fn connect_error(shown: &str, e: ConnectError) -> Error {
    if e.timed_out() {
        Error::new(Kind::TimedOut, format!("{shown}: timed out connecting to {}", e.target)).because(e)
    } else {
        let message = format!("{shown}: cannot connect to {}: {}", e.target, shared::io_text::describe(&e.source));
        Error::new(Kind::Connect, message).because(e)
    }
}

/// The addresses as messages name them: one, or the first and how many.
fn list(addrs: &[SocketAddr]) -> String {
    match addrs {
        [] => "no address".to_string(),
        [one] => one.to_string(),
        many => format!("{} ({} addresses)", many[0], many.len()),
    }
}
