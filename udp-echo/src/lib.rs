//! udp-echo: a UDP sender and receiver.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line |
//! | [`habits`] | options and words from nc, ncat and socat: what to use here, in one line |
//! | [`error`] | why a run failed, and the one place that picks the exit status |
//! | [`datagrams`] | stdin cut into datagrams: lines or chunks, never split or truncated |
//! | [`socket`] | a datagram socket, UDP or Unix, and the peer a datagram came from |
//! | [`multicast`] | broadcast, joining groups, the interface, the hop limit |
//! | [`endpoint`] | the socket the command line asks for: bound, connected |
//! | [`send`] | the sender: stdin out, replies in, `--wait` |
//! | [`receive`] | the receiver: learns each peer from its datagram; `--echo` |
//! | [`probe`] | `-z`: one empty datagram per port; closed, open or open\|filtered |
//!
//! [`send::run`] and [`receive::run`] take an address or an already-bound
//! socket, so tests can drive them. Standard output is `shared::sys`'s
//! duplicate of the handle: this crate makes no system calls of its own
//! and builds wherever `shared` does.

#![forbid(unsafe_code)]

pub mod cli;
pub mod datagrams;
pub mod endpoint;
pub mod error;
pub mod habits;
pub mod multicast;
pub mod probe;
pub mod receive;
pub mod send;
pub mod socket;

use std::io::{self, Write};

use shared::net::access::Access;

use crate::cli::Cli;
use crate::endpoint::Endpoint;
pub use crate::error::{Error, exit_code};

/// Runs the mode the command line asks for.
pub fn run(cli: &Cli) -> Result<(), Error> {
    if cli.trace {
        shared::trace::enable();
    }
    if cli.zero_io {
        return run_probe(cli);
    }
    if cli.listen {
        let access = Access::parse(&cli.allow, &cli.deny).map_err(Error::Access)?;
        if cli.unix.is_some() && !access.is_open() {
            return Err(Error::AccessUnix);
        }
        let (endpoint, port_chosen) = Endpoint::receiver(cli)?;
        if port_chosen || cli.verbose {
            shared::io_text::stderr_line(&format!("udp-echo: listening on {}", endpoint.shown));
        }
        let opts = receive::Options { echo: cli.echo, count: cli.count, verbose: cli.verbose, access };
        return receive::run(&endpoint.socket, opts);
    }
    let endpoint = Endpoint::sender(cli)?;
    let cut = match cli.chunk {
        Some(n) => send::Cut::Chunks(n as usize),
        None => send::Cut::Lines,
    };
    send::run(&endpoint, cut, cli.wait, cli.verbose)
}

/// `-z`: probes every port given and prints `HOST:PORT open|filtered` (or
/// `open`, when a datagram came back) for each that is not closed, in the
/// order given; `-v` names the closed ones on stderr.
fn run_probe(cli: &Cli) -> Result<(), Error> {
    let groups = cli.words().probes().map_err(Error::Usage)?;
    let targets = probe::targets(&groups, cli.family())?;
    let mut held: Vec<Option<probe::Outcome>> = vec![None; targets.len()];
    let mut next = 0;
    let outcomes = probe::probe(&targets, cli.wait, |i, outcome| {
        held[i] = Some(outcome);
        while let Some(&Some(o)) = held.get(next) {
            let shown = &targets[next].shown;
            if o == probe::Outcome::Closed {
                if cli.verbose {
                    shared::io_text::stderr_line(&format!("udp-echo: {shown} closed (port unreachable)"));
                }
            } else {
                // A reader that went away is no reason to stop probing.
                let _ = writeln!(io::stdout(), "{shown} {}", o.word());
            }
            next += 1;
        }
    })?;
    if outcomes.iter().all(|&o| o == probe::Outcome::Closed) {
        return Err(Error::AllClosed(groups));
    }
    Ok(())
}

/// True when a UDP socket's error is the ICMP "port unreachable" answer to
/// an earlier datagram: `ConnectionRefused` on Unix, `ConnectionReset`
/// (WSAECONNRESET) on Windows.
fn port_unreachable(e: &io::Error) -> bool {
    let kind = e.kind();
    kind == io::ErrorKind::ConnectionRefused || (cfg!(windows) && kind == io::ErrorKind::ConnectionReset)
}
