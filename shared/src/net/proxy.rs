//! Proxies: what a proxy URL says (`http://user:pass@host:3128`,
//! `socks5h://host:1080`), and asking a proxy, over a connection already
//! made to it, for a tunnel to a target: HTTP CONNECT (RFC 9110 9.3.6),
//! SOCKS5 (RFC 1928, with RFC 1929 user and password), SOCKS4a and SOCKS4.
//!
//! Which side resolves the target's name is the scheme's: `socks5h`,
//! `socks4a` and `http` send the name for the proxy to resolve; `socks5`
//! and `socks4` want an address, resolved by the caller. Every read and
//! write is bounded by the socket's own timeouts, which the caller sets.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr};

use crate::io_text::describe;

/// The protocol a proxy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protocol {
    /// HTTP CONNECT.
    Http,
    /// SOCKS5; with `remote_dns` the proxy resolves names (`socks5h`).
    Socks5 {
        /// The proxy resolves the target's name.
        remote_dns: bool,
    },
    /// SOCKS4a: the proxy resolves names.
    Socks4a,
    /// SOCKS4: IPv4 addresses only, resolved by the client.
    Socks4,
}

impl Protocol {
    /// True when the proxy is given the target's name rather than an
    /// address.
    pub fn resolves_names(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Socks5 { remote_dns: true } | Protocol::Socks4a)
    }

    /// The scheme as written in a proxy URL.
    pub fn scheme(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Socks5 { remote_dns: false } => "socks5",
            Protocol::Socks5 { remote_dns: true } => "socks5h",
            Protocol::Socks4a => "socks4a",
            Protocol::Socks4 => "socks4",
        }
    }
}

/// A proxy: its protocol, where it is, and the credentials it wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// The protocol.
    pub protocol: Protocol,
    /// Host name or IP literal (IPv6 without brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// User and password, percent-decoded.
    pub credentials: Option<(String, String)>,
}

/// Where the tunnel should lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A name and port, for the proxy to resolve.
    Name(String, u16),
    /// An address the client resolved.
    Addr(SocketAddr),
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Name(host, port) if host.contains(':') => write!(f, "[{host}]:{port}"),
            Destination::Name(host, port) => write!(f, "{host}:{port}"),
            Destination::Addr(addr) => addr.fmt(f),
        }
    }
}

/// Why a proxy would not make the tunnel.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProxyError {
    /// The proxy URL does not parse.
    BadUrl(String),
    /// Talking to the proxy failed (reset, timeout, closed).
    Io(io::Error),
    /// An HTTP proxy answered CONNECT with this status and reason.
    Refused {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// A SOCKS proxy refused: the reason in words.
    SocksRefused(String),
    /// The proxy wants credentials that were not given, or refused them.
    Auth(String),
    /// The proxy's answer is not its protocol.
    Protocol(String),
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyError::BadUrl(why) => f.write_str(why),
            ProxyError::Io(e) => f.write_str(&describe(e)),
            ProxyError::Refused { status, reason } => write!(f, "CONNECT refused: {status} {reason}"),
            ProxyError::SocksRefused(why) => write!(f, "refused: {why}"),
            ProxyError::Auth(why) => f.write_str(why),
            ProxyError::Protocol(why) => write!(f, "not a proxy answer: {why}"),
        }
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProxyError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for ProxyError {
    fn from(e: io::Error) -> Self {
        ProxyError::Io(e)
    }
}

impl Proxy {
    /// Parses a proxy URL the way curl reads one: `scheme://[user:pass@]host[:port]`,
    /// where a missing scheme means `http` and a missing port 1080.
    ///
    /// ```
    /// use shared::net::proxy::{Protocol, Proxy};
    /// let p = Proxy::parse("socks5h://me:s%40crt@[::1]:9050").unwrap();
    /// assert_eq!(p.protocol, Protocol::Socks5 { remote_dns: true });
    /// assert_eq!((p.host.as_str(), p.port), ("::1", 9050));
    /// assert_eq!(p.credentials, Some(("me".into(), "s@crt".into())));
    /// ```
    pub fn parse(url: &str) -> Result<Proxy, ProxyError> {
        let bad = |why: &str| ProxyError::BadUrl(format!("`{url}`: {why}"));
        let (scheme, rest) = match url.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("http".to_string(), url),
        };
        let protocol = match scheme.as_str() {
            "http" => Protocol::Http,
            "socks5" => Protocol::Socks5 { remote_dns: false },
            "socks5h" => Protocol::Socks5 { remote_dns: true },
            "socks4a" => Protocol::Socks4a,
            "socks4" => Protocol::Socks4,
            "https" => return Err(bad("https proxies are not supported; use http://, socks5h:// or socks4a://")),
            other => return Err(bad(&format!("unknown proxy scheme `{other}`"))),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let credentials = userinfo.map(|u| {
            let (user, pass) = u.split_once(':').unwrap_or((u, ""));
            (decode(user), decode(pass))
        });
        let has_port = if hostport.starts_with('[') { hostport.contains("]:") } else { hostport.contains(':') };
        let spec = if has_port {
            crate::net::HostPort::parse(hostport)
        } else {
            crate::net::parse_host(hostport).map(|host| crate::net::HostPort { host, port: 1080 })
        }
        .map_err(|e| bad(&e.to_string()))?;
        if spec.port == 0 {
            return Err(bad("port 0"));
        }
        Ok(Proxy { protocol, host: spec.host, port: spec.port, credentials })
    }

    /// Asks the proxy, over `stream` (connected to it), for a tunnel to
    /// `to`. On success the stream carries the target's bytes.
    pub fn tunnel<S: Read + Write>(&self, stream: &mut S, to: &Destination) -> Result<(), ProxyError> {
        match self.protocol {
            Protocol::Http => self.connect_http(stream, to),
            Protocol::Socks5 { .. } => self.socks5(stream, to),
            Protocol::Socks4a | Protocol::Socks4 => self.socks4(stream, to),
        }
    }

    fn connect_http<S: Read + Write>(&self, stream: &mut S, to: &Destination) -> Result<(), ProxyError> {
        let mut head = format!("CONNECT {to} HTTP/1.1\r\nHost: {to}\r\n");
        if let Some((user, pass)) = &self.credentials {
            head.push_str(&format!("Proxy-Authorization: Basic {}\r\n", base64(format!("{user}:{pass}").as_bytes())));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.flush()?;
        // Read the answer's head a byte at a time: what follows it is the
        // tunnel's, and must stay in the stream.
        let mut buf = Vec::with_capacity(256);
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            if buf.len() >= 64 * 1024 {
                return Err(ProxyError::Protocol("an answer head over 64 KiB".into()));
            }
            match stream.read(&mut byte) {
                Ok(0) => return Err(ProxyError::Protocol("the proxy closed the connection".into())),
                Ok(_) => buf.push(byte[0]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ProxyError::Io(e)),
            }
        }
        let limits = crate::http::head::Limits { max_line: 64 * 1024, max_head: 64 * 1024, max_headers: 256 };
        let head = match crate::http::response::parse_response(&buf, &limits) {
            Ok(Some((head, _))) => head,
            _ => return Err(ProxyError::Protocol("not an HTTP answer".into())),
        };
        match head.status {
            200..=299 => Ok(()),
            407 if self.credentials.is_none() => {
                Err(ProxyError::Auth("the proxy wants credentials (407); give them in the proxy URL".into()))
            }
            status => Err(ProxyError::Refused { status, reason: head.reason }),
        }
    }

    fn socks5<S: Read + Write>(&self, stream: &mut S, to: &Destination) -> Result<(), ProxyError> {
        let methods: &[u8] = if self.credentials.is_some() { &[0x00, 0x02] } else { &[0x00] };
        let mut hello = vec![0x05, methods.len() as u8];
        hello.extend_from_slice(methods);
        stream.write_all(&hello)?;
        let mut choice = [0u8; 2];
        stream.read_exact(&mut choice)?;
        if choice[0] != 0x05 {
            return Err(ProxyError::Protocol(format!("SOCKS version {} in the greeting", choice[0])));
        }
        match choice[1] {
            0x00 => {}
            0x02 => {
                let Some((user, pass)) = &self.credentials else {
                    return Err(ProxyError::Protocol("the proxy chose a method not offered".into()));
                };
                let (user, pass) = (user.as_bytes(), pass.as_bytes());
                if user.len() > 255 || pass.len() > 255 {
                    return Err(ProxyError::Auth("a SOCKS5 user or password is at most 255 bytes".into()));
                }
                let mut auth = vec![0x01, user.len() as u8];
                auth.extend_from_slice(user);
                auth.push(pass.len() as u8);
                auth.extend_from_slice(pass);
                stream.write_all(&auth)?;
                let mut status = [0u8; 2];
                stream.read_exact(&mut status)?;
                if status[1] != 0x00 {
                    return Err(ProxyError::Auth("the SOCKS5 proxy refused the user and password".into()));
                }
            }
            0xff if self.credentials.is_none() => {
                return Err(ProxyError::Auth("the SOCKS5 proxy wants credentials; give them in the proxy URL".into()));
            }
            0xff => return Err(ProxyError::Auth("the SOCKS5 proxy accepts none of the offered methods".into())),
            other => return Err(ProxyError::Protocol(format!("the proxy chose method {other}"))),
        }
        let mut request = vec![0x05, 0x01, 0x00];
        let port = match to {
            Destination::Name(host, port) => {
                if host.len() > 255 {
                    return Err(ProxyError::Protocol("a name over 255 bytes cannot go through SOCKS5".into()));
                }
                match host.parse::<IpAddr>() {
                    Ok(ip) => push_ip(&mut request, ip),
                    Err(_) => {
                        request.push(0x03);
                        request.push(host.len() as u8);
                        request.extend_from_slice(host.as_bytes());
                    }
                }
                *port
            }
            Destination::Addr(addr) => {
                push_ip(&mut request, addr.ip());
                addr.port()
            }
        };
        request.extend_from_slice(&port.to_be_bytes());
        stream.write_all(&request)?;
        let mut reply = [0u8; 4];
        stream.read_exact(&mut reply)?;
        if reply[0] != 0x05 {
            return Err(ProxyError::Protocol(format!("SOCKS version {} in the reply", reply[0])));
        }
        if reply[1] != 0x00 {
            return Err(ProxyError::SocksRefused(socks5_reason(reply[1]).to_string()));
        }
        // The bound address the proxy reports: read past it.
        let rest = match reply[3] {
            0x01 => 4 + 2,
            0x04 => 16 + 2,
            0x03 => {
                let mut len = [0u8; 1];
                stream.read_exact(&mut len)?;
                usize::from(len[0]) + 2
            }
            other => return Err(ProxyError::Protocol(format!("address type {other} in the reply"))),
        };
        let mut skip = vec![0u8; rest];
        stream.read_exact(&mut skip)?;
        Ok(())
    }

    fn socks4<S: Read + Write>(&self, stream: &mut S, to: &Destination) -> Result<(), ProxyError> {
        let user = self.credentials.as_ref().map(|(u, _)| u.as_bytes()).unwrap_or_default();
        let (port, ip, name) = match to {
            Destination::Addr(SocketAddr::V4(a)) => (a.port(), a.ip().octets(), None),
            Destination::Addr(SocketAddr::V6(_)) => {
                return Err(ProxyError::Protocol("SOCKS4 carries IPv4 addresses only".into()));
            }
            Destination::Name(host, port) => match host.parse::<IpAddr>() {
                Ok(IpAddr::V4(ip)) => (*port, ip.octets(), None),
                Ok(IpAddr::V6(_)) => return Err(ProxyError::Protocol("SOCKS4 carries IPv4 addresses only".into())),
                Err(_) if self.protocol == Protocol::Socks4a => (*port, [0, 0, 0, 1], Some(host.as_bytes())),
                Err(_) => return Err(ProxyError::Protocol("SOCKS4 needs an address; use socks4a".into())),
            },
        };
        let mut request = vec![0x04, 0x01];
        request.extend_from_slice(&port.to_be_bytes());
        request.extend_from_slice(&ip);
        request.extend_from_slice(user);
        request.push(0);
        if let Some(name) = name {
            request.extend_from_slice(name);
            request.push(0);
        }
        stream.write_all(&request)?;
        let mut reply = [0u8; 8];
        stream.read_exact(&mut reply)?;
        match reply[1] {
            0x5a => Ok(()),
            0x5b => Err(ProxyError::SocksRefused("request rejected or failed".into())),
            0x5c | 0x5d => Err(ProxyError::SocksRefused("the proxy could not confirm the user (identd)".into())),
            other => Err(ProxyError::Protocol(format!("SOCKS4 reply code {other:#x}"))),
        }
    }
}

/// Adds an address-type byte and an address to a SOCKS5 request.
fn push_ip(request: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            request.push(0x01);
            request.extend_from_slice(&v4.octets());
        }
        IpAddr::V6(v6) => {
            request.push(0x04);
            request.extend_from_slice(&v6.octets());
        }
    }
}

/// RFC 1928's reply codes in words.
fn socks5_reason(code: u8) -> &'static str {
    match code {
        0x01 => "general SOCKS server failure",
        0x02 => "connection not allowed by ruleset",
        0x03 => "network unreachable",
        0x04 => "host unreachable",
        0x05 => "connection refused",
        0x06 => "TTL expired",
        0x07 => "command not supported",
        0x08 => "address type not supported",
        _ => "unknown error",
    }
}

/// Percent-decodes a user or password from a URL (invalid escapes kept).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(|&b| hex(b)), bytes.get(i + 2).and_then(|&b| hex(b)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64, for Basic credentials.
fn base64(data: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(B64[(n >> (18 - 6 * i)) as usize & 63]) } else { '=' });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    /// What a parse should give: protocol, host, port, credentials.
    type Parsed<'a> = (Protocol, &'a str, u16, Option<(&'a str, &'a str)>);

    #[test]
    fn parse_table() {
        let s5 = Protocol::Socks5 { remote_dns: false };
        let s5h = Protocol::Socks5 { remote_dns: true };
        let cases: &[(&str, Option<Parsed<'_>>)] = &[
            ("http://proxy:3128", Some((Protocol::Http, "proxy", 3128, None))),
            ("proxy:3128", Some((Protocol::Http, "proxy", 3128, None))),
            ("proxy", Some((Protocol::Http, "proxy", 1080, None))),
            ("HTTP://Proxy:3128/", Some((Protocol::Http, "Proxy", 3128, None))),
            ("http://u:p%3Aw@127.0.0.1:8080", Some((Protocol::Http, "127.0.0.1", 8080, Some(("u", "p:w"))))),
            ("socks5://[::1]:1080", Some((s5, "::1", 1080, None))),
            ("socks5h://h", Some((s5h, "h", 1080, None))),
            ("socks4a://h:9", Some((Protocol::Socks4a, "h", 9, None))),
            ("socks4://u@h:9", Some((Protocol::Socks4, "h", 9, Some(("u", ""))))),
            ("https://h:443", None),
            ("ftp://h", None),
            ("http://h:0", None),
            ("http://h:99999", None),
            ("http://", None),
        ];
        for (url, want) in cases {
            let got = Proxy::parse(url).ok().map(|p| (p.protocol, p.host, p.port, p.credentials));
            let want = want.map(|(pr, h, port, c)| (pr, h.to_string(), port, c.map(|(u, p)| (u.into(), p.into()))));
            assert_eq!(got, want, "{url}");
        }
    }

    /// A fake proxy: for each step reads that many bytes and writes the
    /// answer, then echoes one tunnel message. Returns what it read.
    fn fake(steps: Vec<(usize, Vec<u8>)>) -> (SocketAddr, std::thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
            let mut got = Vec::new();
            for (n, answer) in steps {
                let mut part = vec![0u8; n];
                if s.read_exact(&mut part).is_err() {
                    return got;
                }
                got.extend_from_slice(&part);
                s.write_all(&answer).unwrap();
            }
            let mut tunnel = [0u8; 4];
            if s.read_exact(&mut tunnel).is_ok() {
                s.write_all(&tunnel).unwrap();
            }
            got
        });
        (addr, handle)
    }

    fn through(proxy: &str, addr: SocketAddr, to: Destination) -> Result<(), ProxyError> {
        let p = Proxy::parse(proxy).unwrap();
        let mut s = TcpStream::connect(addr).unwrap();
        p.tunnel(&mut s, &to)?;
        s.write_all(b"ping").unwrap();
        let mut back = [0u8; 4];
        s.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"ping");
        Ok(())
    }

    #[test]
    fn http_connect_bytes_and_answers() {
        let sent =
            b"CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\nProxy-Authorization: Basic dTpw\r\n\r\n";
        let (addr, h) = fake(vec![(sent.len(), b"HTTP/1.1 200 Connection established\r\n\r\n".to_vec())]);
        through("http://u:p@x", addr, Destination::Name("example.org".into(), 443)).unwrap();
        assert_eq!(h.join().unwrap(), sent);
        let sent = b"CONNECT [::1]:22 HTTP/1.1\r\nHost: [::1]:22\r\n\r\n";
        let (addr, _h) = fake(vec![(sent.len(), b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".to_vec())]);
        let e = through("http://x", addr, Destination::Name("::1".into(), 22)).unwrap_err();
        assert_eq!(e.to_string(), "CONNECT refused: 403 Forbidden");
    }

    #[test]
    fn socks5_name_with_credentials() {
        let mut sent = vec![0x05, 0x02, 0x00, 0x02, 0x01, 0x01, b'u', 0x02, b'p', b'w'];
        sent.extend_from_slice(&[0x05, 0x01, 0x00, 0x03, 0x0b]);
        sent.extend_from_slice(b"example.org");
        sent.extend_from_slice(&443u16.to_be_bytes());
        let steps = vec![
            (4, vec![0x05, 0x02]),
            (6, vec![0x01, 0x00]),
            (18, vec![0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x1f, 0x90]),
        ];
        let (addr, h) = fake(steps);
        through("socks5h://u:pw@x", addr, Destination::Name("example.org".into(), 443)).unwrap();
        assert_eq!(h.join().unwrap(), sent);
    }

    #[test]
    fn socks5_address_and_refusal() {
        let mut sent = vec![0x05, 0x01, 0x00, 0x05, 0x01, 0x00, 0x04];
        sent.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
        sent.extend_from_slice(&80u16.to_be_bytes());
        let (addr, h) = fake(vec![(3, vec![0x05, 0x00]), (22, vec![0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0])]);
        let e = through("socks5://x", addr, Destination::Addr("[::1]:80".parse().unwrap())).unwrap_err();
        assert_eq!(e.to_string(), "refused: connection refused");
        assert_eq!(h.join().unwrap(), sent);
        let (addr, _h) = fake(vec![(3, vec![0x05, 0xff])]);
        let e = through("socks5://x", addr, Destination::Addr("127.0.0.1:80".parse().unwrap())).unwrap_err();
        assert!(matches!(e, ProxyError::Auth(_)), "{e}");
    }

    #[test]
    fn socks4a_and_socks4() {
        let mut sent = vec![0x04, 0x01, 0x01, 0xbb, 0, 0, 0, 1, b'm', b'e', 0];
        sent.extend_from_slice(b"example.org\0");
        let (addr, h) = fake(vec![(sent.len(), vec![0x00, 0x5a, 0, 0, 0, 0, 0, 0])]);
        through("socks4a://me@x", addr, Destination::Name("example.org".into(), 443)).unwrap();
        assert_eq!(h.join().unwrap(), sent);
        let sent = vec![0x04, 0x01, 0x00, 0x50, 127, 0, 0, 1, 0];
        let (addr, _h) = fake(vec![(sent.len(), vec![0x00, 0x5b, 0, 0, 0, 0, 0, 0])]);
        let e = through("socks4://x", addr, Destination::Addr("127.0.0.1:80".parse().unwrap())).unwrap_err();
        assert_eq!(e.to_string(), "refused: request rejected or failed");
        let p = Proxy::parse("socks4://x").unwrap();
        let mut nowhere = std::io::Cursor::new(Vec::new());
        assert!(p.tunnel(&mut nowhere, &Destination::Name("example.org".into(), 80)).is_err());
    }
}
