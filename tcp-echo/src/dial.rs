//! Connecting: to a Unix socket (`-U`), or to the first address of the
//! target that answers, from the local end `-s`/`-p` name when they are
//! given, or (`-x`) to a proxy that makes the tunnel to the target:
//! SOCKS5, SOCKS4a or HTTP CONNECT, the proxy resolving the target's name
//! (`shared::net::proxy` speaks them). Talking to the proxy waits at most
//! `-w`, or [`PROXY_TIMEOUT`].

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use shared::net::proxy::{self, Destination, Proxy};
use shared::net::words::Dial;
use shared::net::{ConnectLimit, Family, HostPort, connect_any};
use socket2::{Domain, Protocol, Socket, Type};

use crate::cli::{Cli, ProxyKind};
use crate::error::Error;
use crate::link::{Link, Peer};

/// How long a proxy may take to answer, without `-w`.
pub const PROXY_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects to what the command line names (with TLS on top for
/// `--tls`: its name is the target's host, or `localhost` for `-U`).
pub fn connect(cli: &Cli) -> Result<(Link, Peer), Error> {
    let tls = if cli.tls { Some(crate::tls::client_setup(cli)?) } else { None };
    let (raw, peer, host) = plain(cli)?;
    match tls {
        Some(setup) => Ok((crate::tls::client(cli, &setup, raw, &host, &peer)?, peer)),
        None => Ok((raw, peer)),
    }
}

/// The connection under any TLS, its peer, and the host it was asked for.
fn plain(cli: &Cli) -> Result<(Link, Peer, String), Error> {
    if let Some(path) = &cli.unix {
        let (link, peer) = unix(cli, path)?;
        return Ok((link, peer, "localhost".to_string()));
    }
    let dial = cli.words().dial().map_err(Error::Usage)?;
    let host = dial.target.host.clone();
    if let Some(spec) = &cli.proxy {
        let (link, peer) = through_proxy(cli, &dial, spec)?;
        return Ok((link, peer, host));
    }
    let addrs = dial.target.resolve(cli.family()).map_err(Error::Address)?;
    let stream = tcp(&dial, &addrs, cli.family(), cli.timeout)?;
    let peer = stream.peer_addr().map_err(Error::Socket)?;
    Ok((Link::from(stream), Peer::Ip(peer), host))
}

/// `-x`: connects to the proxy (from `-s`/`-p` when given) and asks it
/// for a tunnel to the target.
fn through_proxy(cli: &Cli, dial: &Dial, spec: &str) -> Result<(Link, Peer), Error> {
    let kind = cli.proxy_type.unwrap_or(ProxyKind::Socks5);
    let at = proxy_address(spec, kind.default_port())?;
    cli.words().check_numeric(&at.host).map_err(Error::Usage)?;
    let proxy = Proxy {
        protocol: match kind {
            ProxyKind::Socks5 => proxy::Protocol::Socks5 { remote_dns: true },
            ProxyKind::Socks4a => proxy::Protocol::Socks4a,
            ProxyKind::Connect => proxy::Protocol::Http,
        },
        host: at.host.clone(),
        port: at.port,
        credentials: cli.proxy_auth.as_ref().map(|a| match a.split_once(':') {
            Some((user, pass)) => (user.to_string(), pass.to_string()),
            None => (a.clone(), String::new()),
        }),
    };
    let shown = format!("{} proxy {at}", proxy.protocol.scheme());
    let addrs = at.resolve(cli.family()).map_err(Error::Address)?;
    let to_proxy =
        Dial { target: HostPort { host: format!("proxy {}", at.host), port: at.port }, from: dial.from.clone() };
    let mut stream = tcp(&to_proxy, &addrs, cli.family(), cli.timeout)?;
    let wait = Some(cli.timeout.unwrap_or(PROXY_TIMEOUT));
    stream.set_read_timeout(wait).and_then(|()| stream.set_write_timeout(wait)).map_err(Error::Socket)?;
    let to = Destination::Name(dial.target.host.clone(), dial.target.port);
    proxy.tunnel(&mut stream, &to).map_err(|source| match source {
        // shared's words speak of a proxy URL; here it is an option.
        shared::net::proxy::ProxyError::Auth(_) if proxy.credentials.is_none() => {
            Error::ProxyWantsAuth { proxy: shown.clone() }
        }
        source => Error::Proxy { proxy: shown.clone(), target: to.to_string(), source },
    })?;
    stream.set_read_timeout(None).and_then(|()| stream.set_write_timeout(None)).map_err(Error::Socket)?;
    Ok((Link::from(stream), Peer::Named(format!("{to} (through {shown})"))))
}

/// `-x`'s `HOST[:PORT]`, the port `default` when not given.
fn proxy_address(spec: &str, default: u16) -> Result<HostPort, Error> {
    let has_port = if spec.starts_with('[') { spec.contains("]:") } else { spec.matches(':').count() == 1 };
    if has_port {
        return HostPort::parse(spec).map_err(Error::Address);
    }
    let host = shared::net::parse_host(spec).map_err(Error::Address)?;
    Ok(HostPort { host, port: default })
}

/// `-U PATH`: connects to a Unix socket.
#[cfg(unix)]
fn unix(cli: &Cli, path: &std::path::Path) -> Result<(Link, Peer), Error> {
    if !cli.args.is_empty() {
        return Err(Error::UnixWords(cli.args.join(" ")));
    }
    let addr = shared::net::unix::UnixAddr::parse(path).map_err(Error::Unix)?;
    let stream = addr.connect().map_err(Error::Unix)?;
    Ok((Link::from(stream), Peer::Named(addr.to_string())))
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
