//! `--trace`: one line on stderr per socket primitive as it happens, in
//! the words of the classic lesson (`socket`, `bind`, `listen`, `accept`,
//! `connect`, `send`, `recv`, `sendto`, `recvfrom`, `shutdown`, `close`)
//! with the real values, and the steps a tool takes between them.
//!
//! The platform layer calls these where it makes the calls (binding in
//! [`crate::net::listen`], connecting in [`crate::net::connect`], moving
//! bytes in [`crate::sys::socket`], [`crate::sys::sendfile`] and
//! [`crate::sys::splice`]), so the words and the summarising live here
//! alone: a tool adds only the steps of its own work ([`step`]) and the
//! few calls it makes through mio (http-serve's accept, `-z`'s
//! non-blocking connects). Off, each event costs one relaxed load of a
//! global flag.
//!
//! Bulk data is summarised: the calls of a socket are shown one by one
//! until a direction has moved 1 MiB; after that one line stands for the
//! calls of at least a second and at least 1 MiB (whichever comes later),
//! and the rest is said when the socket is closed or its stream ends, so
//! a 1 GiB transfer prints a few dozen lines, not a million.
//!
//! ```
//! assert!(!shared::trace::on());
//! shared::trace::step(format_args!("nothing is printed while tracing is off"));
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::sys::AsSock;

/// Whether `--trace` was given; set once at start-up.
static ON: AtomicBool = AtomicBool::new(false);

/// Bytes a direction moves call by call before its calls are summarised.
const BULK_AFTER: u64 = 1 << 20;
/// A summary line stands for at least this many bytes...
const SUMMARY_BYTES: u64 = 1 << 20;
/// ...and at least this long, whichever is rarer.
const SUMMARY_EVERY: Duration = Duration::from_secs(1);

/// Turns tracing on for the rest of the run.
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// True when tracing is on. Callers with something costly to describe
/// ask first; the event functions ask for themselves.
#[inline]
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// A socket as the trace names it: `fd 3` on Unix, `socket 312` on
/// Windows (whose sockets are handles, not small numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Handle(u64);

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if cfg!(windows) { write!(f, "socket {}", self.0) } else { write!(f, "fd {}", self.0) }
    }
}

/// The handle of `sock`.
pub fn handle(sock: &(impl AsSock + ?Sized)) -> Handle {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        Handle(sock.as_fd().as_raw_fd() as u64)
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsRawSocket;
        Handle(sock.as_socket().as_raw_socket())
    }
}

/// Writes one trace line, whole, in one write (a reader never sees half).
fn emit(args: fmt::Arguments<'_>) {
    crate::io_text::stderr_line(&args.to_string());
}

/// A step of a tool between the primitives (`GET /index.html HTTP/1.1`,
/// `resolve example.org = ...`), when tracing is on.
pub fn step(args: fmt::Arguments<'_>) {
    if on() {
        emit(args);
    }
}

/// The lesson's name of an address family.
fn family(addr: &SocketAddr) -> &'static str {
    if addr.is_ipv6() { "AF_INET6" } else { "AF_INET" }
}

/// `socket(AF_INET6, SOCK_STREAM) = fd 3`: a socket made for `addr`'s family.
pub fn socket(sock: &impl AsSock, addr: &SocketAddr, stream: bool) {
    if on() {
        let ty = if stream { "SOCK_STREAM" } else { "SOCK_DGRAM" };
        emit(format_args!("socket({}, {ty}) = {}", family(addr), handle(sock)));
    }
}

/// `bind(fd 3, [::]:9000)`, or the error that refused it; port 0 says
/// which port the system chose (`bind(fd 3, 127.0.0.1:0) = port 38933`).
pub fn bind(sock: &impl AsSock, addr: &SocketAddr, result: &io::Result<()>) {
    if on() {
        let chosen = match result {
            Ok(()) if addr.port() == 0 => socket2::SockRef::from(sock)
                .local_addr()
                .ok()
                .and_then(|a| a.as_socket())
                .map_or_else(String::new, |a| format!(" = port {}", a.port())),
            _ => outcome(result),
        };
        emit(format_args!("bind({}, {addr}){chosen}", handle(sock)));
    }
}

/// `listen(fd 3, backlog 128)`.
pub fn listen(sock: &impl AsSock, backlog: i32) {
    if on() {
        emit(format_args!("listen({}, backlog {backlog})", handle(sock)));
    }
}

/// `accept(fd 3) = fd 4, peer [::ffff:127.0.0.1]:51234`.
pub fn accept(listener: &impl AsSock, conn: &impl AsSock, peer: &SocketAddr) {
    if on() {
        emit(format_args!("accept({}) = {}, peer {peer}", handle(listener), handle(conn)));
    }
}

/// `connect(fd 3, 127.0.0.1:9000)`, or `= connection refused`.
pub fn connect(sock: &impl AsSock, to: &SocketAddr, result: &io::Result<()>) {
    if on() {
        emit(format_args!("connect({}, {to}){}", handle(sock), outcome(result)));
    }
}

/// A non-blocking connect under way (a port probe): the socket, and its
/// `connect(fd 5, 127.0.0.1:8000) = in progress`; [`connect`] says the answer.
pub fn connecting(sock: &impl AsSock, to: &SocketAddr) {
    if on() {
        socket(sock, to, true);
        emit(format_args!("connect({}, {to}) = in progress", handle(sock)));
    }
}

/// ` = connection refused` after a failed call; nothing after one that worked.
fn outcome(result: &io::Result<()>) -> String {
    match result {
        Ok(()) => String::new(),
        Err(e) => format!(" = {}", crate::io_text::describe(e)),
    }
}

/// `recv(fd 4) = 74 bytes` (summarised in bulk); `= 0 (end of stream)`.
pub fn recv(sock: &impl AsSock, n: usize) {
    if on() {
        moved("recv", handle(sock), n);
    }
}

/// `send(fd 4) = 74 bytes` (summarised in bulk).
pub fn send(sock: &impl AsSock, n: usize) {
    if on() {
        moved("send", handle(sock), n);
    }
}

/// A system call that moves many bytes at once (`splice`, `sendfile`):
/// `sendfile(fd 4) = 1 MiB`, summarised like the others, and at the end
/// `splice(fd 4): 1 GiB in 262 calls`.
pub fn bulk(call: &'static str, sock: &impl AsSock, n: usize) {
    if on() {
        moved(call, handle(sock), n);
    }
}

/// `send(fd 3) = 5 bytes` for one datagram on a connected socket: never
/// summarised, and 0 bytes is an empty datagram, not an end.
pub fn datagram(call: &'static str, sock: &impl AsSock, n: usize) {
    if on() {
        emit(format_args!("{call}({}) = {}", handle(sock), bytes(n as u64)));
    }
}

/// `sendto(fd 3, 127.0.0.1:7007) = 5 bytes`: one datagram, whole.
pub fn sendto(sock: &impl AsSock, to: &dyn fmt::Display, n: usize) {
    if on() {
        emit(format_args!("sendto({}, {to}) = {}", handle(sock), bytes(n as u64)));
    }
}

/// `recvfrom(fd 3) = 5 bytes from 127.0.0.1:40001`.
pub fn recvfrom(sock: &impl AsSock, n: usize, from: &dyn fmt::Display) {
    if on() {
        emit(format_args!("recvfrom({}) = {} from {from}", handle(sock), bytes(n as u64)));
    }
}

/// `shutdown(fd 4, write)`: this side has finished sending (a FIN), after
/// what its summarised calls still owe.
pub fn shutdown(sock: &impl AsSock, how: &str) {
    if on() {
        let h = handle(sock);
        // Only the sending calls have ended; receiving goes on.
        finish_call(h, "send");
        finish_call(h, "sendfile");
        emit(format_args!("shutdown({h}, {how})"));
    }
}

/// Says now what the summarised calls on `sock` still owe (a tool that
/// has finished a piece of work, such as a response, before the socket
/// closes), so the lines come before the step that follows.
pub fn settle(sock: &impl AsSock) {
    if on() {
        finish(handle(sock));
    }
}

/// `close(fd 4)`, after what its summarised calls still owe.
pub fn close(sock: &impl AsSock) {
    if on() {
        let h = handle(sock);
        finish(h);
        emit(format_args!("close({h})"));
    }
}

/// Calls of one kind on one socket, while they are being summarised.
#[derive(Debug)]
struct Tally {
    /// Bytes in all, since the socket was first seen.
    total: u64,
    /// Calls in all.
    calls: u64,
    /// Bytes and calls not yet said in a line.
    pending: (u64, u64),
    /// When the last line about these calls was written.
    said: Instant,
    /// Some calls were counted without a line of their own: the end
    /// says the whole.
    summarised: bool,
}

/// The tallies of every socket being traced, by socket and call.
fn tallies() -> std::sync::MutexGuard<'static, HashMap<(Handle, &'static str), Tally>> {
    static TALLIES: OnceLock<Mutex<HashMap<(Handle, &'static str), Tally>>> = OnceLock::new();
    let map = TALLIES.get_or_init(|| Mutex::new(HashMap::new()));
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Counts a call that moved `n` bytes, and says it when it should.
fn moved(call: &'static str, h: Handle, n: usize) {
    let n = n as u64;
    if n == 0 {
        // The end of the stream: what was summarised is said first.
        finish_call(h, call);
        emit(format_args!("{call}({h}) = 0 (end of stream)"));
        return;
    }
    let now = Instant::now();
    let line = {
        let mut all = tallies();
        let t =
            all.entry((h, call)).or_insert(Tally { total: 0, calls: 0, pending: (0, 0), said: now, summarised: false });
        let before = t.total;
        t.total += n;
        t.calls += 1;
        if before < BULK_AFTER {
            t.said = now;
            Some(format!("{call}({h}) = {}", bytes(n)))
        } else {
            t.summarised = true;
            t.pending.0 += n;
            t.pending.1 += 1;
            if t.pending.0 >= SUMMARY_BYTES && now.duration_since(t.said) >= SUMMARY_EVERY {
                let (b, c) = std::mem::take(&mut t.pending);
                t.said = now;
                Some(format!("{call}({h}) = {} in {}", bytes(b), calls(c)))
            } else {
                None
            }
        }
    };
    if let Some(line) = line {
        emit(format_args!("{line}"));
    }
}

/// Says what every summarised call on `h` still owes, and forgets them
/// (the number may be reused by the next socket).
fn finish(h: Handle) {
    let calls: Vec<&'static str> = tallies().keys().filter(|(k, _)| *k == h).map(|(_, c)| *c).collect();
    for call in calls {
        finish_call(h, call);
    }
}

fn finish_call(h: Handle, call: &'static str) {
    let Some(t) = tallies().remove(&(h, call)) else { return };
    if t.pending.1 > 0 {
        emit(format_args!("{call}({h}) = {} in {}", bytes(t.pending.0), calls(t.pending.1)));
    }
    if t.summarised {
        emit(format_args!("{call}({h}): {} in {} in all", bytes(t.total), calls(t.calls)));
    }
}

/// `1 call`, `262 calls`.
fn calls(n: u64) -> String {
    if n == 1 { "1 call".to_string() } else { format!("{n} calls") }
}

/// `74 bytes` below a mebibyte, `3.5 MiB` or `1 GiB` above.
pub fn bytes(n: u64) -> String {
    const MIB: f64 = (1u64 << 20) as f64;
    const GIB: f64 = (1u64 << 30) as f64;
    let (value, unit) = match n {
        n if n < 1 << 20 => return if n == 1 { "1 byte".to_string() } else { format!("{n} bytes") },
        n if n < 1 << 30 => (n as f64 / MIB, "MiB"),
        n => (n as f64 / GIB, "GiB"),
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        let cases: &[(u64, &str)] = &[
            (0, "0 bytes"),
            (1, "1 byte"),
            (74, "74 bytes"),
            (1 << 20, "1 MiB"),
            (3 << 19, "1.5 MiB"),
            (1 << 30, "1 GiB"),
        ];
        for (n, want) in cases {
            assert_eq!(bytes(*n), *want, "{n}");
        }
    }

    #[test]
    fn handles_are_named_as_the_system_numbers_them() {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let shown = handle(&s).to_string();
        let prefix = if cfg!(windows) { "socket " } else { "fd " };
        assert!(shown.starts_with(prefix) && shown[prefix.len()..].parse::<u64>().is_ok(), "{shown}");
    }
}
