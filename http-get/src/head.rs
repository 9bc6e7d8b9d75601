//! Reading a response head the way `-i` must print it: the bytes exactly
//! as they arrived (line ends and spacing untouched), interim 1xx heads
//! included, with every line held to 64 KiB, not just the status line.

use shared::http::head::{HeadError, Limits, TimedRead, read_head};
use shared::http::response::{MAX_INTERIM, ResponseHead, parse_response};

/// Longest status or header line, its line end not counted.
pub const MAX_LINE: usize = 64 * 1024;

/// The limits on a response head: a line of 64 KiB, 256 KiB in all, 256
/// fields.
pub const LIMITS: Limits = Limits { max_line: MAX_LINE, max_head: 256 * 1024, max_headers: 256 };

/// A final response head and the bytes it came as.
#[derive(Debug)]
pub struct Received {
    /// The parsed final head.
    pub head: ResponseHead,
    /// Every head's bytes as received, interim ones first, each with its
    /// blank line: what `-i` prints.
    pub raw: Vec<u8>,
}

/// Reads heads from `stream` until a final one (not 1xx, or 101); each
/// interim head is handed to `on_interim`. Bytes past the head stay in
/// `buf` (the body's first bytes).
pub fn read_final<S: TimedRead + ?Sized>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    mut on_interim: impl FnMut(&ResponseHead),
) -> Result<Received, HeadError> {
    let mut raw = Vec::new();
    for _ in 0..=MAX_INTERIM {
        let (head, bytes) = read_head(stream, buf, None, |b| {
            let parsed = parse_response(b, &LIMITS);
            // The head so far: all of it when incomplete, its own bytes when
            // complete (what follows is the body's).
            let seen = match &parsed {
                Ok(Some((_, n))) => &b[..*n],
                _ => b,
            };
            check_lines(seen, parsed.as_ref().is_ok_and(Option::is_some))?;
            Ok(parsed?.map(|(head, n)| ((head, b[..n].to_vec()), n)))
        })?;
        raw.extend_from_slice(&bytes);
        if !head.is_interim() {
            return Ok(Received { head, raw });
        }
        on_interim(&head);
    }
    Err(HeadError::Malformed("too many interim (1xx) responses"))
}

/// Refuses a line longer than [`MAX_LINE`] (its CRLF or LF not counted).
/// In an incomplete head the last line may still be growing: its CR, if
/// it already came, is not counted either.
fn check_lines(head: &[u8], complete: bool) -> Result<(), HeadError> {
    let too_long = Err(HeadError::Malformed("a header line over 64 KiB"));
    let mut lines = head.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        let len = line.strip_suffix(b"\r").map_or(line.len(), <[u8]>::len);
        if len > MAX_LINE || (last && !complete && line.len() > MAX_LINE + 1) {
            return too_long;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{self, Read};
    use std::time::Duration;

    /// Bytes handed out a few at a time, as a network would.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(self.0.len()).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    impl TimedRead for Trickle {
        fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    fn line(len: usize) -> Vec<u8> {
        let mut l = b"X-Long: ".to_vec();
        l.resize(len, b'a');
        l
    }

    fn head_with(field: &[u8]) -> Vec<u8> {
        let mut wire = b"HTTP/1.1 200 OK\r\n".to_vec();
        wire.extend_from_slice(field);
        wire.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        wire
    }

    /// What reading `wire` gives: the raw bytes, or the error.
    fn read(wire: Vec<u8>, step: usize) -> Result<Vec<u8>, String> {
        let mut buf = Vec::new();
        read_final(&mut Trickle(wire, step), &mut buf, |_| {}).map(|r| r.raw).map_err(|e| e.to_string())
    }

    #[test]
    fn line_limit_table() {
        let too_long = Err("malformed head: a header line over 64 KiB".to_string());
        let cases: Vec<(Vec<u8>, bool)> = vec![
            (head_with(&line(MAX_LINE)), true),
            (head_with(&line(MAX_LINE + 1)), false),
            (head_with(&line(200 * 1000)), false),
            (head_with(b"A: b"), true),
        ];
        for (wire, ok) in cases {
            for step in [1000, 4096, 1 << 20] {
                let got = read(wire.clone(), step);
                if ok {
                    assert_eq!(got, Ok(wire.clone()), "{} bytes, step {step}", wire.len());
                } else {
                    assert_eq!(got, too_long, "{} bytes, step {step}", wire.len());
                }
            }
        }
    }

    /// The bytes come back exactly as sent: bare LF, odd spacing, interim
    /// heads first; the body's bytes stay behind.
    #[test]
    fn raw_bytes_as_received() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\nX-A:b  \r\nContent-Length:  2\n\nhi".to_vec();
        let mut buf = Vec::new();
        let mut interim = 0;
        let got = read_final(&mut Trickle(wire.clone(), 5), &mut buf, |_| interim += 1).unwrap();
        assert_eq!(got.raw, wire[..wire.len() - 2]);
        assert_eq!((got.head.status, interim), (200, 1));
        let mut rest = buf;
        rest.extend_from_slice(&[]);
        assert!(b"hi".starts_with(&rest));
    }
}
