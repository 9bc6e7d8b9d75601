//! A small HTTP/1.1 client for tests: send exact bytes, read responses
//! with the shared crate's parser and body readers, and look at every byte
//! of the head.

use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use shared::http::framing::response_body;
use shared::http::head::Limits;
use shared::http::response::read_final_response;

/// How long a test waits for a response before failing.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(20);

/// One response, as received.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// The head exactly as sent, without the final blank line.
    pub head: String,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a field, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A connection that can carry several requests.
#[derive(Debug)]
pub struct Conn {
    /// The connection.
    pub stream: TcpStream,
    /// Bytes read past the last response head.
    pending: Vec<u8>,
}

impl Conn {
    /// Connects to `addr`, with read and write timeouts that catch hangs.
    pub fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect_timeout(&addr, RESPONSE_TIMEOUT).expect("connect");
        stream.set_read_timeout(Some(RESPONSE_TIMEOUT)).expect("timeout");
        stream.set_write_timeout(Some(RESPONSE_TIMEOUT)).expect("timeout");
        Conn { stream, pending: Vec::new() }
    }

    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send request");
    }

    /// Reads one response; `head_request` says it answers a HEAD.
    pub fn read(&mut self, head_request: bool) -> Response {
        let mut buf = std::mem::take(&mut self.pending);
        let stream = &mut self.stream;
        let deadline = Some(Instant::now() + RESPONSE_TIMEOUT);
        let head =
            read_final_response(stream, &mut buf, &Limits { max_headers: 256, ..Limits::default() }, deadline, |_| {})
                .expect("read response head");
        let mut head_text = head.status_line();
        for (n, v) in head.headers.iter() {
            head_text.push_str(&format!("\r\n{n}: {}", String::from_utf8_lossy(v)));
        }
        let headers: Vec<(String, String)> =
            head.headers.iter().map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v).into_owned())).collect();
        let length = response_body(head_request, head.status, &head.headers).expect("framing");
        if length == shared::http::framing::BodyLength::None {
            self.pending = buf;
            return Response { status: head.status, head: head_text, headers, body: Vec::new() };
        }
        // The body reader reads from what is buffered, then the stream.
        let chained = std::io::Cursor::new(buf).chain(&mut self.stream);
        let mut body_reader = shared::http::body::Body::new(length, BufReader::new(chained));
        let mut body = Vec::new();
        body_reader.read_to_end(&mut body).expect("read body");
        // Whatever the body reader buffered past the body is the next
        // response's start; keep it.
        if let shared::http::body::Body::Fixed(r) = body_reader {
            let inner = r.into_inner();
            self.pending = inner.buffer().to_vec();
        } else if let shared::http::body::Body::Chunked(r) = body_reader {
            self.pending = r.into_inner().buffer().to_vec();
        }
        Response { status: head.status, head: head_text, headers, body }
    }

    /// Sends `request` and reads its response.
    pub fn request(&mut self, request: &[u8]) -> Response {
        self.send(request);
        self.read(request.starts_with(b"HEAD "))
    }

    /// True when the server closed the connection (a read returns 0).
    pub fn closed_by_peer(&mut self) -> bool {
        if !self.pending.is_empty() {
            return false;
        }
        let mut one = [0u8; 1];
        matches!(self.stream.read(&mut one), Ok(0))
    }
}

/// Sends `request` on a new connection and reads the response.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Response {
    Conn::open(addr).request(request)
}

/// GET `path` with `Connection: close`.
pub fn get(addr: SocketAddr, path: &str) -> Response {
    exchange(addr, format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes())
}
