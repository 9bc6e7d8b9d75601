//! `-z`: which UDP ports are closed. UDP has no handshake, so a probe can
//! only send something and see what comes back: one empty datagram to
//! each port, then, for `-w` (1 s unless given), a wait for an answer. A
//! datagram back means "open"; an ICMP port unreachable, "closed"; silence,
//! "open|filtered" (something took it, or something dropped it), as nmap
//! words it.
//!
//! Each probe is a connected socket of its own (that is how the system
//! hands back the ICMP answer: as an error on the next receive), watched
//! by one mio loop; at most [`IN_FLIGHT`] at once. Systems limit how many
//! ICMP errors they send a second (not on loopback); a port whose answer
//! was held back shows as open|filtered.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token};
use shared::net::addr::Family;
use shared::net::words::ProbeGroup;

use crate::error::Error;

/// Probes waiting for an answer at once.
pub const IN_FLIGHT: usize = 256;

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

/// A probe waiting for its answer.
struct Waiting {
    socket: UdpSocket,
    target: usize,
    until: Instant,
}

/// Probes every target, each address of it, waiting `wait` for each
/// answer; calls `report` with each target's index and outcome (its most
/// open address's) once every address has answered or timed out.
pub fn probe(
    targets: &[Target],
    wait: Duration,
    mut report: impl FnMut(usize, Outcome),
) -> Result<Vec<Outcome>, Error> {
    let mut poll = Poll::new().map_err(Error::Setup)?;
    let mut events = Events::with_capacity(IN_FLIGHT);
    let jobs: Vec<(usize, SocketAddr)> =
        targets.iter().enumerate().flat_map(|(t, target)| target.addrs.iter().map(move |&a| (t, a))).collect();
    let mut left: Vec<usize> = targets.iter().map(|t| t.addrs.len()).collect();
    let mut best: Vec<Outcome> = vec![Outcome::Closed; targets.len()];
    let mut slots: Vec<Option<Waiting>> = (0..IN_FLIGHT).map(|_| None).collect();
    let mut next_job = 0;
    let mut finish = |t: usize, outcome: Outcome, left: &mut Vec<usize>, best: &mut Vec<Outcome>| {
        best[t] = best[t].max(outcome);
        left[t] -= 1;
        if left[t] == 0 {
            report(t, best[t]);
        }
    };
    loop {
        // Fill the free slots with the next probes.
        for (slot, entry) in slots.iter_mut().enumerate() {
            if entry.is_some() || next_job == jobs.len() {
                continue;
            }
            let (t, to) = jobs[next_job];
            next_job += 1;
            match send_probe(to, &poll, slot) {
                Ok(socket) => *entry = Some(Waiting { socket, target: t, until: Instant::now() + wait }),
                // Refused at once (the system already knows no one listens).
                Err(e) if crate::port_unreachable(&e) => finish(t, Outcome::Closed, &mut left, &mut best),
                Err(e) => return Err(Error::Send { target: targets[t].shown.clone(), source: e }),
            }
        }
        let Some(until) = slots.iter().flatten().map(|w| w.until).min() else { break };
        let timeout = until.saturating_duration_since(Instant::now());
        if let Err(e) = poll.poll(&mut events, Some(timeout))
            && e.kind() != io::ErrorKind::Interrupted
        {
            return Err(Error::Setup(e));
        }
        for event in events.iter() {
            let slot = event.token().0;
            let Some(waiting) = slots.get_mut(slot).and_then(Option::take) else { continue };
            let mut buf = [0u8; 1];
            let outcome = match waiting.socket.recv(&mut buf) {
                Ok(_) => Outcome::Open,
                Err(e) if crate::port_unreachable(&e) => Outcome::Closed,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    slots[slot] = Some(waiting);
                    continue;
                }
                Err(e) => return Err(Error::ReceiveFrom { target: targets[waiting.target].shown.clone(), source: e }),
            };
            finish(waiting.target, outcome, &mut left, &mut best);
        }
        let now = Instant::now();
        for entry in slots.iter_mut() {
            if entry.as_ref().is_some_and(|w| w.until <= now)
                && let Some(w) = entry.take()
            {
                finish(w.target, Outcome::OpenFiltered, &mut left, &mut best);
            }
        }
    }
    Ok(best)
}

/// A socket connected to `to` that has sent it one empty datagram,
/// registered for its answer under `slot`.
fn send_probe(to: SocketAddr, poll: &Poll, slot: usize) -> io::Result<UdpSocket> {
    let any: SocketAddr =
        if to.is_ipv4() { (Ipv4Addr::UNSPECIFIED, 0).into() } else { (Ipv6Addr::UNSPECIFIED, 0).into() };
    let mut socket = UdpSocket::bind(any)?;
    socket.connect(to)?;
    socket.send(&[])?;
    poll.registry().register(&mut socket, Token(slot), Interest::READABLE)?;
    Ok(socket)
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
        assert_eq!(outcomes, [Outcome::Open, Outcome::OpenFiltered, Outcome::Closed]);
        seen.sort();
        assert_eq!(seen, [(0, Outcome::Open), (1, Outcome::OpenFiltered), (2, Outcome::Closed)]);
    }
}
