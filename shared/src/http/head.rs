//! Reading an HTTP/1.x head (request or response) off a stream: keep
//! reading into a buffer until the parser says "complete", under hard size
//! limits and an overall deadline.
//!
//! The parser answers one of three things about the bytes so far: a
//! complete head, "need more" (a normal state, not an error), or an error.
//! Errors say which limit or rule was broken, so a server can pick 400, 414,
//! 431 or 505, and a client can tell an empty reply from a malformed one.

use std::fmt;
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Hard limits on a head. A head that exceeds one is refused, not buffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest first line (request line or status line), in bytes.
    pub max_line: usize,
    /// Longest head, first line and fields and the blank line, in bytes.
    pub max_head: usize,
    /// Most header fields.
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_line: 8 * 1024, max_head: 16 * 1024, max_headers: 100 }
    }
}

/// Why a head could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum HeadError {
    /// The first line is longer than [`Limits::max_line`] (a server answers 414).
    LineTooLong,
    /// The head is longer than [`Limits::max_head`] (431).
    HeadTooLarge,
    /// More fields than [`Limits::max_headers`] (431).
    TooManyHeaders,
    /// The bytes break HTTP/1.1 syntax; the text says where (400).
    Malformed(&'static str),
    /// A well-formed request line for a version other than HTTP/1.x (505).
    Version,
    /// The peer closed before the head was complete; `received` bytes had
    /// arrived (0 means an empty reply).
    Closed {
        /// Bytes of the incomplete head that did arrive.
        received: usize,
    },
    /// The deadline passed before the head was complete (408).
    TimedOut,
    /// The stream failed.
    Io(io::Error),
}

impl HeadError {
    /// The status a server answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            HeadError::LineTooLong => 414,
            HeadError::HeadTooLarge | HeadError::TooManyHeaders => 431,
            HeadError::Version => 505,
            HeadError::TimedOut => 408,
            HeadError::Malformed(_) | HeadError::Closed { .. } | HeadError::Io(_) => 400,
        }
    }

    /// Maps an httparse error to ours.
    pub(crate) fn from_httparse(e: httparse::Error) -> HeadError {
        use httparse::Error as E;
        match e {
            E::TooManyHeaders => HeadError::TooManyHeaders,
            E::HeaderName => HeadError::Malformed("invalid header name (or a line without a colon)"),
            E::HeaderValue => HeadError::Malformed("invalid header value"),
            E::NewLine => HeadError::Malformed("invalid line ending"),
            E::Status => HeadError::Malformed("invalid status code"),
            E::Token => HeadError::Malformed("invalid token in the first line"),
            E::Version => HeadError::Malformed("invalid HTTP version"),
        }
    }
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadError::LineTooLong => write!(f, "first line too long"),
            HeadError::HeadTooLarge => write!(f, "head too large"),
            HeadError::TooManyHeaders => write!(f, "too many header fields"),
            HeadError::Malformed(why) => write!(f, "malformed head: {why}"),
            HeadError::Version => write!(f, "HTTP version not supported"),
            HeadError::Closed { received: 0 } => write!(f, "connection closed before any byte"),
            HeadError::Closed { received } => {
                write!(f, "connection closed after {received} bytes of an incomplete head")
            }
            HeadError::TimedOut => write!(f, "timed out waiting for the head"),
            HeadError::Io(e) => write!(f, "{}", crate::io_text::describe(e)),
        }
    }
}

impl std::error::Error for HeadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HeadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Checks the size limits on a head that is still incomplete (`buf` is all
/// of it so far) or complete (`buf` is exactly the head).
pub(crate) fn check_limits(buf: &[u8], limits: &Limits) -> Result<(), HeadError> {
    // Leading blank lines are skipped by the parser (RFC 9112 2.2).
    let start = buf.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(buf.len());
    let line = &buf[start..];
    match line.iter().position(|&b| b == b'\n') {
        Some(end) if end > limits.max_line => return Err(HeadError::LineTooLong),
        None if line.len() > limits.max_line => return Err(HeadError::LineTooLong),
        _ => {}
    }
    if buf.len() > limits.max_head {
        return Err(HeadError::HeadTooLarge);
    }
    Ok(())
}

/// A stream whose reads can be given a timeout, so a head read can honour
/// an overall deadline.
pub trait TimedRead: Read {
    /// Sets (or with `None` clears) the timeout of each following read.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
}

impl TimedRead for TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

impl TimedRead for &TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// How many bytes to ask for per read while collecting a head.
const READ_CHUNK: usize = 4096;

/// Reads from `stream` into `buf` until `parse` finds a complete head, then
/// removes the head's bytes from the front of `buf` (what follows, the body
/// or a pipelined request, stays) and returns what `parse` made of it.
///
/// `buf` may already hold bytes. `parse` is responsible for the limits (it
/// is given the whole buffer each time), so `buf` never grows past the head
/// limit plus one read. With a `deadline`, each read gets the time left.
pub fn read_head<S: TimedRead + ?Sized, T>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    deadline: Option<Instant>,
    mut parse: impl FnMut(&[u8]) -> Result<Option<(T, usize)>, HeadError>,
) -> Result<T, HeadError> {
    loop {
        if !buf.is_empty()
            && let Some((head, used)) = parse(buf)?
        {
            buf.drain(..used);
            return Ok(head);
        }
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(HeadError::TimedOut);
            }
            stream.set_read_timeout(Some(left)).map_err(HeadError::Io)?;
        }
        let old = buf.len();
        buf.resize(old + READ_CHUNK, 0);
        let n = loop {
            match stream.read(&mut buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    buf.truncate(old);
                    return Err(HeadError::TimedOut);
                }
                Err(e) => {
                    buf.truncate(old);
                    return Err(HeadError::Io(e));
                }
            }
        };
        buf.truncate(old + n);
        if n == 0 {
            return Err(HeadError::Closed { received: old });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_table() {
        let limits = Limits { max_line: 10, max_head: 20, max_headers: 4 };
        let cases: &[(&[u8], Option<u16>)] = &[
            (b"GET / HTTP", None),
            (b"GET /ab HTTP", Some(414)),
            (b"\r\n\r\nGET / HTTP", None),
            (b"GET /\r\nA: 1\r\nB: 2\r\nCC", Some(431)),
            (b"GET /\r\nA: 1\r\nB: 2\r\n", None),
            (b"0123456789\nx", None),
            (b"01234567890\nx", Some(414)),
        ];
        for (buf, want) in cases {
            let got = check_limits(buf, &limits).err().map(|e| e.status());
            assert_eq!(got, *want, "buf {:?}", String::from_utf8_lossy(buf));
        }
    }

    #[test]
    fn status_table() {
        let cases: &[(HeadError, u16)] = &[
            (HeadError::LineTooLong, 414),
            (HeadError::HeadTooLarge, 431),
            (HeadError::TooManyHeaders, 431),
            (HeadError::Malformed("x"), 400),
            (HeadError::Version, 505),
            (HeadError::TimedOut, 408),
        ];
        for (e, want) in cases {
            assert_eq!(e.status(), *want, "{e}");
        }
    }
}
