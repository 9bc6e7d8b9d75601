//! The sender: stdin becomes datagrams to one address; every datagram that
//! comes back is written to stdout, payload only. After stdin ends it keeps
//! listening until `--wait` passes with nothing new.
//!
//! The socket is connected to the destination, so the kernel reports an
//! ICMP port-unreachable as "connection refused" (Windows: "connection
//! reset"): that is how the sender knows no one is listening.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::datagrams::{self, Next};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::socket::{Datagrams, Peer};

/// How often the receiving loop wakes to look at the clock.
const TICK: Duration = Duration::from_millis(20);

/// How the sender cuts stdin.
#[derive(Debug, Clone, Copy)]
pub enum Cut {
    /// One datagram per line.
    Lines,
    /// Datagrams of up to this many bytes.
    Chunks(usize),
}

/// What the stdin thread tells the receiving loop.
enum Event {
    /// Stdin ended; everything was sent.
    Done,
    /// Sending stopped with this error.
    Failed(Error),
}

/// A failed send (or connect): "no one is listening" when the ICMP answer
/// says so.
pub fn send_error(shown: &str, source: io::Error) -> Error {
    let target = shown.to_string();
    match source.kind() {
        _ if crate::port_unreachable(&source) => Error::NoListener { target, source },
        // What the system says to a broadcast address without SO_BROADCAST.
        io::ErrorKind::PermissionDenied => Error::SendDenied { target, source },
        _ => Error::Send { target, source },
    }
}

/// Sends stdin through `endpoint` (bound and connected) and prints
/// replies; `endpoint.shown` names the destination in messages.
pub fn run(endpoint: &Endpoint, cut: Cut, wait: Duration, verbose: bool) -> Result<(), Error> {
    let (socket, shown, max) = (&endpoint.socket, endpoint.shown.as_str(), endpoint.max);
    if let Cut::Chunks(n) = cut
        && n > max
    {
        return Err(Error::ChunkTooLarge { chunk: n, target: shown.to_string(), max });
    }
    // Replies come at the rate the peer sends them, while this side may be
    // busy writing stdout: room for a burst, as the receiver has.
    socket.ask_receive_buffer(crate::receive::RECV_BUFFER);
    let sender = socket.try_clone().map_err(Error::Setup)?;
    let (tx, rx) = mpsc::channel();
    let target = shown.to_string();
    let to = endpoint.to.clone();
    std::thread::spawn(move || {
        let event = match pump(&sender, to.as_ref(), cut, max, &target) {
            Ok(()) => Event::Done,
            Err(e) => Event::Failed(e),
        };
        let _ = tx.send(event);
    });
    receive(socket, endpoint.to.is_some(), shown, wait, verbose, &rx)
}

/// Reads stdin and sends each datagram (to `to`, when the socket is not
/// connected).
fn pump(socket: &Datagrams, to: Option<&Peer>, cut: Cut, max: usize, shown: &str) -> Result<(), Error> {
    let mut input = BufReader::with_capacity(128 * 1024, io::stdin().lock());
    let mut buf = Vec::with_capacity(max + 1);
    loop {
        let next = match cut {
            Cut::Lines => datagrams::next_line(&mut input, &mut buf, max),
            Cut::Chunks(n) => datagrams::next_chunk(&mut input, &mut buf, n),
        }
        .map_err(Error::ReadingStdin)?;
        match next {
            Next::End => return Ok(()),
            Next::TooLong(len) => return Err(Error::LineTooLong { len, target: shown.to_string(), max }),
            Next::Datagram => {
                match to {
                    Some(to) => socket.send_to(&buf, to),
                    None => socket.send(&buf),
                }
                .map_err(|e| send_error(shown, e))?;
            }
        }
    }
}

/// Prints replies until stdin is done and `wait` has passed quietly;
/// `from_anyone` when the socket is not connected (replies to a broadcast
/// or a group come from each member).
fn receive(
    socket: &Datagrams,
    from_anyone: bool,
    shown: &str,
    wait: Duration,
    verbose: bool,
    events: &mpsc::Receiver<Event>,
) -> Result<(), Error> {
    let mut out: File = shared::sys::stdio::stdout_file().map_err(Error::Setup)?;
    let mut buf = vec![0u8; socket.receive_buffer_len()];
    let mut stdin_done: Option<Instant> = None;
    let mut last_reply = Instant::now();
    socket.set_read_timeout(Some(TICK)).map_err(Error::Setup)?;
    loop {
        match events.try_recv() {
            Ok(Event::Done) => stdin_done = Some(Instant::now()),
            Ok(Event::Failed(e)) => return Err(e),
            Err(_) => {}
        }
        if let Some(done) = stdin_done {
            let quiet_since = done.max(last_reply);
            if wait.is_zero() || quiet_since.elapsed() >= wait {
                return Ok(());
            }
        }
        let got = if from_anyone {
            socket.recv_from(&mut buf).map(|(n, from)| (n, from.to_string()))
        } else {
            socket.recv(&mut buf).map(|n| (n, shown.to_string()))
        };
        match got {
            Ok((n, from)) => {
                last_reply = Instant::now();
                if verbose {
                    eprintln!("udp-echo: from {from}: {n} bytes");
                }
                match out.write_all(&buf[..n]) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
                    Err(e) => return Err(Error::WritingStdout(e)),
                }
            }
            // The tick passed (WouldBlock on Unix, TimedOut on Windows).
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) => {}
            Err(e) if crate::port_unreachable(&e) => {
                return Err(Error::NoListener { target: shown.to_string(), source: e });
            }
            Err(e) => return Err(Error::ReceiveFrom { target: shown.to_string(), source: e }),
        }
    }
}
