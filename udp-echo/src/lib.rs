//! udp-echo: a UDP sender and receiver.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line |
//! | [`datagrams`] | stdin cut into datagrams: lines or chunks, never split or truncated |
//! | [`send`] | the sender: stdin out, replies in, `--wait` |
//! | [`receive`] | the receiver: learns each peer from its datagram; `--echo` |
//!
//! [`send::run`] and [`receive::run`] take an address or an already-bound
//! socket, so tests can drive them. Standard output is `shared::sys`'s
//! duplicate of the handle: this crate makes no system calls of its own
//! and builds wherever `shared` does.

#![forbid(unsafe_code)]

pub mod cli;
pub mod datagrams;
pub mod receive;
pub mod send;

use clap::Parser;
use shared::net::{HostPort, ListenSpec, bind_udp};

use crate::cli::Cli;

/// A run that failed: exit code and the line to print.
#[derive(Debug)]
pub struct Failure(pub u8, pub String);

impl Failure {
    /// Network trouble (exit 1).
    pub fn network(e: impl std::fmt::Display) -> Failure {
        Failure(1, e.to_string())
    }

    /// Bad usage (exit 2).
    pub fn usage(e: impl std::fmt::Display) -> Failure {
        Failure(2, e.to_string())
    }
}

/// Parses the command line and runs; returns the exit code.
pub fn main_code() -> u8 {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => 0,
        Err(Failure(code, message)) => {
            eprintln!("udp-echo: {message}");
            code
        }
    }
}

/// Runs the mode the command line asks for.
pub fn run(cli: &Cli) -> Result<(), Failure> {
    if cli.listen {
        let ListenSpec { host, port } = ListenSpec::from_words(&cli.args).map_err(Failure::usage)?;
        let socket = bind_udp(host.as_deref(), port, cli.family()).map_err(Failure::network)?;
        let local = socket.local_addr().map_err(Failure::network)?;
        if port == 0 || cli.verbose {
            eprintln!("udp-echo: listening on {local}");
        }
        let opts = receive::Options { echo: cli.echo, count: cli.count, verbose: cli.verbose };
        return receive::run(socket, opts);
    }
    let target = HostPort::from_words(&cli.args).map_err(Failure::usage)?;
    if target.port == 0 {
        return Err(Failure::usage(format!("{target}: cannot send to port 0")));
    }
    let addrs = target.resolve(cli.family()).map_err(Failure::network)?;
    let cut = match cli.chunk {
        Some(n) => send::Cut::Chunks(n as usize),
        None => send::Cut::Lines,
    };
    send::run(addrs[0], &target.to_string(), cut, cli.wait, cli.verbose)
}
