//! The one thread: a readiness loop (mio: epoll on Linux, kqueue on macOS
//! and FreeBSD, Windows' own mechanism) over the listener and every open
//! connection, so a connection that sends nothing, or dribbles its head,
//! never delays anyone else's complete request, and a turn costs the same
//! however many connections sit idle.
//!
//! Each turn: expire the connections whose deadline passed (the earliest
//! first, from [`crate::timers`]), wait for readiness (after a busy turn,
//! look without sleeping for a few tens of microseconds first), let each
//! ready connection do what it can ([`crate::conn`]), then accept. Past
//! the connection limit the oldest idle connection is closed for a new one.

use std::io;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use mio::net::TcpListener as Listener;
use mio::{Events, Interest, Poll, Token};
use shared::http::head::Limits;

use crate::config::Config;
use crate::conn::{Conn, Ctx};
use crate::log;
use crate::outgoing::Common;
use crate::site::Site;
use crate::timers::{Queue, Timers};

/// The listener's token; connection slot `n` has token `n + 1`.
const LISTENER: Token = Token(0);
/// Most connections accepted in one turn, so accepting cannot starve
/// connections that are already open.
const ACCEPT_BATCH: usize = 64;
/// How long accepting pauses when the process is out of descriptors.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);
/// How long to keep looking for the next request before sleeping, after a
/// turn that had work.
const SPIN: Duration = Duration::from_micros(50);
/// Readiness events taken per wait.
const EVENTS: usize = 1024;

/// Serves `listener` (already bound) until a system call fails in a way
/// that leaves nothing to do.
pub fn serve(listener: TcpListener, config: Config) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut listener = Listener::from_std(listener);
    let poll = Poll::new()?;
    poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
    let ctx = Ctx {
        limits: Limits::default(),
        timeout: config.timeout,
        log: config.log,
        scratch: Vec::new(),
        spare: crate::spare::Spare::default(),
        #[cfg(feature = "tls")]
        tls: config.tls.clone(),
        common: Common::new(config.extra_headers.clone()),
        site: Site::new(config)?,
    };
    let mut server = Server {
        poll,
        listener,
        ctx,
        conns: Vec::new(),
        free: Vec::new(),
        open: 0,
        timers: Timers::default(),
        ready: Vec::new(),
        working: Vec::new(),
        listener_ready: false,
        accept_paused_until: None,
    };
    server.run()
}

#[derive(Debug)]
struct Server {
    /// The readiness poller.
    poll: Poll,
    /// The listening socket.
    listener: Listener,
    /// What connections share.
    ctx: Ctx,
    /// Connections by slot; `None` is a free slot.
    conns: Vec<Option<Conn>>,
    /// Free slots, reused first so the slot vector stays small.
    free: Vec<usize>,
    /// Open connections.
    open: usize,
    /// Every connection's deadline.
    timers: Timers,
    /// Slots with work to do this turn.
    ready: Vec<usize>,
    /// The slots being worked on (swapped with `ready` each turn).
    working: Vec<usize>,
    /// The listener may have connections waiting (edge-triggered: cleared
    /// when accept would block).
    listener_ready: bool,
    /// Set while the process is out of file descriptors.
    accept_paused_until: Option<Instant>,
}

impl Server {
    fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(EVENTS);
        // Whether the last turn found work: then the next request is
        // likely close behind.
        let mut busy = false;
        loop {
            let now = Instant::now();
            while let Some(slot) = self.timers.expired(now) {
                self.timers.clear(slot);
                if let Some(c) = self.conns[slot].as_mut() {
                    c.expire(&mut self.ctx, now);
                }
                self.settle(slot);
            }
            if self.accept_paused_until.is_some_and(|t| now >= t) {
                self.accept_paused_until = None;
            }
            let accepting = self.listener_ready && self.accept_paused_until.is_none();
            let waiting_work = !self.ready.is_empty() || accepting;
            let wait = if waiting_work {
                Some(Duration::ZERO)
            } else {
                let next = [self.timers.next_deadline(), self.accept_paused_until].into_iter().flatten().min();
                next.map(|t| t.saturating_duration_since(now))
            };
            let got = spin_then_poll(&mut self.poll, &mut events, wait, busy && !waiting_work)?;
            // The clock of this turn, for every request answered in it.
            self.ctx.site.now = Instant::now();
            busy = got || waiting_work;
            for event in events.iter() {
                if event.token() == LISTENER {
                    self.listener_ready = true;
                    continue;
                }
                let slot = event.token().0 - 1;
                let Some(c) = self.conns.get_mut(slot).and_then(Option::as_mut) else { continue };
                if event.is_readable() || event.is_read_closed() || event.is_error() {
                    c.readable = true;
                }
                if event.is_writable() || event.is_write_closed() || event.is_error() {
                    c.writable = true;
                }
                if !c.queued {
                    c.queued = true;
                    self.ready.push(slot);
                }
            }
            std::mem::swap(&mut self.ready, &mut self.working);
            for i in 0..self.working.len() {
                let slot = self.working[i];
                let Some(c) = self.conns[slot].as_mut() else { continue };
                c.queued = false;
                if c.drive(&mut self.ctx) && !c.dead {
                    c.queued = true;
                    self.ready.push(slot);
                }
                self.settle(slot);
            }
            self.working.clear();
            if self.listener_ready && self.accept_paused_until.is_none() {
                self.accept_ready();
            }
        }
    }

    /// After a connection did something: arm its new deadline, or remove
    /// it if it is finished.
    fn settle(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_mut() else { return };
        if c.dead {
            self.close(slot);
            return;
        }
        if let Some((queue, at)) = c.timer.take() {
            self.timers.set(slot, queue, at);
        }
    }

    /// Closes the connection in `slot`.
    fn close(&mut self, slot: usize) {
        if let Some(mut c) = self.conns[slot].take() {
            // Closing would deregister it too; saying so is what mio asks.
            let _ = self.poll.registry().deregister(&mut c.stream);
            shared::trace::close(&c.stream);
            self.timers.clear(slot);
            self.free.push(slot);
            self.open -= 1;
        }
    }

    /// Accepts what is pending, closing the oldest idle connection for each
    /// new one past the limit.
    fn accept_ready(&mut self) {
        for _ in 0..ACCEPT_BATCH {
            let (mut stream, peer) = match self.listener.accept() {
                Ok(pair) => pair,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.listener_ready = false;
                    return;
                }
                Err(e) if shared::sys::socket::out_of_descriptors(&e) => {
                    if !self.close_oldest_idle() {
                        self.accept_paused_until = Some(Instant::now() + ACCEPT_PAUSE);
                    }
                    return;
                }
                // The client gave up before we accepted it, or similar.
                Err(_) => continue,
            };
            shared::trace::accept(&self.listener, &stream, &peer);
            // Responses leave in as few writes as we can make; nothing is
            // gained by the kernel holding the last segment back.
            let _ = stream.set_nodelay(true);
            if self.open >= self.ctx.site.config.max_connections && !self.close_oldest_idle() {
                if self.ctx.log {
                    log::write(&format!("{peer} refused: {} connections are busy", self.open));
                }
                continue;
            }
            let slot = self.free.pop().unwrap_or_else(|| {
                self.conns.push(None);
                self.conns.len() - 1
            });
            let interest = Interest::READABLE | Interest::WRITABLE;
            if self.poll.registry().register(&mut stream, Token(slot + 1), interest).is_err() {
                self.free.push(slot);
                continue;
            }
            let mut conn = Conn::new(stream, peer, self.ctx.timeout, self.transport());
            if let Some((queue, at)) = conn.timer.take() {
                self.timers.set(slot, queue, at);
            }
            self.conns[slot] = Some(conn);
            self.open += 1;
        }
    }

    /// How a new connection's bytes travel: TLS (its first byte decides,
    /// so plain HTTP gets a redirect) or plain.
    fn transport(&self) -> crate::transport::Transport {
        #[cfg(feature = "tls")]
        if let Some(config) = &self.ctx.tls {
            return crate::transport::Transport::Sniffing(std::sync::Arc::clone(config));
        }
        crate::transport::Transport::Plain
    }

    /// Closes the connection that has waited longest with nothing in
    /// progress (a lingering one first: it is done anyway). False when
    /// every connection is busy.
    fn close_oldest_idle(&mut self) -> bool {
        let idle = |s: &usize| self.conns[*s].as_ref().is_some_and(Conn::idle);
        let oldest =
            self.timers.in_order(Queue::Linger).next().or_else(|| self.timers.in_order(Queue::Timeout).find(idle));
        match oldest {
            Some(slot) => {
                self.close(slot);
                true
            }
            None => false,
        }
    }
}

/// Waits for readiness. After a busy turn it first looks without sleeping
/// for a few tens of microseconds: a kept-alive client usually sends its
/// next request within that, and catching it awake saves the wake-up of a
/// sleeping thread, which on a virtual machine costs more than the request.
/// True when something is ready.
fn spin_then_poll(poll: &mut Poll, events: &mut Events, wait: Option<Duration>, spin: bool) -> io::Result<bool> {
    if spin {
        let start = Instant::now();
        while start.elapsed() < SPIN {
            poll_once(poll, events, Some(Duration::ZERO))?;
            if !events.is_empty() {
                return Ok(true);
            }
            std::hint::spin_loop();
        }
    }
    poll_once(poll, events, wait)?;
    Ok(!events.is_empty())
}

/// One wait; a signal interrupting it counts as nothing ready.
fn poll_once(poll: &mut Poll, events: &mut Events, wait: Option<Duration>) -> io::Result<()> {
    match poll.poll(events, wait) {
        Err(e) if e.kind() == io::ErrorKind::Interrupted => {
            events.clear();
            Ok(())
        }
        other => other,
    }
}
