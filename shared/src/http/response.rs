//! HTTP/1.x response heads, client side: parse a status line and fields,
//! and read the final response off a stream, skipping interim 1xx ones.
//! Pair with [`crate::http::framing::response_body`] to know how the body ends.

use std::time::Instant;

use crate::http::head::{HeadError, Limits, TimedRead, check_limits, read_head};
use crate::http::headers::Headers;

/// Most fields the parser has room for, whatever the limits say.
const MAX_FIELDS: usize = 256;

/// Most interim (1xx) responses skipped before the final one; a server that
/// sends more is not going to send a final response.
pub const MAX_INTERIM: usize = 10_000;

/// A parsed response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    /// Status code, 100 to 999.
    pub status: u16,
    /// Reason phrase (may be empty).
    pub reason: String,
    /// Header fields in wire order.
    pub headers: Headers,
}

impl ResponseHead {
    /// True for 1xx other than 101: an interim response a final one follows.
    pub fn is_interim(&self) -> bool {
        (100..200).contains(&self.status) && self.status != 101
    }

    /// The status line, without line end (`HTTP/1.1 200 OK`).
    pub fn status_line(&self) -> String {
        format!("HTTP/1.{} {} {}", self.minor, self.status, self.reason)
    }
}

/// Parses a response head from the start of `buf`: `Ok(None)` means more
/// bytes are needed. Clients are lenient where the RFC lets them be: obs-fold
/// lines are joined and spaces before a colon tolerated.
pub fn parse_response(buf: &[u8], limits: &Limits) -> Result<Option<(ResponseHead, usize)>, HeadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_FIELDS];
    let room = limits.max_headers.min(MAX_FIELDS);
    let mut res = httparse::Response::new(&mut fields[..room]);
    let parsed = httparse::ParserConfig::default()
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_spaces_after_header_name_in_responses(true)
        .parse_response(&mut res, buf);
    match parsed {
        Ok(httparse::Status::Complete(n)) => {
            check_limits(&buf[..n], limits)?;
            let head = ResponseHead {
                minor: res.version.unwrap_or(1),
                status: res.code.unwrap_or_default(),
                reason: res.reason.unwrap_or_default().to_string(),
                headers: Headers::from_parsed(res.headers),
            };
            Ok(Some((head, n)))
        }
        Ok(httparse::Status::Partial) => {
            check_limits(buf, limits)?;
            Ok(None)
        }
        Err(e) => {
            check_limits(buf, limits)?;
            Err(HeadError::from_httparse(e))
        }
    }
}

/// Reads responses from `stream` until a final one (not 1xx, or 101), and
/// returns it; each interim response is handed to `on_interim` (for verbose
/// output). Bytes after the head stay in `buf`.
pub fn read_final_response<S: TimedRead + ?Sized>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    limits: &Limits,
    deadline: Option<Instant>,
    mut on_interim: impl FnMut(&ResponseHead),
) -> Result<ResponseHead, HeadError> {
    for _ in 0..=MAX_INTERIM {
        let head = read_head(stream, buf, deadline, |b| parse_response(b, limits))?;
        if !head.is_interim() {
            return Ok(head);
        }
        on_interim(&head);
    }
    Err(HeadError::Malformed("too many interim (1xx) responses"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{self, Read};
    use std::time::Duration;

    /// A stream that hands out its bytes a few at a time, as a network would.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(self.data.len()).min(out.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    impl TimedRead for Trickle<'_> {
        fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    fn outcome(buf: &[u8]) -> String {
        match parse_response(buf, &Limits::default()) {
            Ok(Some((h, n))) => format!("{} {} [{}] {} {}", h.minor, h.status, h.reason, h.headers.len(), n),
            Ok(None) => "Partial".into(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn response_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "1 200 [OK] 1 38"),
            (b"HTTP/1.0 404 Not Found\r\n\r\n", "0 404 [Not Found] 0 26"),
            (b"HTTP/1.1 200 \r\n\r\n", "1 200 [] 0 17"),
            (b"HTTP/1.1 200 OK\nA: b\n\n", "1 200 [OK] 1 22"),
            (b"HTTP/1.1 200 OK\r\nA: b\r\n  c\r\n\r\n", "1 200 [OK] 1 30"),
            (b"HTTP/1.1 200 OK\r\n", "Partial"),
            (b"HTTP/1.1 2000 OK\r\n\r\n", "error: malformed head: invalid status code"),
            (b"hello world\r\n\r\n", "error: malformed head: invalid HTTP version"),
            (b"HTTP/2 200\r\n\r\n", "error: malformed head: invalid HTTP version"),
        ];
        for (buf, want) in cases {
            assert_eq!(outcome(buf), *want, "{:?}", String::from_utf8_lossy(buf));
        }
    }

    #[test]
    fn skips_100_continue_before_200() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        let mut stream = Trickle { data: wire, step: 3 };
        let mut buf = Vec::new();
        let mut interim = Vec::new();
        let head =
            read_final_response(&mut stream, &mut buf, &Limits::default(), None, |h| interim.push(h.status)).unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(interim, vec![100, 103]);
        // What follows the head stays for the body reader, possibly partial.
        let mut rest = buf.clone();
        stream.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"hi");
    }

    #[test]
    fn empty_reply_and_cut_head() {
        let mut buf = Vec::new();
        let e = read_final_response(&mut Trickle { data: b"", step: 1 }, &mut buf, &Limits::default(), None, |_| {})
            .unwrap_err();
        assert!(matches!(e, HeadError::Closed { received: 0 }), "{e}");
        let mut buf = Vec::new();
        let e = read_final_response(
            &mut Trickle { data: b"HTTP/1.1 200 OK\r\nA:", step: 1 },
            &mut buf,
            &Limits::default(),
            None,
            |_| {},
        )
        .unwrap_err();
        assert!(matches!(e, HeadError::Closed { received: 19 }), "{e}");
    }

    #[test]
    fn head_split_across_many_reads() {
        let wire = b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 99\r\n\r\n";
        let mut buf = Vec::new();
        let head =
            read_final_response(&mut Trickle { data: wire, step: 1 }, &mut buf, &Limits::default(), None, |_| {})
                .unwrap();
        assert_eq!(head.status, 304);
        assert!(buf.is_empty());
        // A 304 carrying Content-Length still has no body.
        let framing = crate::http::framing::response_body(false, head.status, &head.headers).unwrap();
        assert_eq!(framing, crate::http::framing::BodyLength::None);
    }
}
