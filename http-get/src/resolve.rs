//! Where a host name leads, before any connection: `--resolve
//! HOST:PORT:ADDR[,ADDR...]` answers for a name and port without asking
//! DNS; `localhost` and names under `.localhost` are 127.0.0.1 and `::1`
//! (both tried, in that order, as curl does) without asking either, as
//! RFC 6761 says; `-4`/`-6` keep one family; everything else asks the system's
//! resolver in a helper thread, so a stuck resolver cannot outlast
//! `--connect-timeout`. And `--connect-to HOST:PORT:HOST2:PORT2`, which
//! sends a connection for one host and port to another (the request, its
//! Host and TLS's name staying the URL's).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use shared::net::Family;

use crate::error::{Error, Kind};

/// One `--resolve` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pinned {
    /// The name, lower case, or `*` for any.
    host: String,
    /// The port.
    port: u16,
    /// Where it leads.
    addrs: Vec<IpAddr>,
}

/// One `--connect-to` entry; an empty field matches (or keeps) anything.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Redirect {
    /// The name asked for, lower case (`None`: any).
    host: Option<String>,
    /// The port asked for (`None`: any).
    port: Option<u16>,
    /// Where to connect instead (`None`: the same name).
    to_host: Option<String>,
    /// The port to connect to instead (`None`: the same port).
    to_port: Option<u16>,
}

/// The resolving rules of a run.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// `-4`, `-6`, or neither.
    family: Family,
    /// `--resolve`, in order (the first that fits answers).
    pinned: Vec<Pinned>,
    /// `--connect-to`, in order (the first that fits is taken).
    redirects: Vec<Redirect>,
}

/// Splits `HOST:PORT:REST`, where HOST may be `[v6]`.
fn host_port_rest(s: &str) -> Option<(String, &str, &str)> {
    let (host, rest) = if let Some(inside) = s.strip_prefix('[') {
        let (h, r) = inside.split_once(']')?;
        (h.to_string(), r.strip_prefix(':')?)
    } else {
        let (h, r) = s.split_once(':')?;
        (h.to_string(), r)
    };
    let (port, rest) = rest.split_once(':')?;
    Some((host.to_ascii_lowercase(), port, rest))
}

impl Resolver {
    /// The rules the command line gives; an entry that does not parse is
    /// a usage error naming it.
    pub fn new(family: Family, resolve: &[String], connect_to: &[String]) -> Result<Resolver, Error> {
        let mut pinned = Vec::new();
        for entry in resolve {
            let bad = || Error::new(Kind::Usage, format!("--resolve `{entry}`: expected HOST:PORT:ADDR[,ADDR...]"));
            let (host, port, addrs) = host_port_rest(entry.trim_start_matches('+')).ok_or_else(bad)?;
            let port = port.parse().map_err(|_| bad())?;
            let addrs = addrs
                .split(',')
                .map(|a| a.trim().trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| bad())?;
            pinned.push(Pinned { host, port, addrs });
        }
        let mut redirects = Vec::new();
        for entry in connect_to {
            let bad = || Error::new(Kind::Usage, format!("--connect-to `{entry}`: expected HOST:PORT:HOST2:PORT2"));
            let (host, port, rest) = host_port_rest(entry).ok_or_else(bad)?;
            let (to_host, to_port) = match rest.strip_prefix('[') {
                Some(inside) => {
                    let (h, p) = inside.split_once("]:").ok_or_else(bad)?;
                    (h.to_string(), p)
                }
                None => {
                    let (h, p) = rest.rsplit_once(':').ok_or_else(bad)?;
                    (h.to_string(), p)
                }
            };
            let port_of = |p: &str| if p.is_empty() { Ok(None) } else { p.parse().map(Some).map_err(|_| bad()) };
            redirects.push(Redirect {
                host: (!host.is_empty()).then_some(host),
                port: port_of(port)?,
                to_host: (!to_host.is_empty()).then(|| to_host.to_ascii_lowercase()),
                to_port: port_of(to_port)?,
            });
        }
        Ok(Resolver { family, pinned, redirects })
    }

    /// Where a connection for `host:port` goes (`--connect-to`).
    pub fn connect_target(&self, host: &str, port: u16) -> (String, u16) {
        let bare = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let fits = |r: &&Redirect| r.host.as_ref().is_none_or(|h| *h == bare) && r.port.is_none_or(|p| p == port);
        match self.redirects.iter().find(fits) {
            Some(r) => (r.to_host.clone().unwrap_or(bare), r.to_port.unwrap_or(port)),
            None => (bare, port),
        }
    }

    /// The addresses for `host:port`, within `limit`; `shown` is the URL
    /// messages name.
    pub fn addrs(&self, host: &str, port: u16, shown: &str, limit: Duration) -> Result<Vec<SocketAddr>, Error> {
        let bare = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let found = if let Some(p) = self.pinned.iter().find(|p| (p.host == bare || p.host == "*") && p.port == port) {
            p.addrs.iter().map(|ip| SocketAddr::new(*ip, port)).collect()
        } else if let Ok(ip) = bare.parse::<IpAddr>() {
            vec![SocketAddr::new(ip, port)]
        } else if is_localhost(&bare) {
            vec![SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port), SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port)]
        } else {
            system(&bare, port, shown, limit)?
        };
        let kept: Vec<SocketAddr> = found.iter().copied().filter(|a| self.family.admits(a)).collect();
        if shared::trace::on() {
            let ips: Vec<String> = kept.iter().map(|a| a.ip().to_string()).collect();
            shared::trace::step(format_args!("resolve {bare} = {}", ips.join(", ")));
        }
        if kept.is_empty() {
            let family = if self.family == Family::V4 { "IPv4" } else { "IPv6" };
            return Err(Error::new(Kind::Resolve, format!("{shown}: `{bare}` has no {family} address")));
        }
        Ok(kept)
    }
}

/// `localhost` and names under `.localhost` (RFC 6761 6.3).
fn is_localhost(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    name == "localhost" || name.ends_with(".localhost")
}

/// The system's resolver, in a thread: it cannot be interrupted, so the
/// thread lets us stop waiting.
fn system(name: &str, port: u16, shown: &str, limit: Duration) -> Result<Vec<SocketAddr>, Error> {
    let (tx, rx) = mpsc::channel();
    let query = name.to_string();
    std::thread::spawn(move || {
        let _ = tx.send((query.as_str(), port).to_socket_addrs().map(Iterator::collect::<Vec<_>>));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Error::new(Kind::Resolve, format!("{shown}: cannot resolve host `{name}`: no address"))),
        Ok(Err(e)) => Err(Error::new(
            Kind::Resolve,
            format!("{shown}: cannot resolve host `{name}`: {}", shared::io_text::describe(&e)),
        )
        .because(e)),
        Err(_) => Err(Error::new(Kind::TimedOut, format!("{shown}: timed out resolving `{name}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(r: &Resolver, host: &str, port: u16) -> Result<Vec<String>, String> {
        r.addrs(host, port, "u", Duration::from_secs(5))
            .map(|v| v.iter().map(ToString::to_string).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn addrs_table() {
        let any = Resolver::new(Family::Any, &["example.org:443:10.0.0.1,[::2]".into(), "*:81:10.9.9.9".into()], &[])
            .unwrap();
        let v4 = Resolver::new(Family::V4, &[], &[]).unwrap();
        let v6 = Resolver::new(Family::V6, &[], &[]).unwrap();
        let cases: &[(&Resolver, &str, u16, Result<&[&str], &str>)] = &[
            (&any, "example.org", 443, Ok(&["10.0.0.1:443", "[::2]:443"])),
            (&any, "EXAMPLE.org", 443, Ok(&["10.0.0.1:443", "[::2]:443"])),
            (&any, "anything.invalid", 81, Ok(&["10.9.9.9:81"])),
            (&any, "localhost", 80, Ok(&["127.0.0.1:80", "[::1]:80"])),
            (&any, "app.localhost", 80, Ok(&["127.0.0.1:80", "[::1]:80"])),
            (&any, "localhost.", 80, Ok(&["127.0.0.1:80", "[::1]:80"])),
            (&any, "[::1]", 8, Ok(&["[::1]:8"])),
            (&v4, "localhost", 80, Ok(&["127.0.0.1:80"])),
            (&v6, "localhost", 80, Ok(&["[::1]:80"])),
            (&v4, "[::1]", 80, Err("u: `::1` has no IPv4 address")),
            (&v6, "127.0.0.1", 80, Err("u: `127.0.0.1` has no IPv6 address")),
        ];
        for (r, host, port, want) in cases {
            let want = want.map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).map_err(str::to_string);
            assert_eq!(addrs(r, host, *port), want, "{host}:{port}");
        }
    }

    #[test]
    fn connect_to_table() {
        let r = Resolver::new(
            Family::Any,
            &[],
            &["example.org:443:127.0.0.1:8443".into(), "::other.example:".into(), "[::1]:80:[::2]:81".into()],
        )
        .unwrap();
        let cases = [
            ("example.org", 443, ("127.0.0.1", 8443)),
            ("example.org", 80, ("other.example", 80)),
            ("anything", 1, ("other.example", 1)),
        ];
        for (host, port, (h, p)) in cases {
            assert_eq!(r.connect_target(host, port), (h.to_string(), p), "{host}:{port}");
        }
        let r = Resolver::new(Family::Any, &[], &["[::1]:80:[::2]:81".into()]).unwrap();
        assert_eq!(r.connect_target("[::1]", 80), ("::2".to_string(), 81));
        assert_eq!(r.connect_target("::1", 81), ("::1".to_string(), 81));
        for bad in ["nocolons", "h:p:a", "h:1:not-an-ip"] {
            assert!(Resolver::new(Family::Any, &[bad.into()], &[]).is_err(), "{bad}");
        }
        for bad in ["h:1", "h:1:x:port"] {
            assert!(Resolver::new(Family::Any, &[], &[bad.into()]).is_err(), "{bad}");
        }
    }
}
