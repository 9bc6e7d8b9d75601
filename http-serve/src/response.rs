//! A response being made: the head (and a small body) go into the
//! connection's write buffer so they leave in one write; what follows (a
//! large file, the parts of a multipart body) is a queue of pieces sent by
//! [`crate::outgoing`] with sendfile(2).
//!
//! Also the fields every response carries (Date, Server, `-H` extras) and
//! the short HTML pages used for errors and redirects.

use std::collections::VecDeque;
use std::fs::File;
use std::time::SystemTime;

use shared::http::reply::{HeadWriter, reason};

/// One piece of a body that is not in the write buffer.
#[derive(Debug)]
pub enum Piece {
    /// Bytes made here (a multipart delimiter).
    Bytes(Vec<u8>),
    /// Bytes `start..end` of the response's file.
    File {
        /// First byte to send.
        start: u64,
        /// One past the last byte.
        end: u64,
    },
}

/// The part of a body that is not in the write buffer.
#[derive(Debug, Default)]
pub struct Rest {
    /// The file the [`Piece::File`] pieces come from.
    pub file: Option<File>,
    /// What to send after the buffer, in order.
    pub pieces: VecDeque<Piece>,
}

/// What a handler decided; the write buffer holds the head (and maybe the
/// whole body).
#[derive(Debug)]
pub struct Plan {
    /// The status sent, for the log.
    pub status: u16,
    /// Body bytes in all, for the log (0 for HEAD).
    pub body_len: u64,
    /// Close the connection after this response.
    pub close: bool,
    /// The rest of the body.
    pub rest: Rest,
}

impl Plan {
    /// A plan whose whole response is already in the buffer.
    pub fn buffered(status: u16, body_len: u64, close: bool) -> Plan {
        Plan { status, body_len, close, rest: Rest::default() }
    }
}

/// Fields every response carries, and the cached Date value.
#[derive(Debug)]
pub struct Common {
    /// `http-serve/VERSION`.
    server: String,
    /// `-H` fields.
    extra: Vec<(String, String)>,
    /// Date value and the second it is for; formatting is done once a second.
    date: (u64, String),
    /// Content-Type by file extension, as worked out before (bounded).
    types: std::collections::HashMap<Vec<u8>, std::rc::Rc<str>>,
}

impl Common {
    /// Common fields with the given extras.
    pub fn new(extra: Vec<(String, String)>) -> Common {
        Common {
            server: format!("http-serve/{}", env!("CARGO_PKG_VERSION")),
            extra,
            date: (u64::MAX, String::new()),
            types: std::collections::HashMap::new(),
        }
    }

    /// The Content-Type for `path`, remembered per extension so a busy
    /// server does not look it up again for every request.
    pub fn content_type(&mut self, path: &std::path::Path) -> std::rc::Rc<str> {
        use std::os::unix::ffi::OsStrExt;
        let ext = path.extension().map(|e| e.as_bytes().to_ascii_lowercase()).unwrap_or_default();
        if let Some(t) = self.types.get(&ext) {
            return t.clone();
        }
        if self.types.len() >= 256 {
            self.types.clear();
        }
        let t: std::rc::Rc<str> = crate::file::content_type(path).into();
        self.types.insert(ext, t.clone());
        t
    }

    /// Starts a head in `buf` (cleared first) with the common fields.
    pub fn start<'a>(&'a mut self, buf: &'a mut Vec<u8>, status: u16) -> HeadWriter<'a> {
        let now = SystemTime::now();
        let secs = shared::http::date::unix_secs(now);
        if self.date.0 != secs {
            self.date = (secs, shared::http::date::format(now));
        }
        buf.clear();
        let mut head = HeadWriter::new(buf, status);
        head.header("Date", &self.date.1).header("Server", &self.server);
        for (name, value) in &self.extra {
            head.header(name, value);
        }
        head
    }
}

/// Adds the Connection field a response needs: `close` when the server
/// closes after it, `keep-alive` when an HTTP/1.0 client asked to keep the
/// connection (1.1 keeps it by default and needs nothing).
pub fn connection(head: &mut HeadWriter<'_>, close: bool, keep_alive_1_0: bool) {
    if close {
        head.header("Connection", "close");
    } else if keep_alive_1_0 {
        head.header("Connection", "keep-alive");
    }
}

/// How a short HTML response should go out.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageOptions<'a> {
    /// HEAD: the head only.
    pub head_only: bool,
    /// Add `Connection: close` and close after sending.
    pub close: bool,
    /// HTTP/1.0 keep-alive: say `Connection: keep-alive`.
    pub keep_alive_1_0: bool,
    /// More fields (`Allow`, `Location`, `Content-Range`).
    pub extra: &'a [(&'a str, &'a str)],
}

/// Builds a complete short HTML response (an error page, a redirect) into
/// `buf`, with Content-Length.
pub fn html_page(common: &mut Common, buf: &mut Vec<u8>, status: u16, detail: &str, opts: PageOptions<'_>) -> Plan {
    let title = format!("{status} {}", reason(status));
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1><p>{}</p></body></html>\n",
        crate::escape::html(detail)
    );
    let mut head = common.start(buf, status);
    head.header("Content-Type", "text/html; charset=utf-8").header("Content-Length", body.len());
    for (name, value) in opts.extra {
        head.header(name, value);
    }
    connection(&mut head, opts.close, opts.keep_alive_1_0);
    head.end();
    if !opts.head_only {
        buf.extend_from_slice(body.as_bytes());
    }
    Plan::buffered(status, if opts.head_only { 0 } else { body.len() as u64 }, opts.close)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_page_has_length_and_close() {
        let mut common = Common::new(vec![("Access-Control-Allow-Origin".into(), "*".into())]);
        let mut buf = Vec::new();
        let plan =
            html_page(&mut common, &mut buf, 404, "No <such> file.", PageOptions { close: true, ..Default::default() });
        let text = String::from_utf8(buf).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 404 Not Found\r\nDate: "), "{head}");
        assert!(head.contains("\r\nAccess-Control-Allow-Origin: *\r\n"));
        assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
        assert!(head.ends_with("\r\nConnection: close"));
        assert!(body.contains("No &lt;such&gt; file."));
        assert_eq!((plan.status, plan.body_len, plan.close), (404, body.len() as u64, true));
    }

    #[test]
    fn head_only_page_keeps_length_drops_body() {
        let mut common = Common::new(Vec::new());
        let mut buf = Vec::new();
        let plan = html_page(&mut common, &mut buf, 405, "x", PageOptions { head_only: true, ..Default::default() });
        let text = String::from_utf8(buf).unwrap();
        assert!(text.ends_with("\r\n\r\n"));
        assert!(text.contains("Content-Length: "));
        assert_eq!(plan.body_len, 0);
    }
}
