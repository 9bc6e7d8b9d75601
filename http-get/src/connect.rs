//! A new connection for a request: straight to the origin, or through the
//! proxy chosen for it ([`crate::proxy`]): to an HTTP proxy itself for a
//! plain-http URL (the request then goes in absolute form), or through a
//! tunnel it makes to the origin (HTTP CONNECT, SOCKS5, SOCKS4a, SOCKS4,
//! by `shared::net::proxy`); then TLS to the origin for https, its name
//! checked as the URL's; or, with `--unix-socket`, to that socket
//! whatever the URL. Resolving, connecting, the tunnel and the
//! handshake share `--connect-timeout`. Errors name the proxy and where
//! it was named: `cannot connect to proxy 127.0.0.1:1 (from http_proxy)`.

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use shared::net::proxy::{Destination, Protocol, ProxyError};
use url::Url;

use crate::error::{Error, Kind};
use crate::net::{self, Stream, Timed};
use crate::proxy::Chosen;
use crate::request::{Request, Settings};
use crate::resolve::Resolver;

/// When each step of making a connection ended, for `-w`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timing {
    /// The name resolved.
    pub namelookup: Option<Instant>,
    /// The TCP connection made (to the host or the proxy).
    pub connect: Option<Instant>,
    /// The TLS handshake done.
    pub appconnect: Option<Instant>,
    /// The response head arrived.
    pub starttransfer: Option<Instant>,
    /// The address connected to.
    pub remote: Option<SocketAddr>,
}

/// Opens a connection for `req` (TLS included for https), noting in
/// `timing` when each step ended.
pub fn open(req: &Request, settings: &Settings, shown: &str, timing: &mut Timing) -> Result<Timed, Error> {
    let started = Instant::now();
    let limit = settings.clock.within(settings.connect_timeout).ok_or_else(|| Error::timed_out(shown))?;
    let left = || limit.saturating_sub(started.elapsed());
    let resolver = &settings.resolver;
    let tcp = match (&settings.unix_socket, &req.proxy) {
        (Some(path), _) => {
            let tcp = shared::sys::local::connect_unix(path).map_err(|e| {
                let why = shared::io_text::describe(&e);
                Error::new(Kind::Connect, format!("{shown}: cannot connect to {}: {why}", shared::io_text::path(path)))
                    .because(e)
            })?;
            if settings.verbose {
                eprintln!("* connected to {}", shared::io_text::path(path));
            }
            timing.connect = Some(Instant::now());
            tcp
        }
        (None, None) => {
            let (host, port) =
                resolver.connect_target(url_host(&req.url), req.url.port_or_known_default().unwrap_or(80));
            let addrs = resolver.addrs(&host, port, shown, limit)?;
            timing.namelookup = Some(Instant::now());
            let tcp = net::connect(&addrs, shown, left())?;
            timing.connect = Some(Instant::now());
            timing.remote = Some(tcp.peer_addr().unwrap_or(addrs[0]));
            if settings.verbose {
                eprintln!("* connected to {}", tcp.peer_addr().unwrap_or(addrs[0]));
            }
            tcp
        }
        (None, Some(chosen)) => {
            let named = format!("{} (from {})", chosen.shown(), chosen.source);
            if settings.verbose {
                eprintln!("* using proxy {named}");
            }
            let mut tcp = to_proxy(chosen, resolver, shown, &named, limit, left, timing)?;
            if !chosen.absolute_form(&req.url) {
                tunnel(&mut tcp, chosen, resolver, &req.url, shown, &named, left())?;
                if settings.verbose {
                    eprintln!("* tunnel to {} through {named}", crate::target::host_field(&req.url));
                }
            }
            tcp
        }
    };
    #[cfg(feature = "tls")]
    let stream = if req.url.scheme() == "https" {
        let config = settings.tls.get()?;
        let tls = crate::tls::handshake(tcp, &req.url, shown, config, left())?;
        timing.appconnect = Some(Instant::now());
        Stream::Tls(Box::new(tls))
    } else {
        Stream::Plain(tcp)
    };
    // Without TLS no https URL gets this far: target::parse refuses it.
    #[cfg(not(feature = "tls"))]
    let stream = Stream::Plain(tcp);
    Ok(Timed::new(stream, settings.clock))
}

/// Resolves and connects to the proxy itself.
fn to_proxy(
    chosen: &Chosen,
    resolver: &Resolver,
    shown: &str,
    named: &str,
    limit: Duration,
    left: impl Fn() -> Duration,
    timing: &mut Timing,
) -> Result<TcpStream, Error> {
    let proxy = &chosen.proxy;
    let addrs = resolver.addrs(&proxy.host, proxy.port, shown, limit).map_err(|e| match e.kind() {
        Kind::Resolve => Error::new(
            Kind::ResolveProxy,
            format!("{shown}: cannot resolve proxy host `{}` (from {})", proxy.host, chosen.source),
        )
        .because(e),
        _ => e,
    })?;
    timing.namelookup = Some(Instant::now());
    let tcp = net::connect(&addrs, shown, left()).map_err(|e| {
        // The system's words for why, from shared's error underneath.
        let why = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<shared::net::ConnectError>())
            .map(|c| shared::io_text::describe(&c.source))
            .unwrap_or_default();
        match e.kind() {
            Kind::Connect => {
                Error::new(Kind::Connect, format!("{shown}: cannot connect to proxy {named}: {why}")).because(e)
            }
            Kind::TimedOut => {
                Error::new(Kind::TimedOut, format!("{shown}: timed out connecting to proxy {named}")).because(e)
            }
            _ => e,
        }
    })?;
    timing.connect = Some(Instant::now());
    timing.remote = tcp.peer_addr().ok();
    Ok(tcp)
}

/// Asks the proxy on `tcp` for a tunnel to the URL's host and port (or
/// where `--connect-to` sends them).
fn tunnel(
    tcp: &mut TcpStream,
    chosen: &Chosen,
    resolver: &Resolver,
    url: &Url,
    shown: &str,
    named: &str,
    left: Duration,
) -> Result<(), Error> {
    let (host, port) = resolver.connect_target(url_host(url), url.port_or_known_default().unwrap_or(80));
    let to = match host.parse::<IpAddr>() {
        Ok(ip) => Destination::Addr(SocketAddr::new(ip, port)),
        Err(_) if chosen.proxy.protocol.resolves_names() => Destination::Name(host, port),
        // `socks5://` and `socks4://` want an address: the name is resolved
        // here (an IPv4 one for SOCKS4, which carries no other).
        Err(_) => {
            let addrs = resolver.addrs(&host, port, shown, left)?;
            let v4_only = chosen.proxy.protocol == Protocol::Socks4;
            let addr = addrs.iter().copied().find(|a| !v4_only || a.is_ipv4()).ok_or_else(|| {
                Error::new(
                    Kind::Resolve,
                    format!("{shown}: no IPv4 address for SOCKS4 (use socks4a:// to let the proxy resolve)"),
                )
            })?;
            Destination::Addr(addr)
        }
    };
    if left.is_zero() {
        return Err(Error::new(Kind::TimedOut, format!("{shown}: timed out connecting through proxy {named}")));
    }
    let _ = tcp.set_read_timeout(Some(left));
    let _ = tcp.set_write_timeout(Some(left));
    chosen.proxy.tunnel(tcp, &to).map_err(|e| tunnel_error(e, chosen.proxy.protocol, shown, named))
}

/// The URL's host as a name or a bare address (no IPv6 brackets).
fn url_host(url: &Url) -> &str {
    url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']')
}

/// A tunnel refused or broken, in the terms curl uses: an HTTP proxy's
/// non-2xx answer to CONNECT is 56, any SOCKS failure 97.
fn tunnel_error(e: ProxyError, protocol: Protocol, shown: &str, named: &str) -> Error {
    let timed_out = matches!(&e, ProxyError::Io(io) if matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock));
    if timed_out {
        return Error::new(Kind::TimedOut, format!("{shown}: timed out waiting for proxy {named}")).because(e);
    }
    let kind = if protocol == Protocol::Http { Kind::TunnelRefused } else { Kind::ProxyFailed };
    let what = if protocol == Protocol::Http { "CONNECT through" } else { "SOCKS handshake with" };
    Error::new(kind, format!("{shown}: {what} proxy {named} failed: {e}")).because(e)
}
