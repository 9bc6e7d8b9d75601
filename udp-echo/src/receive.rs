//! The receiver: every datagram's payload to stdout, unchanged and in
//! arrival order; each sender's address learned from its datagram, so
//! typed lines go to the latest one. With `--echo` every peer gets its own
//! datagrams back and nothing is written to stdout: an echo service's only
//! output is its log (`-v`).
//!
//! Datagrams from peers `--allow`/`--deny` refuse are dropped unread
//! (a line each with `-v`) and not counted.
//!
//! It keeps up: a large receive buffer, one reused 64 KiB datagram buffer,
//! stdout buffered while datagrams keep coming and flushed as soon as none
//! is waiting, so a person watching sees each one arrive. Stdout is a
//! duplicate of the handle from `shared::sys::stdio` (unbuffered by std,
//! binary-safe on Windows), buffered here.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::sync::{Arc, Mutex};

use crate::datagrams::{self, Next};
use crate::error::Error;
use crate::socket::{Datagrams, Peer};
use std::net::SocketAddr;

/// Receive buffer asked of the kernel (it may grant less), by the
/// receiver and by the sender for its replies.
pub const RECV_BUFFER: usize = 8 * 1024 * 1024;

/// How the receiver behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Send each datagram back to its sender.
    pub echo: bool,
    /// Stop after this many datagrams.
    pub count: Option<u64>,
    /// A line per datagram on stderr.
    pub verbose: bool,
    /// `--allow` and `--deny`: datagrams from others are dropped.
    pub access: shared::net::access::Access,
}

/// Receives on `socket` (already bound) until `count` datagrams arrived, or
/// forever.
pub fn run(socket: &Datagrams, opts: Options) -> Result<(), Error> {
    socket.ask_receive_buffer(RECV_BUFFER);
    let latest: Arc<Mutex<Option<Peer>>> = Arc::new(Mutex::new(None));
    if !opts.echo {
        let sender = socket.try_clone().map_err(Error::Setup)?;
        let peer = latest.clone();
        std::thread::spawn(move || typed_lines(&sender, &peer));
    }
    let stdout = shared::sys::stdio::stdout_file().map_err(Error::Setup)?;
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let mut buf = vec![0u8; socket.receive_buffer_len()];
    let mut received: u64 = 0;
    let mut told_unnamed = false;
    socket.set_nonblocking(true).map_err(Error::Setup)?;
    let mut blocking = false;
    while opts.count.is_none_or(|c| received < c) {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(pair) => pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                // Nothing waiting: show what arrived, then sleep in recv.
                if flush(&mut out)? {
                    return Ok(());
                }
                socket.set_nonblocking(false).map_err(Error::Setup)?;
                blocking = true;
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // An ICMP error for an earlier reply; the next datagram is fine.
            Err(e) if crate::port_unreachable(&e) => continue,
            Err(e) => return Err(Error::Receive(e)),
        };
        if blocking {
            socket.set_nonblocking(true).map_err(Error::Setup)?;
            blocking = false;
        }
        if let Peer::Ip(addr) = &from
            && !opts.access.admits(addr.ip())
        {
            if opts.verbose {
                eprintln!("udp-echo: dropping a datagram from {from}: not allowed (--allow, --deny)");
            }
            continue;
        }
        received += 1;
        if opts.verbose {
            eprintln!("udp-echo: from {from}: {n} bytes");
        }
        if from == Peer::Unnamed && !told_unnamed {
            told_unnamed = true;
            eprintln!(
                "udp-echo: a datagram came from an unbound socket, which cannot be answered (socat: add bind=PATH)"
            );
        }
        if opts.echo {
            if from != Peer::Unnamed
                && let Err(e) = socket.send_to(&buf[..n], &from)
            {
                eprintln!("udp-echo: reply to {from}: {}", shared::io_text::describe(&e));
            }
            continue;
        }
        if let Ok(mut peer) = latest.lock() {
            *peer = Some(from);
        }
        match out.write_all(&buf[..n]) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(Error::WritingStdout(e)),
        }
    }
    flush(&mut out)?;
    Ok(())
}

/// Flushes stdout; true when its reader has gone away.
fn flush(out: &mut BufWriter<File>) -> Result<bool, Error> {
    match out.flush() {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(Error::WritingStdout(e)),
    }
}

/// Sends each line typed on stdin to the latest peer.
fn typed_lines(socket: &Datagrams, latest: &Mutex<Option<Peer>>) {
    let mut input = BufReader::new(io::stdin().lock());
    let mut buf = Vec::new();
    loop {
        let max = datagrams::MAX_V6;
        match datagrams::next_line(&mut input, &mut buf, max) {
            Ok(Next::End) | Err(_) => return,
            Ok(Next::TooLong(n)) => {
                let _ = input.skip_until(b'\n');
                eprintln!("udp-echo: a line of {n}+ bytes does not fit in one datagram; not sent");
            }
            Ok(Next::Datagram) => {
                let peer = latest.lock().ok().and_then(|p| p.clone());
                let Some(peer) = peer else {
                    eprintln!("udp-echo: no datagram has arrived yet, so there is no one to send to; line not sent");
                    continue;
                };
                let max =
                    if matches!(peer, Peer::Ip(SocketAddr::V4(_))) { datagrams::MAX_V4 } else { datagrams::MAX_V6 };
                if buf.len() > max {
                    eprintln!(
                        "udp-echo: a line of {} bytes does not fit in one datagram to {peer}; not sent",
                        buf.len()
                    );
                    continue;
                }
                if let Err(e) = socket.send_to(&buf, &peer) {
                    eprintln!("udp-echo: send to {peer}: {}", shared::io_text::describe(&e));
                }
            }
        }
    }
}
