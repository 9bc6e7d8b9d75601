//! Addresses: parse what users type (`HOST:PORT`, `[::1]:PORT`, `PORT`,
//! `:PORT`) and resolve it honouring an IPv4-only or IPv6-only choice.
//!
//! Parsing is pure and never panics; errors quote the input and say what was
//! expected, so a binary can print them as they are.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, ToSocketAddrs};

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
    /// The family the `-4` and `-6` flags ask for (the command lines do
    /// not allow both).
    pub fn from_flags(ipv4: bool, ipv6: bool) -> Family {
        match (ipv4, ipv6) {
            (true, _) => Family::V4,
            (_, true) => Family::V6,
            _ => Family::Any,
        }
    }

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
#[non_exhaustive]
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

impl AddrError {
    /// True when the address was typed wrong (a usage error), rather than
    /// looked up and not found (a network one).
    pub fn is_typing(&self) -> bool {
        matches!(
            self,
            AddrError::Empty
                | AddrError::MissingPort(_)
                | AddrError::BadPort(_)
                | AddrError::EmptyHost(_)
                | AddrError::BareIpv6(_)
                | AddrError::BadBrackets(_)
        )
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

    /// Parses what a command line gave as one word (`HOST:PORT`) or two
    /// (`HOST PORT`).
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<HostPort, AddrError> {
        match words {
            [spec] => HostPort::parse(spec.as_ref()),
            [host, port] => HostPort::from_parts(host.as_ref(), port.as_ref()),
            _ => Err(AddrError::Empty),
        }
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

impl ListenSpec {
    /// Parses what a command line gave as one word (`[ADDR:]PORT`) or two
    /// (`ADDR PORT`).
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<ListenSpec, AddrError> {
        match words {
            [spec] => ListenSpec::parse(spec.as_ref()),
            [host, port] => Ok(ListenSpec { host: Some(parse_host(host.as_ref())?), port: parse_port(port.as_ref())? }),
            _ => Err(AddrError::Empty),
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
    fn words_table() {
        let connect: &[(&[&str], Option<(&str, u16)>)] = &[
            (&["h:1"], Some(("h", 1))),
            (&["::1", "80"], Some(("::1", 80))),
            (&["[::1]:80"], Some(("::1", 80))),
            (&["h", "x"], None),
            (&[], None),
            (&["a", "b", "c"], None),
        ];
        for (words, want) in connect {
            let got = HostPort::from_words(words).ok();
            assert_eq!(got.as_ref().map(|h| (h.host.as_str(), h.port)), *want, "{words:?}");
        }
        let listen: &[(&[&str], Option<(Option<&str>, u16)>)] = &[
            (&["9000"], Some((None, 9000))),
            (&["127.0.0.1", "0"], Some((Some("127.0.0.1"), 0))),
            (&["[::]", "80"], Some((Some("::"), 80))),
            (&["h", "65536"], None),
        ];
        for (words, want) in listen {
            let got = ListenSpec::from_words(words).ok();
            assert_eq!(got.as_ref().map(|l| (l.host.as_deref(), l.port)), *want, "{words:?}");
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
}
