//! Connecting: to a Unix socket (`-U`), or to the first address of the
//! target that answers, from the local end `-s`/`-p` name when they are
//! given.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use shared::net::words::Dial;
use shared::net::{ConnectLimit, Family, connect_any};
use socket2::{Domain, Protocol, Socket, Type};

use crate::cli::Cli;
use crate::error::Error;
use crate::link::{Link, Peer};

/// Connects to what the command line names.
pub fn connect(cli: &Cli) -> Result<(Link, Peer), Error> {
    if let Some(path) = &cli.unix {
        return unix(cli, path);
    }
    let dial = cli.words().dial().map_err(Error::Usage)?;
    let addrs = dial.target.resolve(cli.family()).map_err(Error::Address)?;
    let stream = tcp(&dial, &addrs, cli.family(), cli.timeout)?;
    let peer = stream.peer_addr().map_err(Error::Socket)?;
    Ok((Link::from(stream), Peer::Ip(peer)))
}

/// `-U PATH`: connects to a Unix socket.
#[cfg(unix)]
fn unix(cli: &Cli, path: &std::path::Path) -> Result<(Link, Peer), Error> {
    if !cli.args.is_empty() {
        return Err(Error::UnixWords(cli.args.join(" ")));
    }
    let addr = shared::net::unix::UnixAddr::parse(path).map_err(Error::Unix)?;
    let stream = addr.connect().map_err(Error::Unix)?;
    Ok((Link::from(stream), Peer::Unix(addr.to_string())))
}

/// `-U PATH` where there are no Unix sockets here.
#[cfg(not(unix))]
fn unix(_cli: &Cli, _path: &std::path::Path) -> Result<(Link, Peer), Error> {
    Err(Error::UnixUnsupported)
}

/// Connects to the first of `addrs` (the resolved target of `dial`) that
/// accepts; each gets `timeout` (the system's own without it).
pub fn tcp(dial: &Dial, addrs: &[SocketAddr], family: Family, timeout: Option<Duration>) -> Result<TcpStream, Error> {
    let shown = dial.target.to_string();
    let Some(from) = &dial.from else {
        let limit = timeout.map_or(ConnectLimit::System, ConnectLimit::EachAddress);
        return connect_any(&shown, addrs, limit).map_err(Error::Connect);
    };
    let mut last = Error::ConnectFrom {
        target: shown.clone(),
        from: None,
        source: io::Error::new(io::ErrorKind::AddrNotAvailable, "no address of the target's family to connect from"),
    };
    for to in addrs {
        let local = match from.for_target(to, family).map_err(Error::Address)? {
            Some(local) => local,
            None => continue,
        };
        match connect_from(local, *to, timeout) {
            Ok(stream) => return Ok(stream),
            Err(source) => last = Error::ConnectFrom { target: shown.clone(), from: Some(local), source },
        }
    }
    Err(last)
}

/// Binds `local`, then connects to `to`.
fn connect_from(local: SocketAddr, to: SocketAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(to), Type::STREAM, Some(Protocol::TCP))?;
    // A port used a moment ago may still have connections in TIME_WAIT.
    shared::sys::socket::claim_address(&socket, true)?;
    socket.bind(&local.into())?;
    match timeout {
        Some(t) => socket.connect_timeout(&to.into(), t)?,
        None => socket.connect(&to.into())?,
    }
    Ok(socket.into())
}
