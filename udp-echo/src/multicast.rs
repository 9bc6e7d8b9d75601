//! Datagrams for more than one: broadcast (`-b`), multicast groups
//! (`--join` to receive, any group address to send to), the interface
//! they use (`--iface NAME`), and the hop limit of what is sent (`--ttl`).
//!
//! A receiver that joins binds the port on every address of the group's
//! family, letting other receivers bind it too (as multicast receivers
//! do), and joins on the named interface or the system's choice. An
//! interface is found by name in `shared::sys::interfaces`: IPv4 names an
//! interface by one of its addresses, IPv6 by its index.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::cli::Cli;
use crate::error::Error;

/// `--iface`'s IPv4 address, for IPv4 multicast.
fn iface_v4(name: &str) -> Result<Ipv4Addr, Error> {
    let all = shared::sys::interfaces::interfaces().map_err(Error::Setup)?;
    let iface = all.iter().find(|i| i.name == name).ok_or_else(|| Error::NoIface(name.to_string()))?;
    iface
        .addrs
        .iter()
        .find_map(|a| match a {
            IpAddr::V4(v4) => Some(*v4),
            IpAddr::V6(_) => None,
        })
        .ok_or_else(|| Error::IfaceFamily { name: name.to_string(), family: "IPv4" })
}

/// `--iface`'s index, for IPv6 multicast.
fn iface_index(name: &str) -> Result<u32, Error> {
    shared::sys::interfaces::index_of(name).map_err(|_| Error::NoIface(name.to_string()))
}

/// A receiver for `group` on `port`: bound on every address of its
/// family, joined on `--iface` or the system's choice of interface.
pub fn join(cli: &Cli, group: IpAddr, port: u16) -> Result<UdpSocket, Error> {
    let any: SocketAddr = match group {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, port).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, port).into(),
    };
    let bind = |source: io::Error| Error::Join { group, iface: cli.iface.clone(), source };
    let socket = Socket::new(Domain::for_address(any), Type::DGRAM, Some(Protocol::UDP)).map_err(bind)?;
    // Other receivers of the group may share the port.
    socket.set_reuse_address(true).map_err(bind)?;
    if any.is_ipv6() {
        socket.set_only_v6(true).map_err(bind)?;
    }
    socket.bind(&any.into()).map_err(bind)?;
    match group {
        IpAddr::V4(g) => {
            let on = match &cli.iface {
                Some(name) => iface_v4(name)?,
                None => Ipv4Addr::UNSPECIFIED,
            };
            socket.join_multicast_v4(&g, &on).map_err(bind)?;
        }
        IpAddr::V6(g) => {
            let on = match &cli.iface {
                Some(name) => iface_index(name)?,
                None => 0,
            };
            socket.join_multicast_v6(&g, on).map_err(bind)?;
        }
    }
    Ok(socket.into())
}

/// What a sender to `dest` needs set: `-b`, `--ttl`, and `--iface` for a
/// multicast destination. True when the destination is many (broadcast,
/// multicast): replies then come from whoever answers.
pub fn prepare_sender(cli: &Cli, socket: &UdpSocket, dest: SocketAddr) -> Result<bool, Error> {
    let option = |what: &'static str| move |source: io::Error| Error::SocketOption { what, source };
    let sock = SockRef::from(socket);
    if cli.broadcast {
        sock.set_broadcast(true).map_err(option("-b"))?;
    }
    hop_limit(socket, cli.ttl, dest.is_ipv4())?;
    let many = cli.broadcast || dest.ip().is_multicast();
    if dest.ip().is_multicast()
        && let Some(name) = &cli.iface
    {
        match dest.ip() {
            IpAddr::V4(_) => sock.set_multicast_if_v4(&iface_v4(name)?).map_err(option("--iface"))?,
            IpAddr::V6(_) => sock.set_multicast_if_v6(iface_index(name)?).map_err(option("--iface"))?,
        }
    }
    Ok(many)
}

/// `--ttl`: the hop limit of unicast and multicast datagrams sent on
/// `socket` (of the family `ipv4` says).
pub fn hop_limit(socket: &UdpSocket, ttl: Option<u32>, ipv4: bool) -> Result<(), Error> {
    let Some(ttl) = ttl else { return Ok(()) };
    let option = |source: io::Error| Error::SocketOption { what: "--ttl", source };
    let sock = SockRef::from(socket);
    if ipv4 {
        sock.set_ttl_v4(ttl).map_err(option)?;
        sock.set_multicast_ttl_v4(ttl).map_err(option)?;
    } else {
        sock.set_unicast_hops_v6(ttl).map_err(option)?;
        sock.set_multicast_hops_v6(ttl).map_err(option)?;
    }
    Ok(())
}
