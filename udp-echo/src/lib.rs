//! udp-echo: a UDP sender and receiver.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line |
//! | [`habits`] | options and words from nc, ncat and socat: what to use here, in one line |
//! | [`error`] | why a run failed, and the one place that picks the exit status |
//! | [`datagrams`] | stdin cut into datagrams: lines or chunks, never split or truncated |
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
pub mod error;
pub mod habits;
pub mod probe;
pub mod receive;
pub mod send;

use std::io::{self, Write};

use shared::net::{ListenSpec, bind_udp};

use crate::cli::Cli;
pub use crate::error::{Error, exit_code};

/// Runs the mode the command line asks for.
pub fn run(cli: &Cli) -> Result<(), Error> {
    if cli.zero_io {
        return run_probe(cli);
    }
    if cli.listen {
        let ListenSpec { host, port } = cli.words().listen().map_err(Error::Usage)?;
        let socket = bind_udp(host.as_deref(), port, cli.family()).map_err(Error::Listen)?;
        let local = socket.local_addr().map_err(Error::Setup)?;
        if port == 0 || cli.verbose {
            shared::io_text::stderr_line(&format!("udp-echo: listening on {local}"));
        }
        let opts = receive::Options { echo: cli.echo, count: cli.count, verbose: cli.verbose };
        return receive::run(socket, opts);
    }
    let dial = cli.words().dial().map_err(Error::Usage)?;
    let target = &dial.target;
    if target.port == 0 {
        return Err(Error::PortZero(target.clone()));
    }
    let addrs = target.resolve(cli.family()).map_err(Error::Address)?;
    let local = match &dial.from {
        None => None,
        Some(from) => match from.for_target(&addrs[0], cli.family()).map_err(Error::Address)? {
            Some(local) => Some(local),
            None => {
                let source_host = from.host.clone().unwrap_or_default();
                return Err(Error::NoSourceAddress { source_host, target: target.to_string() });
            }
        },
    };
    let cut = match cli.chunk {
        Some(n) => send::Cut::Chunks(n as usize),
        None => send::Cut::Lines,
    };
    send::run(addrs[0], local, &target.to_string(), cut, cli.wait, cli.verbose)
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
