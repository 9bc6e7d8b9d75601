//! tcp-echo: a netcat-style TCP client and server.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line |
//! | [`habits`] | options and words from nc, ncat and socat: what to use here, in one line |
//! | [`error`] | why a run failed, and the one place that picks the exit status |
//! | [`dial`] | connecting: to a Unix socket, over TCP from a chosen local end, through a proxy; TLS on top |
//! | [`listener`] | listening: TCP or a Unix socket; `--allow`, `--deny`; a thread per client for the services |
//! | [`link`] | one connection of any kind, both directions at once; reading it into a file |
//! | [`pump`] | the stdin thread: stdin to the current connection (sendfile from a file), half-close at its end |
//! | [`session`] | one connection, both directions, the timers; the socket to stdout (splice where it can) |
//! | [`echo`] | the echo service, a thread per client |
//! | [`exec`] | `-e`/`-c`: a program's stdin and stdout become the connection |
//! | [`tls`] | `--tls`: the handshake, certificates, and a TLS stream both directions use at once |
//! | [`probe`] | `-z` port probes, and `--wait` for ports to open |
//!
//! [`connect`] and [`listen`] are the two ways a session starts; both
//! take what they need already made (a connection, a bound listener), so
//! tests can drive them. The system calls underneath (sendfile, splice,
//! duplicating stdout) are `shared::sys`'s, the platform layer: this crate
//! makes none of its own and builds wherever `shared` does.

#![forbid(unsafe_code)]

pub mod cli;
pub mod dial;
pub mod echo;
pub mod error;
pub mod exec;
pub mod habits;
pub mod link;
pub mod listener;
pub mod probe;
pub mod pump;
pub mod session;
pub mod tls;

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::Cli;
pub use crate::error::{Error, exit_code};
use crate::link::{Link, Peer};
use crate::listener::Listener;
use crate::probe::Outcome;
use crate::pump::Pump;
use crate::session::{End, Options, Output, Stats};

/// How long a `-z` probe waits per address without `-w`.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Most clients a service (`--echo`, `-l -k -e`) serves at once without
/// `--max-clients`.
const MAX_CLIENTS: u32 = 64;

/// Runs the mode the command line asks for; the exit status on success
/// (the program's with `-e`/`-c`, else 0).
pub fn run(cli: &Cli) -> Result<u8, Error> {
    if cli.trace {
        shared::trace::enable();
    }
    if cli.zero_io {
        return run_probe(cli).map(|()| 0);
    }
    if cli.tls && !cfg!(feature = "tls") {
        return Err(Error::TlsUnsupported);
    }
    let program = exec::Program::from_cli(cli);
    if let Some(p) = &program {
        p.check()?;
    }
    let max_clients = cli.max_clients.unwrap_or(MAX_CLIENTS) as usize;
    if cli.listen {
        let listener = Listener::bind(cli)?;
        let tls = if cli.tls { Some(Arc::new(tls::server(cli, &listener)?)) } else { None };
        if listener.port_chosen(cli) || cli.verbose {
            shared::io_text::stderr_line(&format!("tcp-echo: listening on {listener}"));
        }
        if let Some(server) = &tls {
            shared::io_text::stderr_line(&format!("tcp-echo: {}", server.note()));
        }
        if cli.echo {
            return echo::serve(&listener, max_clients, cli.timeout, cli.verbose, tls).map_err(Error::Echo).map(|()| 0);
        }
        return match program {
            Some(program) if cli.keep_open => exec_each(cli, &listener, program, max_clients, tls).map(|()| 0),
            Some(program) => {
                let (link, peer) = accept(&listener)?;
                if cli.verbose {
                    eprintln!("tcp-echo: connection from {peer}");
                }
                let link = tls::secure(tls.as_deref(), link, &peer)?;
                exec_one(cli, link, &peer, &program)
            }
            None => listen(cli, &listener, tls.as_deref()).map(|()| 0),
        };
    }
    let (link, peer) = dial::connect(cli)?;
    match program {
        Some(program) => {
            if cli.verbose {
                eprintln!("tcp-echo: connected to {peer}");
            }
            exec_one(cli, link, &peer, &program)
        }
        None => connect(cli, link, &peer).map(|()| 0),
    }
}

/// The next connection, past interruptions.
fn accept(listener: &Listener) -> Result<(Link, Peer), Error> {
    loop {
        match listener.accept() {
            Ok(pair) => return Ok(pair),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Accept(e)),
        }
    }
}

/// `-e`/`-c` on one connection: the program's status is the run's; what
/// went wrong with the connection meanwhile is said in a line.
fn exec_one(cli: &Cli, link: Link, peer: &Peer, program: &exec::Program) -> Result<u8, Error> {
    let ran = exec::run(link, peer, program, cli.timeout, cli.verbose)?;
    if let Some(trouble) = ran.trouble {
        shared::io_text::stderr_line(&format!("tcp-echo: {trouble}"));
    }
    Ok(ran.status)
}

/// `-l -k -e`/`-c`: a program for every connection, at once, until
/// interrupted.
fn exec_each(
    cli: &Cli,
    listener: &Listener,
    program: exec::Program,
    max_clients: usize,
    tls: Option<Arc<tls::Server>>,
) -> Result<(), Error> {
    let (idle, verbose) = (cli.timeout, cli.verbose);
    listener
        .serve_each(max_clients, verbose, move |link, peer| {
            let ran =
                tls::secure(tls.as_deref(), link, peer).and_then(|link| exec::run(link, peer, &program, idle, verbose));
            match ran {
                Ok(exec::Ran { trouble: Some(trouble), .. }) | Err(trouble) => {
                    shared::io_text::stderr_line(&format!("tcp-echo: {trouble}"));
                }
                Ok(_) => {}
            }
        })
        .map_err(Error::Accept)
}

/// Standard output as a file of its own: unbuffered, binary-safe, and
/// something splice can write to.
fn stdout_file() -> Result<File, Error> {
    shared::sys::stdio::stdout_file().map_err(Error::Stdout)
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
    (!cli.no_stdin).then(|| Pump::start(cli.crlf, cli.tls, !cli.no_shutdown, Instant::now()))
}

/// Runs a session on a connection made (`peer` names the other end).
pub fn connect(cli: &Cli, link: Link, peer: &Peer) -> Result<(), Error> {
    if cli.verbose {
        eprintln!("tcp-echo: connected to {peer}");
    }
    let out = Output::Own(stdout_file()?);
    let pump = pump(cli);
    let (result, stats) = session::run(link, peer, pump.as_ref(), 1, options(cli), out);
    report(cli, &stats);
    result.map(|_| ())
}

/// Accepts one client (every client in turn with `-k`) and runs a session
/// with each.
pub fn listen(cli: &Cli, listener: &Listener, tls: Option<&tls::Server>) -> Result<(), Error> {
    let pump = pump(cli);
    if !cli.keep_open {
        let (link, peer) = accept(listener)?;
        if cli.verbose {
            eprintln!("tcp-echo: connection from {peer}");
        }
        let link = tls::secure(tls, link, &peer)?;
        let (result, stats) = session::run(link, &peer, pump.as_ref(), 1, options(cli), Output::Own(stdout_file()?));
        report(cli, &stats);
        return result.map(|_| ());
    }
    let out = stdout_file()?;
    let mut id = 0;
    loop {
        let (link, peer) = accept(listener)?;
        if cli.verbose {
            eprintln!("tcp-echo: connection from {peer}");
        }
        id += 1;
        let link = match tls::secure(tls, link, &peer) {
            Ok(link) => link,
            Err(e) => {
                // One client's failed handshake is not the run's.
                eprintln!("tcp-echo: {e}");
                continue;
            }
        };
        let (result, stats) = session::run(link, &peer, pump.as_ref(), id, options(cli), Output::Shared(&out));
        match result {
            Ok(End::StdoutClosed) => return Ok(()),
            Ok(End::Finished) => report(cli, &stats),
            Err(e) => {
                // One client's trouble is not the run's: say so, serve the next.
                eprintln!("tcp-echo: {e}");
                report(cli, &stats);
            }
        }
    }
}

/// With `-v`, the byte counts and rate of a finished session.
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

/// `-z`: probes every port given, printing `HOST:PORT open` for each that
/// accepts, in the order given (with `--wait`, as each opens).
fn run_probe(cli: &Cli) -> Result<(), Error> {
    if let Some(path) = &cli.unix {
        return probe_unix(cli, path);
    }
    let groups = cli.words().probes().map_err(Error::Usage)?;
    let (targets, hosts) = probe::targets(&groups);
    let opts = probe::Options { family: cli.family(), attempt: cli.timeout.unwrap_or(PROBE_TIMEOUT), wait: cli.wait };
    let show = |target: &probe::Target, outcome: &Outcome| match outcome {
        Outcome::Open(_) => {
            // A reader that went away is no reason to stop probing.
            let _ = writeln!(std::io::stdout(), "{} open", target.shown);
        }
        Outcome::Closed(why) if cli.verbose && cli.wait.is_none() => {
            shared::io_text::stderr_line(&format!("tcp-echo: {} closed: {why}", target.shown));
        }
        Outcome::Closed(_) => {}
    };
    // Without --wait, outcomes are shown in the order the ports were given.
    let mut held: Vec<Option<Outcome>> = vec![None; targets.len()];
    let mut next = 0;
    let outcomes = probe::probe(&targets, &hosts, opts, |i, report| {
        let outcome = match report {
            probe::Report::Settled(outcome) => outcome,
            probe::Report::NotYet(why) => {
                if cli.verbose {
                    let line = format!(
                        "tcp-echo: {} not open yet: {why}; trying again every {}ms",
                        targets[i].shown,
                        probe::RETRY.as_millis()
                    );
                    shared::io_text::stderr_line(&line);
                }
                return;
            }
        };
        if cli.wait.is_some() {
            return show(&targets[i], outcome);
        }
        held[i] = Some(outcome.clone());
        while let Some(Some(o)) = held.get(next) {
            show(&targets[next], o);
            next += 1;
        }
    })?;
    let open = outcomes.iter().filter(|o| matches!(o, Outcome::Open(_))).count();
    match cli.wait {
        Some(after) if open < targets.len() => {
            let closed = targets
                .iter()
                .zip(&outcomes)
                .filter_map(|(t, o)| match o {
                    Outcome::Closed(why) => Some((t.shown.clone(), why.clone())),
                    Outcome::Open(_) => None,
                })
                .collect();
            Err(Error::StillClosed { closed, after })
        }
        None if open == 0 => Err(Error::NoOpenPort(groups)),
        _ => Ok(()),
    }
}

/// `-z -U PATH`: whether a Unix socket accepts a connection; with
/// `--wait`, tried again every 250 ms until it does or the time is up.
#[cfg(unix)]
fn probe_unix(cli: &Cli, path: &std::path::Path) -> Result<(), Error> {
    if !cli.args.is_empty() {
        return Err(Error::UnixWords(cli.args.join(" ")));
    }
    let addr = shared::net::unix::UnixAddr::parse(path).map_err(Error::Unix)?;
    let deadline = cli.wait.map(|w| Instant::now() + w);
    let mut announced = false;
    loop {
        let began = Instant::now();
        let why = match addr.connect() {
            Ok(_) => {
                let _ = writeln!(std::io::stdout(), "{addr} open");
                return Ok(());
            }
            Err(shared::net::unix::UnixError::Io { source, .. }) => shared::io_text::describe(&source),
            Err(e) => return Err(Error::Unix(e)),
        };
        let next = began + probe::RETRY;
        match (deadline, cli.wait) {
            (Some(end), Some(after)) if next >= end => {
                return Err(Error::StillClosed { closed: vec![(addr.to_string(), why)], after });
            }
            (Some(_), _) => {
                if cli.verbose && !announced {
                    announced = true;
                    let every = probe::RETRY.as_millis();
                    shared::io_text::stderr_line(&format!(
                        "tcp-echo: {addr} not open yet: {why}; trying again every {every}ms"
                    ));
                }
                // Pacing the tries of a socket nobody listens on yet.
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            _ => return Err(Error::UnixClosed { addr: addr.to_string(), why }),
        }
    }
}

/// `-z -U` where there are no Unix sockets here.
#[cfg(not(unix))]
fn probe_unix(_cli: &Cli, _path: &std::path::Path) -> Result<(), Error> {
    Err(Error::UnixUnsupported)
}
