//! The socket the command line asks for, made ready: a receiver bound to
//! `[ADDR] PORT`, a multicast group (`--join`) or a Unix path (`-U`), or a
//! sender bound to its own end (`-s`/`-p`, or for `-U` a path of its own
//! in the temporary folder, so replies can come back) and connected to the
//! destination; not connected when the destination is many (broadcast,
//! multicast), so replies come from whoever answers.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use shared::net::{ListenSpec, bind_udp};

use crate::cli::Cli;
use crate::datagrams::{MAX_V4, MAX_V6};
use crate::error::Error;
use crate::socket::{Datagrams, Peer};

/// A socket ready for use, and what names it in messages.
#[derive(Debug)]
pub struct Endpoint {
    /// The socket.
    pub socket: Datagrams,
    /// The receiver's address, or the destination, as shown.
    pub shown: String,
    /// The largest datagram to send.
    pub max: usize,
    /// A sender's destination when the socket is not connected to it (a
    /// broadcast or multicast address).
    pub to: Option<Peer>,
    /// A Unix socket's file, removed when the endpoint goes.
    #[cfg(unix)]
    _file: Option<shared::net::unix::Bound<std::os::unix::net::UnixDatagram>>,
}

impl Endpoint {
    fn new(socket: Datagrams, shown: String, max: usize) -> Endpoint {
        Endpoint {
            socket,
            shown,
            max,
            to: None,
            #[cfg(unix)]
            _file: None,
        }
    }

    /// `-l`: binds where the command line says to receive.
    pub fn receiver(cli: &Cli) -> Result<(Endpoint, bool), Error> {
        if let Some(path) = &cli.unix {
            return unix_receiver(cli, path).map(|e| (e, false));
        }
        let ListenSpec { host, port } = cli.words().listen().map_err(Error::Usage)?;
        let socket = match (cli.join, host) {
            (Some(_), Some(host)) => return Err(Error::JoinHost(host)),
            (Some(group), None) => crate::multicast::join(cli, group, port)?,
            (None, host) => bind_udp(host.as_deref(), port, cli.family()).map_err(Error::Listen)?,
        };
        let local = socket.local_addr().map_err(Error::Setup)?;
        crate::multicast::hop_limit(&socket, cli.ttl, local.is_ipv4())?;
        let shown = match (cli.join, &cli.iface) {
            (Some(group), Some(iface)) => format!("{local}, joined {group} on {iface}"),
            (Some(group), None) => format!("{local}, joined {group}"),
            (None, _) => local.to_string(),
        };
        Ok((Endpoint::new(Datagrams::Udp(socket), shown, MAX_V6), port == 0))
    }

    /// Binds the sender's own end and connects it to the destination.
    pub fn sender(cli: &Cli) -> Result<Endpoint, Error> {
        if let Some(path) = &cli.unix {
            return unix_sender(cli, path);
        }
        let dial = cli.words().dial().map_err(Error::Usage)?;
        let target = &dial.target;
        if target.port == 0 {
            return Err(Error::PortZero(target.clone()));
        }
        let shown = target.to_string();
        let addrs = target.resolve(cli.family()).map_err(Error::Address)?;
        let dest = addrs[0];
        let local = match &dial.from {
            None if dest.is_ipv4() => SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
            None => SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)),
            Some(from) => match from.for_target(&dest, cli.family()).map_err(Error::Address)? {
                Some(local) => local,
                None => {
                    let source_host = from.host.clone().unwrap_or_default();
                    return Err(Error::NoSourceAddress { source_host, target: shown });
                }
            },
        };
        let socket =
            shared::sys::socket::bind_datagrams(local).map_err(|source| Error::BindSender { local, source })?;
        let many = crate::multicast::prepare_sender(cli, &socket, dest)?;
        if !many {
            shared::sys::socket::connect_datagrams(&socket, dest).map_err(|e| crate::send::send_error(&shown, e))?;
        }
        let max = if dest.is_ipv4() { MAX_V4 } else { MAX_V6 };
        if cli.verbose {
            let local = socket.local_addr().map_err(Error::Setup)?;
            eprintln!("udp-echo: sending from {local} to {dest}");
        }
        let mut endpoint = Endpoint::new(Datagrams::Udp(socket), shown, max);
        endpoint.to = many.then_some(Peer::Ip(dest));
        Ok(endpoint)
    }
}

/// A Unix datagram socket's buffers: room for the largest datagram sent
/// (macOS allows only 2 KiB by default).
#[cfg(unix)]
const UNIX_BUFFER: usize = 256 * 1024;

#[cfg(unix)]
fn unix_receiver(cli: &Cli, path: &std::path::Path) -> Result<Endpoint, Error> {
    if !cli.args.is_empty() {
        return Err(Error::UnixWords(cli.args.join(" ")));
    }
    let addr = shared::net::unix::UnixAddr::parse(path).map_err(Error::Unix)?;
    let bound = addr.bind_datagram().map_err(Error::Unix)?;
    let socket = Datagrams::Unix(bound.socket.try_clone().map_err(Error::Setup)?);
    socket.ask_send_buffer(UNIX_BUFFER);
    Ok(Endpoint { socket, shown: addr.to_string(), max: MAX_V6, to: None, _file: Some(bound) })
}

#[cfg(unix)]
fn unix_sender(cli: &Cli, path: &std::path::Path) -> Result<Endpoint, Error> {
    use shared::net::unix::UnixAddr;
    if !cli.args.is_empty() {
        return Err(Error::UnixWords(cli.args.join(" ")));
    }
    let dest = UnixAddr::parse(path).map_err(Error::Unix)?;
    // A path of our own, so the receiver has an address to answer at.
    let own = UnixAddr::Path(own_path());
    let bound = own.bind_datagram().map_err(Error::Unix)?;
    let socket = bound.socket.try_clone().map_err(Error::Setup)?;
    dest.connect_datagram(&socket).map_err(|e| match e {
        // No file there is no one listening, as a dead receiver's file is.
        shared::net::unix::UnixError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Error::NoListener { target: dest.to_string(), source }
        }
        shared::net::unix::UnixError::Io { source, .. } => crate::send::send_error(&dest.to_string(), source),
        other => Error::Unix(other),
    })?;
    let socket = Datagrams::Unix(socket);
    socket.ask_send_buffer(UNIX_BUFFER);
    if cli.verbose {
        eprintln!("udp-echo: sending from {own} to {dest}");
    }
    Ok(Endpoint { socket, shown: dest.to_string(), max: MAX_V6, to: None, _file: Some(bound) })
}

/// A fresh path in the temporary folder for a sender's own socket.
#[cfg(unix)]
fn own_path() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("udp-echo-{}-{nanos:x}-{n}.sock", std::process::id()))
}

#[cfg(not(unix))]
fn unix_receiver(_cli: &Cli, _path: &std::path::Path) -> Result<Endpoint, Error> {
    Err(Error::UnixUnsupported)
}

#[cfg(not(unix))]
fn unix_sender(_cli: &Cli, _path: &std::path::Path) -> Result<Endpoint, Error> {
    Err(Error::UnixUnsupported)
}
