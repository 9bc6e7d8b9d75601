//! Addresses: parse what users type (`HOST:PORT`, `[::1]:PORT`, `PORT`,
//! `:PORT`), resolve it honouring an IPv4-only or IPv6-only choice, connect
//! by trying every resolved address in turn, and bind listeners (dual-stack
//! when no address is given).
//!
//! Parsing is pure and never panics; errors quote the input and say what was
//! expected, so a binary can print them as they are.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::io_text::describe;

/// Which address families a name may resolve to (`-4` / `-6` on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    /// Both; IPv6 and IPv4 addresses are tried in the resolver's order.
    #[default]
    Any,
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

impl Family {
    /// Whether `addr` belongs to this family.
    pub fn admits(self, addr: &SocketAddr) -> bool {
        match self {
            Family::Any => true,
            Family::V4 => addr.is_ipv4(),
            Family::V6 => addr.is_ipv6(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Family::Any => "IP",
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// Everything that can be wrong with an address a user typed, or with
/// looking it up.
#[derive(Debug)]
pub enum AddrError {
    /// Nothing was given.
    Empty,
    /// `HOST` without `:PORT` where a port is required.
    MissingPort(String),
    /// The port is not a number in 0..=65535.
    BadPort(String),
    /// `:PORT` where a host is required, or `[]:PORT`.
    EmptyHost(String),
    /// An IPv6 address written without brackets, e.g. `::1:80`.
    BareIpv6(String),
    /// `[` without a matching `]`, or junk after `]`.
    BadBrackets(String),
    /// The resolver failed for this host.
    Resolve { host: String, source: io::Error },
    /// The host resolved, but to no address of the requested family.
    NoAddress { host: String, family: Family },
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrError::Empty => write!(f, "empty address: expected HOST:PORT"),
            AddrError::MissingPort(s) => write!(f, "`{s}`: missing port, expected HOST:PORT"),
            AddrError::BadPort(s) => write!(f, "`{s}`: port must be a number from 0 to 65535"),
            AddrError::EmptyHost(s) => write!(f, "`{s}`: empty host, expected HOST:PORT"),
            AddrError::BareIpv6(s) => {
                write!(f, "`{s}`: an IPv6 address needs brackets when a port follows, e.g. [::1]:8080")
            }
            AddrError::BadBrackets(s) => {
                write!(f, "`{s}`: expected [IPv6]:PORT with a closing bracket")
            }
            AddrError::Resolve { host, source } => {
                write!(f, "cannot resolve `{host}`: {}", describe(source))
            }
            AddrError::NoAddress { host, family } => {
                write!(f, "`{host}` has no {} address", family.name())
            }
        }
    }
}

impl std::error::Error for AddrError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AddrError::Resolve { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A host (name or IP literal, without brackets) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// Host name or IP literal; IPv6 literals are stored without brackets.
    pub host: String,
    /// Port number; 0 is allowed (meaningful for listeners).
    pub port: u16,
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl HostPort {
    /// Parses `HOST:PORT`, `IPv4:PORT` or `[IPv6]:PORT`.
    pub fn parse(s: &str) -> Result<HostPort, AddrError> {
        match split_host_port(s)? {
            (Some(host), Some(port)) => Ok(HostPort { host, port }),
            (Some(_), None) => Err(AddrError::MissingPort(s.to_string())),
            (None, _) => Err(AddrError::EmptyHost(s.to_string())),
        }
    }

    /// Parses a host and a port given as two words (`HOST PORT`, the netcat
    /// habit). Here a bare IPv6 literal is fine: there is no ambiguity.
    pub fn from_parts(host: &str, port: &str) -> Result<HostPort, AddrError> {
        let host = parse_host(host)?;
        let port = parse_port(port)?;
        Ok(HostPort { host, port })
    }

    /// Resolves to socket addresses of the wanted family.
    pub fn resolve(&self, family: Family) -> Result<Vec<SocketAddr>, AddrError> {
        resolve(&self.host, self.port, family)
    }
}

/// Where to listen: an optional host (all interfaces when absent) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenSpec {
    /// `None` means every interface, IPv4 and IPv6.
    pub host: Option<String>,
    /// Port; 0 asks the kernel for a free one.
    pub port: u16,
}

impl ListenSpec {
    /// Parses `PORT`, `:PORT`, `HOST:PORT` or `[IPv6]:PORT`.
    pub fn parse(s: &str) -> Result<ListenSpec, AddrError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(AddrError::Empty);
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(ListenSpec { host: None, port: parse_port(s)? });
        }
        match split_host_port(s)? {
            (host, Some(port)) => Ok(ListenSpec { host, port }),
            (Some(_), None) => Err(AddrError::MissingPort(s.to_string())),
            (None, None) => Err(AddrError::Empty),
        }
    }
}

/// Parses a port number, 0..=65535, decimal digits only (no sign, no spaces).
pub fn parse_port(s: &str) -> Result<u16, AddrError> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AddrError::BadPort(s.to_string()));
    }
    s.parse::<u16>().map_err(|_| AddrError::BadPort(s.to_string()))
}

/// Parses a host on its own (`-b ADDR`): a name, an IPv4 literal, or an IPv6
/// literal with or without brackets.
pub fn parse_host(s: &str) -> Result<String, AddrError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AddrError::EmptyHost(s.to_string()));
    }
    let inner = match (s.strip_prefix('['), s.ends_with(']')) {
        (Some(rest), true) => &rest[..rest.len() - 1],
        (None, false) => s,
        _ => return Err(AddrError::BadBrackets(s.to_string())),
    };
    if inner.is_empty() {
        return Err(AddrError::EmptyHost(s.to_string()));
    }
    if inner.contains(':') && inner.parse::<Ipv6Addr>().is_err() {
        return Err(AddrError::BadBrackets(s.to_string()));
    }
    Ok(inner.to_string())
}

/// Splits `HOST:PORT` / `[V6]:PORT` / `:PORT` into its parts. A missing host
/// or port comes back as `None` for the caller to judge.
fn split_host_port(s: &str) -> Result<(Option<String>, Option<u16>), AddrError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AddrError::Empty);
    }
    if let Some(rest) = s.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(AddrError::BadBrackets(s.to_string()));
        };
        let host = &rest[..close];
        let after = &rest[close + 1..];
        if host.parse::<Ipv6Addr>().is_err() {
            if host.is_empty() {
                return Err(AddrError::EmptyHost(s.to_string()));
            }
            return Err(AddrError::BadBrackets(s.to_string()));
        }
        return match after.strip_prefix(':') {
            Some(port) => Ok((Some(host.to_string()), Some(parse_port(port)?))),
            None if after.is_empty() => Ok((Some(host.to_string()), None)),
            None => Err(AddrError::BadBrackets(s.to_string())),
        };
    }
    match s.rfind(':') {
        None => Ok((Some(s.to_string()), None)),
        Some(i) => {
            let (host, port) = (&s[..i], &s[i + 1..]);
            if host.contains(':') {
                // More than one colon and no brackets: an IPv6 literal,
                // possibly with a port glued on. Refuse and show the way.
                return Err(AddrError::BareIpv6(s.to_string()));
            }
            let port = parse_port(port)?;
            if host.is_empty() { Ok((None, Some(port))) } else { Ok((Some(host.to_string()), Some(port))) }
        }
    }
}

/// Resolves `host` (a name or a literal) to addresses of `family`, in the
/// resolver's order.
pub fn resolve(host: &str, port: u16, family: Family) -> Result<Vec<SocketAddr>, AddrError> {
    let found: Vec<SocketAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
        vec![SocketAddr::new(ip, port)]
    } else {
        (host, port)
            .to_socket_addrs()
            .map_err(|source| AddrError::Resolve { host: host.to_string(), source })?
            .collect()
    };
    let wanted: Vec<SocketAddr> = found.into_iter().filter(|a| family.admits(a)).collect();
    if wanted.is_empty() {
        return Err(AddrError::NoAddress { host: host.to_string(), family });
    }
    Ok(wanted)
}

/// A failed connection attempt, naming what the user asked for.
#[derive(Debug)]
pub struct ConnectError {
    /// The target as the user wrote it (`example.org:80`).
    pub target: String,
    /// The error of the last address tried.
    pub source: io::Error,
    /// How many addresses were tried.
    pub tried: usize,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connect to {}: {}", self.target, describe(&self.source))?;
        if self.tried > 1 {
            write!(f, " ({} addresses tried)", self.tried)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Connects to the first of `addrs` that accepts, each attempt bounded by
/// `timeout` (none: the system's own). `target` names the destination in the
/// error.
pub fn connect_any(target: &str, addrs: &[SocketAddr], timeout: Option<Duration>) -> Result<TcpStream, ConnectError> {
    let mut last = io::Error::new(io::ErrorKind::AddrNotAvailable, "no address to connect to");
    for addr in addrs {
        let attempt = match timeout {
            Some(t) if !t.is_zero() => TcpStream::connect_timeout(addr, t),
            _ => TcpStream::connect(addr),
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(ConnectError { target: target.to_string(), source: last, tried: addrs.len() })
}

/// Why binding failed, with the address that was tried.
#[derive(Debug)]
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
    if addr.is_ipv6() {
        // The IPv6 wildcard also takes IPv4 unless -6 was asked for.
        let v6_only = family == Family::V6 || !addr.ip().is_unspecified();
        socket.set_only_v6(v6_only)?;
    }
    if let Kind::Tcp = kind {
        // Restarting a server must not fail on connections in TIME_WAIT.
        socket.set_reuse_address(true)?;
    }
    socket.bind(&addr.into())?;
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

impl std::error::Error for BindOrAddrError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BindOrAddrError::Addr(e) => Some(e),
            BindOrAddrError::Bind(e) => Some(e),
        }
    }
}

/// Binds a TCP listener on `host` (all interfaces, dual-stack, when `None`)
/// and `port` (0: any free port; `local_addr()` tells which).
pub fn bind_tcp(host: Option<&str>, port: u16, family: Family) -> Result<TcpListener, BindOrAddrError> {
    let socket = bind_first(host, port, family, Kind::Tcp)?;
    let local = socket.local_addr().ok().and_then(|a| a.as_socket());
    socket.listen(1024).map_err(|source| {
        BindOrAddrError::Bind(BindError {
            addr: local.map_or_else(|| format!("port {port}"), |a| a.to_string()),
            source,
        })
    })?;
    Ok(socket.into())
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

    fn hp(s: &str) -> Result<(String, u16), String> {
        HostPort::parse(s).map(|h| (h.host, h.port)).map_err(|e| e.to_string())
    }

    fn ok(host: &str, port: u16) -> Result<(String, u16), String> {
        Ok((host.to_string(), port))
    }

    #[test]
    fn host_port_table() {
        let err = |needle: &str| needle.to_string();
        let cases: &[(&str, Result<(String, u16), String>)] = &[
            ("example.org:80", ok("example.org", 80)),
            ("127.0.0.1:9000", ok("127.0.0.1", 9000)),
            ("[::1]:9000", ok("::1", 9000)),
            ("[fe80::1]:0", ok("fe80::1", 0)),
            ("localhost:0", ok("localhost", 0)),
            ("localhost:65535", ok("localhost", 65535)),
            ("localhost:65536", Err(err("port must be a number from 0 to 65535"))),
            ("localhost:-1", Err(err("port must be"))),
            ("localhost:+1", Err(err("port must be"))),
            ("localhost:", Err(err("port must be"))),
            ("localhost", Err(err("missing port"))),
            ("[::1]", Err(err("missing port"))),
            (":80", Err(err("empty host"))),
            ("[]:80", Err(err("empty host"))),
            ("::1:80", Err(err("needs brackets"))),
            ("::1", Err(err("needs brackets"))),
            ("[::1:80", Err(err("closing bracket"))),
            ("[::1]80", Err(err("closing bracket"))),
            ("[nothost]:80", Err(err("closing bracket"))),
            ("", Err(err("empty address"))),
        ];
        for (input, want) in cases {
            let got = hp(input);
            match (want, &got) {
                (Ok(w), Ok(g)) => assert_eq!(w, g, "input {input:?}"),
                (Err(w), Err(g)) => assert!(g.contains(w.as_str()), "input {input:?}: {g}"),
                _ => panic!("input {input:?}: want {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn listen_table() {
        let cases: &[(&str, Option<(Option<&str>, u16)>)] = &[
            ("9000", Some((None, 9000))),
            ("0", Some((None, 0))),
            (":9000", Some((None, 9000))),
            ("127.0.0.1:9000", Some((Some("127.0.0.1"), 9000))),
            ("[::1]:0", Some((Some("::1"), 0))),
            ("[::]:80", Some((Some("::"), 80))),
            ("65536", None),
            ("99999999999999999999", None),
            ("localhost", None),
            ("::1", None),
            ("", None),
        ];
        for (input, want) in cases {
            let got = ListenSpec::parse(input).ok().map(|l| (l.host, l.port));
            let want = want.map(|(h, p)| (h.map(str::to_string), p));
            assert_eq!(got, want, "input {input:?}");
        }
    }

    #[test]
    fn host_only_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("::", Some("::")),
            ("[::]", Some("::")),
            ("::1", Some("::1")),
            ("0.0.0.0", Some("0.0.0.0")),
            ("localhost", Some("localhost")),
            ("[::1", None),
            ("::1]", None),
            ("[]", None),
            ("", None),
            ("1:2:3", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_host(input).ok().as_deref(), *want, "input {input:?}");
        }
    }

    #[test]
    fn display_brackets_ipv6() {
        assert_eq!(HostPort::parse("[::1]:80").unwrap().to_string(), "[::1]:80");
        assert_eq!(HostPort::from_parts("::1", "80").unwrap().to_string(), "[::1]:80");
        assert_eq!(HostPort::parse("a:1").unwrap().to_string(), "a:1");
    }

    #[test]
    fn resolve_honours_family() {
        assert!(resolve("127.0.0.1", 1, Family::V4).is_ok());
        let e = resolve("127.0.0.1", 1, Family::V6).unwrap_err().to_string();
        assert_eq!(e, "`127.0.0.1` has no IPv6 address");
        let e = resolve("::1", 1, Family::V4).unwrap_err().to_string();
        assert_eq!(e, "`::1` has no IPv4 address");
        let all = resolve("localhost", 7, Family::V4).unwrap();
        assert!(all.iter().all(|a| a.is_ipv4() && a.port() == 7));
    }

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
    fn connect_reports_last_error_with_target() {
        // Bind then drop to find a port nobody listens on.
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let target = format!("127.0.0.1:{port}");
        let addrs = resolve("127.0.0.1", port, Family::Any).unwrap();
        let e = connect_any(&target, &addrs, Some(Duration::from_secs(5))).unwrap_err();
        assert_eq!(e.to_string(), format!("connect to {target}: connection refused"));
    }

    #[test]
    fn reachable_maps_wildcards_to_loopback() {
        assert_eq!(reachable("0.0.0.0:5".parse().unwrap()).to_string(), "127.0.0.1:5");
        assert_eq!(reachable("[::]:5".parse().unwrap()).to_string(), "[::1]:5");
        assert_eq!(reachable("10.1.2.3:5".parse().unwrap()).to_string(), "10.1.2.3:5");
    }
}
