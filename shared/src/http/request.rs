//! HTTP/1.x request heads, server side: parse the request line and fields
//! from a buffer under [`Limits`], telling "need more bytes" (`Ok(None)`)
//! apart from bad bytes and from a head that is too large.

use crate::http::head::{HeadError, Limits, check_limits};
use crate::http::headers::Headers;

/// Most fields the parser has room for, whatever the limits say.
const MAX_FIELDS: usize = 256;

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The method token, case-sensitive (`GET`).
    pub method: String,
    /// The request target exactly as sent; see [`crate::http::target`] to parse it.
    pub target: String,
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    /// Header fields in wire order.
    pub headers: Headers,
}

impl RequestHead {
    /// Whether the connection may stay open after the response, by the
    /// version's default and the `Connection` field (RFC 9112 9.3).
    pub fn keep_alive(&self) -> bool {
        if self.headers.has_token("connection", "close") {
            return false;
        }
        self.minor >= 1 || self.headers.has_token("connection", "keep-alive")
    }

    /// The request line as sent, for logs.
    pub fn request_line(&self) -> String {
        format!("{} {} HTTP/1.{}", self.method, self.target, self.minor)
    }
}

/// Parses a request head from the start of `buf`.
///
/// Returns `Ok(Some((head, n)))` when the head is complete and took `n`
/// bytes, `Ok(None)` when more bytes are needed, and an error when the bytes
/// can never become a valid head within `limits`.
pub fn parse_request(buf: &[u8], limits: &Limits) -> Result<Option<(RequestHead, usize)>, HeadError> {
    // Uninitialised slots: no 8 KiB of zeroing per request.
    let mut fields = [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_FIELDS];
    let room = limits.max_headers.min(MAX_FIELDS);
    let mut req = httparse::Request::new(&mut []);
    match req.parse_with_uninit_headers(buf, &mut fields[..room]) {
        Ok(httparse::Status::Complete(n)) => {
            check_limits(&buf[..n], limits)?;
            let head = RequestHead {
                method: req.method.unwrap_or_default().to_string(),
                target: req.path.unwrap_or_default().to_string(),
                minor: req.version.unwrap_or(1),
                headers: Headers::from_parsed(req.headers),
            };
            Ok(Some((head, n)))
        }
        Ok(httparse::Status::Partial) => {
            check_limits(buf, limits)?;
            Ok(None)
        }
        Err(e) => {
            // A size limit broken on the way is the more useful answer.
            check_limits(buf, limits)?;
            if e == httparse::Error::Version && names_other_version(buf) {
                return Err(HeadError::Version);
            }
            Err(HeadError::from_httparse(e))
        }
    }
}

/// True when the first line is `METHOD SP TARGET SP HTTP/x[.y]`: well-formed
/// but for a version we do not speak (505 rather than 400).
fn names_other_version(buf: &[u8]) -> bool {
    let start = buf.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(buf.len());
    let line = &buf[start..];
    let line = &line[..line.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(line.len())];
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let [_, _, version] = parts.as_slice() else {
        return false;
    };
    match version.strip_prefix(b"HTTP/") {
        Some([major]) => major.is_ascii_digit(),
        Some([major, b'.', minor]) => major.is_ascii_digit() && minor.is_ascii_digit(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a parse came to, compactly: `Ok(method target minor nfields used)`,
    /// `Partial`, or the status a server would answer.
    fn outcome(buf: &[u8], limits: &Limits) -> String {
        match parse_request(buf, limits) {
            Ok(Some((h, n))) => format!("{} {} 1.{} {} {}", h.method, h.target, h.minor, h.headers.len(), n),
            Ok(None) => "Partial".to_string(),
            Err(e) => e.status().to_string(),
        }
    }

    #[test]
    fn request_table() {
        let l = Limits::default();
        let long_target = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(8200));
        let many_fields = format!("GET / HTTP/1.1\r\n{}\r\n", "A: b\r\n".repeat(101));
        let hundred_fields = format!("GET / HTTP/1.1\r\n{}\r\n", "A: b\r\n".repeat(100));
        let big_head = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "v".repeat(16 * 1024));
        let cases: &[(&[u8], &str)] = &[
            (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / 1.1 1 27"),
            (b"HEAD /x?y=1 HTTP/1.0\r\n\r\n", "HEAD /x?y=1 1.0 0 24"),
            (b"GET / HTTP/1.1\nHost: a\n\n", "GET / 1.1 1 24"),
            (b"\r\nGET / HTTP/1.1\r\n\r\n", "GET / 1.1 0 20"),
            (b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next", "GET / 1.1 1 27"),
            (b"GET / HTTP/1.1\r\nHost: a\r\n", "Partial"),
            (b"GET / HT", "Partial"),
            (b"", "Partial"),
            (b"GET / HTTP/2.0\r\n\r\n", "505"),
            (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "505"),
            (b"GET / HTTP/3\r\n\r\n", "505"),
            (b"GET /\r\n\r\n", "400"),
            (b"GET / HTTP/1.1\r\nNoColon\r\n\r\n", "400"),
            (b"GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", "400"),
            (b"GET / HTTP/1.1\rHost: a\r\n\r\n", "400"),
            (b"G(T / HTTP/1.1\r\n\r\n", "400"),
            (b"GET /\0 HTTP/1.1\r\n\r\n", "400"),
            (b"GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n", "400"),
            (long_target.as_bytes(), "414"),
            (&long_target.as_bytes()[..8200], "414"),
            (many_fields.as_bytes(), "431"),
            (hundred_fields.as_bytes(), "GET / 1.1 100 618"),
            (big_head.as_bytes(), "431"),
            (&big_head.as_bytes()[..16 * 1024 + 5], "431"),
        ];
        for (buf, want) in cases {
            assert_eq!(outcome(buf, &l), *want, "input {:?}", String::from_utf8_lossy(&buf[..buf.len().min(60)]));
        }
    }

    #[test]
    fn one_byte_over_the_head_limit() {
        let head = |pad: usize| format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "v".repeat(pad));
        let base = head(0).len();
        let limits = Limits { max_head: 100, ..Limits::default() };
        let exact = head(100 - base);
        assert_eq!(exact.len(), 100);
        assert!(matches!(parse_request(exact.as_bytes(), &limits), Ok(Some(_))));
        let over = head(101 - base);
        assert_eq!(outcome(over.as_bytes(), &limits), "431");
    }

    #[test]
    fn head_split_across_many_reads() {
        let full = b"GET /a%20b HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
        let l = Limits::default();
        for cut in 0..full.len() {
            assert_eq!(outcome(&full[..cut], &l), "Partial", "cut at {cut}");
        }
        assert_eq!(outcome(full, &l), format!("GET /a%20b 1.1 2 {}", full.len()));
    }

    #[test]
    fn keep_alive_table() {
        let cases: &[(&[u8], bool)] = &[
            (b"GET / HTTP/1.1\r\n\r\n", true),
            (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
            (b"GET / HTTP/1.1\r\nConnection: foo, Close\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ];
        for (buf, want) in cases {
            let (h, _) = parse_request(buf, &Limits::default()).unwrap().unwrap();
            assert_eq!(h.keep_alive(), *want, "{:?}", String::from_utf8_lossy(buf));
        }
    }
}
