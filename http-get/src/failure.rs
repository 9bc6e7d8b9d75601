//! Why a fetch failed, as an exit code script authors already know (curl's
//! numbers) and one line naming the URL and the cause.

use std::fmt;
use std::io;

use shared::http::body::BodyError;
use shared::http::head::HeadError;

/// Exit codes, curl's numbers.
pub mod code {
    /// The URL's scheme is not http or https.
    pub const UNSUPPORTED_SCHEME: u8 = 1;
    /// Bad usage (clap's own code).
    pub const USAGE: u8 = 2;
    /// The URL does not parse.
    pub const BAD_URL: u8 = 3;
    /// The host name does not resolve.
    pub const RESOLVE: u8 = 6;
    /// No address of the host accepted the connection.
    pub const CONNECT: u8 = 7;
    /// The response is malformed (status line, Content-Length, chunks).
    pub const MALFORMED: u8 = 8;
    /// The body ended before its announced end.
    pub const CUT_SHORT: u8 = 18;
    /// HTTP status 400 or more.
    pub const HTTP_ERROR: u8 = 22;
    /// Writing the output failed (disk full, bad path).
    pub const WRITE: u8 = 23;
    /// A timeout passed.
    pub const TIMEOUT: u8 = 28;
    /// The TLS handshake failed.
    pub const TLS: u8 = 35;
    /// More redirects than `--max-redirects`.
    pub const TOO_MANY_REDIRECTS: u8 = 47;
    /// The connection closed before any byte of a response.
    pub const EMPTY_REPLY: u8 = 52;
    /// The connection failed while receiving.
    pub const RECV: u8 = 56;
    /// The server's certificate is not trusted.
    pub const CERT: u8 = 60;
}

/// A failed fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// One line: what went wrong, naming the URL.
    pub message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure { code, message: message.into() }
    }

    /// True for failures a retry may cure: connection trouble and timeouts.
    pub fn transient(&self) -> bool {
        matches!(self.code, code::CONNECT | code::TIMEOUT | code::EMPTY_REPLY | code::RECV)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Classifies an error reading a response head from `url`.
pub fn head_error(url: &str, e: &HeadError) -> Failure {
    match e {
        HeadError::Closed { received: 0 } => {
            Failure::new(code::EMPTY_REPLY, format!("{url}: empty reply: the server closed the connection"))
        }
        HeadError::TimedOut => Failure::new(code::TIMEOUT, format!("{url}: timed out waiting for the response")),
        HeadError::Io(io) => receive_error(url, io),
        other => Failure::new(code::MALFORMED, format!("{url}: malformed response: {other}")),
    }
}

/// Classifies an error reading a response (body or head) from `url`.
pub fn receive_error(url: &str, e: &io::Error) -> Failure {
    if let Some(body) = BodyError::find(e) {
        let code = if body.is_cut_short() { code::CUT_SHORT } else { code::MALFORMED };
        return Failure::new(code, format!("{url}: {body}"));
    }
    if let Some(tls) = tls_error(e) {
        return Failure::new(code::RECV, format!("{url}: TLS error while receiving: {tls}"));
    }
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            Failure::new(code::TIMEOUT, format!("{url}: timed out while receiving"))
        }
        _ => Failure::new(code::RECV, format!("{url}: {}", shared::io_text::describe(e))),
    }
}

/// The rustls error inside an I/O error, if that is what it is.
pub fn tls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        let url = "http://h/";
        let cases: Vec<(Failure, u8)> = vec![
            (head_error(url, &HeadError::Closed { received: 0 }), code::EMPTY_REPLY),
            (head_error(url, &HeadError::Closed { received: 5 }), code::MALFORMED),
            (head_error(url, &HeadError::Malformed("x")), code::MALFORMED),
            (head_error(url, &HeadError::HeadTooLarge), code::MALFORMED),
            (head_error(url, &HeadError::TimedOut), code::TIMEOUT),
            (receive_error(url, &BodyError::CutShort { expected: 5, received: 1 }.into_io()), code::CUT_SHORT),
            (receive_error(url, &BodyError::ChunkedCutShort.into_io()), code::CUT_SHORT),
            (receive_error(url, &BodyError::ChunkSizeOverflow.into_io()), code::MALFORMED),
            (receive_error(url, &io::Error::from(io::ErrorKind::ConnectionReset)), code::RECV),
            (receive_error(url, &io::Error::from(io::ErrorKind::WouldBlock)), code::TIMEOUT),
        ];
        for (failure, want) in cases {
            assert_eq!(failure.code, want, "{failure}");
            assert!(failure.message.starts_with(url), "{failure}");
        }
    }
}
