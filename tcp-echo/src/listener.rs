//! Where `-l` waits for connections: a TCP listener (dual-stack unless
//! told otherwise) or, with `-U`, a Unix socket. Either hands out a
//! [`Link`] and the [`Peer`] messages name, one at a time or, for the
//! services (`--echo`, `-k -e`), a thread per client up to a limit. A
//! peer `--allow`/`--deny` refuse is closed at once (a line with `-v`)
//! and never counts.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use shared::net::access::Access;
use shared::net::{ListenSpec, bind_tcp};

use crate::cli::Cli;
use crate::error::Error;
use crate::link::{Link, Peer};

/// A bound listener and who may talk to it.
#[derive(Debug)]
pub struct Listener {
    socket: Socket,
    /// `--allow` and `--deny`.
    access: Access,
    /// `-v`: a line per refused peer.
    verbose: bool,
}

/// What listens.
#[derive(Debug)]
enum Socket {
    /// TCP.
    Tcp(TcpListener),
    /// A Unix socket; its file goes when the listener does.
    #[cfg(unix)]
    Unix(shared::net::unix::Bound<std::os::unix::net::UnixListener>),
}

impl Listener {
    /// Binds what the command line names: `-U PATH`, or `[ADDR] PORT`.
    pub fn bind(cli: &Cli) -> Result<Listener, Error> {
        let access = Access::parse(&cli.allow, &cli.deny).map_err(Error::Access)?;
        let socket = match &cli.unix {
            Some(_) if !access.is_open() => return Err(Error::AccessUnix),
            Some(path) => bind_unix(cli, path)?,
            None => {
                let ListenSpec { host, port } = cli.words().listen().map_err(Error::Usage)?;
                Socket::Tcp(bind_tcp(host.as_deref(), port, cli.family()).map_err(Error::Listen)?)
            }
        };
        Ok(Listener { socket, access, verbose: cli.verbose })
    }

    /// The address a TCP listener is bound to (`None` for a Unix socket).
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        match &self.socket {
            Socket::Tcp(l) => l.local_addr().ok().map(|a| a.ip()),
            #[cfg(unix)]
            Socket::Unix(_) => None,
        }
    }

    /// True when the system chose the port: it must be printed.
    pub fn port_chosen(&self, cli: &Cli) -> bool {
        matches!(self.socket, Socket::Tcp(_)) && cli.words().listen().is_ok_and(|l| l.port == 0)
    }

    /// Serves every client in a thread of its own with `serve`, at most
    /// `max_clients` at once: past that a new client is closed at once and
    /// a line says so. Runs until interrupted, or until accepting fails.
    pub fn serve_each<F>(&self, max_clients: usize, verbose: bool, serve: F) -> io::Result<()>
    where
        F: Fn(Link, &Peer) + Send + Sync + 'static,
    {
        let serve = Arc::new(serve);
        let active = Arc::new(AtomicUsize::new(0));
        loop {
            let (link, peer) = match self.accept() {
                Ok(pair) => pair,
                Err(e) if e.kind() == io::ErrorKind::Interrupted || e.kind() == io::ErrorKind::ConnectionAborted => {
                    continue;
                }
                Err(e) if shared::sys::socket::out_of_descriptors(&e) => {
                    // Out of descriptors: wait for clients to leave.
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if active.load(Ordering::SeqCst) >= max_clients {
                eprintln!("tcp-echo: refusing {peer}: {max_clients} clients already connected");
                drop(link);
                continue;
            }
            active.fetch_add(1, Ordering::SeqCst);
            if verbose {
                eprintln!("tcp-echo: connection from {peer}");
            }
            let (count, serve) = (active.clone(), serve.clone());
            std::thread::spawn(move || {
                serve(link, &peer);
                count.fetch_sub(1, Ordering::SeqCst);
            });
        }
    }

    /// Waits for the next connection `--allow` and `--deny` admit; the
    /// others are closed at once.
    pub fn accept(&self) -> io::Result<(Link, Peer)> {
        loop {
            match &self.socket {
                Socket::Tcp(l) => {
                    let (stream, peer) = shared::net::accept(l)?;
                    let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
                    if !self.access.admits(peer.ip()) {
                        if self.verbose {
                            eprintln!("tcp-echo: refusing {peer}: not allowed (--allow, --deny)");
                        }
                        continue;
                    }
                    return Ok((Link::from(stream), Peer::Ip(peer)));
                }
                #[cfg(unix)]
                Socket::Unix(bound) => {
                    let (stream, _) = bound.socket.accept()?;
                    return Ok((Link::from(stream), Peer::Named(bound.addr.to_string())));
                }
            }
        }
    }
}

/// Where it listens: `127.0.0.1:43125`, `/run/x.sock`, `@name`.
impl fmt::Display for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.socket {
            Socket::Tcp(l) => match l.local_addr() {
                Ok(addr) => addr.fmt(f),
                Err(_) => f.write_str("TCP"),
            },
            #[cfg(unix)]
            Socket::Unix(bound) => bound.addr.fmt(f),
        }
    }
}

#[cfg(unix)]
fn bind_unix(cli: &Cli, path: &std::path::Path) -> Result<Socket, Error> {
    if !cli.args.is_empty() {
        return Err(Error::UnixWords(cli.args.join(" ")));
    }
    let addr = shared::net::unix::UnixAddr::parse(path).map_err(Error::Unix)?;
    Ok(Socket::Unix(addr.listen().map_err(Error::Unix)?))
}

#[cfg(not(unix))]
fn bind_unix(_cli: &Cli, _path: &std::path::Path) -> Result<Socket, Error> {
    Err(Error::UnixUnsupported)
}
