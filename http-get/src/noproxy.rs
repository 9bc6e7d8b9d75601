//! `no_proxy` and `--noproxy`: which hosts are reached directly, by
//! curl's rules. A comma- or space-separated list of `*` (every host),
//! host names and domain suffixes (`example.org` and `.example.org` both
//! match `example.org` and `a.example.org`, at a dot boundary, never
//! `badexample.org`), IPv4 addresses and CIDR ranges (`10.0.0.0/8`), IPv6
//! addresses as `::1`, `[::1]` or `::1/128`, each optionally with a port
//! (`example.org:8080`, `[::1]:8080`) that must then match too. Names are
//! compared without case and without a trailing dot, and never resolved:
//! an address range matches only a URL written with an address.

use std::net::IpAddr;

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// `*`: every host.
    All,
    /// A name and the names under it (lower case, no leading or trailing dot).
    Domain(String, Option<u16>),
    /// An address range: the network, its prefix length.
    Net(IpAddr, u8, Option<u16>),
}

/// A parsed list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    /// The entries; an unparsable one is dropped (as curl ignores it).
    rules: Vec<Rule>,
}

impl NoProxy {
    /// Parses a `no_proxy` value.
    pub fn parse(list: &str) -> NoProxy {
        let rules = list.split([',', ' ', '\t']).map(str::trim).filter(|e| !e.is_empty()).filter_map(rule).collect();
        NoProxy { rules }
    }

    /// True when `host` (as a URL names it: a name, an IPv4 address, or
    /// an IPv6 address with or without brackets) on `port` is reached
    /// directly.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let ip = bare.parse::<IpAddr>().ok();
        let name = bare.trim_end_matches('.').to_ascii_lowercase();
        self.rules.iter().any(|rule| match rule {
            Rule::All => true,
            Rule::Domain(domain, want) => {
                want.is_none_or(|p| p == port)
                    && (name == *domain || name.strip_suffix(domain.as_str()).is_some_and(|rest| rest.ends_with('.')))
            }
            Rule::Net(net, prefix, want) => {
                want.is_none_or(|p| p == port) && ip.is_some_and(|ip| within(ip, *net, *prefix))
            }
        })
    }
}

/// One entry as a rule.
fn rule(entry: &str) -> Option<Rule> {
    if entry == "*" {
        return Some(Rule::All);
    }
    // `[v6]`, `[v6]:port`.
    if let Some(rest) = entry.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return net(inside, port);
    }
    // A bare IPv6 address has colons of its own: no port then.
    if entry.matches(':').count() > 1 {
        return net(entry, None);
    }
    let (host, port) = match entry.split_once(':') {
        Some((h, p)) => (h, Some(p.parse().ok()?)),
        None => (entry, None),
    };
    if let Some(rule) = net(host, port) {
        return Some(rule);
    }
    let domain = host.trim_start_matches('.').trim_end_matches('.').to_ascii_lowercase();
    (!domain.is_empty()).then_some(Rule::Domain(domain, port))
}

/// An address or a CIDR range (`a.b.c.d/n`, `v6/n`) as a rule.
fn net(text: &str, port: Option<u16>) -> Option<Rule> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some(Rule::Net(ip, prefix, port))
}

/// True when `ip` is in `net/prefix` (an IPv4 address never in an IPv6
/// range, nor the other way).
fn within(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_table() {
        let cases: &[(&str, &str, u16, bool)] = &[
            ("*", "anything.example", 80, true),
            ("", "example.org", 80, false),
            ("example.org", "example.org", 80, true),
            ("example.org", "EXAMPLE.ORG.", 80, true),
            ("example.org", "www.example.org", 80, true),
            ("example.org", "badexample.org", 80, false),
            (".example.org", "example.org", 80, true),
            (".example.org", "a.b.example.org", 443, true),
            ("example.org.", "a.example.org", 80, true),
            ("example.org:8080", "example.org", 8080, true),
            ("example.org:8080", "example.org", 80, false),
            ("localhost, 127.0.0.1", "127.0.0.1", 80, true),
            ("other,localhost", "localhost", 80, true),
            ("a.com b.com", "b.com", 80, true),
            ("10.0.0.0/8", "10.1.2.3", 80, true),
            ("10.0.0.0/8", "11.1.2.3", 80, false),
            ("192.168.1.0/24", "192.168.1.77", 80, true),
            ("192.168.1.0/24", "192.168.2.1", 80, false),
            ("0.0.0.0/0", "8.8.8.8", 80, true),
            ("10.0.0.0/8", "ten.example", 80, false),
            ("127.0.0.1", "127.0.0.2", 80, false),
            ("127.0.0.1:3000", "127.0.0.1", 3000, true),
            ("127.0.0.1:3000", "127.0.0.1", 3001, false),
            ("::1", "[::1]", 80, true),
            ("[::1]", "::1", 80, true),
            ("::1/128", "[::1]", 80, true),
            ("fd00::/8", "[fd12::1]", 80, true),
            ("fd00::/8", "[fe80::1]", 80, false),
            ("[::1]:8080", "[::1]", 8080, true),
            ("[::1]:8080", "[::1]", 80, false),
            ("::ffff:0:0/96", "127.0.0.1", 80, false),
            ("10.0.0.0/33", "10.0.0.1", 80, false),
            ("example.org:notaport", "example.org", 80, false),
        ];
        for (list, host, port, want) in cases {
            assert_eq!(NoProxy::parse(list).matches(host, *port), *want, "{list:?} vs {host}:{port}");
        }
    }
}
