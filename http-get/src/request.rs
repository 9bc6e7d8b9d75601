//! One request and its response head: connect (TLS for https), write the
//! request head and body, read the final response head (interim 1xx
//! skipped), and hand back the [`Response`], which owns the connection and
//! knows how its body is framed (RFC 9112 6.3).

use std::io::{self, Write};
use std::time::{Duration, Instant};

use shared::http::framing::response_body;
use shared::http::response::ResponseHead;
use url::Url;

use crate::body::{Body, SendError};
use crate::error::{Error, Kind};
use crate::net::{self, Clock, Stream, Timed};
use crate::pool::{Key, Pool};
use crate::response::Response;
use crate::target;

/// What to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method token.
    pub method: String,
    /// Where.
    pub url: Url,
    /// Every header field, in order (Host first).
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Body>,
    /// Its length, as Content-Length announced; `None` sends it chunked.
    pub body_size: Option<u64>,
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Resolving, connecting and the TLS handshake together.
    pub connect_timeout: Duration,
    /// The transfer's deadline and idle limit.
    pub clock: Clock,
    /// TLS configuration for https, made on first use.
    #[cfg(feature = "tls")]
    pub tls: std::sync::Arc<crate::tls::Lazy>,
    /// Print heads to stderr.
    pub verbose: bool,
    /// The run's kept-alive connections.
    pub pool: std::sync::Arc<Pool>,
}

/// Sends `req` and reads the response head, on a kept-alive connection
/// to the same place when the run has one (and on a new one if that
/// connection turns out to have been closed meanwhile).
pub fn send(req: &Request, settings: &Settings) -> Result<Response, Error> {
    let shown = target::shown(&req.url);
    let key = Key::of(&req.url);
    // A body read from stdin goes once, on a new connection: it could not
    // be sent again if a kept one turned out to be closed.
    let pooled = if req.body.as_ref().is_some_and(Body::reads_stdin) { None } else { settings.pool.take(&key) };
    if let Some(conn) = pooled {
        if settings.verbose {
            let peer = conn.stream.tcp().peer_addr().map(|a| a.to_string()).unwrap_or_default();
            eprintln!("* reusing the connection to {peer}");
        }
        match exchange(conn, req, settings, &shown) {
            // A server may close an idle connection at any time: a request
            // that got no answer on one is sent again on a new one.
            Err(e) if matches!(e.kind(), Kind::EmptyReply | Kind::Receive) => {}
            other => return other,
        }
    }
    let conn = connect(req, settings, &shown)?;
    exchange(conn, req, settings, &shown)
}

/// A new connection for `req`: resolved, connected, TLS for https.
fn connect(req: &Request, settings: &Settings, shown: &str) -> Result<Timed, Error> {
    let started = Instant::now();
    let limit = settings.clock.within(settings.connect_timeout).ok_or_else(|| Error::timed_out(shown))?;
    let addrs = net::resolve(&req.url, shown, limit)?;
    let tcp = net::connect(&addrs, shown, limit.saturating_sub(started.elapsed()))?;
    let peer = tcp.peer_addr().unwrap_or(addrs[0]);
    if settings.verbose {
        eprintln!("* connected to {peer}");
    }
    #[cfg(feature = "tls")]
    let stream = if req.url.scheme() == "https" {
        let left = limit.saturating_sub(started.elapsed());
        let config = settings.tls.get()?;
        Stream::Tls(Box::new(crate::tls::handshake(tcp, &req.url, shown, config, left)?))
    } else {
        Stream::Plain(tcp)
    };
    // Without TLS no https URL gets this far: target::parse refuses it.
    #[cfg(not(feature = "tls"))]
    let stream = Stream::Plain(tcp);
    Ok(Timed::new(stream, settings.clock))
}

/// Writes `req` on `conn` and reads the response head.
fn exchange(mut conn: Timed, req: &Request, settings: &Settings, shown: &str) -> Result<Response, Error> {
    conn.clock = settings.clock;
    write_request(&mut conn, req, settings.verbose, shown)?;
    // Bytes read past the head stay here: the body's first bytes.
    let mut buf = Vec::new();
    let received = crate::head::read_final(&mut conn, &mut buf, |interim| {
        if settings.verbose {
            print_head(interim);
        }
    })
    .map_err(|e| Error::head(shown, e))?;
    let head = received.head;
    if settings.verbose {
        print_head(&head);
    }
    let length =
        response_body(req.method == "HEAD", head.status, &head.headers).map_err(|e| Error::malformed(shown, e))?;
    let keep =
        !req.headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
    Ok(Response::new(head, received.raw, length, buf, conn, keep))
}

fn send_error(shown: &str, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::timed_out(shown).because(e),
        // The server may already have answered (and closed); its response
        // is the better message, but a reset before any reply is a
        // receive failure.
        _ => Error::receive(shown, e),
    }
}

/// The request head as text (without the body).
pub fn head_text(req: &Request) -> String {
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, target::request_target(&req.url));
    for (name, value) in &req.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

fn write_request(conn: &mut Timed, req: &Request, verbose: bool, shown: &str) -> Result<(), Error> {
    let head = head_text(req);
    if verbose {
        for line in head.lines().filter(|l| !l.is_empty()) {
            eprintln!("> {line}");
        }
        eprintln!(">");
    }
    let sent = match &req.body {
        None => conn.write_all(head.as_bytes()),
        Some(body) => {
            // The head and the body's first bytes leave together.
            let mut out = io::BufWriter::with_capacity(64 * 1024, &mut *conn);
            out.write_all(head.as_bytes()).map_err(|e| send_error(shown, e))?;
            body.send(&mut out, req.body_size).map_err(|e| body_error(shown, e))?;
            out.flush()
        }
    };
    sent.and_then(|()| conn.flush()).map_err(|e| send_error(shown, e))
}

fn body_error(shown: &str, e: SendError) -> Error {
    match e {
        SendError::Net(e) => send_error(shown, e),
        SendError::Read(what, e) => Error::new(
            Kind::ReadBody,
            format!("{shown}: reading the request body from {what}: {}", shared::io_text::describe(&e)),
        )
        .because(e),
        SendError::Rewind => Error::new(
            Kind::Rewind,
            format!("{shown}: the request body came from stdin, which cannot be sent a second time"),
        ),
    }
}

fn print_head(head: &ResponseHead) {
    eprintln!("< {}", head.status_line());
    for (name, value) in head.headers.iter() {
        eprintln!("< {name}: {}", String::from_utf8_lossy(value));
    }
    eprintln!("<");
}
