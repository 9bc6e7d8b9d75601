//! Listening: bind TCP listeners and UDP sockets on what users type
//! (dual-stack `[::]` when no address is given, falling back to `0.0.0.0`
//! where IPv6 is absent). A socket bound to port 0 reports the port it
//! really got through `local_addr()`.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};

use socket2::{Domain, Protocol, Socket, Type};

use crate::io_text::describe;
use crate::net::addr::{AddrError, Family, resolve};

/// Why binding failed, with the address that was tried.
#[derive(Debug)]
#[non_exhaustive]
pub struct BindError {
    /// The address that could not be bound (`127.0.0.1:8000`).
    pub addr: String,
    /// What the kernel said.
    pub source: io::Error,
}

impl BindError {
    /// True when the port is already taken; binaries give a specific hint.
    pub fn in_use(&self) -> bool {
        self.source.kind() == io::ErrorKind::AddrInUse
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot listen on {}: {}", self.addr, describe(&self.source))
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Connections the kernel queues for a listener before it accepts them.
const BACKLOG: i32 = 1024;

/// Which kind of socket to bind.
#[derive(Clone, Copy)]
enum Kind {
    Tcp,
    Udp,
}

/// The addresses to try for a listener: given host resolved, or the
/// wildcard of the family (for `Any`, `[::]` dual-stack then `0.0.0.0`).
fn listen_candidates(host: Option<&str>, port: u16, family: Family) -> Result<Vec<SocketAddr>, AddrError> {
    match host {
        Some(h) => resolve(h, port, family),
        None => Ok(match family {
            Family::V4 => vec![SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port)],
            Family::V6 => vec![SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), port)],
            Family::Any => vec![
                SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), port),
                SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port),
            ],
        }),
    }
}

fn bind_one(addr: SocketAddr, family: Family, kind: Kind) -> io::Result<Socket> {
    let (ty, proto) = match kind {
        Kind::Tcp => (Type::STREAM, Protocol::TCP),
        Kind::Udp => (Type::DGRAM, Protocol::UDP),
    };
    let socket = Socket::new(Domain::for_address(addr), ty, Some(proto))?;
    crate::trace::socket(&socket, &addr, matches!(kind, Kind::Tcp));
    if addr.is_ipv6() {
        // The IPv6 wildcard also takes IPv4 unless -6 was asked for.
        let v6_only = family == Family::V6 || !addr.ip().is_unspecified();
        socket.set_only_v6(v6_only)?;
    }
    // A port someone else listens on must be refused everywhere. On Unix,
    // SO_REUSEADDR only lets a restarted server past connections in
    // TIME_WAIT; on Windows it would let two programs share a port, and
    // the exclusive-use option is what keeps others from taking ours.
    crate::sys::socket::claim_address(&socket, matches!(kind, Kind::Tcp))?;
    let bound = socket.bind(&addr.into());
    crate::trace::bind(&socket, &addr, &bound);
    bound?;
    Ok(socket)
}

/// Binds the first address that works; the error of the last one otherwise.
fn bind_first(host: Option<&str>, port: u16, family: Family, kind: Kind) -> Result<Socket, BindOrAddrError> {
    let candidates = listen_candidates(host, port, family)?;
    let mut last = None;
    for addr in &candidates {
        match bind_one(*addr, family, kind) {
            Ok(s) => return Ok(s),
            Err(e) => {
                // An address in use is the answer; trying the IPv4 wildcard
                // after the IPv6 one failed that way would only hide it.
                let in_use = e.kind() == io::ErrorKind::AddrInUse;
                last = Some(BindError { addr: addr.to_string(), source: e });
                if in_use {
                    break;
                }
            }
        }
    }
    Err(BindOrAddrError::Bind(last.unwrap_or_else(|| BindError {
        addr: format!("port {port}"),
        source: io::Error::new(io::ErrorKind::AddrNotAvailable, "no address to bind"),
    })))
}

/// Binding can fail to resolve the host or to bind the address.
#[derive(Debug)]
#[non_exhaustive]
pub enum BindOrAddrError {
    /// The host did not parse or resolve.
    Addr(AddrError),
    /// The address was refused by the kernel.
    Bind(BindError),
}

impl From<AddrError> for BindOrAddrError {
    fn from(e: AddrError) -> Self {
        BindOrAddrError::Addr(e)
    }
}

impl fmt::Display for BindOrAddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindOrAddrError::Addr(e) => e.fmt(f),
            BindOrAddrError::Bind(e) => e.fmt(f),
        }
    }
}

// Transparent: the message is the inner error's, so its source is too.
impl std::error::Error for BindOrAddrError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BindOrAddrError::Addr(e) => e.source(),
            BindOrAddrError::Bind(e) => e.source(),
        }
    }
}

/// Binds a TCP listener on `host` (all interfaces, dual-stack, when `None`)
/// and `port` (0: any free port; `local_addr()` tells which).
pub fn bind_tcp(host: Option<&str>, port: u16, family: Family) -> Result<TcpListener, BindOrAddrError> {
    let socket = bind_first(host, port, family, Kind::Tcp)?;
    let local = socket.local_addr().ok().and_then(|a| a.as_socket());
    socket.listen(BACKLOG).map_err(|source| {
        BindOrAddrError::Bind(BindError {
            addr: local.map_or_else(|| format!("port {port}"), |a| a.to_string()),
            source,
        })
    })?;
    crate::trace::listen(&socket, BACKLOG);
    Ok(socket.into())
}

/// Accepts the next connection on `listener`: the new socket and its
/// peer (as the kernel gives it: an IPv4 peer of a dual-stack listener
/// reads `[::ffff:127.0.0.1]:51234`).
pub fn accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    let (stream, peer) = listener.accept()?;
    crate::trace::accept(listener, &stream, &peer);
    Ok((stream, peer))
}

/// Binds a UDP socket the same way as [`bind_tcp`].
pub fn bind_udp(host: Option<&str>, port: u16, family: Family) -> Result<UdpSocket, BindOrAddrError> {
    Ok(bind_first(host, port, family, Kind::Udp)?.into())
}

/// The address to print for a listener so that a client on this machine can
/// reach it: the wildcard becomes loopback of the same family.
pub fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port()),
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn port_zero_reports_real_port() {
        let l = bind_tcp(Some("127.0.0.1"), 0, Family::Any).unwrap();
        assert_ne!(l.local_addr().unwrap().port(), 0);
        let u = bind_udp(Some("127.0.0.1"), 0, Family::Any).unwrap();
        assert_ne!(u.local_addr().unwrap().port(), 0);
    }

    #[test]
    fn wildcard_listener_is_dual_stack() {
        let l = bind_tcp(None, 0, Family::Any).unwrap();
        let port = l.local_addr().unwrap().port();
        // IPv4 loopback reaches the wildcard listener whichever family it got.
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        TcpStream::connect_timeout(&v4, Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn bind_in_use_is_recognised() {
        let l = bind_tcp(Some("127.0.0.1"), 0, Family::Any).unwrap();
        let port = l.local_addr().unwrap().port();
        match bind_tcp(Some("127.0.0.1"), port, Family::Any) {
            Err(BindOrAddrError::Bind(e)) => assert!(e.in_use(), "{e}"),
            other => panic!("expected in-use error, got {other:?}"),
        }
    }

    #[test]
    fn reachable_maps_wildcards_to_loopback() {
        assert_eq!(reachable("0.0.0.0:5".parse().unwrap()).to_string(), "127.0.0.1:5");
        assert_eq!(reachable("[::]:5".parse().unwrap()).to_string(), "[::1]:5");
        assert_eq!(reachable("10.1.2.3:5".parse().unwrap()).to_string(), "10.1.2.3:5");
    }
}
