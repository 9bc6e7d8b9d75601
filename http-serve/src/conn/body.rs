//! The connection's side of an upload: reading the request body off the
//! socket without blocking, through the server's shared buffer, into the
//! [`crate::receive::Receiving`] that writes it to files; then the answer.
//! A client that goes away or stops sending for `--timeout` leaves no
//! file behind (the upload is dropped, and its temporary files with it).

use std::io;
use std::time::{Instant, SystemTime};

use shared::http::framing::{BodyLength, request_body};
use shared::http::request::RequestHead;

use super::{Conn, Ctx, State};
use crate::log;
use crate::outgoing::Delivery;
use crate::receive::{Outcome, Receiving};
use crate::response::Response;
use crate::timers::Queue;
use crate::transport::Got;
use crate::upload::Upload;

/// Bytes read per read call while receiving a body (the shared buffer's
/// size, one for the whole server). Large, because every write to the
/// upload's file costs the same whatever its size: measured on a 1 GiB
/// PUT over loopback to tmpfs, 1 MiB took 0.44 s of the server's CPU
/// against 0.51 s for 256 KiB. Moving the body by splice(2) instead
/// was no faster and cost the sending side more (its pages cannot be
/// reused while a pipe holds them).
const BODY_CHUNK: usize = 1024 * 1024;

impl Conn {
    /// The handler accepted an upload: starts reading its body (what
    /// arrived with the head first).
    pub(super) fn start_receiving(
        &mut self,
        ctx: &mut Ctx,
        head: &RequestHead,
        upload: Box<Upload>,
        request: String,
        started: Instant,
    ) {
        let body = request_body(&head.headers).unwrap_or(BodyLength::None);
        let expect =
            head.minor >= 1 && head.headers.get("expect").is_some_and(|e| e.eq_ignore_ascii_case(b"100-continue"));
        let mut rx = Receiving::new(upload, body, expect, Delivery::for_request(head), request, started);
        if let Some(outcome) = rx.complete_now(&ctx.site) {
            self.receiving = Some(Box::new(rx));
            self.received(ctx, outcome);
            return;
        }
        self.receiving = Some(Box::new(rx));
        self.state = State::Receiving;
        self.timer = Some((Queue::Timeout, ctx.site.now + ctx.timeout));
        // `100 Continue` wants the socket; and the short read that took
        // the head proves nothing about what came with it (the client's
        // end, say, arrives in the same readiness edge): one read is tried.
        self.writable = true;
        self.readable = true;
    }

    /// One step of receiving. False when it must wait for the socket.
    pub(super) fn receive_step(&mut self, ctx: &mut Ctx) -> bool {
        let Some(rx) = self.receiving.as_mut() else {
            self.dead = true;
            return false;
        };
        // The client may be waiting for leave to send.
        if !rx.interim().is_empty() {
            if !self.writable {
                return false;
            }
            let interim = rx.interim().to_vec();
            let sent = if self.transport.encrypted() {
                self.interim_tls(interim.len())
            } else {
                self.stream.try_io(|| shared::sys::socket::send(&self.stream, &interim, false))
            };
            let Some(rx) = self.receiving.as_mut() else { return false };
            match sent {
                Ok(n) => rx.interim_sent(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.writable = false;
                    return false;
                }
                Err(_) => {
                    self.receive_failed(ctx, "the connection failed");
                    return false;
                }
            }
            return true;
        }
        // Bytes that came with the head, or after it.
        if !self.rbuf.is_empty() {
            let (used, outcome) = rx.feed(&ctx.site, &self.rbuf);
            self.rbuf.drain(..used);
            self.received(ctx, outcome);
            return true;
        }
        if !self.readable {
            return false;
        }
        if ctx.scratch.len() < BODY_CHUNK {
            ctx.scratch.resize(BODY_CHUNK, 0);
        }
        let read = self.transport.read(&self.stream, &mut ctx.scratch);
        match read {
            Ok(Got { n: 0, .. }) => {
                self.receive_failed(ctx, "the upload was cut short");
                false
            }
            Ok(Got { n, drained }) => {
                if drained {
                    self.readable = false;
                }
                self.timer = Some((Queue::Timeout, ctx.site.now + ctx.timeout));
                let (used, outcome) = rx.feed(&ctx.site, &ctx.scratch[..n]);
                // What follows the body is the next request.
                self.rbuf.extend_from_slice(&ctx.scratch[used..n]);
                self.received(ctx, outcome);
                true
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.readable = false;
                false
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => true,
            Err(_) => {
                self.receive_failed(ctx, "the connection failed");
                false
            }
        }
    }

    /// `100 Continue` over TLS: handed to rustls whole (it is tiny), then
    /// flushed; `WouldBlock` until the records are out.
    #[cfg(feature = "tls")]
    fn interim_tls(&mut self, len: usize) -> io::Result<usize> {
        if !self.transport.wants_write() {
            let taken = self.transport.write(&crate::receive::CONTINUE[crate::receive::CONTINUE.len() - len..])?;
            if taken != len {
                return Err(io::Error::other("TLS did not take 100 Continue"));
            }
        }
        if self.transport.flush(&self.stream)? { Ok(len) } else { Err(io::ErrorKind::WouldBlock.into()) }
    }

    /// Without TLS no connection is encrypted, so this is never called.
    #[cfg(not(feature = "tls"))]
    fn interim_tls(&mut self, _len: usize) -> io::Result<usize> {
        Err(io::Error::other("no TLS in this build"))
    }

    /// Acts on what feeding the body came to: more to read, or the answer.
    fn received(&mut self, ctx: &mut Ctx, outcome: Outcome) {
        let response = match outcome {
            Outcome::More => return,
            Outcome::Done(r) => r,
            Outcome::Refused(mut r) => {
                // The rest of the body is not read.
                r.close = true;
                self.rbuf.clear();
                r
            }
        };
        // A file made by an upload may be some file's `.br` or `.gz`, or
        // replace a file kept open: it is served as it now is.
        ctx.site.no_siblings.forget_all();
        ctx.site.open_files.forget_all();
        let Some(rx) = self.receiving.take() else { return };
        let (how, request, started) = rx.into_parts();
        self.state = State::Reading;
        self.begin(ctx, response, how, request, started);
    }

    /// The client went away or the connection failed mid-body: the upload
    /// is dropped (its files removed) and so is the connection.
    fn receive_failed(&mut self, ctx: &Ctx, why: &str) {
        if let Some(rx) = self.receiving.take() {
            let received = rx.wire_bytes;
            let (_, request, started) = rx.into_parts();
            if ctx.log {
                log::write(&log::unanswered(self.peer, SystemTime::now(), &request, received, started.elapsed(), why));
            }
        }
        self.dead = true;
    }

    /// No body byte for `--timeout`: the upload is dropped (its files
    /// removed), and the client gets one try at a 408.
    pub(super) fn receive_timed_out(&mut self, ctx: &mut Ctx, now: Instant) {
        let Some(rx) = self.receiving.take() else {
            self.dead = true;
            return;
        };
        let (_, request, _) = rx.into_parts();
        let detail = format!("The upload made no progress for {}.", humantime::format_duration(ctx.timeout));
        self.state = State::Reading;
        self.rbuf.clear();
        self.begin(ctx, Response::refusal(408, &detail), Delivery::closing(), request, now);
        self.writable = true;
        if self.write_some(ctx) != Some(crate::outgoing::Progress::Done) && !self.dead {
            self.log_end(ctx, Some("timed out"));
            self.dead = true;
        }
    }
}
