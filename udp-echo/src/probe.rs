//! `-z`: which UDP ports are closed. UDP has no handshake, so a probe can
//! only send something and see what comes back: one empty datagram to
//! each port, then, for `-w` (1 s unless given), a wait for an answer. A
//! datagram back means "open"; an ICMP port unreachable, "closed"; silence,
//! "open|filtered" (something took it, or something dropped it), as nmap
//! words it.
//!
//! Each probe is a connected socket of its own (that is how the system
//! hands back the ICMP answer: as an error on the next receive, on Linux,
//! the BSDs, macOS and Windows alike), waited on by short blocking
//! receives. At most [`IN_FLIGHT`] probes wait at once, a thread each.
//! Wine hands the answer only to a receive already waiting when it comes,
//! so there every port shows open|filtered. Systems limit
//! how many ICMP errors they send a second (not on loopback); a port
//! whose answer was held back shows as open|filtered.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use shared::net::addr::Family;
use shared::net::words::ProbeGroup;

use crate::error::Error;

/// Probes waiting for an answer at once.
pub const IN_FLIGHT: usize = 64;

/// What a probe of one port found, from the least to the most open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// An ICMP port unreachable came back.
    Closed,
    /// Nothing came back within the wait.
    OpenFiltered,
    /// A datagram came back.
    Open,
}

impl Outcome {
    /// The word nmap uses.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Closed => "closed",
            Outcome::OpenFiltered => "open|filtered",
            Outcome::Open => "open",
        }
    }
}

/// One `HOST:PORT` and the addresses to send to.
#[derive(Debug, Clone)]
pub struct Target {
    /// As printed: `host:53`, `[::1]:53`.
    pub shown: String,
    /// The host's addresses with this port.
    addrs: Vec<SocketAddr>,
}

/// The targets of the groups, in order, their hosts resolved.
pub fn targets(groups: &[ProbeGroup], family: Family) -> Result<Vec<Target>, Error> {
    let mut targets = Vec::new();
    for group in groups {
        let ips = shared::net::resolve(&group.host, 0, family).map_err(Error::Address)?;
        for port in group.ports() {
            let addrs = ips.iter().map(|a| SocketAddr::new(a.ip(), port)).collect();
            targets.push(Target { shown: group.shown(port), addrs });
        }
    }
    Ok(targets)
}

/// Probes every target, each address of it, waiting `wait` for each
/// answer; calls `report` with each target's index and outcome (its most
/// open address's) once every address has answered or timed out.
pub fn probe(
    targets: &[Target],
    wait: Duration,
    mut report: impl FnMut(usize, Outcome),
) -> Result<Vec<Outcome>, Error> {
    let jobs: Arc<Vec<(usize, SocketAddr)>> = Arc::new(
        targets.iter().enumerate().flat_map(|(t, target)| target.addrs.iter().map(move |&a| (t, a))).collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    for _ in 0..IN_FLIGHT.min(jobs.len()) {
        let (jobs, next, tx) = (jobs.clone(), next.clone(), tx.clone());
        std::thread::spawn(move || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(t, to)) = jobs.get(i) else { return };
                if tx.send((t, probe_one(to, wait))).is_err() {
                    return;
                }
            }
        });
    }
    drop(tx);
    let mut left: Vec<usize> = targets.iter().map(|t| t.addrs.len()).collect();
    let mut best: Vec<Outcome> = vec![Outcome::Closed; targets.len()];
    for (t, answer) in rx {
        let outcome = answer.map_err(|source| Error::Send { target: targets[t].shown.clone(), source })?;
        best[t] = best[t].max(outcome);
        left[t] -= 1;
        if left[t] == 0 {
            report(t, best[t]);
        }
    }
    Ok(best)
}

/// Sends one empty datagram to `to` from a socket of its own, and waits
/// `wait` for what comes back.
fn probe_one(to: SocketAddr, wait: Duration) -> io::Result<Outcome> {
    let any: SocketAddr =
        if to.is_ipv4() { (Ipv4Addr::UNSPECIFIED, 0).into() } else { (Ipv6Addr::UNSPECIFIED, 0).into() };
    let socket = UdpSocket::bind(any)?;
    socket.connect(to)?;
    match socket.send(&[]) {
        Ok(_) => {}
        // Refused at once: the system already knows no one listens.
        Err(e) if crate::port_unreachable(&e) => return Ok(Outcome::Closed),
        Err(e) => return Err(e),
    }
    socket.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
    let mut buf = [0u8; 1];
    let answer = loop {
        match socket.recv(&mut buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => break other,
        }
    };
    match answer {
        Ok(_) => Ok(Outcome::Open),
        Err(e) if crate::port_unreachable(&e) => Ok(Outcome::Closed),
        // The wait passed in silence (WouldBlock on Unix, TimedOut on Windows).
        Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => Ok(Outcome::OpenFiltered),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_closed_and_silent() {
        let echo = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let echo_addr = echo.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16];
            if let Ok((n, from)) = echo.recv_from(&mut buf) {
                let _ = echo.send_to(&buf[..n], from);
            }
        });
        let group = ProbeGroup {
            host: "127.0.0.1".into(),
            ranges: [echo_addr.port(), silent.local_addr().unwrap().port(), closed.port()]
                .iter()
                .map(|&p| (p, p))
                .collect(),
        };
        let targets = targets(&[group], Family::Any).unwrap();
        let mut seen = Vec::new();
        let outcomes = probe(&targets, Duration::from_millis(500), |i, o| seen.push((i, o))).unwrap();
        if harness::under_wine() {
            eprintln!("skipped: Wine hands an ICMP port unreachable only to a receive already waiting");
            return;
        }
        assert_eq!(outcomes, [Outcome::Open, Outcome::OpenFiltered, Outcome::Closed]);
        seen.sort();
        assert_eq!(seen, [(0, Outcome::Open), (1, Outcome::OpenFiltered), (2, Outcome::Closed)]);
    }
}
