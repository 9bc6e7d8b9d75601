//! A response as a value: its status, its own header fields, its body, and
//! whether the connection must close after it. Handlers make one and
//! return it; only the connection ([`crate::outgoing`]) turns it into
//! bytes, adding what every response carries (Date, Server, `-H` fields,
//! Content-Length, Connection) and dropping the body for HEAD.
//!
//! Also the short HTML pages used for errors and redirects.

use std::collections::VecDeque;
use std::fmt::Display;
use std::fs::File;
use std::io;
use std::ops::Deref;
use std::rc::Rc;

use shared::http::reply::reason;

/// What follows the head.
#[derive(Debug)]
pub enum Body {
    /// No body and no Content-Length (204, 304).
    None,
    /// Bytes made here: a page, a listing.
    Bytes(Vec<u8>),
    /// `len` bytes of `file` from `start`.
    File {
        /// The open file (shared with the handles kept open).
        file: Rc<File>,
        /// First byte.
        start: u64,
        /// How many bytes.
        len: u64,
    },
    /// Bytes made piece by piece while they are sent (a long listing, an
    /// archive), through a fixed buffer, `len` bytes in all: the length is
    /// worked out before the first byte, so the response has a
    /// Content-Length, and a source that makes more or fewer bytes than
    /// that ends the connection rather than send a body that lies.
    Stream {
        /// What makes the bytes.
        source: Box<dyn Source>,
        /// The body's length in bytes.
        len: u64,
    },
    /// A [`Body::Stream`] whose length is not known yet: the connection
    /// works it out with [`Source::measure`], a bounded step at a time
    /// between other connections' turns, before the head is sent (an
    /// archive walks its tree for it).
    Deferred(Box<dyn Source>),
    /// Several ranges of one file with a part head before each
    /// (`multipart/byteranges`), `len` bytes in all.
    Parts {
        /// The open file the ranges come from.
        file: Rc<File>,
        /// Part heads and file ranges, in order.
        pieces: VecDeque<Piece>,
        /// The body's length in bytes.
        len: u64,
    },
}

impl Body {
    /// The body's length, for Content-Length (`None`: no body at all).
    pub fn length(&self) -> Option<u64> {
        match self {
            Body::None | Body::Deferred(_) => None,
            Body::Bytes(b) => Some(b.len() as u64),
            Body::File { len, .. } | Body::Parts { len, .. } | Body::Stream { len, .. } => Some(*len),
        }
    }
}

/// What makes a [`Body::Stream`].
pub trait Source: std::fmt::Debug {
    /// Appends the next bytes to `out`, about `want` of them (fewer only
    /// at the end); how many were appended, 0 at the end. An error ends
    /// the connection: what was announced can no longer be kept.
    fn fill(&mut self, out: &mut Vec<u8>, want: usize) -> io::Result<usize>;

    /// For a [`Body::Deferred`]: one bounded step towards knowing the
    /// body's length; `Some(len)` once known.
    fn measure(&mut self) -> io::Result<Option<u64>> {
        Err(io::Error::other("this body's length was to be known from the start"))
    }
}

/// One piece of a multipart body.
#[derive(Debug)]
pub enum Piece {
    /// Bytes made here (a part head, the closing delimiter).
    Bytes(Vec<u8>),
    /// Bytes `start..end` of the body's file.
    File {
        /// First byte to send.
        start: u64,
        /// One past the last byte.
        end: u64,
    },
}

/// A Content-Type value: fixed text, one shared by the extension cache,
/// or one made for this response (a multipart boundary).
#[derive(Debug, Clone)]
pub enum MediaType {
    /// Known when the program was written.
    Static(&'static str),
    /// From the per-extension cache.
    Shared(Rc<str>),
    /// Made for this response.
    Owned(String),
}

impl Deref for MediaType {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            MediaType::Static(s) => s,
            MediaType::Shared(s) => s,
            MediaType::Owned(s) => s,
        }
    }
}

/// An answer to one request.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body's media type; goes first in the head, before
    /// Content-Length.
    pub content_type: Option<MediaType>,
    /// This response's own other header fields, as `Name: value` lines.
    fields: Vec<u8>,
    /// What follows the head.
    pub body: Body,
    /// The connection must close after this response (the request's
    /// framing was unknown, or its body was not read).
    pub close: bool,
}

impl Response {
    /// A response with no fields yet.
    pub fn new(status: u16, body: Body) -> Response {
        Response { status, content_type: None, fields: Vec::with_capacity(256), body, close: false }
    }

    /// Sets the body's media type.
    pub fn typed(mut self, media: MediaType) -> Response {
        self.content_type = Some(media);
        self
    }

    /// Adds a header field. CR, LF and NUL in the value become spaces, so
    /// no value can split the head.
    pub fn header(mut self, name: &str, value: impl Display) -> Response {
        self.add(name, value);
        self
    }

    /// Adds a header field in place (see [`Response::header`]).
    pub fn add(&mut self, name: &str, value: impl Display) {
        shared::http::reply::field(&mut self.fields, name, value);
    }

    /// Adds a header field whose value is already text (no formatting).
    pub fn add_str(&mut self, name: &str, value: &str) {
        shared::http::reply::field_str(&mut self.fields, name, value);
    }

    /// The fields added so far, as `Name: value\r\n` lines.
    pub fn fields(&self) -> &[u8] {
        &self.fields
    }

    /// The value of this response's own field `name`, if added (for tests
    /// and the log).
    pub fn field(&self, name: &str) -> Option<&str> {
        std::str::from_utf8(&self.fields).ok()?.split("\r\n").find_map(|line| {
            let (n, v) = line.split_once(": ")?;
            n.eq_ignore_ascii_case(name).then_some(v)
        })
    }

    /// A short HTML page saying what happened: an error, a redirect.
    pub fn page(status: u16, detail: &str) -> Response {
        let title = format!("{status} {}", reason(status));
        let body = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
             <body><h1>{title}</h1><p>{}</p></body></html>\n",
            crate::escape::html(detail)
        );
        Response::new(status, Body::Bytes(body.into_bytes())).typed(MediaType::Static("text/html; charset=utf-8"))
    }

    /// A page after which the connection closes: for requests that could
    /// not be parsed, whose framing is unknown, or that timed out.
    pub fn refusal(status: u16, detail: &str) -> Response {
        Response { close: true, ..Response::page(status, detail) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_escapes_and_types() {
        let r = Response::page(404, "No <such> file.");
        assert_eq!(r.status, 404);
        assert_eq!(r.content_type.as_deref(), Some("text/html; charset=utf-8"));
        let Body::Bytes(body) = &r.body else { panic!("a page has bytes") };
        let body = String::from_utf8(body.clone()).unwrap();
        assert!(body.contains("<title>404 Not Found</title>"), "{body}");
        assert!(body.contains("No &lt;such&gt; file."), "{body}");
        assert!(!r.close);
        assert!(Response::refusal(400, "x").close);
    }

    #[test]
    fn fields_cannot_split_the_head() {
        let r = Response::new(200, Body::None).header("X-A", "1").header("X-B", "a\r\nSet-Cookie: evil");
        assert_eq!(r.fields(), b"X-A: 1\r\nX-B: a  Set-Cookie: evil\r\n");
        assert_eq!(r.field("x-b"), Some("a  Set-Cookie: evil"));
        assert_eq!(r.body.length(), None);
    }
}
