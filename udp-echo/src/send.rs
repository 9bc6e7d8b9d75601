//! The sender: stdin becomes datagrams to one address; every datagram that
//! comes back is written to stdout, payload only. After stdin ends it keeps
//! listening until `--wait` passes with nothing new.
//!
//! The socket is connected to the destination, so the kernel reports an
//! ICMP port-unreachable as "connection refused": that is how the sender
//! knows no one is listening.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::Failure;
use crate::datagrams::{self, Next};

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
    /// Sending stopped with this failure.
    Failed(Failure),
}

fn refused(shown: &str) -> Failure {
    Failure::network(format!("no one is listening on {shown}"))
}

fn send_error(shown: &str, e: &io::Error) -> Failure {
    if e.kind() == io::ErrorKind::ConnectionRefused {
        refused(shown)
    } else {
        Failure::network(format!("send to {shown}: {}", shared::io_text::describe(e)))
    }
}

/// Sends stdin to `dest` and prints replies; `shown` names it in messages.
pub fn run(dest: SocketAddr, shown: &str, cut: Cut, wait: Duration, verbose: bool) -> Result<(), Failure> {
    let bind: SocketAddr = if dest.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().map_err(Failure::network)?;
    let socket = UdpSocket::bind(bind).map_err(|e| Failure::network(format!("bind: {e}")))?;
    socket.connect(dest).map_err(|e| send_error(shown, &e))?;
    let max = if dest.is_ipv4() { datagrams::MAX_V4 } else { datagrams::MAX_V6 };
    if let Cut::Chunks(n) = cut
        && n > max
    {
        return Err(Failure::usage(format!("--chunk {n} is more than one datagram to {shown} can hold ({max})")));
    }
    if verbose {
        let local = socket.local_addr().map_err(Failure::network)?;
        eprintln!("udp-echo: sending from {local} to {dest}");
    }
    let sender = socket.try_clone().map_err(Failure::network)?;
    let (tx, rx) = mpsc::channel();
    let target = shown.to_string();
    std::thread::spawn(move || {
        let event = match pump(&sender, cut, max, &target) {
            Ok(()) => Event::Done,
            Err(f) => Event::Failed(f),
        };
        let _ = tx.send(event);
    });
    receive(&socket, shown, wait, verbose, &rx)
}

/// Reads stdin and sends each datagram.
fn pump(socket: &UdpSocket, cut: Cut, max: usize, shown: &str) -> Result<(), Failure> {
    let mut input = BufReader::with_capacity(128 * 1024, io::stdin().lock());
    let mut buf = Vec::with_capacity(max + 1);
    loop {
        let next = match cut {
            Cut::Lines => datagrams::next_line(&mut input, &mut buf, max),
            Cut::Chunks(n) => datagrams::next_chunk(&mut input, &mut buf, n),
        }
        .map_err(|e| Failure::network(format!("reading stdin: {e}")))?;
        match next {
            Next::End => return Ok(()),
            Next::TooLong(n) => {
                return Err(Failure::network(format!(
                    "a line of {n}+ bytes does not fit in one datagram to {shown} (at most {max}); nothing was cut, the rest is not sent"
                )));
            }
            Next::Datagram => {
                socket.send(&buf).map_err(|e| send_error(shown, &e))?;
            }
        }
    }
}

/// Prints replies until stdin is done and `wait` has passed quietly.
fn receive(
    socket: &UdpSocket,
    shown: &str,
    wait: Duration,
    verbose: bool,
    events: &mpsc::Receiver<Event>,
) -> Result<(), Failure> {
    let mut out: File = shared::sys::stdio::stdout_file().map_err(Failure::network)?;
    let mut buf = vec![0u8; 65_536];
    let mut stdin_done: Option<Instant> = None;
    let mut last_reply = Instant::now();
    socket.set_read_timeout(Some(TICK)).map_err(Failure::network)?;
    loop {
        match events.try_recv() {
            Ok(Event::Done) => stdin_done = Some(Instant::now()),
            Ok(Event::Failed(f)) => return Err(f),
            Err(_) => {}
        }
        if let Some(done) = stdin_done {
            let quiet_since = done.max(last_reply);
            if wait.is_zero() || quiet_since.elapsed() >= wait {
                return Ok(());
            }
        }
        match socket.recv(&mut buf) {
            Ok(n) => {
                last_reply = Instant::now();
                if verbose {
                    eprintln!("udp-echo: from {shown}: {n} bytes");
                }
                match out.write_all(&buf[..n]) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
                    Err(e) => return Err(Failure::network(format!("writing stdout: {e}"))),
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return Err(refused(shown)),
            Err(e) => return Err(Failure::network(format!("receive from {shown}: {}", shared::io_text::describe(&e)))),
        }
    }
}
