//! One connection, both directions at once: the pump writes stdin to the
//! socket while this thread moves the socket's bytes to stdout. Half-close
//! is the default on both sides: stdin's end sends FIN and reading goes on
//! until the peer's FIN; a peer that finishes first still gets the rest of
//! stdin. The timers (`-w`, `-q`) are looked at whenever a read has waited
//! a tick.
//!
//! The bytes go to stdout through the link's [`Inbound`]: splice on Linux
//! for a plain socket (never copied through this process), read and write
//! elsewhere or where stdout takes no splice (a terminal). When the peer
//! has finished, stdout is ended too (unless `-k` shares it among
//! sessions), so whatever reads it sees the end while stdin still goes
//! out: ssh, with tcp-echo as its ProxyCommand, learns that way that the
//! server has gone.

use std::fs::File;
use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shared::sys::splice::MoveError;

use crate::error::Error;
use crate::link::{Inbound, Link, Peer};
use crate::pump::Pump;
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

/// Where the peer's bytes go.
#[derive(Debug)]
pub enum Output<'a> {
    /// Standard output, this session's alone: ended when the peer
    /// finishes, so its reader sees the end too.
    Own(File),
    /// Standard output shared by the sessions of a `-k` run: kept open.
    Shared(&'a File),
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

/// Runs a session on `stream` with `peer`; `id` tells the pump's sessions
/// apart. The counts come back however the session ended, for `-v`.
pub fn run(
    stream: Link,
    peer: &Peer,
    pump: Option<&Arc<Pump>>,
    id: u64,
    opts: Options,
    out: Output<'_>,
) -> (Result<End, Error>, Stats) {
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
    // The pump let go of it above; the last holder closes it.
    if let Ok(link) = Arc::try_unwrap(stream) {
        link.close();
    }
    (result, stats)
}

fn nanos_since(epoch: Instant) -> u64 {
    epoch.elapsed().as_nanos() as u64
}

/// How long no byte has moved either way: since the later of the last read
/// (`last_read`, nanoseconds since `epoch`) and the pump's last write.
fn quiet_for(epoch: Instant, last_read: u64, pump: Option<&Arc<Pump>>) -> Duration {
    let last_write = pump.map_or(0, |p| p.last_write.load(Ordering::Relaxed));
    Duration::from_nanos(nanos_since(epoch).saturating_sub(last_read.max(last_write)))
}

/// True for the error a read gives when its timeout passes: `WouldBlock`
/// on Unix, `TimedOut` on Windows.
fn read_timed_out(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// Copies the socket to `out` until the peer's FIN, then waits for the pump
/// to finish stdin (unless nobody needs it to); watches `-w` and `-q`.
fn receive(
    stream: &Link,
    peer: &Peer,
    pump: Option<&Arc<Pump>>,
    id: u64,
    opts: Options,
    out: Output<'_>,
    stats: &mut Stats,
) -> Result<End, Error> {
    let epoch = pump.map_or_else(Instant::now, |p| p.epoch);
    let mut last_read = nanos_since(epoch);
    let mut quit_at: Option<Instant> = None;
    let mut unconfirmed = false;
    let timed = opts.idle.is_some() || opts.quit_after.is_some();
    let connection = |source: io::Error| Error::Connection { peer: peer.clone(), source };
    // Splice where the system and stdout allow it (the bytes never pass
    // through here); the mover falls back to read and write by itself.
    let mut inbound = Inbound::new();
    let file: &File = match &out {
        Output::Own(f) => f,
        Output::Shared(f) => f,
    };
    if timed {
        // Reads wake every tick so the timers can be looked at.
        let _ = stream.set_read_timeout(Some(TICK));
    }
    loop {
        let read_error = match inbound.move_to(stream, file) {
            Ok(0) => break,
            Ok(n) => {
                last_read = nanos_since(epoch);
                stats.received += n as u64;
                continue;
            }
            Err(MoveError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(End::StdoutClosed),
            Err(MoveError::Write(e)) => return Err(Error::WritingStdout(e)),
            Err(MoveError::Read(e)) => e,
            Err(other) => return Err(connection(io::Error::other(other))),
        };
        if read_error.kind() == io::ErrorKind::Interrupted {
            continue;
        }
        // TLS's end without close_notify: everything that came is out;
        // the session ends as at a confirmed end, then says so.
        if read_error.kind() == io::ErrorKind::UnexpectedEof && stream.is_tls() {
            unconfirmed = true;
            break;
        }
        if !read_timed_out(&read_error) {
            return Err(connection(read_error));
        }
        // A tick passed with nothing to read: look at the timers.
        if let Some(f) = pump.and_then(|p| p.failure(id)) {
            return Err(connection(f));
        }
        if let Some(idle) = opts.idle
            && quiet_for(epoch, last_read, pump) >= idle
        {
            return Err(Error::Idle { peer: peer.clone(), after: idle });
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
    // The peer has finished sending; so has stdout, when it is ours. A
    // failure to end it changes nothing that matters: its reader waits
    // for the end of the run instead.
    if let Output::Own(f) = out {
        drop(f);
        let _ = shared::sys::stdio::end_stdout();
    }
    // Ours may still be going.
    if let Some(p) = pump {
        if !p.done() && !opts.keep_open && !opts.stdin_is_tty {
            loop {
                if p.wait_done(id, Some(TICK)) {
                    break;
                }
                if let Some(f) = p.failure(id) {
                    return Err(connection(f));
                }
                if let Some(idle) = opts.idle
                    && quiet_for(epoch, last_read, pump) >= idle
                {
                    return Err(Error::Idle { peer: peer.clone(), after: idle });
                }
            }
        }
        if let Some(f) = p.failure(id) {
            return Err(connection(f));
        }
    }
    if unconfirmed {
        return Err(Error::TlsUnconfirmed { peer: peer.clone() });
    }
    Ok(End::Finished)
}
