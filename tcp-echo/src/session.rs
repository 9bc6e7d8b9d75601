//! One connection, both directions at once: the pump writes stdin to the
//! socket while this thread copies the socket to stdout. Half-close is the
//! default on both sides: stdin's end sends FIN and reading goes on until
//! the peer's FIN; a peer that finishes first still gets the rest of stdin.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::pump::Pump;

/// Bytes read from the socket at once.
const CHUNK: usize = 256 * 1024;
/// How often a waiting read wakes to check the timers.
const TICK: Duration = Duration::from_millis(50);

/// How a session behaves.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `-w`: no byte either way for this long is an error.
    pub idle: Option<Duration>,
    /// `-q`: after stdin ends, wait at most this long for the peer.
    pub quit_after: Option<Duration>,
    /// stdin is a terminal: when the peer closes, nobody is typing a
    /// stream that must be delivered, so the session ends.
    pub stdin_is_tty: bool,
    /// `-k`: when the peer closes, the session ends and the rest of stdin
    /// waits for the next client.
    pub keep_open: bool,
}

/// How a session ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Both directions finished (or `-q` ran out).
    Finished,
    /// The reader of stdout went away.
    StdoutClosed,
}

/// Bytes moved, for `-v`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// Written to the peer.
    pub sent: u64,
    /// Received from the peer.
    pub received: u64,
    /// How long the session took.
    pub took: Duration,
}

/// A session that failed: the message names the peer and the cause.
#[derive(Debug)]
pub struct Failed(pub String, pub Stats);

/// Runs a session on `stream` with `peer`; `id` tells the pump's sessions
/// apart.
pub fn run(
    stream: TcpStream,
    peer: SocketAddr,
    pump: Option<&Arc<Pump>>,
    id: u64,
    opts: Options,
    out: &mut File,
) -> Result<(End, Stats), Failed> {
    let started = Instant::now();
    let stream = Arc::new(stream);
    if let Some(p) = pump {
        p.attach(id, stream.clone());
    }
    let mut stats = Stats::default();
    let result = receive(&stream, peer, pump, id, opts, out, &mut stats);
    if let Some(p) = pump {
        stats.sent = p.detach();
    }
    stats.took = started.elapsed();
    match result {
        Ok(end) => Ok((end, stats)),
        Err(message) => Err(Failed(message, stats)),
    }
}

/// One read from the socket and its write to stdout. Socket errors come
/// back as `Ok(Err(..))` for the timers to look at; a stdout error ends
/// the session with the answer in `Err`.
fn copy_once(stream: &TcpStream, out: &mut File, buf: &mut Vec<u8>) -> Result<io::Result<usize>, Result<End, String>> {
    if buf.is_empty() {
        buf.resize(CHUNK, 0);
    }
    let mut reader: &TcpStream = stream;
    let n = match reader.read(buf) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    match out.write_all(&buf[..n]) {
        Ok(()) => Ok(Ok(n)),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Ok(End::StdoutClosed)),
        Err(e) => Err(Err(format!("writing stdout: {}", shared::io_text::describe(&e)))),
    }
}

fn nanos_since(epoch: Instant) -> u64 {
    epoch.elapsed().as_nanos() as u64
}

fn receive(
    stream: &TcpStream,
    peer: SocketAddr,
    pump: Option<&Arc<Pump>>,
    id: u64,
    opts: Options,
    out: &mut File,
    stats: &mut Stats,
) -> Result<End, String> {
    let epoch = pump.map_or_else(Instant::now, |p| p.epoch);
    let mut last_read = nanos_since(epoch);
    let mut quit_at: Option<Instant> = None;
    let timed = opts.idle.is_some() || opts.quit_after.is_some();
    let mut buf = Vec::new();
    // splice(2) moves the bytes without copying them through here; where
    // it cannot (stdout a terminal, say), read and write.
    let mut splicer = if std::io::IsTerminal::is_terminal(&*out) { None } else { crate::zerocopy::Splicer::new() };
    let idle_failure =
        |d: Duration| format!("{peer}: no data either way for {}: timed out", humantime::format_duration(d));
    if timed {
        // Reads wake every tick so the timers can be looked at.
        let _ = stream.set_read_timeout(Some(TICK));
    }
    loop {
        let moved = match &splicer {
            Some(sp) => match sp.socket_to(stream, out) {
                Err(e) if e.raw_os_error() == Some(libc::EINVAL) && stats.received == 0 => {
                    splicer = None;
                    continue;
                }
                Err(e) if crate::zerocopy::is_write_side(&e) => {
                    if e.kind() == io::ErrorKind::BrokenPipe {
                        return Ok(End::StdoutClosed);
                    }
                    return Err(format!("writing stdout: {}", shared::io_text::describe(&e)));
                }
                other => other,
            },
            None => match copy_once(stream, out, &mut buf) {
                Ok(r) => r,
                Err(done) => return done,
            },
        };
        match moved {
            Ok(0) => break,
            Ok(n) => {
                last_read = nanos_since(epoch);
                stats.received += n as u64;
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                if let Some(f) = pump.and_then(|p| p.failure(id)) {
                    return Err(format!("{peer}: {}", shared::io_text::describe(&f)));
                }
                if let Some(idle) = opts.idle {
                    let last_write = pump.map_or(0, |p| p.last_write.load(Ordering::Relaxed));
                    let quiet_for = Duration::from_nanos(nanos_since(epoch).saturating_sub(last_read.max(last_write)));
                    if quiet_for >= idle {
                        return Err(idle_failure(idle));
                    }
                }
                if let Some(q) = opts.quit_after
                    && pump.is_none_or(|p| p.done())
                {
                    let at = *quit_at.get_or_insert_with(|| Instant::now() + q);
                    if Instant::now() >= at {
                        return Ok(End::Finished);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("{peer}: {}", shared::io_text::describe(&e))),
        }
    }
    // The peer has finished sending. Ours may still be going.
    if let Some(p) = pump {
        if !p.done() && !opts.keep_open && !opts.stdin_is_tty {
            loop {
                if p.wait_done(id, Some(TICK)) {
                    break;
                }
                if let Some(f) = p.failure(id) {
                    return Err(format!("{peer}: {}", shared::io_text::describe(&f)));
                }
                if let Some(idle) = opts.idle {
                    let last_write = p.last_write.load(Ordering::Relaxed);
                    let quiet_for = Duration::from_nanos(nanos_since(epoch).saturating_sub(last_read.max(last_write)));
                    if quiet_for >= idle {
                        return Err(idle_failure(idle));
                    }
                }
            }
        }
        if let Some(f) = p.failure(id) {
            return Err(format!("{peer}: {}", shared::io_text::describe(&f)));
        }
    }
    Ok(End::Finished)
}
