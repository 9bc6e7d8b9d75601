//! tcp-echo: a netcat-style TCP client and server.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line |
//! | [`pump`] | the stdin thread: stdin to the current connection (sendfile from a file), half-close at its end |
//! | [`session`] | one connection, both directions, the timers; the socket to stdout (splice where it can) |
//! | [`echo`] | the echo service, a thread per client |
//! | [`probe`] | `-z` port probes |
//!
//! [`connect`] and [`listen`] are the two ways a session starts; both
//! take what they need already made (an address list, a bound listener),
//! so tests can drive them. The system calls underneath (sendfile, splice,
//! duplicating stdout) are `shared::sys`'s, the platform layer: this crate
//! makes none of its own and builds wherever `shared` does.

#![forbid(unsafe_code)]

pub mod cli;
pub mod echo;
pub mod probe;
pub mod pump;
pub mod session;

use std::fs::File;
use std::io::IsTerminal;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use shared::net::{ConnectLimit, HostPort, ListenSpec, bind_tcp, connect_any};

use crate::cli::Cli;
use crate::pump::Pump;
use crate::session::{End, Options, Stats};

/// Exit codes.
pub mod code {
    /// Network trouble: refused, unreachable, resolve failure, timeout, reset.
    pub const NETWORK: u8 = 1;
    /// Bad usage.
    pub const USAGE: u8 = 2;
}

/// How long a `-z` probe waits per address without `-w`.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A run that failed: exit code and the line to print.
#[derive(Debug)]
pub struct Failure(pub u8, pub String);

/// Parses the command line and runs; returns the exit code.
pub fn main_code() -> u8 {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => 0,
        Err(Failure(code, message)) => {
            eprintln!("tcp-echo: {message}");
            code
        }
    }
}

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure(code::USAGE, e.to_string())
}

fn network(e: impl std::fmt::Display) -> Failure {
    Failure(code::NETWORK, e.to_string())
}

/// Runs the mode the command line asks for.
pub fn run(cli: &Cli) -> Result<(), Failure> {
    if cli.zero_io {
        return run_probe(cli);
    }
    if cli.listen {
        let ListenSpec { host, port } = ListenSpec::from_words(&cli.args).map_err(usage)?;
        let listener = bind_tcp(host.as_deref(), port, cli.family()).map_err(network)?;
        let local = listener.local_addr().map_err(network)?;
        if port == 0 || cli.verbose {
            eprintln!("tcp-echo: listening on {local}");
        }
        if cli.echo {
            return echo::serve(listener, cli.max_clients as usize, cli.timeout, cli.verbose).map_err(network);
        }
        return listen(cli, listener);
    }
    let target = HostPort::from_words(&cli.args).map_err(usage)?;
    let addrs = target.resolve(cli.family()).map_err(network)?;
    connect(cli, &target.to_string(), &addrs)
}

/// Standard output as a file of its own: unbuffered, binary-safe, and
/// something splice can write to.
fn stdout_file() -> Result<File, Failure> {
    shared::sys::stdio::stdout_file().map_err(|e| network(format!("stdout: {e}")))
}

fn options(cli: &Cli) -> Options {
    Options {
        idle: cli.timeout,
        quit_after: cli.quit_after,
        stdin_is_tty: !cli.no_stdin && std::io::stdin().is_terminal(),
        keep_open: cli.keep_open,
    }
}

fn pump(cli: &Cli) -> Option<Arc<Pump>> {
    (!cli.no_stdin).then(|| Pump::start(cli.crlf, !cli.no_shutdown, Instant::now()))
}

/// Connects to the first of `addrs` that answers and runs a session.
pub fn connect(cli: &Cli, shown: &str, addrs: &[SocketAddr]) -> Result<(), Failure> {
    let limit = cli.timeout.map_or(ConnectLimit::System, ConnectLimit::EachAddress);
    let stream = connect_any(shown, addrs, limit).map_err(network)?;
    let peer = stream.peer_addr().map_err(network)?;
    if cli.verbose {
        eprintln!("tcp-echo: connected to {peer}");
    }
    let out = stdout_file()?;
    let pump = pump(cli);
    let result = session::run(stream, peer, pump.as_ref(), 1, options(cli), &out);
    finish(cli, result)
}

/// Accepts one client (every client in turn with `-k`) and runs a session
/// with each.
pub fn listen(cli: &Cli, listener: TcpListener) -> Result<(), Failure> {
    let out = stdout_file()?;
    let pump = pump(cli);
    let mut id = 0;
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(pair) => pair,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(network(format!("accept: {}", shared::io_text::describe(&e)))),
        };
        let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
        if cli.verbose {
            eprintln!("tcp-echo: connection from {peer}");
        }
        id += 1;
        let result = session::run(stream, peer, pump.as_ref(), id, options(cli), &out);
        if !cli.keep_open {
            return finish(cli, result);
        }
        match result {
            Ok((End::StdoutClosed, _)) => return Ok(()),
            Ok((End::Finished, stats)) => report(cli, &stats),
            Err(session::Failed(message, stats)) => {
                eprintln!("tcp-echo: {message}");
                report(cli, &stats);
            }
        }
    }
}

fn finish(cli: &Cli, result: Result<(End, Stats), session::Failed>) -> Result<(), Failure> {
    match result {
        Ok((_, stats)) => {
            report(cli, &stats);
            Ok(())
        }
        Err(session::Failed(message, stats)) => {
            report(cli, &stats);
            Err(network(message))
        }
    }
}

fn report(cli: &Cli, stats: &Stats) {
    if cli.verbose {
        let secs = stats.took.as_secs_f64().max(1e-9);
        let rate = (stats.sent + stats.received) as f64 / secs;
        eprintln!(
            "tcp-echo: sent {} bytes, received {} bytes in {:.3}s ({}/s)",
            stats.sent,
            stats.received,
            stats.took.as_secs_f64(),
            human_rate(rate)
        );
    }
}

fn human_rate(bytes_per_sec: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes_per_sec;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

fn run_probe(cli: &Cli) -> Result<(), Failure> {
    let (host, ports) = match cli.args.as_slice() {
        [spec] => {
            let hp = HostPort::parse(spec).map_err(usage)?;
            (hp.host, (hp.port, hp.port))
        }
        [host, ports] => {
            (shared::net::addr::parse_host(host).map_err(usage)?, probe::parse_ports(ports).map_err(usage)?)
        }
        _ => return Err(usage("expected HOST PORT[-PORT]")),
    };
    let timeout = cli.timeout.unwrap_or(PROBE_TIMEOUT);
    let shown_host = if host.contains(':') { format!("[{host}]") } else { host.clone() };
    let open = probe::probe(&host, ports, cli.family(), timeout, |p| match &p.result {
        Ok(_) => println!("{shown_host}:{} open", p.port),
        Err(why) if cli.verbose => eprintln!("tcp-echo: {shown_host}:{} closed: {why}", p.port),
        Err(_) => {}
    })
    .map_err(network)?;
    if open == 0 {
        let range = if ports.0 == ports.1 { ports.0.to_string() } else { format!("{}-{}", ports.0, ports.1) };
        return Err(network(format!("{shown_host}: no open port in {range}")));
    }
    Ok(())
}
