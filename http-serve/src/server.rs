//! The one thread: a poll(2) loop over the listener and every open
//! connection, so a connection that sends nothing, or dribbles its head,
//! never delays anyone else's complete request.
//!
//! Each connection is in one of three states. *Reading*: waiting for a
//! complete request head, under a deadline (`--timeout`) that dribbling
//! does not extend. *Writing*: a response is going out; the socket is
//! non-blocking, so a client that stops reading is parked (and dropped when
//! no byte moves for `--timeout`) while the thread serves the others.
//! *Lingering*: the response that ends the connection is sent and the
//! write side shut; unread input is drained for a moment so the kernel
//! does not reset the connection before the client has read the response.
//!
//! Pipelined requests are answered in order, one at a time. Past the
//! connection limit the oldest idle connection is closed for a new one.

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant, SystemTime};

use shared::http::head::Limits;
use shared::http::request::parse_request;

use crate::config::Config;
use crate::handler::{self, Site};
use crate::log;
use crate::outgoing::{Outgoing, Progress};
use crate::response::Plan;
use crate::sys::{self, FAILED, READABLE, WRITABLE};

/// Most bytes sent to one connection before the others get a turn.
const TURN_BUDGET: u64 = 4 * 1024 * 1024;
/// Bytes read per read call while collecting a head.
const READ_CHUNK: usize = 4096;
/// How long a closing connection is drained before it is dropped.
const LINGER: Duration = Duration::from_secs(2);
/// Most bytes drained from a closing connection.
const LINGER_BYTES: u64 = 1024 * 1024;
/// Most connections accepted in one turn, so accepting cannot starve
/// connections that are already open.
const ACCEPT_BATCH: usize = 64;
/// How long accepting pauses when the process is out of descriptors.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    Writing,
    Lingering,
}

/// One client connection.
#[derive(Debug)]
struct Conn {
    /// The socket, non-blocking.
    stream: TcpStream,
    /// The client, for the log.
    peer: SocketAddr,
    /// Bytes received and not yet parsed (part of a head, or pipelined
    /// requests); bounded by the head limit plus one read.
    rbuf: Vec<u8>,
    /// The response being sent.
    out: Outgoing,
    /// What the connection is doing.
    state: State,
    /// When the current state gives up (head not complete, write not
    /// progressing, linger over).
    deadline: Instant,
    /// When it started waiting for a request (picks the oldest idle one).
    waiting_since: Instant,
    /// Responses completed on it; a fresh connection that times out gets a
    /// 408, an idle kept-alive one is closed quietly.
    served: u64,
    /// Close after the current response.
    close_after: bool,
    /// The current response's log entry.
    entry: Option<log::Entry>,
    /// Bytes drained while lingering.
    drained: u64,
    /// Finished; removed at the start of the next turn.
    dead: bool,
}

/// What the connections share: settings and the site.
#[derive(Debug)]
struct Ctx {
    /// The answerer of requests.
    site: Site,
    /// Head size limits.
    limits: Limits,
    /// `--timeout`.
    timeout: Duration,
    /// Write access log lines.
    log: bool,
}

/// Serves `listener` (already bound) forever, or until a system call fails
/// in a way that leaves nothing to do.
pub fn serve(listener: TcpListener, config: Config) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let ctx = Ctx { limits: Limits::default(), timeout: config.timeout, log: config.log, site: Site::new(config) };
    let mut server = Server { listener, ctx, conns: Vec::new(), accept_paused_until: None };
    server.run()
}

#[derive(Debug)]
struct Server {
    listener: TcpListener,
    ctx: Ctx,
    conns: Vec<Conn>,
    /// Set while the process is out of file descriptors.
    accept_paused_until: Option<Instant>,
}

impl Server {
    fn run(&mut self) -> io::Result<()> {
        let mut fds: Vec<sys::PollFd> = Vec::new();
        // Whether the last turn found work: then the next request is
        // likely close behind.
        let mut busy = false;
        loop {
            let now = Instant::now();
            for c in &mut self.conns {
                if now >= c.deadline {
                    c.expire(&mut self.ctx, now);
                }
            }
            self.conns.retain(|c| !c.dead);
            if self.accept_paused_until.is_some_and(|t| now >= t) {
                self.accept_paused_until = None;
            }

            fds.clear();
            let accepting = self.accept_paused_until.is_none();
            fds.push(sys::watch(self.listener.as_raw_fd(), if accepting { READABLE } else { 0 }));
            let mut next = self.accept_paused_until;
            for c in &self.conns {
                let events = if c.state == State::Writing { WRITABLE } else { READABLE };
                fds.push(sys::watch(c.stream.as_raw_fd(), events));
                next = Some(next.map_or(c.deadline, |n| n.min(c.deadline)));
            }
            let wait = next.map(|t| t.saturating_duration_since(now));
            if !spin_then_poll(&mut fds, wait, busy)? {
                busy = false;
                continue;
            }
            busy = true;
            for (c, fd) in self.conns.iter_mut().zip(&fds[1..]) {
                if fd.revents & (fd.events | FAILED) == 0 {
                    continue;
                }
                match c.state {
                    State::Reading => c.on_readable(&mut self.ctx),
                    State::Writing => c.write_some(&mut self.ctx),
                    State::Lingering => c.drain(),
                }
            }
            if fds[0].revents & READABLE != 0 {
                self.accept_ready();
            }
        }
    }

    /// Accepts what is pending, closing the oldest idle connection for each
    /// new one past the limit.
    fn accept_ready(&mut self) {
        for _ in 0..ACCEPT_BATCH {
            let (stream, peer) = match self.listener.accept() {
                Ok(pair) => pair,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if out_of_descriptors(&e) => {
                    if !self.close_oldest_idle() {
                        self.accept_paused_until = Some(Instant::now() + ACCEPT_PAUSE);
                    }
                    return;
                }
                // The client gave up before we accepted it, or similar.
                Err(_) => continue,
            };
            if stream.set_nonblocking(true).is_err() {
                continue;
            }
            // Responses leave in as few writes as we can make; nothing is
            // gained by the kernel holding the last segment back.
            let _ = stream.set_nodelay(true);
            if self.conns.len() >= self.ctx.site.config.max_connections && !self.close_oldest_idle() {
                if self.ctx.log {
                    log::write(&format!("{peer} refused: {} connections are busy", self.conns.len()));
                }
                continue;
            }
            let now = Instant::now();
            self.conns.push(Conn {
                stream,
                peer: SocketAddr::new(peer.ip().to_canonical(), peer.port()),
                rbuf: Vec::new(),
                out: Outgoing::default(),
                state: State::Reading,
                deadline: now + self.ctx.timeout,
                waiting_since: now,
                served: 0,
                close_after: false,
                entry: None,
                drained: 0,
                dead: false,
            });
        }
    }

    /// Closes the connection that has waited longest with no request in
    /// progress. False when every connection is busy.
    fn close_oldest_idle(&mut self) -> bool {
        let oldest = self
            .conns
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.dead && c.state != State::Writing && c.rbuf.is_empty())
            .min_by_key(|(_, c)| c.waiting_since)
            .map(|(i, _)| i);
        match oldest {
            Some(i) => {
                self.conns.remove(i);
                true
            }
            None => false,
        }
    }
}

/// How long to keep looking for the next request before sleeping, after a
/// turn that had work.
const SPIN: Duration = Duration::from_micros(50);

/// Waits for readiness. After a busy turn it first looks without sleeping
/// for a few tens of microseconds: a kept-alive client usually sends its
/// next request within that, and catching it awake saves the wake-up of a
/// sleeping thread, which on a virtual machine costs more than the request.
/// True when something is ready.
fn spin_then_poll(fds: &mut [sys::PollFd], wait: Option<Duration>, busy: bool) -> io::Result<bool> {
    if busy {
        let start = Instant::now();
        while start.elapsed() < SPIN {
            if sys::poll(fds, Some(Duration::ZERO))? > 0 {
                return Ok(true);
            }
            std::hint::spin_loop();
        }
    }
    Ok(sys::poll(fds, wait)? > 0)
}

fn out_of_descriptors(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM))
}

impl Conn {
    /// Reads what has arrived and answers every complete request in it.
    fn on_readable(&mut self, ctx: &mut Ctx) {
        let old = self.rbuf.len();
        self.rbuf.resize(old + READ_CHUNK, 0);
        let read = (&self.stream).read(&mut self.rbuf[old..]);
        match read {
            Ok(0) => {
                // The client closed; a partial head gets no answer.
                self.rbuf.truncate(old);
                self.dead = true;
                return;
            }
            Ok(n) => self.rbuf.truncate(old + n),
            Err(e) => {
                self.rbuf.truncate(old);
                if !matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) {
                    self.dead = true;
                }
                return;
            }
        }
        self.process(ctx);
    }

    /// Answers the complete requests in `rbuf`, in order, while responses
    /// finish at once; stops at a partial head or a response in flight.
    fn process(&mut self, ctx: &mut Ctx) {
        while self.state == State::Reading && !self.dead && !self.rbuf.is_empty() {
            match parse_request(&self.rbuf, &ctx.limits) {
                Ok(None) => return,
                Ok(Some((head, used))) => {
                    self.rbuf.drain(..used);
                    let started = Instant::now();
                    let plan = handler::respond(&mut ctx.site, &head, &mut self.out.buf);
                    let request =
                        if ctx.log { crate::escape::log(head.request_line().as_bytes()) } else { String::new() };
                    self.begin(ctx, plan, request, started);
                }
                Err(e) => {
                    let started = Instant::now();
                    let request = log::raw_request(&self.rbuf);
                    self.rbuf.clear();
                    let plan = ctx.site.refuse(&mut self.out.buf, e.status(), &format!("{e}."));
                    self.begin(ctx, plan, request, started);
                }
            }
        }
    }

    /// Starts sending a planned response.
    fn begin(&mut self, ctx: &mut Ctx, plan: Plan, request: String, started: Instant) {
        self.entry = Some(log::Entry { request, started, status: plan.status, bytes: plan.body_len });
        self.close_after = plan.close;
        self.out.start(plan.rest);
        self.state = State::Writing;
        self.deadline = Instant::now() + ctx.timeout;
        self.write_some(ctx);
    }

    /// Sends what the socket takes; finishes the response when all is sent.
    fn write_some(&mut self, ctx: &mut Ctx) {
        let before = self.out.sent();
        match self.out.send(&self.stream, TURN_BUDGET) {
            Ok(Progress::Done) => self.finish(ctx),
            Ok(Progress::Blocked | Progress::Yield) => {
                if self.out.sent() != before {
                    self.deadline = Instant::now() + ctx.timeout;
                }
            }
            Err(e) => {
                self.log_end(ctx, Some(&shared::io_text::describe(&e)));
                self.dead = true;
            }
        }
    }

    /// The response is sent: log it, then wait for the next request or
    /// start closing.
    fn finish(&mut self, ctx: &mut Ctx) {
        self.log_end(ctx, None);
        self.served += 1;
        let now = Instant::now();
        if self.close_after {
            let _ = self.stream.shutdown(Shutdown::Write);
            self.state = State::Lingering;
            self.deadline = now + LINGER.min(ctx.timeout);
            self.rbuf = Vec::new();
            return;
        }
        self.state = State::Reading;
        self.waiting_since = now;
        self.deadline = now + ctx.timeout;
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
            match (&self.stream).read(&mut scratch) {
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
                    self.dead = e.kind() != io::ErrorKind::WouldBlock;
                    return;
                }
            }
        }
    }

    /// The deadline passed: a head that did not arrive in time gets a 408,
    /// a write that made no progress is dropped, an idle kept-alive
    /// connection is closed quietly.
    fn expire(&mut self, ctx: &mut Ctx, now: Instant) {
        match self.state {
            State::Reading if !self.rbuf.is_empty() || self.served == 0 => {
                let request = if self.rbuf.is_empty() { "-".to_string() } else { log::raw_request(&self.rbuf) };
                self.rbuf.clear();
                let detail = format!("No complete request arrived within {}.", humantime::format_duration(ctx.timeout));
                let plan = ctx.site.refuse(&mut self.out.buf, 408, &detail);
                self.begin(ctx, plan, request, now);
                if self.state == State::Writing {
                    // A client that neither sends nor reads gets nothing more.
                    self.log_end(ctx, Some("timed out"));
                    self.dead = true;
                }
            }
            State::Writing => {
                self.log_end(ctx, Some("client stopped reading"));
                self.dead = true;
            }
            State::Reading | State::Lingering => self.dead = true,
        }
    }
}
