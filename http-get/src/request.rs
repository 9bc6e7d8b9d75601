//! One request and its response head: connect (TLS for https), write the
//! request head and body, read the final response head (interim 1xx
//! skipped), and hand back the [`Response`], which owns the connection and
//! knows how its body is framed (RFC 9112 6.3).

use std::io::{self, Write};
use std::time::Duration;

use shared::http::framing::{BodyLength, response_body};
use shared::http::response::ResponseHead;
use url::Url;

use crate::body::{Body, SendError};
use crate::connect::Timing;
use crate::error::{Error, Kind};
use crate::net::{Clock, Timed};
use crate::pool::{Key, Pool};
use crate::proxy::{Chosen, Proxies};
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
    /// The proxy it goes through, if any.
    pub proxy: Option<Chosen>,
}

impl Request {
    /// What a connection for this request leads to, for keep-alive.
    pub fn key(&self) -> Key {
        Key::new(&self.url, self.proxy.as_ref())
    }
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
    /// `-x`, `--noproxy` and the proxy variables.
    pub proxies: std::sync::Arc<Proxies>,
    /// `--resolve`, `--connect-to`, `-4`/`-6`, localhost.
    pub resolver: std::sync::Arc<crate::resolve::Resolver>,
    /// `--unix-socket`: every connection goes there.
    pub unix_socket: Option<std::path::PathBuf>,
}

/// Sends `req` and reads the response head, on a kept-alive connection
/// to the same place when the run has one (and on a new one if that
/// connection turns out to have been closed meanwhile).
pub fn send(req: &Request, settings: &Settings) -> Result<Response, Error> {
    let shown = target::shown(&req.url);
    let key = req.key();
    // A body read from stdin goes once, on a new connection: it could not
    // be sent again if a kept one turned out to be closed.
    let pooled = if req.body.as_ref().is_some_and(Body::reads_stdin) { None } else { settings.pool.take(&key) };
    if let Some(conn) = pooled {
        let peer = conn.peer;
        if settings.verbose {
            eprintln!("* reusing the connection to {}", peer.map(|a| a.to_string()).unwrap_or_default());
        }
        let timing = Timing { remote: peer, ..Timing::default() };
        match exchange(conn, req, settings, &shown, timing) {
            // A server may close an idle connection at any time: a request
            // that got no answer on one is sent again on a new one.
            Err(e) if matches!(e.kind(), Kind::EmptyReply | Kind::Receive) => {}
            other => return other,
        }
    }
    let mut timing = Timing::default();
    let conn = crate::connect::open(req, settings, &shown, &mut timing)?;
    exchange(conn, req, settings, &shown, timing)
}

/// Writes `req` on `conn` and reads the response head.
fn exchange(
    mut conn: Timed,
    req: &Request,
    settings: &Settings,
    shown: &str,
    mut timing: Timing,
) -> Result<Response, Error> {
    conn.clock = settings.clock;
    write_request(&mut conn, req, settings.verbose, shown)?;
    if shared::trace::on() {
        let line = head_text(req).lines().next().unwrap_or_default().to_string();
        shared::trace::step(format_args!("request sent: {line}"));
    }
    // Bytes read past the head stay here: the body's first bytes.
    let mut buf = Vec::new();
    let received = crate::head::read_final(&mut conn, &mut buf, |interim| {
        if settings.verbose {
            print_head(interim);
        }
    })
    .map_err(|e| Error::head(shown, e))?;
    timing.starttransfer = Some(std::time::Instant::now());
    let head = received.head;
    if settings.verbose {
        print_head(&head);
    }
    let length =
        response_body(req.method == "HEAD", head.status, &head.headers).map_err(|e| Error::malformed(shown, e))?;
    if shared::trace::on() {
        trace_head(&head, length);
    }
    let keep =
        !req.headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
    let mut response = Response::new(head, received.raw, length, buf, conn, keep, req.key());
    response.timing = timing;
    Ok(response)
}

/// `--trace`: the response head received, and how its body will be told apart.
fn trace_head(head: &ResponseHead, length: BodyLength) {
    shared::trace::step(format_args!("response head: HTTP/1.{} {} {}", head.minor, head.status, head.reason));
    let framing = match length {
        BodyLength::None => "none (no body)".to_string(),
        BodyLength::Length(n) => format!("Content-Length, {}", shared::trace::bytes(n)),
        BodyLength::Chunked => "chunked".to_string(),
        BodyLength::UntilClose => "until the server closes".to_string(),
    };
    shared::trace::step(format_args!("body framing: {framing}"));
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
    // Through an HTTP proxy, a plain-http request names the whole URL.
    let request_target = match &req.proxy {
        Some(chosen) if chosen.absolute_form(&req.url) => target::shown(&req.url),
        _ => target::request_target(&req.url),
    };
    let mut head = format!("{} {request_target} HTTP/1.1\r\n", req.method);
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
