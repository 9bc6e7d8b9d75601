//! The access log: one line per response on stderr, with the client
//! address, the time (UTC), the request line, the status, the body bytes
//! sent and how long the response took. Request bytes are escaped, so a
//! request cannot forge log lines or send terminal escapes.

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

/// A response being made, for its log line.
#[derive(Debug)]
pub struct Entry {
    /// The request line (or the start of what was sent), escaped.
    pub request: String,
    /// When the complete request was taken up.
    pub started: Instant,
    /// The status sent.
    pub status: u16,
    /// Body bytes planned.
    pub bytes: u64,
}

/// Formats one log line (without the newline).
pub fn line(peer: SocketAddr, at: SystemTime, entry: &Entry, took: Duration) -> String {
    format!(
        "{peer} [{}] \"{}\" {} {} {}",
        shared::http::date::format_rfc3339(at),
        entry.request,
        entry.status,
        entry.bytes,
        duration(took)
    )
}

/// The line for a request that got no response because the client went
/// away first (an upload cut short): `-` where the status would be.
pub fn unanswered(peer: SocketAddr, at: SystemTime, request: &str, received: u64, took: Duration, why: &str) -> String {
    format!(
        "{peer} [{}] \"{request}\" - 0 {} (dropped: {why} after {received} body bytes)",
        shared::http::date::format_rfc3339(at),
        duration(took)
    )
}

/// `0.35ms`, `12ms`, `1.20s`.
pub fn duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}ms")
    } else if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{:.2}s", ms / 1000.0)
    }
}

/// Writes a line to stderr; a closed stderr is no reason to stop serving.
pub fn write(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.write_all(b"\n");
}

/// The first line of an unparsable head, escaped and shortened, so the log
/// shows what was sent.
pub fn raw_request(buf: &[u8]) -> String {
    let start = buf.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(buf.len());
    let rest = &buf[start..];
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let end = line_end.min(200);
    let line = &rest[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut text = crate::escape::log(line);
    if end < line_end {
        text.push_str("...");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        let entry = Entry { request: "GET / HTTP/1.1".into(), started: Instant::now(), status: 200, bytes: 12 };
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_528_359);
        let got = line("127.0.0.1:5000".parse().unwrap(), at, &entry, Duration::from_micros(350));
        assert_eq!(got, "127.0.0.1:5000 [2026-11-24T13:52:39Z] \"GET / HTTP/1.1\" 200 12 0.35ms");
    }

    #[test]
    fn duration_table() {
        let cases = [
            (Duration::from_micros(350), "0.35ms"),
            (Duration::from_millis(12), "12ms"),
            (Duration::from_millis(1200), "1.20s"),
        ];
        for (d, want) in cases {
            assert_eq!(duration(d), want);
        }
    }

    #[test]
    fn raw_request_table() {
        let long = vec![b'A'; 300];
        let cases: &[(&[u8], &str)] = &[
            (b"\r\nGET /\x1b HTTP/1.1\r\nHost: x\r\n", "GET /\\x1b HTTP/1.1"),
            (b"GET /\r\r\n", "GET /\\x0d"),
            (b"garbage", "garbage"),
            (&long, &format!("{}...", "A".repeat(200))),
        ];
        for (input, want) in cases {
            assert_eq!(raw_request(input), *want);
        }
    }
}
