//! `-z`: which ports accept a TCP connection. Nothing is sent; each
//! connection is closed as soon as it is made.
//!
//! Every try is a non-blocking connect watched by one mio loop, so a
//! thousand ports cost one thread and no more than [`IN_FLIGHT`]
//! descriptors at a time. Each address of a host is tried at once; a port
//! is open when any of them accepts.
//!
//! With `--wait`, a port that does not answer is tried again until it
//! does or the time is up: a new try starts [`RETRY`] after the last one
//! began (a try still waiting for its answer keeps waiting beside it, up
//! to [`PER_ADDRESS`] of them), and a name that does not resolve yet is
//! looked up again as often, each host in a thread of its own (the
//! system's resolver blocks).

use std::io;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use shared::io_text::describe;
use shared::net::addr::Family;
use shared::net::words::ProbeGroup;

use crate::error::Error;

/// Sockets connecting at once, across all ports.
pub const IN_FLIGHT: usize = 256;
/// With `--wait`: how often a port that has not answered is tried again,
/// and a name that did not resolve looked up again.
pub const RETRY: Duration = Duration::from_millis(250);
/// With `--wait`: tries of one address waiting for an answer at once.
pub const PER_ADDRESS: usize = 4;

/// How to probe.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// IPv4 or IPv6 only, or both.
    pub family: Family,
    /// How long one try may wait for its answer.
    pub attempt: Duration,
    /// `--wait`: keep trying until every port is open or this long passed.
    pub wait: Option<Duration>,
}

/// One `HOST:PORT` to probe.
#[derive(Debug, Clone)]
pub struct Target {
    /// As printed: `host:80`, `[::1]:22`.
    pub shown: String,
    /// Which entry of the host list it belongs to.
    host: usize,
    /// The port.
    port: u16,
}

/// What became of one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This address accepted.
    Open(SocketAddr),
    /// No address accepted; why the last try failed.
    Closed(String),
}

/// What the probe tells its caller about a target as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report<'a> {
    /// The target's outcome, once known.
    Settled(&'a Outcome),
    /// With `--wait`: the first try failed (why); it will be tried again.
    NotYet(&'a str),
}

/// The targets of the groups, in order, and the distinct hosts they name.
pub fn targets(groups: &[ProbeGroup]) -> (Vec<Target>, Vec<String>) {
    let mut hosts: Vec<String> = Vec::new();
    let mut targets = Vec::new();
    for group in groups {
        let host = match hosts.iter().position(|h| *h == group.host) {
            Some(i) => i,
            None => {
                hosts.push(group.host.clone());
                hosts.len() - 1
            }
        };
        targets.extend(group.ports().map(|port| Target { shown: group.shown(port), host, port }));
    }
    (targets, hosts)
}

/// Probes `targets` (on `hosts`, resolved here) and calls `report` with
/// each target's index as soon as its outcome is known (and, with
/// `--wait`, when its first try fails). Without `--wait` a name that does
/// not resolve is an error at once; with it, a reason to look it up again.
pub fn probe(
    targets: &[Target],
    hosts: &[String],
    opts: Options,
    report: impl FnMut(usize, Report<'_>),
) -> Result<Vec<Outcome>, Error> {
    let started = Instant::now();
    let deadline = opts.wait.map(|w| started + w);
    let (resolved_tx, resolved) = mpsc::channel();
    let mut addrs: Vec<Option<Vec<SocketAddr>>> = vec![None; hosts.len()];
    for (i, host) in hosts.iter().enumerate() {
        match deadline {
            None => addrs[i] = Some(shared::net::resolve(host, 0, opts.family).map_err(Error::Address)?),
            Some(deadline) => {
                let (tx, host) = (resolved_tx.clone(), host.clone());
                std::thread::spawn(move || resolve_until(i, &host, opts.family, deadline, &tx));
            }
        }
    }
    drop(resolved_tx);
    let poll = Poll::new().map_err(Error::Socket)?;
    let mut run = Run {
        targets,
        opts,
        deadline,
        states: targets
            .iter()
            .map(|t| match addrs[t.host] {
                Some(_) => State { next_round: Some(started), ..State::default() },
                None => State { last_error: Some(format!("`{}` not resolved yet", hosts[t.host])), ..State::default() },
            })
            .collect(),
        addrs,
        attempts: Vec::new(),
        poll,
        done: 0,
        report,
    };
    let mut events = Events::with_capacity(IN_FLIGHT);
    loop {
        let now = Instant::now();
        while let Ok((host, answer)) = resolved.try_recv() {
            run.resolved(host, answer, now);
        }
        run.expire(now);
        run.start_due(now);
        if run.done == targets.len() {
            break;
        }
        let timeout = run.next_wake(now).saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        if let Err(e) = run.poll.poll(&mut events, Some(timeout))
            && e.kind() != io::ErrorKind::Interrupted
        {
            return Err(Error::Socket(e));
        }
        for event in events.iter() {
            run.answer(event.token().0);
        }
    }
    Ok(run.states.into_iter().map(|s| s.outcome.unwrap_or_else(|| Outcome::Closed("not tried".into()))).collect())
}

/// A try in flight.
struct Attempt {
    stream: TcpStream,
    target: usize,
    started: Instant,
    /// The address tried, for `--trace` (a refused socket has no peer).
    to: SocketAddr,
}

/// A target while it is probed.
#[derive(Default)]
struct State {
    outcome: Option<Outcome>,
    /// Why the latest try failed.
    last_error: Option<String>,
    /// When the next round of tries may start: `None` before the host
    /// resolves, and without `--wait` after the one round.
    next_round: Option<Instant>,
    /// Tries waiting for an answer.
    in_flight: usize,
    /// With `--wait`: the first failure was reported.
    announced: bool,
}

/// One probe run: the targets, their states, the tries in flight.
struct Run<'a, R> {
    targets: &'a [Target],
    opts: Options,
    /// `--wait`'s end.
    deadline: Option<Instant>,
    states: Vec<State>,
    /// Each host's addresses, once resolved.
    addrs: Vec<Option<Vec<SocketAddr>>>,
    /// Tries by token; `None` is a free slot.
    attempts: Vec<Option<Attempt>>,
    poll: Poll,
    /// Targets with an outcome.
    done: usize,
    report: R,
}

impl<R: FnMut(usize, Report<'_>)> Run<'_, R> {
    /// A host's name was looked up (again).
    fn resolved(&mut self, host: usize, answer: Result<Vec<SocketAddr>, String>, now: Instant) {
        let of_host: Vec<usize> = (0..self.targets.len()).filter(|&t| self.targets[t].host == host).collect();
        match answer {
            Ok(list) => {
                self.addrs[host] = Some(list);
                for t in of_host {
                    let state = &mut self.states[t];
                    state.next_round.get_or_insert(now);
                    state.last_error = None;
                }
            }
            Err(why) => {
                for t in of_host {
                    self.failed(t, why.clone());
                }
            }
        }
    }

    fn settle(&mut self, target: usize, outcome: Outcome) {
        if self.states[target].outcome.is_none() {
            (self.report)(target, Report::Settled(&outcome));
            self.states[target].outcome = Some(outcome);
            self.done += 1;
        }
    }

    /// A try of `target` failed: remember why, and with `--wait` say so
    /// the first time.
    fn failed(&mut self, target: usize, why: String) {
        let state = &mut self.states[target];
        if self.deadline.is_some() && !state.announced && state.outcome.is_none() {
            state.announced = true;
            (self.report)(target, Report::NotYet(&why));
        }
        self.states[target].last_error = Some(why);
    }

    /// Drops tries that waited too long, and every try when `--wait` is
    /// over or their port is already open.
    fn expire(&mut self, now: Instant) {
        let over = self.deadline.is_some_and(|d| now >= d);
        for slot in 0..self.attempts.len() {
            let Some(a) = &self.attempts[slot] else { continue };
            let target = a.target;
            let late = now.duration_since(a.started) >= self.opts.attempt;
            if late || over || self.states[target].outcome.is_some() {
                self.attempts[slot] = None;
                self.states[target].in_flight -= 1;
                let timed_out = || describe(&io::Error::from(io::ErrorKind::TimedOut));
                if late {
                    self.failed(target, timed_out());
                } else if over && self.states[target].last_error.is_none() {
                    // Its only try was still waiting when the time was up.
                    self.states[target].last_error = Some(timed_out());
                }
            }
        }
    }

    /// Starts every round that is due, and settles the targets that have
    /// nothing left to try.
    fn start_due(&mut self, now: Instant) {
        let over = self.deadline.is_some_and(|d| now >= d);
        let mut in_flight = self.attempts.iter().flatten().count();
        for t in 0..self.targets.len() {
            if self.states[t].outcome.is_some() {
                continue;
            }
            let host = self.targets[t].host;
            let ips = self.addrs[host].as_ref().map_or(0, Vec::len);
            let state = &self.states[t];
            let due = !over && state.next_round.is_some_and(|at| at <= now);
            let room = in_flight + ips <= IN_FLIGHT && state.in_flight + ips <= PER_ADDRESS * ips;
            if due && room {
                let port = self.targets[t].port;
                let tos: Vec<SocketAddr> =
                    self.addrs[host].iter().flatten().map(|a| SocketAddr::new(a.ip(), port)).collect();
                for to in tos {
                    in_flight += self.connect(t, to, now);
                }
                self.states[t].next_round = self.deadline.map(|_| now + RETRY);
            }
            let state = &self.states[t];
            let nothing_left =
                state.in_flight == 0 && (over || (self.deadline.is_none() && state.next_round.is_none()));
            if nothing_left {
                let why = state.last_error.clone().unwrap_or_else(|| "not tried".to_string());
                self.settle(t, Outcome::Closed(why));
            }
        }
    }

    /// Starts one try; 1 when it is in flight.
    fn connect(&mut self, target: usize, to: SocketAddr, now: Instant) -> usize {
        let slot = self.attempts.iter().position(Option::is_none).unwrap_or_else(|| {
            self.attempts.push(None);
            self.attempts.len() - 1
        });
        let started = TcpStream::connect(to).and_then(|mut stream| {
            shared::trace::connecting(&stream, &to);
            self.poll.registry().register(&mut stream, Token(slot), Interest::WRITABLE)?;
            Ok(stream)
        });
        match started {
            Ok(stream) => {
                self.attempts[slot] = Some(Attempt { stream, target, started: now, to });
                self.states[target].in_flight += 1;
                1
            }
            Err(e) => {
                self.failed(target, describe(&e));
                0
            }
        }
    }

    /// The try in `slot` has an answer (or the system woke us for it).
    fn answer(&mut self, slot: usize) {
        let Some(attempt) = self.attempts.get_mut(slot).and_then(Option::take) else { return };
        let answer = match attempt.stream.take_error() {
            Ok(Some(e)) | Err(e) => Err(e),
            Ok(None) => attempt.stream.peer_addr(),
        };
        match answer {
            // Not connected yet: a wake-up without an answer; keep waiting.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                self.attempts[slot] = Some(attempt);
                return;
            }
            Ok(addr) => {
                shared::trace::connect(&attempt.stream, &addr, &Ok(()));
                self.settle(attempt.target, Outcome::Open(addr));
            }
            Err(e) => {
                let refused = Err(e);
                shared::trace::connect(&attempt.stream, &attempt.to, &refused);
                if let Err(e) = &refused {
                    self.failed(attempt.target, describe(e));
                }
            }
        }
        self.states[attempt.target].in_flight -= 1;
        shared::sys::socket::close(attempt.stream);
    }

    /// When the loop must look again: the earliest of a try's time limit,
    /// the next round, `--wait`'s end.
    fn next_wake(&self, now: Instant) -> Instant {
        let mut wake = self.deadline.unwrap_or(now + self.opts.attempt);
        for a in self.attempts.iter().flatten() {
            wake = wake.min(a.started + self.opts.attempt);
        }
        for state in self.states.iter().filter(|s| s.outcome.is_none()) {
            if let Some(at) = state.next_round {
                wake = wake.min(at.max(now));
            }
        }
        if self.deadline.is_some() {
            // Names still resolving report through the channel.
            wake = wake.min(now + RETRY);
        }
        wake
    }
}

/// Resolves `host` for `--wait`: again every [`RETRY`] until it answers or
/// `deadline` passes, telling the loop each time.
fn resolve_until(
    index: usize,
    host: &str,
    family: Family,
    deadline: Instant,
    tx: &mpsc::Sender<(usize, Result<Vec<SocketAddr>, String>)>,
) {
    loop {
        let began = Instant::now();
        let answer = shared::net::resolve(host, 0, family).map_err(|e| e.to_string());
        let resolved = answer.is_ok();
        if tx.send((index, answer)).is_err() || resolved {
            return;
        }
        let next = began + RETRY;
        if next >= deadline {
            return;
        }
        // Pacing the lookups of a name that does not resolve yet.
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn group(host: &str, ports: &[u16]) -> ProbeGroup {
        ProbeGroup { host: host.into(), ranges: ports.iter().map(|&p| (p, p)).collect() }
    }

    #[test]
    fn open_and_closed_in_one_run() {
        let open = TcpListener::bind("127.0.0.1:0").unwrap();
        let open_port = open.local_addr().unwrap().port();
        let closed_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (targets, hosts) = targets(&[group("127.0.0.1", &[open_port, closed_port])]);
        let opts = Options { family: Family::Any, attempt: Duration::from_secs(5), wait: None };
        let mut seen = Vec::new();
        let outcomes = probe(&targets, &hosts, opts, |i, r| {
            if let Report::Settled(o) = r {
                seen.push((i, o.clone()));
            }
        })
        .unwrap();
        assert_eq!(outcomes[0], Outcome::Open(open.local_addr().unwrap()));
        assert_eq!(outcomes[1], Outcome::Closed("connection refused".into()));
        seen.sort_by_key(|(i, _)| *i);
        assert_eq!(seen, [(0, outcomes[0].clone()), (1, outcomes[1].clone())]);
    }

    #[test]
    fn targets_share_hosts() {
        let (targets, hosts) = targets(&[group("a", &[1, 2]), group("b", &[3]), group("a", &[4])]);
        assert_eq!(hosts, ["a", "b"]);
        let shown: Vec<(&str, usize)> = targets.iter().map(|t| (t.shown.as_str(), t.host)).collect();
        assert_eq!(shown, [("a:1", 0), ("a:2", 0), ("b:3", 1), ("a:4", 0)]);
    }
}
