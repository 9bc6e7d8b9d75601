//! Why a fetch failed: one error type that names what happened ([`Kind`]),
//! carries the one line printed for it (naming the URL and the cause), and
//! keeps the error underneath as its [`source`](std::error::Error::source).
//! [`exit_code`] is the one place that turns it into the number scripts
//! see: curl's.

use std::fmt;
use std::io;

use shared::http::body::BodyError;
use shared::http::head::HeadError;
use shared::io_text::describe;

/// Exit codes, curl's numbers: the values of [`exit_code`]'s table.
pub mod code {
    /// The URL's scheme is not http or https (or https in a build without
    /// TLS): curl's "unsupported protocol".
    pub const UNSUPPORTED_SCHEME: u8 = 1;
    /// Bad usage (clap's own code).
    pub const USAGE: u8 = 2;
    /// The URL does not parse.
    pub const BAD_URL: u8 = 3;
    /// The proxy's host name does not resolve.
    pub const RESOLVE_PROXY: u8 = 5;
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
    /// A file or stdin given as the request body could not be read.
    pub const READ_BODY: u8 = 26;
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
    /// A `--compressed` body does not decode (or names a coding not known).
    pub const DECODE: u8 = 61;
    /// The body is larger than `--max-filesize`.
    pub const TOO_LARGE: u8 = 63;
    /// A SOCKS proxy failed or refused.
    pub const PROXY: u8 = 97;
    /// The request body would have to be sent again, and it came from
    /// stdin (after a 307 or 308, or for a retry).
    pub const REWIND: u8 = 65;
}

/// What went wrong, in the terms a script cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// The command line asks for something impossible, or names a file
    /// that cannot be read (`-d @FILE`, `--cacert`).
    Usage,
    /// The URL does not parse, or has no host.
    BadUrl,
    /// A scheme other than http and https.
    UnsupportedScheme,
    /// An https URL, and this build has no TLS (the `tls` feature was off).
    NoTls,
    /// The host name does not resolve.
    Resolve,
    /// No address of the host accepted the connection.
    Connect,
    /// A limit passed: `--connect-timeout`, `--max-time` or the idle limit.
    TimedOut,
    /// The response breaks HTTP/1.1: its head, its framing, its chunks, its
    /// Location, or a range other than the one asked for.
    Malformed,
    /// The body ended before its announced end.
    CutShort,
    /// The final response has this status, 400 or more.
    HttpStatus(u16),
    /// Writing the output failed.
    Write,
    /// The TLS handshake (or setting TLS up) failed.
    TlsHandshake,
    /// The server's certificate is not trusted.
    CertificateNotTrusted,
    /// More redirects than `--max-redirects`.
    TooManyRedirects,
    /// The connection closed before any byte of a response.
    EmptyReply,
    /// The connection failed while receiving.
    Receive,
    /// A file or stdin given as the request body could not be read.
    ReadBody,
    /// A request body from stdin would have to be sent a second time.
    Rewind,
    /// The proxy's host name does not resolve.
    ResolveProxy,
    /// An HTTP proxy answered CONNECT with a status other than 2xx.
    TunnelRefused,
    /// A SOCKS proxy refused, wanted other credentials, or broke its
    /// protocol.
    ProxyFailed,
    /// A `--compressed` body does not decode.
    Decode,
    /// The body is larger than `--max-filesize`.
    TooLarge,
}

/// Statuses worth asking again for: the server may answer differently in
/// a moment.
const RETRY_STATUS: [u16; 6] = [408, 429, 500, 502, 503, 504];

impl Kind {
    /// True for failures of the connection rather than of the request: a
    /// new connection may cure them (a body cut short included: a retry
    /// continues it from where it stopped).
    pub fn transient(self) -> bool {
        matches!(self, Kind::Connect | Kind::TimedOut | Kind::EmptyReply | Kind::Receive | Kind::CutShort)
    }

    /// True when the bytes that reached a file before this failure are the
    /// file's, so `--continue` may resume them: not after a body that did
    /// not decode, nor one past `--max-filesize`.
    pub fn keeps_part(self) -> bool {
        !matches!(self, Kind::Decode | Kind::TooLarge)
    }

    /// True for what `--retry` retries: transient failures, and the
    /// statuses of a server that is busy or briefly broken.
    pub fn retryable(self) -> bool {
        match self {
            Kind::HttpStatus(status) => RETRY_STATUS.contains(&status),
            other => other.transient(),
        }
    }
}

/// A failed fetch.
#[derive(Debug)]
pub struct Error {
    /// What happened: chooses the exit code.
    kind: Kind,
    /// The line printed: the URL (or option) and the cause, in words. It
    /// already includes what the source says, so a reporter prints this
    /// alone rather than walking the chain.
    message: String,
    /// The error underneath, for code that wants to look closer.
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error of `kind` printed as `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), source: None }
    }

    /// The same error, caused by `source`.
    pub fn because(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        self.source = Some(source.into());
        self
    }

    /// What happened.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// A usage error caused by an I/O error, worded `{what}: {cause}`.
    pub fn usage_io(what: &str, e: io::Error) -> Error {
        Error::new(Kind::Usage, format!("{what}: {}", describe(&e))).because(e)
    }

    /// A limit passed while doing something at `url`.
    pub fn timed_out(url: &str) -> Error {
        Error::new(Kind::TimedOut, format!("{url}: timed out"))
    }

    /// The response's framing cannot be trusted.
    pub fn malformed(url: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::new(Kind::Malformed, format!("{url}: malformed response: {e}")).because(e)
    }

    /// The final response's status is 400 or more.
    pub fn http_status(url: &str, status: u16, reason: &str) -> Error {
        Error::new(Kind::HttpStatus(status), format!("{url}: HTTP {status} {reason}"))
    }

    /// Writing `what` (a path, or `stdout`) failed.
    pub fn write(what: &str, e: io::Error) -> Error {
        Error::new(Kind::Write, format!("writing {what}: {}", describe(&e))).because(e)
    }

    /// Reading a response head from `url` failed.
    pub fn head(url: &str, e: HeadError) -> Error {
        match e {
            HeadError::Closed { received: 0 } => {
                Error::new(Kind::EmptyReply, format!("{url}: empty reply: the server closed the connection")).because(e)
            }
            HeadError::TimedOut => {
                Error::new(Kind::TimedOut, format!("{url}: timed out waiting for the response")).because(e)
            }
            HeadError::Io(io) => Error::receive(url, io),
            other => Error::malformed(url, other),
        }
    }

    /// Reading a response (body or head) from `url` failed.
    pub fn receive(url: &str, e: io::Error) -> Error {
        if let Some(body) = BodyError::find(&e) {
            let kind = if body.is_cut_short() { Kind::CutShort } else { Kind::Malformed };
            return Error::new(kind, format!("{url}: {body}")).because(e);
        }
        #[cfg(feature = "tls")]
        if let Some(tls) = crate::tls::rustls_error(&e) {
            return Error::new(Kind::Receive, format!("{url}: TLS error while receiving: {tls}")).because(e);
        }
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                Error::new(Kind::TimedOut, format!("{url}: timed out while receiving")).because(e)
            }
            _ => Error::new(Kind::Receive, format!("{url}: {}", describe(&e))).because(e),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The exit code for `error`: the one place a failure becomes a number.
pub fn exit_code(error: &Error) -> u8 {
    match error.kind {
        Kind::UnsupportedScheme | Kind::NoTls => code::UNSUPPORTED_SCHEME,
        Kind::Usage => code::USAGE,
        Kind::BadUrl => code::BAD_URL,
        Kind::Resolve => code::RESOLVE,
        Kind::Connect => code::CONNECT,
        Kind::Malformed => code::MALFORMED,
        Kind::CutShort => code::CUT_SHORT,
        Kind::HttpStatus(_) => code::HTTP_ERROR,
        Kind::Write => code::WRITE,
        Kind::TimedOut => code::TIMEOUT,
        Kind::TlsHandshake => code::TLS,
        Kind::TooManyRedirects => code::TOO_MANY_REDIRECTS,
        Kind::EmptyReply => code::EMPTY_REPLY,
        Kind::Receive => code::RECV,
        Kind::CertificateNotTrusted => code::CERT,
        Kind::ReadBody => code::READ_BODY,
        Kind::Rewind => code::REWIND,
        Kind::ResolveProxy => code::RESOLVE_PROXY,
        Kind::TunnelRefused => code::RECV,
        Kind::ProxyFailed => code::PROXY,
        Kind::Decode => code::DECODE,
        Kind::TooLarge => code::TOO_LARGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        let url = "http://h/";
        let cases: Vec<(Error, u8)> = vec![
            (Error::head(url, HeadError::Closed { received: 0 }), code::EMPTY_REPLY),
            (Error::head(url, HeadError::Closed { received: 5 }), code::MALFORMED),
            (Error::head(url, HeadError::Malformed("x")), code::MALFORMED),
            (Error::head(url, HeadError::HeadTooLarge), code::MALFORMED),
            (Error::head(url, HeadError::TimedOut), code::TIMEOUT),
            (Error::receive(url, BodyError::CutShort { expected: 5, received: 1 }.into_io()), code::CUT_SHORT),
            (Error::receive(url, BodyError::ChunkedCutShort.into_io()), code::CUT_SHORT),
            (Error::receive(url, BodyError::ChunkSizeOverflow.into_io()), code::MALFORMED),
            (Error::receive(url, io::Error::from(io::ErrorKind::ConnectionReset)), code::RECV),
            (Error::receive(url, io::Error::from(io::ErrorKind::WouldBlock)), code::TIMEOUT),
        ];
        for (error, want) in cases {
            assert_eq!(exit_code(&error), want, "{error}");
            assert!(error.message.starts_with(url), "{error}");
            assert!(std::error::Error::source(&error).is_some(), "{error}: keeps its cause");
        }
    }

    #[test]
    fn retryable_table() {
        let cases = [
            (Kind::Connect, true),
            (Kind::TimedOut, true),
            (Kind::EmptyReply, true),
            (Kind::Receive, true),
            (Kind::HttpStatus(503), true),
            (Kind::HttpStatus(429), true),
            (Kind::HttpStatus(404), false),
            (Kind::CutShort, true),
            (Kind::Malformed, false),
            (Kind::Write, false),
            (Kind::CertificateNotTrusted, false),
        ];
        for (kind, want) in cases {
            assert_eq!(kind.retryable(), want, "{kind:?}");
        }
    }
}
