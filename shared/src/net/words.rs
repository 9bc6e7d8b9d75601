//! What the words of a netcat-style command line name: where to listen
//! (`9000`, `ADDR 9000`, `[ADDR:]PORT`, `-p 9000 -s ADDR`), what to connect
//! to (`HOST PORT`, `HOST:PORT`) and from (`-s ADDR -p PORT`), which ports
//! to probe (`HOST 20-25 80 HOST2:443`), and `-n`'s rule that a name is
//! refused before anything is looked up. tcp-echo and
//! udp-echo read their command lines through here, so both take the same
//! words the same way.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use crate::net::addr::{AddrError, Family, HostPort, ListenSpec, parse_host, parse_port, resolve};

/// The address parts of a command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Words<'a> {
    /// The positional words.
    pub words: &'a [String],
    /// `-p PORT`.
    pub port: Option<u16>,
    /// `-s ADDR`.
    pub source: Option<&'a str>,
    /// `-n`: numeric addresses only.
    pub numeric: bool,
}

/// Where to connect, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    /// The target as typed.
    pub target: HostPort,
    /// `-s` and `-p`: the local address and port to connect from.
    pub from: Option<Source>,
}

/// A local end to connect from: an address (or the wildcard) and a port
/// (0: any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `-s`, as typed (brackets taken off).
    pub host: Option<String>,
    /// `-p`, 0 when not given.
    pub port: u16,
}

impl Source {
    /// The local address to bind for a connection to `to`: `-s` resolved in
    /// `to`'s family (None when it has no address there), or the wildcard.
    pub fn for_target(&self, to: &SocketAddr, family: Family) -> Result<Option<SocketAddr>, AddrError> {
        let Some(host) = &self.host else {
            let any: IpAddr = if to.is_ipv4() { [0, 0, 0, 0].into() } else { [0u16; 8].into() };
            return Ok(Some(SocketAddr::new(any, self.port)));
        };
        let addrs = resolve(host, self.port, family)?;
        Ok(addrs.into_iter().find(|a| a.is_ipv4() == to.is_ipv4()))
    }
}

/// The ports of one host to probe, as typed: `HOST 20-25 80` or
/// `HOST:8000-8010`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeGroup {
    /// The host (IPv6 without brackets).
    pub host: String,
    /// Inclusive port ranges, in the order given (`80` is `(80, 80)`).
    pub ranges: Vec<(u16, u16)>,
}

impl ProbeGroup {
    /// Every port of the group, in order.
    pub fn ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi)
    }

    /// `HOST:PORT` for one of its ports, with brackets for IPv6.
    pub fn shown(&self, port: u16) -> String {
        HostPort { host: self.host.clone(), port }.to_string()
    }
}

/// The host and its ports as a person would write them: `[::1] 20-25,80`.
impl fmt::Display for ProbeGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}] ", self.host)?;
        } else {
            write!(f, "{} ", self.host)?;
        }
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            if lo == hi {
                write!(f, "{sep}{lo}")?;
            } else {
                write!(f, "{sep}{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// Why the words do not say where to listen or what to connect to. Every
/// one is the user's typing: a usage error.
#[derive(Debug)]
#[non_exhaustive]
pub enum WordsError {
    /// `-l` without a port.
    NoListenPort,
    /// Connecting without a target.
    NoTarget,
    /// `-p PORT` and a port word too.
    PortTwice,
    /// `-s ADDR` and an address word too, when listening.
    AddressTwice,
    /// More words than the mode takes.
    TooMany(String),
    /// A host name under `-n`.
    Name(String),
    /// A probe's host with no port after it.
    NoPorts(String),
    /// A probe's port before any host.
    PortWithoutHost(String),
    /// A probe's range that runs backwards (`25-20`).
    BackwardRange(String),
    /// An address or port that does not parse.
    Addr(AddrError),
}

impl fmt::Display for WordsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WordsError::NoListenPort => f.write_str("-l needs a port: -l PORT, or -l -p PORT"),
            WordsError::NoTarget => f.write_str("expected HOST PORT or HOST:PORT to connect to (or -l to listen)"),
            WordsError::PortTwice => f.write_str("the port is given twice (-p and a word)"),
            WordsError::AddressTwice => f.write_str("the address to listen on is given twice (-s and a word)"),
            WordsError::TooMany(words) => write!(f, "too many words: `{words}`"),
            WordsError::Name(host) => write!(f, "`{host}` is a name, and -n takes numeric addresses only"),
            WordsError::NoPorts(host) if host.is_empty() => f.write_str("expected HOST PORT[-PORT]... to probe"),
            WordsError::NoPorts(host) if host.contains(':') => {
                write!(
                    f,
                    "`{host}`: which ports? expected HOST PORT[-PORT]... (an IPv6 address with a port is [ADDR]:PORT)"
                )
            }
            WordsError::NoPorts(host) => write!(f, "`{host}`: which ports? expected HOST PORT[-PORT]..."),
            WordsError::PortWithoutHost(port) => {
                write!(f, "`{port}`: a port before any host; expected HOST PORT[-PORT]...")
            }
            WordsError::BackwardRange(range) => write!(f, "`{range}`: a range runs from the lower port to the higher"),
            WordsError::Addr(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for WordsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WordsError::Addr(e) => Some(e),
            _ => None,
        }
    }
}

impl From<AddrError> for WordsError {
    fn from(e: AddrError) -> Self {
        WordsError::Addr(e)
    }
}

impl Words<'_> {
    /// Where `-l` listens: `[ADDR] PORT`, `[ADDR:]PORT`, or `-p PORT` with
    /// `-s ADDR` or an address word.
    ///
    /// ```
    /// use shared::net::words::Words;
    /// let words = ["127.0.0.1".to_string()];
    /// let spec = Words { words: &words, port: Some(9000), ..Words::default() }.listen().unwrap();
    /// assert_eq!((spec.host.as_deref(), spec.port), (Some("127.0.0.1"), 9000));
    /// ```
    pub fn listen(&self) -> Result<ListenSpec, WordsError> {
        let spec = match (self.words, self.port) {
            ([], None) => return Err(WordsError::NoListenPort),
            ([], Some(port)) => ListenSpec { host: None, port },
            ([word], Some(port)) => {
                if word.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(WordsError::PortTwice);
                }
                ListenSpec { host: Some(parse_host(word)?), port }
            }
            (words, None) if words.len() <= 2 => ListenSpec::from_words(words)?,
            (words, _) => return Err(WordsError::TooMany(words.join(" "))),
        };
        let host = match (self.source, spec.host) {
            (Some(_), Some(_)) => return Err(WordsError::AddressTwice),
            (Some(s), None) => Some(parse_host(s)?),
            (None, host) => host,
        };
        if let Some(h) = &host {
            self.check_numeric(h)?;
        }
        Ok(ListenSpec { host, port: spec.port })
    }

    /// What to connect to (`HOST PORT` or `HOST:PORT`) and, with `-s`/`-p`,
    /// from where.
    pub fn dial(&self) -> Result<Dial, WordsError> {
        let target = match self.words {
            [] => return Err(WordsError::NoTarget),
            words @ ([_] | [_, _]) => HostPort::from_words(words)?,
            words => return Err(WordsError::TooMany(words.join(" "))),
        };
        self.check_numeric(&target.host)?;
        let source = self.source.map(parse_host).transpose()?;
        if let Some(s) = &source {
            self.check_numeric(s)?;
        }
        let from =
            (source.is_some() || self.port.is_some()).then(|| Source { host: source, port: self.port.unwrap_or(0) });
        Ok(Dial { target, from })
    }

    /// Which ports of which hosts `-z` probes: `HOST PORT[-PORT]...`,
    /// `HOST:PORT`, `HOST:LO-HI`, several hosts in a row, in the order given.
    ///
    /// ```
    /// use shared::net::words::Words;
    /// let words: Vec<String> = ["db", "5432", "web:80", "::1", "20-22"].iter().map(|s| s.to_string()).collect();
    /// let groups = Words { words: &words, ..Words::default() }.probes().unwrap();
    /// let all: Vec<String> = groups.iter().flat_map(|g| g.ports().map(|p| g.shown(p)).collect::<Vec<_>>()).collect();
    /// assert_eq!(all, ["db:5432", "web:80", "[::1]:20", "[::1]:21", "[::1]:22"]);
    /// ```
    pub fn probes(&self) -> Result<Vec<ProbeGroup>, WordsError> {
        let mut groups: Vec<ProbeGroup> = Vec::new();
        for word in self.words {
            if let Some(range) = port_range(word)? {
                match groups.last_mut() {
                    Some(group) => group.ranges.push(range),
                    None => return Err(WordsError::PortWithoutHost(word.clone())),
                }
                continue;
            }
            if let Some(group) = groups.last()
                && group.ranges.is_empty()
            {
                return Err(WordsError::NoPorts(group.host.clone()));
            }
            groups.push(probe_word(word)?);
        }
        match groups.last() {
            None => return Err(WordsError::NoPorts(String::new())),
            Some(group) if group.ranges.is_empty() => return Err(WordsError::NoPorts(group.host.clone())),
            Some(_) => {}
        }
        for group in &groups {
            self.check_numeric(&group.host)?;
        }
        Ok(groups)
    }

    /// Under `-n`, only an IP address is accepted; a name is refused.
    pub fn check_numeric(&self, host: &str) -> Result<(), WordsError> {
        if self.numeric && host.parse::<IpAddr>().is_err() {
            return Err(WordsError::Name(host.to_string()));
        }
        Ok(())
    }
}

/// `80` or `20-25` as an inclusive range; `None` for a word that is not
/// made of digits and one dash.
fn port_range(word: &str) -> Result<Option<(u16, u16)>, WordsError> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Ok(None);
    }
    let (lo, hi) = match word.split_once('-') {
        Some((a, b)) => (parse_port(a)?, parse_port(b)?),
        None => {
            let p = parse_port(word)?;
            (p, p)
        }
    };
    if lo > hi {
        return Err(WordsError::BackwardRange(word.to_string()));
    }
    Ok(Some((lo, hi)))
}

/// A probe word that is not a port: a host on its own (a name, an IPv4
/// address, an IPv6 address with or without brackets), or `HOST:PORT`,
/// `HOST:LO-HI`, `[V6]:PORT`.
fn probe_word(word: &str) -> Result<ProbeGroup, WordsError> {
    let bare_v6 = word.parse::<std::net::Ipv6Addr>().is_ok();
    let bracketed = word.starts_with('[') && word.ends_with(']');
    if !word.contains(':') || bare_v6 || bracketed {
        return Ok(ProbeGroup { host: parse_host(word)?, ranges: Vec::new() });
    }
    if let Some((host, ports)) = word.rsplit_once(':')
        && ports.contains('-')
        && let Some(range) = port_range(ports)?
    {
        return Ok(ProbeGroup { host: parse_host(host)?, ranges: vec![range] });
    }
    let target = HostPort::parse(word)?;
    Ok(ProbeGroup { host: target.host, ranges: vec![(target.port, target.port)] })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of a command line: positional words and `-p`, `-s`, `-n`.
    fn words<'a>(w: &'a [String], port: Option<u16>, source: Option<&'a str>, numeric: bool) -> Words<'a> {
        Words { words: w, port, source, numeric }
    }

    fn owned(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    type Case<'a, T> = (&'a [&'a str], Option<u16>, Option<&'a str>, bool, Result<T, &'a str>);

    #[test]
    fn listen_table() {
        let cases: &[Case<'_, (Option<&str>, u16)>] = &[
            (&["9000"], None, None, false, Ok((None, 9000))),
            (&[], Some(9000), None, false, Ok((None, 9000))),
            (&[], Some(9000), Some("127.0.0.1"), false, Ok((Some("127.0.0.1"), 9000))),
            (&["::1"], Some(9000), None, false, Ok((Some("::1"), 9000))),
            (&["127.0.0.1:0"], None, None, false, Ok((Some("127.0.0.1"), 0))),
            (&["localhost", "0"], None, None, false, Ok((Some("localhost"), 0))),
            (&["0"], None, Some("[::1]"), false, Ok((Some("::1"), 0))),
            (&[], None, None, false, Err("-l needs a port: -l PORT, or -l -p PORT")),
            (&["9000"], Some(9000), None, false, Err("the port is given twice (-p and a word)")),
            (&["[::1]:0"], None, Some("::1"), false, Err("the address to listen on is given twice (-s and a word)")),
            (&["localhost", "0"], None, None, true, Err("`localhost` is a name, and -n takes numeric addresses only")),
            (&["a", "b", "c"], None, None, false, Err("too many words: `a b c`")),
            (&["65536"], None, None, false, Err("`65536`: port must be a number from 0 to 65535")),
        ];
        for (w, port, source, numeric, want) in cases {
            let w = owned(w);
            let got = words(&w, *port, *source, *numeric).listen().map(|l| (l.host, l.port)).map_err(|e| e.to_string());
            let want = want.map(|(h, p)| (h.map(str::to_string), p)).map_err(str::to_string);
            assert_eq!(got, want, "{w:?} {port:?} {source:?}");
        }
    }

    #[test]
    fn dial_table() {
        let src = |host: Option<&str>, port| Some(Source { host: host.map(str::to_string), port });
        let cases: &[Case<'_, (&str, u16, Option<Source>)>] = &[
            (&["h", "80"], None, None, false, Ok(("h", 80, None))),
            (&["[::1]:80"], None, None, false, Ok(("::1", 80, None))),
            (&["h", "80"], Some(4000), None, false, Ok(("h", 80, src(None, 4000)))),
            (&["h:80"], None, Some("10.0.0.1"), false, Ok(("h", 80, src(Some("10.0.0.1"), 0)))),
            (&["10.0.0.2", "80"], None, None, true, Ok(("10.0.0.2", 80, None))),
            (
                &["example.org", "80"],
                None,
                None,
                true,
                Err("`example.org` is a name, and -n takes numeric addresses only"),
            ),
            (&["10.0.0.2", "80"], None, Some("me"), true, Err("`me` is a name, and -n takes numeric addresses only")),
            (&[], None, None, false, Err("expected HOST PORT or HOST:PORT to connect to (or -l to listen)")),
            (&["a", "1", "2"], None, None, false, Err("too many words: `a 1 2`")),
        ];
        for (w, port, source, numeric, want) in cases {
            let w = owned(w);
            let got = words(&w, *port, *source, *numeric)
                .dial()
                .map(|d| (d.target.host, d.target.port, d.from))
                .map_err(|e| e.to_string());
            let want = want.clone().map(|(h, p, f)| (h.to_string(), p, f)).map_err(str::to_string);
            assert_eq!(got, want, "{w:?} {port:?} {source:?}");
        }
    }

    #[test]
    fn probes_table() {
        let g = |host: &str, ranges: &[(u16, u16)]| ProbeGroup { host: host.into(), ranges: ranges.to_vec() };
        let cases: &[(&[&str], bool, Result<Vec<ProbeGroup>, &str>)] = &[
            (&["h", "80"], false, Ok(vec![g("h", &[(80, 80)])])),
            (&["h:80"], false, Ok(vec![g("h", &[(80, 80)])])),
            (&["h", "20-25", "80"], false, Ok(vec![g("h", &[(20, 25), (80, 80)])])),
            (&["h:8000-8010"], false, Ok(vec![g("h", &[(8000, 8010)])])),
            (&["[::1]:22", "::1", "80"], false, Ok(vec![g("::1", &[(22, 22)]), g("::1", &[(80, 80)])])),
            (&["[::1]", "80", "10.0.0.1:443"], false, Ok(vec![g("::1", &[(80, 80)]), g("10.0.0.1", &[(443, 443)])])),
            (&["db", "5432", "web", "80"], false, Ok(vec![g("db", &[(5432, 5432)]), g("web", &[(80, 80)])])),
            (&[], false, Err("expected HOST PORT[-PORT]... to probe")),
            (&["h"], false, Err("`h`: which ports? expected HOST PORT[-PORT]...")),
            (&["h", "web", "80"], false, Err("`h`: which ports? expected HOST PORT[-PORT]...")),
            (&["80", "h"], false, Err("`80`: a port before any host; expected HOST PORT[-PORT]...")),
            (&["h", "25-20"], false, Err("`25-20`: a range runs from the lower port to the higher")),
            (&["h", "1-99999"], false, Err("`99999`: port must be a number from 0 to 65535")),
            (
                &["::1:80"],
                false,
                Err("`::1:80`: which ports? expected HOST PORT[-PORT]... (an IPv6 address with a port is [ADDR]:PORT)"),
            ),
            (
                &["fe80::1:x:80"],
                false,
                Err("`fe80::1:x:80`: an IPv6 address needs brackets when a port follows, e.g. [::1]:8080"),
            ),
            (&["db", "5432"], true, Err("`db` is a name, and -n takes numeric addresses only")),
            (&["127.0.0.1", "5432"], true, Ok(vec![g("127.0.0.1", &[(5432, 5432)])])),
        ];
        for (w, numeric, want) in cases {
            let w = owned(w);
            let got = words(&w, None, None, *numeric).probes().map_err(|e| e.to_string());
            assert_eq!(got, want.clone().map_err(str::to_string), "{w:?}");
        }
        assert_eq!(g("::1", &[(20, 25), (80, 80)]).to_string(), "[::1] 20-25,80");
        assert_eq!(g("h", &[(7, 7)]).to_string(), "h 7");
    }

    #[test]
    fn source_follows_the_target_family() {
        let v4: SocketAddr = "10.0.0.2:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        let any = Source { host: None, port: 7 };
        assert_eq!(any.for_target(&v4, Family::Any).unwrap(), Some("0.0.0.0:7".parse().unwrap()));
        assert_eq!(any.for_target(&v6, Family::Any).unwrap(), Some("[::]:7".parse().unwrap()));
        let mine = Source { host: Some("127.0.0.1".into()), port: 0 };
        assert_eq!(mine.for_target(&v4, Family::Any).unwrap(), Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(mine.for_target(&v6, Family::Any).unwrap(), None);
    }
}
