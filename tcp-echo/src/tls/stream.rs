//! A TLS connection both directions use at once: the pump writes while the
//! session reads, each in a thread of its own, as on a plain socket.
//!
//! rustls keeps one state for both directions, so it sits behind a lock
//! that is held only to hand it bytes and take bytes from it, never
//! across a socket call. What a writer takes from it goes to the socket
//! under a second lock, taken before the first is let go, so records
//! leave in the order rustls made them. A reader that has something to
//! send (an alert) sends it only when no write is under way; a writer
//! always looks for such leftovers when it is done, so none is stranded.
//!
//! Reading keeps its raw bytes in a [`ReadState`] of its own: a fixed
//! buffer, handed to rustls a piece at a time as it has room.

use std::io::{self, Read};
use std::sync::{Mutex, MutexGuard};

use rustls::Connection;

use crate::link::Link;

/// Raw bytes read from the socket at once.
const RAW: usize = 64 * 1024;
/// Plaintext taken from rustls at once, on its way to a file.
pub const PLAIN: usize = 64 * 1024;

/// A TLS connection over a plain [`Link`] (TCP or Unix), its handshake done.
#[derive(Debug)]
pub struct TlsStream {
    /// rustls's state, both directions.
    conn: Mutex<Connection>,
    /// The socket underneath.
    raw: Link,
    /// Held while TLS bytes go to the socket; the buffer they wait in.
    sending: Mutex<Vec<u8>>,
}

/// What one reader of a [`TlsStream`] keeps between reads: raw bytes the
/// socket gave that rustls has not taken yet.
#[derive(Debug, Default)]
pub struct ReadState {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A rustls error as an I/O error that keeps it (`shared::tls::rustls_error`
/// finds it again).
fn tls_error(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl TlsStream {
    /// Wraps `raw`, over which `conn` has completed its handshake.
    pub fn new(conn: Connection, raw: Link) -> TlsStream {
        TlsStream { conn: Mutex::new(conn), raw, sending: Mutex::new(Vec::new()) }
    }

    /// The socket underneath.
    pub fn raw(&self) -> &Link {
        &self.raw
    }

    /// The socket underneath, the TLS state let go (to close it).
    pub fn into_raw(self) -> Link {
        self.raw
    }

    /// Reads plaintext into `out`: 0 when the peer closed with
    /// close_notify; an `UnexpectedEof` error when it closed without
    /// (what came before was all delivered). Waits as a read of the
    /// socket would (its timeout applies).
    pub fn read(&self, state: &mut ReadState, out: &mut [u8]) -> io::Result<usize> {
        if state.buf.is_empty() {
            state.buf = vec![0u8; RAW];
        }
        loop {
            {
                let mut conn = lock(&self.conn);
                loop {
                    match conn.reader().read(out) {
                        Ok(n) => return Ok(n),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) => return Err(e),
                    }
                    if state.start == state.end {
                        break;
                    }
                    let mut pending = &state.buf[state.start..state.end];
                    state.start += conn.read_tls(&mut pending)?;
                    let processed = conn.process_new_packets();
                    if let Some(sending) = self.take_pending(&mut conn) {
                        // Sent with rustls let go: a send that blocks must
                        // not hold up the writer.
                        drop(conn);
                        let _ = self.raw.write_all(&sending);
                        drop(sending);
                        conn = lock(&self.conn);
                    }
                    processed.map_err(tls_error)?;
                }
            }
            // Nothing to hand rustls: wait for the socket, no lock held.
            let n = self.raw.read_raw(&mut state.buf)?;
            if n == 0 {
                let mut conn = lock(&self.conn);
                // rustls learns of the end; its reader then says whether
                // close_notify came first.
                conn.read_tls(&mut &[][..])?;
                conn.process_new_packets().map_err(tls_error)?;
                continue;
            }
            (state.start, state.end) = (0, n);
        }
    }

    /// Encrypts and sends all of `data`.
    pub fn write_all(&self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let mut conn = lock(&self.conn);
            // rustls takes what its buffer has room for.
            let n = io::Write::write(&mut conn.writer(), data)?;
            data = &data[n..];
            let mut sending = lock(&self.sending);
            self.take_tls(&mut conn, &mut sending)?;
            drop(conn);
            self.raw.write_all(&sending)?;
        }
        self.flush_leftovers()
    }

    /// Ends this side: close_notify, then the socket's half-close.
    pub fn close(&self) -> io::Result<()> {
        {
            let mut conn = lock(&self.conn);
            conn.send_close_notify();
            let mut sending = lock(&self.sending);
            self.take_tls(&mut conn, &mut sending)?;
            drop(conn);
            self.raw.write_all(&sending)?;
        }
        self.raw.shutdown_write()
    }

    /// Moves what rustls has to send into `sending` (emptied first).
    fn take_tls(&self, conn: &mut Connection, sending: &mut Vec<u8>) -> io::Result<()> {
        sending.clear();
        while conn.wants_write() {
            conn.write_tls(sending)?;
        }
        Ok(())
    }

    /// For a reader: what rustls made while reading (an alert, a key
    /// update), held for sending, unless a writer is sending, which then
    /// sends it after its own.
    fn take_pending(&self, conn: &mut Connection) -> Option<MutexGuard<'_, Vec<u8>>> {
        if !conn.wants_write() {
            return None;
        }
        let mut sending = self.sending.try_lock().ok()?;
        self.take_tls(conn, &mut sending).ok()?;
        Some(sending)
    }

    /// For a writer that is done: sends what a reader left.
    fn flush_leftovers(&self) -> io::Result<()> {
        let mut conn = lock(&self.conn);
        if !conn.wants_write() {
            return Ok(());
        }
        let mut sending = lock(&self.sending);
        self.take_tls(&mut conn, &mut sending)?;
        drop(conn);
        self.raw.write_all(&sending)
    }
}
