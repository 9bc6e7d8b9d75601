//! What a connection's bytes travel in: plain TCP, or TLS (`--tls`)
//! driven by the one thread without blocking, or, on a TLS port, a client
//! that spoke plain HTTP (it gets one redirect to `https://` and the
//! connection closes, never a hang).
//!
//! With TLS, rustls holds the handshake and the records; this module
//! moves bytes between it and the non-blocking socket: [`Transport::read`]
//! gives plaintext (reading records off the socket as needed, and sending
//! the handshake's answers), [`Transport::write`] takes plaintext into
//! rustls (at most [`TLS_BUFFER`] waiting), [`Transport::flush`] sends the
//! records. A handshake is just bytes read in the Reading state, so a slow
//! or silent one runs into `--timeout` like a slow head.

use std::io;
#[cfg(feature = "tls")]
use std::io::{Read, Write};

use mio::net::TcpStream;

/// Most bytes of records (and plaintext before the handshake ends) rustls
/// may hold for sending, per connection.
#[cfg(feature = "tls")]
pub const TLS_BUFFER: usize = 64 * 1024;

/// A read that returns less than asked has emptied the socket: the next
/// arrival raises a new event. Windows' readiness is only re-armed by a
/// read that would block, so there a short read proves nothing.
const SHORT_READ_DRAINS: bool = cfg!(not(windows));

/// What a read gave: plaintext bytes, and whether the socket is known to
/// be empty now (so the loop can wait for the next event instead of
/// reading again only to be told `WouldBlock`).
#[derive(Debug, Clone, Copy)]
pub struct Got {
    /// Plaintext bytes read; 0 when the client closed.
    pub n: usize,
    /// The socket was emptied by this read and nothing waits in TLS.
    pub drained: bool,
}

/// The first byte of every TLS record that starts a handshake.
#[cfg(feature = "tls")]
const HANDSHAKE: u8 = 0x16;

/// How a connection's bytes travel.
#[derive(Debug)]
pub enum Transport {
    /// Plain TCP.
    Plain,
    /// A TLS port, before the client's first byte says what it speaks.
    #[cfg(feature = "tls")]
    Sniffing(std::sync::Arc<rustls::ServerConfig>),
    /// TLS.
    #[cfg(feature = "tls")]
    Tls(Box<rustls::ServerConnection>),
    /// Plain HTTP sent to a TLS port: answered with a redirect to https.
    PlainOnTls,
}

impl Transport {
    /// True when bytes go to and from the socket as they are (no TLS, and
    /// not still deciding).
    fn plain(&self) -> bool {
        #[cfg(feature = "tls")]
        if !matches!(self, Transport::Plain | Transport::PlainOnTls) {
            return false;
        }
        true
    }

    /// True for a connection that must carry TLS but got plain HTTP.
    pub fn plain_on_tls(&self) -> bool {
        matches!(self, Transport::PlainOnTls)
    }

    /// True when bytes go through TLS (so no sendfile).
    pub fn encrypted(&self) -> bool {
        #[cfg(feature = "tls")]
        if matches!(self, Transport::Tls(_)) {
            return true;
        }
        false
    }

    /// Reads plaintext onto the end of `buf`, about `want` bytes at most
    /// (a plain read may fill what room the buffer already has): `n` 0
    /// when the client closed, `WouldBlock` when nothing is ready. A plain
    /// read lands in the buffer without zeroing it first.
    pub fn read_append(&mut self, sock: &TcpStream, buf: &mut Vec<u8>, want: usize) -> io::Result<Got> {
        if self.plain() {
            buf.reserve(want);
            let room = buf.capacity() - buf.len();
            let n = sock.try_io(|| shared::sys::positional::recv_append(sock, buf, room))?;
            return Ok(Got { n, drained: SHORT_READ_DRAINS && n < room });
        }
        let old = buf.len();
        buf.resize(old + want, 0);
        let read = self.read(sock, &mut buf[old..]);
        buf.truncate(old + read.as_ref().map_or(0, |g| g.n));
        read
    }

    /// Reads plaintext into `buf`: `n` 0 when the client closed,
    /// `WouldBlock` when nothing is ready.
    pub fn read(&mut self, sock: &TcpStream, buf: &mut [u8]) -> io::Result<Got> {
        match self {
            Transport::Plain | Transport::PlainOnTls => read_sock(sock, buf),
            #[cfg(feature = "tls")]
            Transport::Sniffing(config) => {
                let mut first = [0u8; 1];
                match sock.peek(&mut first) {
                    Ok(0) => Ok(Got { n: 0, drained: true }),
                    Ok(_) if first[0] == HANDSHAKE => {
                        let tls =
                            rustls::ServerConnection::new(std::sync::Arc::clone(config)).map_err(io::Error::other)?;
                        let mut tls = Box::new(tls);
                        tls.set_buffer_limit(Some(TLS_BUFFER));
                        *self = Transport::Tls(tls);
                        self.read(sock, buf)
                    }
                    Ok(_) => {
                        *self = Transport::PlainOnTls;
                        read_sock(sock, buf)
                    }
                    Err(e) => Err(e),
                }
            }
            #[cfg(feature = "tls")]
            Transport::Tls(tls) => tls_read(tls, sock, buf),
        }
    }

    /// Takes plaintext to send; how much was taken (0: the buffer is full,
    /// [`Transport::flush`] first). Plain transports never get here.
    #[cfg(feature = "tls")]
    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Tls(tls) => tls.writer().write(buf),
            _ => Err(io::Error::other("plaintext written to a connection without TLS")),
        }
    }

    /// Sends what records are waiting. `Ok(true)` when none are left,
    /// `Ok(false)` when the socket is full.
    pub fn flush(&mut self, sock: &TcpStream) -> io::Result<bool> {
        #[cfg(feature = "tls")]
        if let Transport::Tls(tls) = self {
            while tls.wants_write() {
                match tls.write_tls(&mut SockIo::new(sock)) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let _ = sock;
        Ok(true)
    }

    /// True when records wait to be sent.
    pub fn wants_write(&self) -> bool {
        #[cfg(feature = "tls")]
        if let Transport::Tls(tls) = self {
            return tls.wants_write();
        }
        false
    }

    /// Before closing: TLS says so (close_notify), so the client knows the
    /// response was not cut.
    pub fn close_notify(&mut self) {
        #[cfg(feature = "tls")]
        if let Transport::Tls(tls) = self {
            tls.send_close_notify();
        }
    }
}

/// A plain read off the socket.
fn read_sock(sock: &TcpStream, buf: &mut [u8]) -> io::Result<Got> {
    // Through mio's try_io: on Windows a call that would block must tell
    // mio, or readiness is not armed again.
    let n = sock.try_io(|| shared::sys::socket::recv(sock, buf))?;
    Ok(Got { n, drained: SHORT_READ_DRAINS && n < buf.len() })
}

/// The socket as rustls wants it (`Read` and `Write` by `&mut`), noting
/// whether the last read emptied it.
#[cfg(feature = "tls")]
struct SockIo<'a> {
    sock: &'a TcpStream,
    short: bool,
}

#[cfg(feature = "tls")]
impl<'a> SockIo<'a> {
    fn new(sock: &'a TcpStream) -> Self {
        SockIo { sock, short: false }
    }
}

#[cfg(feature = "tls")]
impl Read for SockIo<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let sock = self.sock;
        let n = sock.try_io(|| shared::sys::socket::recv(sock, buf))?;
        self.short = SHORT_READ_DRAINS && n < buf.len();
        Ok(n)
    }
}

#[cfg(feature = "tls")]
impl Write for SockIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let sock = self.sock;
        sock.try_io(|| shared::sys::socket::send(sock, buf, false))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Plaintext from a TLS connection: what rustls already decrypted, else
/// records read off the socket (and the handshake's answers sent) until
/// there is some, the socket is empty, or the client closed.
#[cfg(feature = "tls")]
fn tls_read(tls: &mut rustls::ServerConnection, sock: &TcpStream, buf: &mut [u8]) -> io::Result<Got> {
    // Whether the last read off the socket emptied it, and how much
    // plaintext rustls held after it: together they say whether this read
    // leaves nothing behind, which saves a read that would only block.
    let mut short = false;
    let mut waiting = usize::MAX;
    // Bounded: each turn either gives plaintext, reads records (the
    // socket runs dry within its buffer), or ends.
    for _ in 0..64 {
        match tls.reader().read(buf) {
            Ok(0) => return Ok(Got { n: 0, drained: true }),
            Ok(n) => return Ok(Got { n, drained: short && n >= waiting }),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            // A client that closed without close_notify: an end all the same.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Got { n: 0, drained: true }),
            Err(e) => return Err(e),
        }
        if short {
            // The socket is empty and what it gave is no plaintext yet (a
            // handshake, or part of a record): wait for the next event.
            return Err(io::Error::from(io::ErrorKind::WouldBlock));
        }
        let mut io = SockIo::new(sock);
        match tls.read_tls(&mut io) {
            Ok(0) => return Ok(Got { n: 0, drained: true }),
            Ok(_) => short = io.short,
            Err(e) => return Err(e),
        }
        match tls.process_new_packets() {
            Ok(state) => waiting = state.plaintext_bytes_to_read(),
            Err(e) => {
                // Tell the client why (an alert), then fail.
                let _ = tls.write_tls(&mut SockIo::new(sock));
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        }
        // The handshake's own answers go out as soon as they are made; a
        // full socket keeps them for the next flush.
        while tls.wants_write() {
            match tls.write_tls(&mut SockIo::new(sock)) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
    }
    Err(io::Error::from(io::ErrorKind::WouldBlock))
}
