//! One client connection: reading request heads, answering each with a
//! response from [`crate::handler`], sending it without blocking, and
//! closing gracefully.
//!
//! A connection is in one of three states. *Reading*: waiting for a
//! complete request head, under a deadline (`--timeout`) that dribbling
//! does not extend. *Writing*: a response is going out; a client that
//! stops reading is parked (and dropped when no byte moves for
//! `--timeout`) while the thread serves the others. *Lingering*: the
//! response that ends the connection is sent and the write side shut;
//! unread input is drained for a moment so the kernel does not reset the
//! connection before the client has read the response.
//!
//! Readiness is edge-triggered: `readable` and `writable` say the socket
//! may have bytes or room, and are cleared when a call finds none.
//! Pipelined requests are answered in order, one at a time.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use mio::net::TcpStream;
use shared::http::head::Limits;
use shared::http::request::parse_request;

use crate::handler::Reply;
use crate::log;
use crate::outgoing::{Common, Delivery, Outgoing, Progress};
use crate::response::{Body, Response};
use crate::site::Site;
use crate::timers::Queue;
use crate::transport::{Got, Transport};

/// Most bytes sent to one connection before the others get a turn.
const TURN_BUDGET: u64 = 4 * 1024 * 1024;
/// Most reads and responses in one turn, so a client that pipelines
/// without end cannot keep the others waiting.
const TURN_STEPS: usize = 32;
/// Bytes read per read call while collecting a head.
const READ_CHUNK: usize = 4096;
/// How long a closing connection is drained before it is dropped.
const LINGER: Duration = Duration::from_secs(2);
/// Most bytes drained from a closing connection.
const LINGER_BYTES: u64 = 1024 * 1024;

/// What the connections share: the site, the common fields, the settings.
#[derive(Debug)]
pub struct Ctx {
    /// The answerer of requests.
    pub site: Site,
    /// Date, Server and `-H` fields.
    pub common: Common,
    /// Head size limits.
    pub limits: Limits,
    /// `--timeout`.
    pub timeout: Duration,
    /// Write access log lines.
    pub log: bool,
    /// The buffer request bodies are read into, shared: the thread reads
    /// one connection at a time, and the bytes are in a file before the
    /// next read.
    pub scratch: Vec<u8>,
    /// Read and response buffers of connections that wait, for those that
    /// work.
    pub spare: crate::spare::Spare,
    /// `--tls`: the server's TLS configuration.
    #[cfg(feature = "tls")]
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

/// What a connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for a complete request head.
    Reading,
    /// Reading a request body (an upload) as it arrives.
    Receiving,
    /// Working out the length of a response before its head is sent
    /// (an archive walking its tree), a bounded step at a time.
    Preparing,
    /// Sending a response.
    Writing,
    /// Sent its last response; draining input before closing.
    Lingering,
}

mod body;

/// One client connection.
#[derive(Debug)]
pub struct Conn {
    /// The socket, non-blocking, registered for both readiness kinds.
    pub stream: TcpStream,
    /// Plain, or TLS over the socket.
    transport: Transport,
    /// The client, for the log.
    peer: SocketAddr,
    /// Bytes received and not yet parsed (part of a head, or pipelined
    /// requests); bounded by the head limit plus one read.
    rbuf: Vec<u8>,
    /// The response being sent.
    out: Outgoing,
    /// What the connection is doing.
    state: State,
    /// Responses completed on it; a fresh connection that times out gets a
    /// 408, an idle kept-alive one is closed quietly.
    served: u64,
    /// Close after the current response.
    close_after: bool,
    /// The current response's log entry.
    entry: Option<log::Entry>,
    /// A response whose length is being worked out, with how to deliver
    /// it, its request line for the log and when it started.
    preparing: Option<(Response, Delivery, String, Instant)>,
    /// The request body being received.
    receiving: Option<Box<crate::receive::Receiving>>,
    /// Bytes drained while lingering.
    drained: u64,
    /// Finished; the server removes it.
    pub dead: bool,
    /// The socket may have bytes to read.
    pub readable: bool,
    /// The socket may have room to write.
    pub writable: bool,
    /// A new deadline for the server to arm, when it changed.
    pub timer: Option<(Queue, Instant)>,
    /// In the server's list of connections with work to do.
    pub queued: bool,
}

impl Conn {
    /// A connection just accepted, waiting for its first request.
    pub fn new(stream: TcpStream, peer: SocketAddr, timeout: Duration, transport: Transport) -> Conn {
        Conn {
            stream,
            transport,
            peer: SocketAddr::new(peer.ip().to_canonical(), peer.port()),
            rbuf: Vec::new(),
            out: Outgoing::default(),
            state: State::Reading,
            served: 0,
            close_after: false,
            entry: None,
            preparing: None,
            receiving: None,
            drained: 0,
            dead: false,
            readable: false,
            writable: false,
            timer: Some((Queue::Timeout, Instant::now() + timeout)),
            queued: false,
        }
    }

    /// True when nothing is in progress: no request half-read, no response
    /// going out. Such a connection may be closed for a new one.
    pub fn idle(&self) -> bool {
        matches!(self.state, State::Reading | State::Lingering) && self.rbuf.is_empty()
    }

    /// Does what the socket's readiness allows: reads and answers
    /// requests, sends, drains. True when there is more to do without
    /// waiting for the socket (the turn's budget ran out).
    pub fn drive(&mut self, ctx: &mut Ctx) -> bool {
        for _ in 0..TURN_STEPS {
            if self.dead {
                return false;
            }
            match self.state {
                State::Reading => {
                    // A TLS handshake's answer may be waiting for room.
                    if self.transport.wants_write() && self.writable {
                        match self.transport.flush(&self.stream) {
                            Ok(true) => {}
                            Ok(false) => self.writable = false,
                            Err(_) => self.dead = true,
                        }
                    }
                    if !self.readable {
                        return false;
                    }
                    self.read_some(&mut ctx.spare);
                    self.process(ctx);
                }
                State::Receiving => {
                    if !self.receive_step(ctx) {
                        return false;
                    }
                }
                State::Preparing => self.prepare(ctx),
                State::Writing => {
                    if !self.writable {
                        return false;
                    }
                    match self.write_some(ctx) {
                        Some(Progress::Done) => {}
                        Some(Progress::Yield) => return true,
                        Some(Progress::Blocked) | None => return false,
                    }
                }
                State::Lingering => {
                    if self.readable {
                        self.drain();
                    }
                    return false;
                }
            }
        }
        !self.dead
    }

    /// Reads what has arrived into `rbuf`.
    fn read_some(&mut self, spare: &mut crate::spare::Spare) {
        if self.rbuf.capacity() == 0 {
            self.rbuf = spare.take();
        }
        let read = self.transport.read_append(&self.stream, &mut self.rbuf, READ_CHUNK);
        match read {
            Ok(Got { n: 0, .. }) => {
                // The client closed; a partial head gets no answer.
                self.dead = true;
            }
            Ok(Got { drained, .. }) => {
                if drained {
                    self.readable = false;
                }
            }
            Err(e) => match e.kind() {
                io::ErrorKind::WouldBlock => self.readable = false,
                io::ErrorKind::Interrupted => {}
                _ => self.dead = true,
            },
        }
    }

    /// Answers the first complete request in `rbuf`, if there is one; an
    /// unparsable head gets its error page.
    fn process(&mut self, ctx: &mut Ctx) {
        if self.state != State::Reading || self.dead || self.rbuf.is_empty() {
            return;
        }
        match parse_request(&self.rbuf, &ctx.limits) {
            Ok(None) => {}
            Ok(Some((head, used))) => {
                self.rbuf.drain(..used);
                shared::trace::step(format_args!("read head: {}", head.request_line()));
                let started = if ctx.log { Instant::now() } else { ctx.site.now };
                let reply = if self.transport.plain_on_tls() {
                    Reply::Answer(crate::handler::to_https(&head))
                } else {
                    crate::handler::respond(&mut ctx.site, &head)
                };
                let request = if ctx.log { crate::escape::log(head.request_line().as_bytes()) } else { String::new() };
                match reply {
                    Reply::Answer(response) => {
                        self.begin(ctx, response, Delivery::for_request(&head), request, started)
                    }
                    Reply::Receive(upload) => self.start_receiving(ctx, &head, upload, request, started),
                }
            }
            Err(e) => {
                let started = if ctx.log { Instant::now() } else { ctx.site.now };
                let request = log::raw_request(&self.rbuf);
                self.rbuf.clear();
                self.begin(ctx, Response::refusal(e.status(), &format!("{e}.")), Delivery::closing(), request, started);
            }
        }
    }

    /// Starts sending `response`, or, when its length is still to be
    /// worked out, starts working it out.
    fn begin(&mut self, ctx: &mut Ctx, response: Response, how: Delivery, request: String, started: Instant) {
        if matches!(response.body, Body::Deferred(_)) {
            self.preparing = Some((response, how, request, started));
            self.state = State::Preparing;
            self.timer = Some((Queue::Timeout, ctx.site.now + ctx.timeout));
            return;
        }
        self.send_head(ctx, response, how, request, started);
    }

    /// One step of working out the length of the response being prepared;
    /// once known, its head goes out. A failure (the folder vanished) is
    /// answered 500 and the connection closed.
    fn prepare(&mut self, ctx: &mut Ctx) {
        let Some((mut response, how, request, started)) = self.preparing.take() else {
            self.dead = true;
            return;
        };
        let Body::Deferred(source) = &mut response.body else {
            self.send_head(ctx, response, how, request, started);
            return;
        };
        match source.measure() {
            Ok(Some(len)) => {
                let Body::Deferred(source) = std::mem::replace(&mut response.body, Body::None) else { return };
                response.body = Body::Stream { source, len };
                self.send_head(ctx, response, how, request, started);
            }
            Ok(None) => {
                self.preparing = Some((response, how, request, started));
                // Working for the client is progress.
                self.timer = Some((Queue::Timeout, ctx.site.now + ctx.timeout));
            }
            Err(e) => {
                let detail = format!("The folder could not be read: {}.", shared::io_text::describe(&e));
                self.send_head(ctx, Response::refusal(500, &detail), how, request, started);
            }
        }
    }

    /// Turns `response` into bytes and starts sending them.
    fn send_head(&mut self, ctx: &mut Ctx, response: Response, how: Delivery, request: String, started: Instant) {
        if !self.out.has_buf() {
            self.out.give_buf(ctx.spare.take());
        }
        let s = self.out.start(&mut ctx.common, response, how, ctx.site.now);
        shared::trace::step(format_args!(
            "build response: status {}, body {}, then {}",
            s.status,
            shared::trace::bytes(s.body_bytes),
            if s.close { "close" } else { "keep the connection" }
        ));
        self.entry = Some(log::Entry { request, started, status: s.status, bytes: s.body_bytes });
        self.close_after = s.close;
        self.state = State::Writing;
        self.timer = Some((Queue::Timeout, ctx.site.now + ctx.timeout));
    }

    /// Sends what the socket takes; finishes the response when all is
    /// sent. `None` when the connection failed.
    fn write_some(&mut self, ctx: &mut Ctx) -> Option<Progress> {
        let before = self.out.sent();
        match self.out.send(&self.stream, &mut self.transport, TURN_BUDGET) {
            Ok(Progress::Done) => {
                self.finish(ctx);
                Some(Progress::Done)
            }
            Ok(p) => {
                if p == Progress::Blocked {
                    self.writable = false;
                }
                if self.out.sent() != before {
                    self.timer = Some((Queue::Timeout, ctx.site.now + ctx.timeout));
                }
                Some(p)
            }
            Err(e) => {
                self.log_end(ctx, Some(&shared::io_text::describe(&e)));
                self.dead = true;
                None
            }
        }
    }

    /// The response is sent: log it, then wait for the next request or
    /// start closing.
    fn finish(&mut self, ctx: &mut Ctx) {
        if shared::trace::on() {
            shared::trace::settle(&self.stream);
            let body = self.entry.as_ref().map_or(0, |e| e.bytes);
            let by = if self.transport.encrypted() { "encrypted and copied" } else { self.out.body_way() };
            shared::trace::step(format_args!("sent body: {} by {by}", shared::trace::bytes(body)));
            let next = if self.close_after { "close it" } else { "keep it for the next request" };
            shared::trace::step(format_args!("response sent: {next}"));
        }
        self.log_end(ctx, None);
        self.served += 1;
        let now = ctx.site.now;
        if self.close_after {
            // TLS says it ends (what fits in the socket now; a client gone
            // already loses nothing).
            self.transport.close_notify();
            let _ = self.transport.flush(&self.stream);
            let _ = shared::sys::socket::shutdown_write(&self.stream);
            self.state = State::Lingering;
            self.timer = Some((Queue::Linger, now + LINGER.min(ctx.timeout)));
            self.rbuf = Vec::new();
            // Input may already be waiting to be drained.
            self.readable = true;
            return;
        }
        self.state = State::Reading;
        self.timer = Some((Queue::Timeout, now + ctx.timeout));
        // Waiting for the next request holds no buffer.
        ctx.spare.give(self.out.take_buf());
        if self.rbuf.is_empty() {
            ctx.spare.give(std::mem::take(&mut self.rbuf));
        } else {
            // A pipelined request may be complete already.
            self.process(ctx);
        }
    }

    /// Writes the log line of the current response, with a note when it
    /// did not complete.
    fn log_end(&mut self, ctx: &Ctx, note: Option<&str>) {
        let Some(entry) = self.entry.take() else { return };
        if ctx.log {
            let mut line = log::line(self.peer, SystemTime::now(), &entry, entry.started.elapsed());
            if let Some(note) = note {
                line.push_str(" (dropped: ");
                line.push_str(note);
                line.push(')');
            }
            log::write(&line);
        }
    }

    /// Reads and discards input while lingering, until the client closes.
    fn drain(&mut self) {
        let mut scratch = [0u8; 4096];
        loop {
            match self.stream.try_io(|| shared::sys::socket::recv(&self.stream, &mut scratch)) {
                Ok(0) => {
                    self.dead = true;
                    return;
                }
                Ok(n) => {
                    self.drained += n as u64;
                    if self.drained > LINGER_BYTES {
                        self.dead = true;
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if e.kind() == io::ErrorKind::WouldBlock {
                        self.readable = false;
                    } else {
                        self.dead = true;
                    }
                    return;
                }
            }
        }
    }

    /// The deadline passed: a head that did not arrive in time gets a 408,
    /// a write that made no progress is dropped, an idle kept-alive
    /// connection is closed quietly.
    pub fn expire(&mut self, ctx: &mut Ctx, now: Instant) {
        match self.state {
            State::Reading if !self.rbuf.is_empty() || self.served == 0 => {
                let request = if self.rbuf.is_empty() { "-".to_string() } else { log::raw_request(&self.rbuf) };
                self.rbuf.clear();
                let detail = format!("No complete request arrived within {}.", humantime::format_duration(ctx.timeout));
                self.begin(ctx, Response::refusal(408, &detail), Delivery::closing(), request, now);
                // One try to send it; a client that neither sends nor
                // reads gets nothing more.
                self.writable = true;
                if self.write_some(ctx) != Some(Progress::Done) && !self.dead {
                    self.log_end(ctx, Some("timed out"));
                    self.dead = true;
                }
            }
            State::Writing => {
                self.log_end(ctx, Some("client stopped reading"));
                self.dead = true;
            }
            State::Preparing => self.dead = true,
            State::Receiving => self.receive_timed_out(ctx, now),
            State::Reading | State::Lingering => self.dead = true,
        }
    }
}
