//! Who may talk to a listener: `--allow CIDR` and `--deny CIDR`, each
//! repeatable, as ncat has them. Any `--allow` admits only the peers it
//! matches; a `--deny` that matches refuses, whatever `--allow` says. An
//! IPv4 peer reaching a dual-stack listener (`::ffff:10.0.0.1`) is judged
//! as the IPv4 address it is.

use std::fmt;
use std::net::IpAddr;

/// An address and how many of its leading bits count: `10.0.0.0/8`,
/// `fe80::/10`, or one address (`192.0.2.7`, all bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network's address, its host bits cleared.
    net: IpAddr,
    /// The prefix length.
    bits: u8,
}

/// A CIDR that does not parse, quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrError(pub String);

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: expected an address or a CIDR block (10.0.0.0/8, fe80::/10)", self.0)
    }
}

impl std::error::Error for CidrError {}

impl Cidr {
    /// Parses `ADDR` or `ADDR/BITS` (IPv6 with or without brackets).
    ///
    /// ```
    /// use shared::net::access::Cidr;
    /// let lan = Cidr::parse("192.168.0.0/16").unwrap();
    /// assert!(lan.contains("192.168.4.2".parse().unwrap()));
    /// assert!(!lan.contains("10.0.0.1".parse().unwrap()));
    /// ```
    pub fn parse(s: &str) -> Result<Cidr, CidrError> {
        let bad = || CidrError(s.to_string());
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let addr = addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')).unwrap_or(addr);
        let ip: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) => b.parse::<u8>().map_err(|_| bad())?,
            Some(_) => return Err(bad()),
        };
        if bits > max {
            return Err(bad());
        }
        // An IPv4-mapped block is the IPv4 block it maps.
        let (ip, bits) = match canonical(ip) {
            v4 @ IpAddr::V4(_) if ip.is_ipv6() && bits >= 96 => (v4, bits - 96),
            _ => (ip, bits),
        };
        Ok(Cidr { net: mask(ip, bits), bits })
    }

    /// Whether `ip` is in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.net.is_ipv4() && mask(ip, self.bits) == self.net
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.bits)
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// `ip` with all but its first `bits` bits cleared.
fn mask(ip: IpAddr, bits: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let keep = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            IpAddr::V4((u32::from(v4) & keep).into())
        }
        IpAddr::V6(v6) => {
            let keep = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            IpAddr::V6((u128::from(v6) & keep).into())
        }
    }
}

/// The `--allow` and `--deny` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// When not empty, only peers in one of these are admitted.
    pub allow: Vec<Cidr>,
    /// Peers in one of these are refused, whatever `allow` says.
    pub deny: Vec<Cidr>,
}

impl Access {
    /// The lists from the options' values.
    pub fn parse<S: AsRef<str>>(allow: &[S], deny: &[S]) -> Result<Access, CidrError> {
        let list = |values: &[S]| values.iter().map(|v| Cidr::parse(v.as_ref())).collect::<Result<Vec<_>, _>>();
        Ok(Access { allow: list(allow)?, deny: list(deny)? })
    }

    /// True when neither list was given: everyone is admitted.
    pub fn is_open(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// Whether a peer at `ip` may talk to the listener.
    pub fn admits(&self, ip: IpAddr) -> bool {
        if self.deny.iter().any(|c| c.contains(ip)) {
            return false;
        }
        self.allow.is_empty() || self.allow.iter().any(|c| c.contains(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("10.0.0.0/8", Some("10.0.0.0/8")),
            ("10.1.2.3/8", Some("10.0.0.0/8")),
            ("192.0.2.7", Some("192.0.2.7/32")),
            ("0.0.0.0/0", Some("0.0.0.0/0")),
            ("fe80::/10", Some("fe80::/10")),
            ("[::1]", Some("::1/128")),
            ("::ffff:10.0.0.1/104", Some("10.0.0.0/8")),
            ("10.0.0.0/33", None),
            ("::/129", None),
            ("10.0.0.0/", None),
            ("10.0.0.0/-1", None),
            ("example.org", None),
            ("10.0.0.0/8/8", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(Cidr::parse(input).ok().map(|c| c.to_string()).as_deref(), *want, "{input}");
        }
        assert_eq!(
            Cidr::parse("lan").unwrap_err().to_string(),
            "`lan`: expected an address or a CIDR block (10.0.0.0/8, fe80::/10)"
        );
    }

    #[test]
    fn admits_table() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases: &[(&[&str], &[&str], &str, bool)] = &[
            (&[], &[], "203.0.113.9", true),
            (&["10.0.0.0/8"], &[], "10.9.9.9", true),
            (&["10.0.0.0/8"], &[], "11.0.0.1", false),
            (&["10.0.0.0/8"], &[], "::ffff:10.0.0.1", true),
            (&[], &["10.0.0.5"], "10.0.0.5", false),
            (&[], &["10.0.0.5"], "10.0.0.6", true),
            (&["10.0.0.0/8"], &["10.0.0.0/24"], "10.0.0.7", false),
            (&["10.0.0.0/8"], &["10.0.0.0/24"], "10.0.1.7", true),
            (&["::1"], &[], "127.0.0.1", false),
            (&["fe80::/10"], &[], "fe80::1", true),
            (&["0.0.0.0/0"], &[], "::1", false),
        ];
        for (allow, deny, peer, want) in cases {
            let access = Access::parse(allow, deny).unwrap();
            assert_eq!(access.admits(ip(peer)), *want, "allow {allow:?} deny {deny:?} peer {peer}");
        }
    }
}
