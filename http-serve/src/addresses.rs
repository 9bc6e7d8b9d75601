//! Where the server can be reached: the URLs printed at start-up. Bound
//! to one address, that address. Bound to every interface (`0.0.0.0`,
//! `::`, `--lan`), loopback first, then every address of every interface
//! that is up and running (IPv4 first, a phone on Wi-Fi is most likely to
//! reach those), then this machine's name when it resolves to one of
//! them. Nothing is listed that a browser could not use: interfaces that
//! are down or have no carrier, IPv6 link-local addresses (a URL cannot
//! carry their zone portably), and IPv4 addresses on an IPv6-only socket
//! are left out.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use shared::sys::interfaces::Interface;

/// How long resolving the host name may take before it is left out: a
/// machine whose resolver waits on an unreachable DNS server must still
/// start at once.
pub const RESOLVE_LIMIT: Duration = Duration::from_millis(800);

/// One URL the server answers at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// `http://ADDR:PORT/`.
    pub url: String,
    /// Which interface, or `host name`; `None` for loopback.
    pub note: Option<String>,
    /// Reachable from other machines (what a QR code should show).
    pub lan: bool,
}

/// What a listener bound to `local` can be reached by. `dual_stack`: an
/// IPv6 wildcard socket that takes IPv4 too. `host`: this machine's name
/// and what it resolves to.
pub fn places(
    scheme: &str,
    local: SocketAddr,
    dual_stack: bool,
    interfaces: &[Interface],
    host: Option<(&str, &[IpAddr])>,
) -> Vec<Place> {
    let port = local.port();
    let url = |ip: IpAddr| format!("{scheme}://{}/", SocketAddr::new(ip, port));
    let ip = local.ip();
    if !ip.is_unspecified() {
        return vec![Place { url: url(ip), note: None, lan: !ip.is_loopback() }];
    }
    let (v4, v6) = match ip {
        IpAddr::V4(_) => (true, false),
        IpAddr::V6(_) => (dual_stack, true),
    };
    let mut out = Vec::new();
    if v6 {
        out.push(Place { url: url(Ipv6Addr::LOCALHOST.into()), note: None, lan: false });
    }
    if v4 {
        out.push(Place { url: url(Ipv4Addr::LOCALHOST.into()), note: None, lan: false });
    }
    let mut lan: Vec<IpAddr> = Vec::new();
    for want_v4 in [true, false] {
        for i in interfaces.iter().filter(|i| i.reachable()) {
            for a in &i.addrs {
                let family_ok = if a.is_ipv4() { want_v4 && v4 } else { !want_v4 && v6 };
                if family_ok && usable(a) && !lan.contains(a) {
                    lan.push(*a);
                    out.push(Place { url: url(*a), note: Some(i.name.clone()), lan: true });
                }
            }
        }
    }
    if let Some((name, resolved)) = host
        && resolved.iter().any(|a| lan.contains(&a.to_canonical()))
    {
        out.push(Place {
            url: format!("{scheme}://{}/", with_port(name, port)),
            note: Some("host name".into()),
            lan: true,
        });
    }
    out
}

/// `name:port`, bracketing nothing: host names have no colons.
fn with_port(name: &str, port: u16) -> String {
    format!("{name}:{port}")
}

/// An address another machine can put in a URL: not loopback, not
/// unspecified or multicast, and not IPv6 link-local (`fe80::/10`).
fn usable(a: &IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_unspecified() && !v4.is_multicast(),
        IpAddr::V6(v6) => {
            !v6.is_loopback() && !v6.is_unspecified() && !v6.is_multicast() && (v6.segments()[0] & 0xffc0) != 0xfe80
        }
    }
}

/// Resolves `name` through the system's resolver, waiting at most
/// `limit`; nothing when it fails or takes longer (the lookup is left to
/// finish on its own thread, which ends with it).
pub fn resolve(name: &str, limit: Duration) -> Vec<IpAddr> {
    let (tx, rx) = mpsc::channel();
    let owned = name.to_string();
    let spawned = std::thread::Builder::new().name("resolve".into()).spawn(move || {
        let addrs: Vec<IpAddr> =
            (owned.as_str(), 0).to_socket_addrs().map(|it| it.map(|a| a.ip()).collect()).unwrap_or_default();
        let _ = tx.send(addrs);
    });
    if spawned.is_err() {
        return Vec::new();
    }
    rx.recv_timeout(limit).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(name: &str, up: bool, running: bool, loopback: bool, addrs: &[&str]) -> Interface {
        Interface {
            name: name.into(),
            index: 1,
            up,
            running,
            loopback,
            addrs: addrs.iter().map(|a| a.parse().unwrap()).collect(),
        }
    }

    fn machine() -> Vec<Interface> {
        vec![
            iface("lo", true, true, true, &["127.0.0.1", "::1"]),
            iface("eth0", true, true, false, &["192.0.2.2", "fd00::2", "fe80::1"]),
            iface("wlan0", true, false, false, &["198.51.100.7"]),
            iface("eth1", false, false, false, &["203.0.113.9"]),
            iface("eth2", true, true, false, &["203.0.113.5", "2001:db8::5", "192.0.2.2"]),
        ]
    }

    fn urls(local: &str, dual: bool, host: Option<(&str, &[IpAddr])>) -> Vec<String> {
        places("http", local.parse().unwrap(), dual, &machine(), host)
            .into_iter()
            .map(|p| match p.note {
                Some(n) => format!("{} ({n})", p.url),
                None => p.url,
            })
            .collect()
    }

    #[test]
    fn places_table() {
        let lan_name: &[IpAddr] = &["192.0.2.2".parse().unwrap()];
        let loop_name: &[IpAddr] = &["127.0.1.1".parse().unwrap()];
        let cases: &[(&str, bool, Option<(&str, &[IpAddr])>, &[&str])] = &[
            ("127.0.0.1:8000", false, None, &["http://127.0.0.1:8000/"]),
            ("192.0.2.2:80", false, None, &["http://192.0.2.2:80/"]),
            ("[::1]:8000", false, None, &["http://[::1]:8000/"]),
            (
                "0.0.0.0:8000",
                false,
                None,
                &["http://127.0.0.1:8000/", "http://192.0.2.2:8000/ (eth0)", "http://203.0.113.5:8000/ (eth2)"],
            ),
            (
                "[::]:8000",
                false,
                None,
                &["http://[::1]:8000/", "http://[fd00::2]:8000/ (eth0)", "http://[2001:db8::5]:8000/ (eth2)"],
            ),
            (
                "[::]:9",
                true,
                Some(("vm", lan_name)),
                &[
                    "http://[::1]:9/",
                    "http://127.0.0.1:9/",
                    "http://192.0.2.2:9/ (eth0)",
                    "http://203.0.113.5:9/ (eth2)",
                    "http://[fd00::2]:9/ (eth0)",
                    "http://[2001:db8::5]:9/ (eth2)",
                    "http://vm:9/ (host name)",
                ],
            ),
            // A name that resolves only to loopback reaches nobody else.
            (
                "0.0.0.0:1",
                false,
                Some(("vm", loop_name)),
                &["http://127.0.0.1:1/", "http://192.0.2.2:1/ (eth0)", "http://203.0.113.5:1/ (eth2)"],
            ),
        ];
        for (local, dual, host, want) in cases {
            assert_eq!(urls(local, *dual, *host), *want, "{local} dual={dual}");
        }
    }

    #[test]
    fn only_other_machines_count_as_lan() {
        let p = places("https", "0.0.0.0:1".parse().unwrap(), false, &machine(), None);
        assert_eq!(p.iter().filter(|p| p.lan).count(), 2);
        assert!(!p[0].lan && p[1].url.starts_with("https://"));
    }

    #[test]
    fn resolving_gives_up_in_time() {
        let start = std::time::Instant::now();
        let _ = resolve("localhost", Duration::from_secs(5));
        assert!(resolve("name.invalid", Duration::ZERO).is_empty() || start.elapsed() < Duration::from_secs(10));
    }
}
