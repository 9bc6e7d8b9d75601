//! The one place a response becomes bytes, and the sending of them.
//!
//! [`Outgoing::start`] writes the head (status line, Date, Server, `-H`
//! fields, the response's Content-Type, Content-Length and own fields,
//! Connection) into the connection's write buffer, drops the body for
//! HEAD, and puts a small body in the same buffer so head and body leave
//! in one write. [`Outgoing::send`] then sends without ever blocking:
//! when the socket is full it says so and the server goes on with other
//! connections. A file leaves by sendfile where the system has it, with
//! the socket corked so it goes out in full segments.

use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mio::net::TcpStream;
use shared::http::reply::{HeadWriter, field_str};
use shared::http::request::RequestHead;
use shared::sys;

use crate::response::{Body, Piece, Response};
use crate::transport::Transport;

/// Files up to this size travel in the head's buffer: one write per
/// response instead of a write and a sendfile.
const SMALL_FILE: u64 = 64 * 1024;

/// Most bytes handed to one sendfile call.
const SENDFILE_CHUNK: u64 = 1 << 30;

/// Bytes a streamed body makes at a time: what one buffer holds, however
/// long the body.
const STREAM_CHUNK: usize = 64 * 1024;

/// Bytes of a file read at a time to be encrypted (TLS).
#[cfg(feature = "tls")]
const TLS_CHUNK: usize = 64 * 1024;

/// A write buffer larger than this is released after its response, so a
/// big listing does not pin memory on an idle connection.
const KEEP_CAPACITY: usize = 256 * 1024;

/// How the request wants its answer delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// HEAD: the same head, no body.
    pub head_only: bool,
    /// Close the connection after this response.
    pub close: bool,
    /// An HTTP/1.0 client asked to keep the connection, so the response
    /// says `Connection: keep-alive` (1.1 keeps it by default).
    pub keep_alive_1_0: bool,
}

impl Delivery {
    /// What `req` asks for: HEAD or not, and keep-alive by its version and
    /// Connection field (RFC 9112 9.3).
    pub fn for_request(req: &RequestHead) -> Delivery {
        let keep = req.keep_alive();
        Delivery { head_only: req.method == "HEAD", close: !keep, keep_alive_1_0: keep && req.minor == 0 }
    }

    /// For an answer without a usable request (unparsable, timed out): the
    /// whole response, then close.
    pub fn closing() -> Delivery {
        Delivery { head_only: false, close: true, keep_alive_1_0: false }
    }
}

/// What a started response is, for the log and the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    /// The status sent.
    pub status: u16,
    /// Body bytes to be sent (0 for HEAD).
    pub body_bytes: u64,
    /// The connection closes after it.
    pub close: bool,
}

/// How far a call to [`Outgoing::send`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The whole response is sent.
    Done,
    /// The socket is full; wait until it is writable.
    Blocked,
    /// The byte budget for this turn is spent; others get a turn first.
    Yield,
}

/// The fields every response carries: Date (formatted once a second),
/// Server, and the `-H` extras.
#[derive(Debug)]
pub struct Common {
    /// `http-serve/VERSION`.
    server: String,
    /// `-H` fields.
    extra: Vec<(String, String)>,
    /// The Date value, and until when (by the loop's clock) it holds:
    /// the next second's start.
    date: (String, Option<Instant>),
}

impl Common {
    /// Common fields with the given extras.
    pub fn new(extra: Vec<(String, String)>) -> Common {
        Common { server: format!("http-serve/{}", env!("CARGO_PKG_VERSION")), extra, date: (String::new(), None) }
    }

    /// Writes the common fields; `now` is the loop's clock.
    fn write(&mut self, head: &mut HeadWriter<'_>, now: Instant) {
        if self.date.1.is_none_or(|until| now >= until) {
            let wall = SystemTime::now();
            let into = wall.duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
            // `now` is no later than the wall clock was read, so this ends
            // at or before the second does.
            let left = Duration::from_nanos(u64::from(1_000_000_000 - into));
            self.date = (shared::http::date::format(wall), Some(now + left));
        }
        head.header_str("Date", &self.date.0).header_str("Server", &self.server);
        for (name, value) in &self.extra {
            head.header_str(name, value);
        }
    }
}

/// The response being sent on one connection.
#[derive(Debug, Default)]
pub struct Outgoing {
    /// The head and any body small enough to go with it.
    buf: Vec<u8>,
    /// How much of `buf` is sent.
    pos: usize,
    /// The file the [`Piece::File`] pieces come from.
    file: Option<Rc<File>>,
    /// What follows `buf`, in order.
    pieces: VecDeque<Piece>,
    /// Bytes of this response sent so far, head included.
    total: u64,
    /// The socket is corked: the file goes out in full segments only.
    corked: bool,
    /// A body made while it is sent, and how many of its announced bytes
    /// are still to be made.
    stream: Option<(Box<dyn crate::response::Source>, u64)>,
    /// How the body goes out, for `--trace`.
    way: &'static str,
}

impl Outgoing {
    /// How the current body goes out (`sendfile`, or a copy), in the
    /// words of `--trace`.
    pub fn body_way(&self) -> &'static str {
        self.way
    }

    /// Turns `response` into bytes as `how` asks, ready to send.
    /// `now` is the loop's clock (for the Date field).
    pub fn start(&mut self, common: &mut Common, response: Response, how: Delivery, now: Instant) -> Started {
        self.buf.clear();
        self.pos = 0;
        self.total = 0;
        self.pieces.clear();
        self.file = None;
        self.stream = None;
        self.way = match &response.body {
            Body::File { len, .. } if *len <= SMALL_FILE => "copy (read into the head's buffer, one send)",
            Body::File { .. } | Body::Parts { .. } if sys::sendfile::in_kernel() => "sendfile",
            Body::File { .. } | Body::Parts { .. } => "copy (read and send)",
            Body::None | Body::Bytes(_) => "copy (made here, sent with the head)",
            Body::Stream { .. } | Body::Deferred(_) => "copy (made while sent)",
        };
        let mut close = how.close || response.close;
        let length = response.body.length();
        {
            let mut head = HeadWriter::new(&mut self.buf, response.status);
            common.write(&mut head, now);
            if let Some(media) = &response.content_type {
                head.header_str("Content-Type", media);
            }
            if let Some(len) = length {
                head.header_u64("Content-Length", len);
            }
        }
        self.buf.extend_from_slice(response.fields());
        if close {
            field_str(&mut self.buf, "Connection", "close");
        } else if how.keep_alive_1_0 {
            field_str(&mut self.buf, "Connection", "keep-alive");
        }
        self.buf.extend_from_slice(b"\r\n");
        let status = response.status;
        if how.head_only {
            self.way = "nothing (HEAD: the head alone)";
            return Started { status, body_bytes: 0, close };
        }
        let body_bytes = match response.body {
            Body::None => 0,
            Body::Bytes(bytes) => {
                self.buf.extend_from_slice(&bytes);
                bytes.len() as u64
            }
            Body::File { file, start: 0, len } if len <= SMALL_FILE => {
                let before = self.buf.len();
                let read = sys::positional::append_at(&file, &mut self.buf, 0, len as usize);
                let got = (self.buf.len() - before) as u64;
                if read.is_err() || got != len {
                    // The file changed under us; the length sent cannot be
                    // kept, so the client must see the connection close.
                    close = true;
                }
                got
            }
            Body::File { file, start, len } => {
                self.file = Some(file);
                self.pieces.push_back(Piece::File { start, end: start + len });
                len
            }
            Body::Stream { source, len } => {
                self.stream = Some((source, len));
                // The first piece goes with the head: a short listing
                // leaves in one write.
                if self.refill().is_err() {
                    // Nothing more can be made: the body ends short and
                    // the connection with it.
                    self.stream = None;
                    close = true;
                }
                len
            }
            Body::Deferred(_) => {
                // The connection measures these before starting them; one
                // that gets here has no length to keep, so it ends here.
                close = true;
                0
            }
            Body::Parts { file, pieces, len } => {
                self.file = Some(file);
                self.pieces = pieces;
                len
            }
        };
        Started { status, body_bytes, close }
    }

    /// Bytes of the current response sent so far, head included.
    pub fn sent(&self) -> u64 {
        self.total
    }

    /// Sends as much as the socket takes, up to about `budget` bytes,
    /// through `transport` (plain, or TLS without sendfile).
    pub fn send(&mut self, sock: &TcpStream, transport: &mut Transport, budget: u64) -> io::Result<Progress> {
        #[cfg(feature = "tls")]
        if transport.encrypted() {
            return self.send_tls(sock, transport, budget);
        }
        let _ = &transport;
        let mut sent: u64 = 0;
        loop {
            if sent >= budget {
                return Ok(Progress::Yield);
            }
            if self.pos < self.buf.len() {
                let more = !self.pieces.is_empty();
                match sock.try_io(|| sys::socket::send(sock, &self.buf[self.pos..], more)) {
                    Ok(n) => {
                        self.pos += n;
                        sent += n as u64;
                        self.total += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Blocked),
                    Err(e) => return Err(e),
                }
                continue;
            }
            if self.stream.is_some() && self.pieces.is_empty() {
                self.buf.clear();
                self.pos = 0;
                self.refill()?;
                if !self.buf.is_empty() {
                    continue;
                }
            }
            let Some(piece) = self.pieces.front_mut() else {
                if self.corked {
                    // Uncorking sends what is left at once.
                    let _ = sys::socket::set_cork(sock, false);
                    self.corked = false;
                }
                self.finish();
                return Ok(Progress::Done);
            };
            match piece {
                Piece::Bytes(bytes) => {
                    self.buf.clear();
                    self.buf.append(bytes);
                    self.pos = 0;
                    self.pieces.pop_front();
                }
                Piece::File { start, end } => {
                    if *start >= *end {
                        self.pieces.pop_front();
                        continue;
                    }
                    let file = self.file.as_ref().ok_or_else(|| io::Error::other("file piece without a file"))?;
                    if !self.corked {
                        // Whole segments while a file streams (TCP_NODELAY
                        // would push every partial one); uncorked at the end.
                        self.corked = sys::socket::set_cork(sock, true).is_ok();
                    }
                    let count = (*end - *start).min(SENDFILE_CHUNK).min(budget - sent) as usize;
                    match sock.try_io(|| sys::sendfile::sendfile(sock, file, start, count)) {
                        Ok(0) => {
                            // The Content-Length already sent cannot be kept.
                            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank while being sent"));
                        }
                        Ok(n) => {
                            sent += n as u64;
                            self.total += n as u64;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Blocked),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }

    /// [`Outgoing::send`] over TLS: the head, then each piece, read into
    /// `buf` a chunk at a time (files too: the bytes must be encrypted
    /// here, so no sendfile), handed to rustls as it takes them, and its
    /// records sent as the socket takes them.
    #[cfg(feature = "tls")]
    fn send_tls(&mut self, sock: &TcpStream, transport: &mut Transport, budget: u64) -> io::Result<Progress> {
        let mut taken: u64 = 0;
        loop {
            if !transport.flush(sock)? {
                return Ok(Progress::Blocked);
            }
            if taken >= budget {
                return Ok(Progress::Yield);
            }
            if self.pos < self.buf.len() {
                let n = transport.write(&self.buf[self.pos..])?;
                if n == 0 && !transport.wants_write() {
                    return Err(io::Error::other("TLS took no bytes and has none to send"));
                }
                self.pos += n;
                taken += n as u64;
                self.total += n as u64;
                continue;
            }
            if self.stream.is_some() && self.pieces.is_empty() {
                self.buf.clear();
                self.pos = 0;
                self.refill()?;
                if !self.buf.is_empty() {
                    continue;
                }
            }
            let Some(piece) = self.pieces.front_mut() else {
                self.finish();
                return Ok(Progress::Done);
            };
            match piece {
                Piece::Bytes(bytes) => {
                    self.buf.clear();
                    self.buf.append(bytes);
                    self.pos = 0;
                    self.pieces.pop_front();
                }
                Piece::File { start, end } => {
                    if *start >= *end {
                        self.pieces.pop_front();
                        continue;
                    }
                    let file = self.file.as_ref().ok_or_else(|| io::Error::other("file piece without a file"))?;
                    let want = (*end - *start).min(TLS_CHUNK as u64) as usize;
                    self.buf.clear();
                    self.buf.resize(want, 0);
                    self.pos = 0;
                    let n = sys::positional::read_at(file, &mut self.buf, *start)?;
                    if n == 0 {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank while being sent"));
                    }
                    self.buf.truncate(n);
                    *start += n as u64;
                }
            }
        }
    }

    /// Appends the stream's next piece to `buf`; at its end, forgets the
    /// stream. A stream that makes more or fewer bytes than it announced
    /// is an error: the client must see the connection end, not a body
    /// that does not match its length.
    fn refill(&mut self) -> io::Result<()> {
        let Some((source, left)) = self.stream.as_mut() else { return Ok(()) };
        let before = self.buf.len();
        while self.buf.len() - before < STREAM_CHUNK {
            let want = STREAM_CHUNK - (self.buf.len() - before);
            let made = source.fill(&mut self.buf, want)?;
            if made == 0 {
                break;
            }
        }
        let made = (self.buf.len() - before) as u64;
        if made > *left {
            return Err(io::Error::other("a streamed body grew past its announced length"));
        }
        *left -= made;
        if made == 0 {
            if *left != 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "a streamed body ended short of its length"));
            }
            self.stream = None;
        }
        Ok(())
    }

    /// True when it holds a buffer to make the next head in.
    pub fn has_buf(&self) -> bool {
        self.buf.capacity() > 0
    }

    /// Takes a buffer to make heads in.
    pub fn give_buf(&mut self, buf: Vec<u8>) {
        self.buf = buf;
        self.pos = 0;
    }

    /// Gives up its buffer (between responses only: nothing is unsent).
    pub fn take_buf(&mut self) -> Vec<u8> {
        debug_assert!(self.pos >= self.buf.len(), "a buffer with bytes unsent");
        self.pos = 0;
        std::mem::take(&mut self.buf)
    }

    /// Forgets the finished response, keeping a modest buffer for the next.
    fn finish(&mut self) {
        self.buf.clear();
        if self.buf.capacity() > KEEP_CAPACITY {
            self.buf = Vec::new();
        }
        self.pos = 0;
        self.file = None;
        self.stream = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::MediaType;

    fn head_of(out: &Outgoing) -> String {
        String::from_utf8_lossy(&out.buf).into_owned()
    }

    #[test]
    fn head_fields_in_order_and_connection_by_delivery() {
        let mut common = Common::new(vec![("X-Extra".into(), "yes".into())]);
        let mut out = Outgoing::default();
        let response = Response::new(200, Body::Bytes(b"hello".to_vec()))
            .typed(MediaType::Static("text/plain"))
            .header("ETag", "\"t\"");
        let how = Delivery { head_only: false, close: false, keep_alive_1_0: true };
        let started = out.start(&mut common, response, how, Instant::now());
        assert_eq!(started, Started { status: 200, body_bytes: 5, close: false });
        let text = head_of(&out);
        let server = format!("Server: http-serve/{}", env!("CARGO_PKG_VERSION"));
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nDate: "), "{text}");
        let tail = format!(
            "\r\n{server}\r\nX-Extra: yes\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nETag: \"t\"\r\n\
             Connection: keep-alive\r\n\r\nhello"
        );
        assert!(text.ends_with(&tail), "{text}");
    }

    #[test]
    fn head_only_keeps_the_length_and_drops_the_body() {
        let mut common = Common::new(Vec::new());
        let mut out = Outgoing::default();
        let how = Delivery { head_only: true, close: true, keep_alive_1_0: false };
        let started = out.start(&mut common, Response::page(405, "x"), how, Instant::now());
        assert_eq!((started.body_bytes, started.close), (0, true));
        let text = head_of(&out);
        assert!(text.contains("\r\nContent-Length: "), "{text}");
        assert!(text.ends_with("\r\nConnection: close\r\n\r\n"), "{text}");
    }

    #[test]
    fn no_body_has_no_length_and_a_refusal_closes() {
        let mut common = Common::new(Vec::new());
        let mut out = Outgoing::default();
        let keep = Delivery { head_only: false, close: false, keep_alive_1_0: false };
        out.start(&mut common, Response::new(304, Body::None), keep, Instant::now());
        assert!(!head_of(&out).contains("Content-Length"));
        let started = out.start(&mut common, Response::refusal(400, "bad"), keep, Instant::now());
        assert!(started.close);
        assert!(head_of(&out).contains("\r\nConnection: close\r\n"));
    }

    /// Makes `total` bytes, `step` at a time.
    #[derive(Debug)]
    struct Counted {
        total: usize,
        step: usize,
    }

    impl crate::response::Source for Counted {
        fn fill(&mut self, out: &mut Vec<u8>, want: usize) -> io::Result<usize> {
            let n = self.total.min(self.step).min(want);
            self.total -= n;
            out.resize(out.len() + n, b'x');
            Ok(n)
        }
    }

    #[test]
    fn a_stream_that_breaks_its_length_is_an_error() {
        let cases: &[(usize, u64, bool)] = &[
            (200_000, 200_000, true),
            (0, 0, true),
            (199_999, 200_000, false),
            (200_001, 200_000, false),
            (10, 5, false),
        ];
        for &(makes, announced, ok) in cases {
            let mut common = Common::new(Vec::new());
            let mut out = Outgoing::default();
            let body = Body::Stream { source: Box::new(Counted { total: makes, step: 7_000 }), len: announced };
            let keep = Delivery { head_only: false, close: false, keep_alive_1_0: false };
            let started = out.start(&mut common, Response::new(200, body), keep, Instant::now());
            assert_eq!(started.body_bytes, announced);
            let mut result = Ok(());
            let mut made = out.buf.len() - out.buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() - 4;
            // Bounded: a few refills of 64 KiB each.
            for _ in 0..10 {
                if out.stream.is_none() || result.is_err() {
                    break;
                }
                out.buf.clear();
                result = out.refill();
                made += out.buf.len();
            }
            assert_eq!(result.is_ok() && !started.close, ok, "makes {makes}, announced {announced}");
            if ok {
                assert_eq!(made as u64, announced);
            }
        }
    }
}
