//! Response heads, server side: a status line and header fields written into
//! a caller-owned buffer (reused across responses, so a keep-alive
//! connection does not allocate a head per request), and the reason phrases.
//!
//! Values that are already text ([`field_str`]) or a number
//! ([`field_u64`]) are copied without the formatting machinery: a server
//! writes a dozen fields per response, and `write!` per field was a
//! twentieth of a small file's cost under `wrk`.

use std::fmt::Display;
use std::io::Write;

/// The reason phrase for a status code (RFC 9110 section 15).
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Appends one header field line, `name: value` and CRLF, to `buf`. CR, LF
/// and NUL in the value become spaces, so no value can split a head
/// (response splitting).
pub fn field(buf: &mut Vec<u8>, name: &str, value: impl Display) {
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b": ");
    let start = buf.len();
    // Writing to a Vec cannot fail.
    let _ = write!(buf, "{value}");
    defuse(&mut buf[start..]);
    buf.extend_from_slice(b"\r\n");
}

/// [`field`] for a value that is already text.
pub fn field_str(buf: &mut Vec<u8>, name: &str, value: &str) {
    buf.reserve(name.len() + value.len() + 4);
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b": ");
    let start = buf.len();
    buf.extend_from_slice(value.as_bytes());
    defuse(&mut buf[start..]);
    buf.extend_from_slice(b"\r\n");
}

/// [`field`] for a number, in decimal.
pub fn field_u64(buf: &mut Vec<u8>, name: &str, value: u64) {
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b": ");
    crate::decimal::push(buf, value);
    buf.extend_from_slice(b"\r\n");
}

/// CR, LF and NUL become spaces, so no value can split a head.
fn defuse(value: &mut [u8]) {
    for b in value {
        if matches!(*b, b'\r' | b'\n' | b'\0') {
            *b = b' ';
        }
    }
}

/// Writes one response head into a buffer: start with [`HeadWriter::new`],
/// add fields, close with [`HeadWriter::end`].
#[derive(Debug)]
pub struct HeadWriter<'a> {
    /// Where the head goes; bytes already there are kept (appended after).
    buf: &'a mut Vec<u8>,
}

impl<'a> HeadWriter<'a> {
    /// Appends the status line `HTTP/1.1 STATUS REASON`.
    pub fn new(buf: &'a mut Vec<u8>, status: u16) -> HeadWriter<'a> {
        buf.extend_from_slice(b"HTTP/1.1 ");
        crate::decimal::push(buf, u64::from(status));
        buf.push(b' ');
        buf.extend_from_slice(reason(status).as_bytes());
        buf.extend_from_slice(b"\r\n");
        HeadWriter { buf }
    }

    /// Appends `name: value` (see [`field`]).
    pub fn header(&mut self, name: &str, value: impl Display) -> &mut Self {
        field(self.buf, name, value);
        self
    }

    /// Appends `name: value` for a value that is already text.
    pub fn header_str(&mut self, name: &str, value: &str) -> &mut Self {
        field_str(self.buf, name, value);
        self
    }

    /// Appends `name: value` for a number.
    pub fn header_u64(&mut self, name: &str, value: u64) -> &mut Self {
        field_u64(self.buf, name, value);
        self
    }

    /// Appends the blank line that ends the head.
    pub fn end(self) {
        self.buf.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_head() {
        let mut buf = b"leftover|".to_vec();
        let mut h = HeadWriter::new(&mut buf, 206);
        h.header("Content-Range", format_args!("bytes {}-{}/{}", 0, 9, 100)).header("X", "a\r\nSet-Cookie: evil");
        h.end();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "leftover|HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/100\r\nX: a  Set-Cookie: evil\r\n\r\n"
        );
    }

    #[test]
    fn text_and_number_fields_match_formatted_ones() {
        let values = ["", "text/html; charset=utf-8", "a\r\nSet-Cookie: evil\0"];
        for v in values {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            field(&mut a, "X-V", v);
            field_str(&mut b, "X-V", v);
            assert_eq!(a, b, "{v:?}");
        }
        for n in [0, 7, 10, 1024, 4_294_967_296, u64::MAX] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            field(&mut a, "Content-Length", n);
            field_u64(&mut b, "Content-Length", n);
            assert_eq!(a, b, "{n}");
        }
        for status in [100, 200, 404, 599, 999] {
            let mut buf = Vec::new();
            HeadWriter::new(&mut buf, status);
            assert_eq!(buf, format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes());
        }
    }

    #[test]
    fn reason_table() {
        let cases = [
            (200, "OK"),
            (304, "Not Modified"),
            (416, "Range Not Satisfiable"),
            (431, "Request Header Fields Too Large"),
            (599, ""),
        ];
        for (status, want) in cases {
            assert_eq!(reason(status), want);
        }
    }
}
