//! A response whose head has been read. It owns its connection and the
//! body bytes that arrived with the head, and hands the body out once, in
//! the form the caller chooses: a reader that applies the framing (any
//! response), or the bare socket for the zero-copy path (plain http whose
//! body ends at a Content-Length or at the close, so nothing but counting
//! stands between the socket and the output).

use std::io::{BufReader, Chain, Cursor, Read};
use std::net::TcpStream;

use shared::http::body::Body;
use shared::http::framing::BodyLength;
use shared::http::length::LengthReader;
use shared::http::response::ResponseHead;

use crate::net::{Clock, Stream, Timed};
use crate::pool::Key;

/// The smallest rest of a Content-Length body moved the zero-copy way.
const SPLICE_FROM: u64 = 64 * 1024;

/// How many bytes the framed reader asks the socket for at once.
const READ_BUFFER: usize = 128 * 1024;

/// The body as a framed reader: the bytes that came with the head, then
/// the connection, read through the response's framing.
pub type FramedBody = Body<BufReader<Chain<Cursor<Vec<u8>>, Timed>>>;

/// A response whose head has been read.
#[derive(Debug)]
pub struct Response {
    /// The final head.
    pub head: ResponseHead,
    /// The heads' bytes as received (interim ones first), for `-i`.
    pub raw: Vec<u8>,
    /// How the body ends (RFC 9112 6.3).
    length: BodyLength,
    /// Bytes read past the head while reading it: the body's first bytes.
    early: Vec<u8>,
    /// The connection, bounded by the transfer's clock.
    conn: Timed,
    /// The connection may carry another request once this body has been
    /// read to its end (keep-alive).
    reusable: bool,
    /// Where the connection leads, for keeping it.
    pub key: Key,
    /// When the connection's steps ended, for `-w`.
    pub timing: crate::connect::Timing,
}

/// A plain-http body taken as the bare socket, for moving it to the output
/// without reading it through this process.
#[derive(Debug)]
pub struct SocketBody {
    /// The connection.
    pub tcp: TcpStream,
    /// Body bytes that arrived with the head, cut to the body's length:
    /// they go out first.
    pub early: Vec<u8>,
    /// `Some(n)`: the body is n bytes (Content-Length), and an early close
    /// cuts it short. `None`: it runs to the close.
    pub length: Option<u64>,
    /// The deadline and idle limit every wait is bounded by.
    pub clock: Clock,
    /// The connection may carry another request once the body has been
    /// moved: kept-alive, and nothing came past the body's length.
    pub reusable: bool,
}

impl SocketBody {
    /// The connection, for another request, when the body's whole length
    /// has been moved and it may carry one.
    pub fn into_conn(self) -> Option<Timed> {
        (self.reusable && self.length.is_some()).then(|| Timed::new(Stream::Plain(self.tcp), self.clock))
    }
}

impl Response {
    /// A response with `head` (received as `raw`) read from `conn`;
    /// `early` is what was read past the head, `length` how the body ends.
    /// `reusable`: the request did not ask to close, so the connection
    /// may carry another one if the response allows.
    pub fn new(
        head: ResponseHead,
        raw: Vec<u8>,
        length: BodyLength,
        early: Vec<u8>,
        conn: Timed,
        reusable: bool,
        key: Key,
    ) -> Response {
        // HTTP/1.1 keeps a connection open unless told otherwise; a body
        // that runs to the close uses it up. HTTP/1.0 keep-alive is not
        // attempted.
        let reusable = reusable
            && head.minor == 1
            && !head.headers.has_token("connection", "close")
            && length != BodyLength::UntilClose;
        Response { head, raw, length, early, conn, reusable, key, timing: crate::connect::Timing::default() }
    }

    /// True when the response has body bytes to come (not HEAD's, 204's,
    /// 304's, nor a Content-Length of 0).
    pub fn has_body(&self) -> bool {
        !matches!(self.length, BodyLength::None | BodyLength::Length(0))
    }

    /// True when the connection may carry another request after this
    /// body.
    pub fn reusable(&self) -> bool {
        self.reusable
    }

    /// How the body ends.
    pub fn length(&self) -> BodyLength {
        self.length
    }

    /// The body, read through its framing: works for every response.
    pub fn into_framed(self) -> FramedBody {
        // A small body gets a small buffer: no large allocation per response.
        let capacity = match self.length {
            BodyLength::Length(n) => usize::try_from(n).unwrap_or(usize::MAX).clamp(4096, READ_BUFFER),
            _ => READ_BUFFER,
        };
        let reader = BufReader::with_capacity(capacity, Cursor::new(self.early).chain(self.conn));
        match self.length {
            // An empty reader that keeps the connection, to hand it back.
            BodyLength::None => Body::Fixed(LengthReader::new(reader, 0)),
            length => Body::new(length, reader),
        }
    }

    /// Reads and drops a body of at most `limit` bytes (a redirect's), and
    /// gives back the connection when it may carry another request.
    pub fn drain(self, limit: u64) -> Option<Timed> {
        if !self.reusable {
            return None;
        }
        let mut body = self.into_framed();
        let read = std::io::copy(&mut (&mut body).take(limit + 1), &mut std::io::sink()).ok()?;
        if read > limit {
            return None;
        }
        reclaim(body)
    }

    /// The body as the bare socket when `socket_wanted` and the framing
    /// allows it: plain http (TLS must be decrypted here) and a body that
    /// ends at a length or at the close (chunks must be parsed here);
    /// otherwise framed.
    pub fn into_body(self, socket_wanted: bool) -> TakenBody {
        let length = match self.length {
            // A small rest is copied: setting up a splice (a pipe of its
            // own) costs more than the copy of a few kilobytes.
            BodyLength::Length(n) if socket_wanted && n.saturating_sub(self.early.len() as u64) >= SPLICE_FROM => {
                Some(n)
            }
            BodyLength::UntilClose if socket_wanted => None,
            _ => return TakenBody::Framed(self.into_framed()),
        };
        let clock = self.conn.clock;
        let tcp = match self.conn.into_plain() {
            Ok(tcp) => tcp,
            Err(conn) => return TakenBody::Framed(Response { conn, ..self }.into_framed()),
        };
        let mut early = self.early;
        let mut reusable = self.reusable;
        if let Some(n) = length {
            // Bytes past the announced length belong to nobody, and the
            // connection carrying them is not trusted with another request.
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            reusable &= early.len() <= n;
            early.truncate(n);
        }
        TakenBody::Socket(SocketBody { tcp, early, length, clock, reusable })
    }
}

/// The connection under a body read to its end, when nothing is left in
/// its buffers (a server that sent more than the body is not trusted with
/// another request). The caller knows the response was [`Response::reusable`].
pub fn reclaim(body: FramedBody) -> Option<Timed> {
    let reader = match body {
        Body::Fixed(r) => r.into_inner(),
        Body::Chunked(r) if r.is_done() => r.into_inner(),
        _ => return None,
    };
    if !reader.buffer().is_empty() {
        return None;
    }
    let (early, conn) = reader.into_inner().into_inner();
    (early.position() == early.get_ref().len() as u64).then_some(conn)
}

/// A response's body, taken in one of two forms.
#[derive(Debug)]
pub enum TakenBody {
    /// Read through the framing.
    Framed(FramedBody),
    /// The bare socket, for the zero-copy path.
    Socket(SocketBody),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Duration;

    use shared::http::head::Limits;
    use shared::http::response::parse_response;

    /// A response on a loopback connection, with `early` read past its head.
    fn response(length: BodyLength, early: &[u8]) -> (Response, TcpListener) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let clock = Clock { deadline: None, idle: Duration::from_secs(5) };
        let (head, _) = parse_response(b"HTTP/1.1 200 OK\r\n\r\n", &Limits::default()).unwrap().unwrap();
        (
            Response::new(
                head,
                Vec::new(),
                length,
                early.to_vec(),
                Timed::new(Stream::Plain(tcp), clock),
                true,
                Key::of(&url::Url::parse("http://h/").unwrap()),
            ),
            listener,
        )
    }

    /// The bare socket only when asked for, the framing allows it and
    /// enough is left to move.
    #[test]
    fn into_body_table() {
        let cases: &[(BodyLength, bool, Option<(Option<u64>, &[u8])>)] = &[
            (BodyLength::Length(3), true, None),
            (BodyLength::Length(10), true, None),
            (BodyLength::Length(SPLICE_FROM + 6), true, Some((Some(SPLICE_FROM + 6), b"abcdef"))),
            (BodyLength::Length(SPLICE_FROM + 5), true, None),
            (BodyLength::UntilClose, true, Some((None, b"abcdef"))),
            (BodyLength::Chunked, true, None),
            (BodyLength::None, true, None),
            (BodyLength::Length(3), false, None),
            (BodyLength::UntilClose, false, None),
        ];
        for (length, wanted, want) in cases {
            let (r, _listener) = response(*length, b"abcdef");
            let got = match r.into_body(*wanted) {
                TakenBody::Socket(s) => Some((s.length, s.early)),
                TakenBody::Framed(_) => None,
            };
            assert_eq!(got, want.map(|(l, e)| (l, e.to_vec())), "{length:?} wanted={wanted}");
        }
    }
}
