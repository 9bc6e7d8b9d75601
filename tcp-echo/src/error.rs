//! Why a run (or one session of it) failed, as one type that keeps the
//! error underneath, and the one place that turns it into an exit status.
//!
//! Errors are made where things go wrong and say only *what* went wrong;
//! [`exit_code`] alone decides what that means for the exit status, the way
//! xh's `error_reporting.rs` does. Each message is the whole line after
//! `tcp-echo: `, cause included, so printing `{error}` once is enough;
//! [`std::error::Error::source`] still hands out the typed error beneath.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use shared::io_text::describe;
use shared::net::words::{ProbeGroup, WordsError};

use crate::link::Peer;
use shared::net::{AddrError, BindOrAddrError, ConnectError};

/// Exit status for network trouble: refused, unreachable, resolve failure,
/// timeout, reset.
pub const EXIT_NETWORK: u8 = 1;
/// Exit status for bad usage (clap's own code for its errors).
pub const EXIT_USAGE: u8 = 2;

/// Everything that can end a run of tcp-echo, or one session of a `-k`
/// run, with an error.
#[derive(Debug)]
pub enum Error {
    /// The words of the command line do not say where to listen or what to
    /// connect to (or `-n` refuses a name).
    Usage(WordsError),
    /// An address or port from the command line that does not parse, or a
    /// host that does not resolve.
    Address(AddrError),
    /// No listener could be made on the address asked for.
    Listen(BindOrAddrError),
    /// A Unix socket could not be listened on or connected to.
    #[cfg(unix)]
    Unix(shared::net::unix::UnixError),
    /// `-U` on a system where tcp-echo has no Unix sockets (Windows).
    UnixUnsupported,
    /// `-U` with address words too.
    UnixWords(String),
    /// No address of the target accepted the connection.
    Connect(ConnectError),
    /// With `-s`/`-p`: the connection from that local end failed (binding
    /// it, or connecting from it).
    ConnectFrom {
        /// The target as the user wrote it.
        target: String,
        /// The local end, when one could be chosen for the target's family.
        from: Option<SocketAddr>,
        /// What the system said.
        source: io::Error,
    },
    /// A connected or listening socket could not say its address.
    Socket(io::Error),
    /// Standard output could not be duplicated for writing.
    Stdout(io::Error),
    /// Writing what arrived to standard output failed (a closed reader is
    /// not this: it ends the session quietly).
    WritingStdout(io::Error),
    /// Waiting for a client failed.
    Accept(io::Error),
    /// The echo service's listener failed.
    Echo(io::Error),
    /// The connection failed: reading it, or writing stdin to it.
    Connection {
        /// The peer, as every message about the connection names it.
        peer: Peer,
        /// What the system said.
        source: io::Error,
    },
    /// `-w`: no byte moved either way for this long.
    Idle {
        /// The peer that went quiet.
        peer: Peer,
        /// The `-w` limit that passed.
        after: Duration,
    },
    /// `-z`: no port given accepted a connection.
    NoOpenPort(Vec<ProbeGroup>),
    /// `-x`: the proxy would not make the tunnel (or talking to it failed).
    Proxy {
        /// The proxy: `socks5h proxy 127.0.0.1:1080`.
        proxy: String,
        /// The target asked for.
        target: String,
        /// What went wrong.
        source: shared::net::proxy::ProxyError,
    },
    /// `--allow`/`--deny` with a value that is not an address or CIDR.
    Access(shared::net::access::CidrError),
    /// `--allow`/`--deny` with `-U`: Unix peers have no address.
    AccessUnix,
    /// `--tls` in a build without the `tls` feature.
    TlsUnsupported,
    /// `--tls-ca`, `--tls-cert` or `--tls-key` could not be used.
    #[cfg(feature = "tls")]
    TlsSetup(shared::tls::TlsError),
    /// A name TLS cannot check a certificate against.
    TlsName(String),
    /// The TLS handshake failed: a certificate not trusted, a refusal.
    Tls {
        /// The peer.
        peer: Peer,
        /// What went wrong (a rustls error inside, when it was TLS's).
        source: io::Error,
    },
    /// The peer closed without TLS's close_notify: what came was
    /// delivered, but the end was not confirmed (it may have been cut).
    TlsUnconfirmed {
        /// The peer.
        peer: Peer,
    },
    /// `-x` without `--proxy-auth` to a proxy that wants credentials.
    ProxyWantsAuth {
        /// The proxy.
        proxy: String,
    },
    /// `-e ''` or `-c ''`: nothing to run.
    NoProgram,
    /// `-e`/`-c`: the program could not be started (or waited for).
    Spawn {
        /// The program as typed, in backquotes.
        program: String,
        /// What the system said.
        source: io::Error,
    },
    /// `-z -U`: nothing accepts on the Unix socket.
    UnixClosed {
        /// The socket's path or `@name`.
        addr: String,
        /// Why connecting failed, in words.
        why: String,
    },
    /// `-z --wait`: these ports were still closed when the time was up.
    /// The message is a line per port (each after its own `tcp-echo: `).
    StillClosed {
        /// Each port (`host:80`) and why its last try failed.
        closed: Vec<(String, String)>,
        /// How long it tried.
        after: Duration,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(u) => u.fmt(f),
            Error::Address(e) => e.fmt(f),
            Error::Listen(e) => e.fmt(f),
            #[cfg(unix)]
            Error::Unix(e) => e.fmt(f),
            Error::UnixUnsupported => f.write_str("-U: Unix sockets are not supported on this system"),
            Error::UnixWords(words) => {
                write!(f, "with -U the socket's path is the address; `{words}` has no place")
            }
            Error::Connect(e) => e.fmt(f),
            Error::ConnectFrom { target, from: Some(from), source } => {
                write!(f, "connect to {target} from {from}: {}", describe(source))
            }
            Error::ConnectFrom { target, from: None, source } => write!(f, "connect to {target}: {}", describe(source)),
            Error::Socket(e) => write!(f, "socket: {}", describe(e)),
            Error::Echo(e) => write!(f, "echo service: {}", describe(e)),
            Error::Stdout(e) => write!(f, "stdout: {}", describe(e)),
            Error::WritingStdout(e) => write!(f, "writing stdout: {}", describe(e)),
            Error::Accept(e) => write!(f, "accept: {}", describe(e)),
            Error::Connection { peer, source } => write!(f, "{peer}: {}", describe(source)),
            Error::Idle { peer, after } => {
                write!(f, "{peer}: no data either way for {}: timed out", humantime::format_duration(*after))
            }
            Error::NoOpenPort(groups) => {
                let list: Vec<String> = groups.iter().map(ProbeGroup::to_string).collect();
                f.write_str("no open port: ")?;
                f.write_str(&list.join("; "))
            }
            Error::UnixClosed { addr, why } => write!(f, "{addr} closed: {why}"),
            Error::Spawn { program, source } => write!(f, "cannot start {program}: {}", describe(source)),
            Error::NoProgram => f.write_str("-e/-c: no program given"),
            Error::Proxy { proxy, target, source } => write!(f, "{proxy}, asked for {target}: {source}"),
            Error::ProxyWantsAuth { proxy } => {
                write!(f, "{proxy} wants a user and password: give --proxy-auth USER:PASS")
            }
            Error::StillClosed { closed, after } => {
                let after = humantime::format_duration(*after);
                let lines: Vec<String> =
                    closed.iter().map(|(target, why)| format!("{target} still closed after {after}: {why}")).collect();
                f.write_str(&lines.join("\ntcp-echo: "))
            }
            Error::TlsUnsupported => {
                f.write_str("--tls: this tcp-echo was built without TLS (the `tls` cargo feature)")
            }
            #[cfg(feature = "tls")]
            Error::TlsSetup(e) => e.fmt(f),
            Error::TlsName(name) => {
                write!(f, "--tls: `{name}` is not a name or address a certificate can be checked against")
            }
            Error::Tls { peer, source } => write!(f, "TLS with {peer}: {}", crate::tls::words(source)),
            Error::TlsUnconfirmed { peer } => {
                write!(f, "{peer} closed without TLS close_notify: the end was not confirmed (the stream may be cut)")
            }
            Error::Access(e) => write!(f, "--allow/--deny: {e}"),
            Error::AccessUnix => f.write_str("--allow and --deny judge IP addresses; a Unix socket's peers have none"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Usage(e) => Some(e),
            Error::Address(e) => Some(e),
            Error::Listen(e) => Some(e),
            #[cfg(unix)]
            Error::Unix(e) => Some(e),
            Error::Proxy { source, .. } => Some(source),
            Error::UnixUnsupported | Error::UnixWords(_) => None,
            Error::Connect(e) => Some(e),
            Error::Socket(e)
            | Error::Echo(e)
            | Error::Stdout(e)
            | Error::WritingStdout(e)
            | Error::Accept(e)
            | Error::ConnectFrom { source: e, .. }
            | Error::Spawn { source: e, .. }
            | Error::Tls { source: e, .. }
            | Error::Connection { source: e, .. } => Some(e),
            Error::Idle { .. }
            | Error::NoOpenPort(_)
            | Error::StillClosed { .. }
            | Error::UnixClosed { .. }
            | Error::ProxyWantsAuth { .. }
            | Error::TlsUnsupported
            | Error::NoProgram
            | Error::AccessUnix
            | Error::TlsName(_)
            | Error::TlsUnconfirmed { .. } => None,
            #[cfg(feature = "tls")]
            Error::TlsSetup(e) => Some(e),
            Error::Access(e) => Some(e),
        }
    }
}

/// The exit status for `error`: 2 when the command line asked for
/// something that cannot be (an address that does not parse), 1 for
/// everything the network or the system did.
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Address(e) | Error::Listen(BindOrAddrError::Addr(e)) if e.is_typing() => EXIT_USAGE,
        Error::Usage(_)
        | Error::UnixUnsupported
        | Error::UnixWords(_)
        | Error::TlsUnsupported
        | Error::TlsName(_)
        | Error::Access(_)
        | Error::AccessUnix
        | Error::NoProgram => EXIT_USAGE,
        #[cfg(feature = "tls")]
        Error::TlsSetup(_) => EXIT_USAGE,
        #[cfg(unix)]
        Error::Unix(shared::net::unix::UnixError::NoAbstract(_)) => EXIT_USAGE,
        _ => EXIT_NETWORK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::net::Family;

    fn os(kind: io::ErrorKind) -> io::Error {
        io::Error::from(kind)
    }

    fn group(host: &str, ranges: &[(u16, u16)]) -> ProbeGroup {
        ProbeGroup { host: host.into(), ranges: ranges.to_vec() }
    }

    #[test]
    fn exit_code_and_message_table() {
        let peer = Peer::Ip("127.0.0.1:9".parse().unwrap());
        let resolve = || AddrError::Resolve { host: "nowhere.invalid".into(), source: os(io::ErrorKind::NotFound) };
        let cases: Vec<(Error, u8, &str)> = vec![
            (Error::Address(AddrError::BadPort("x".into())), 2, "`x`: port must be a number from 0 to 65535"),
            (Error::Address(AddrError::Empty), 2, "empty address: expected HOST:PORT"),
            (
                Error::Address(AddrError::NoAddress { host: "h".into(), family: Family::V6 }),
                1,
                "`h` has no IPv6 address",
            ),
            (Error::Address(resolve()), 1, "cannot resolve `nowhere.invalid`: entity not found"),
            (Error::Usage(WordsError::PortTwice), 2, "the port is given twice (-p and a word)"),
            (
                Error::ConnectFrom {
                    target: "h:80".into(),
                    from: Some("127.0.0.1:4000".parse().unwrap()),
                    source: os(io::ErrorKind::AddrInUse),
                },
                1,
                "connect to h:80 from 127.0.0.1:4000: address in use",
            ),
            (Error::Stdout(os(io::ErrorKind::PermissionDenied)), 1, "stdout: permission denied"),
            (
                Error::Listen(BindOrAddrError::Addr(AddrError::BadPort("y".into()))),
                2,
                "`y`: port must be a number from 0 to 65535",
            ),
            (Error::Listen(BindOrAddrError::Addr(resolve())), 1, "cannot resolve `nowhere.invalid`: entity not found"),
            (Error::WritingStdout(os(io::ErrorKind::BrokenPipe)), 1, "writing stdout: broken pipe"),
            (Error::Accept(os(io::ErrorKind::ConnectionAborted)), 1, "accept: connection aborted"),
            (
                Error::Connection { peer: peer.clone(), source: os(io::ErrorKind::ConnectionReset) },
                1,
                "127.0.0.1:9: connection reset by peer",
            ),
            (
                Error::Idle { peer: peer.clone(), after: Duration::from_millis(300) },
                1,
                "127.0.0.1:9: no data either way for 300ms: timed out",
            ),
            (Error::NoOpenPort(vec![group("::1", &[(25, 25)])]), 1, "no open port: [::1] 25"),
            (
                Error::NoOpenPort(vec![group("h", &[(20, 25), (80, 80)]), group("g", &[(443, 443)])]),
                1,
                "no open port: h 20-25,80; g 443",
            ),
            (
                Error::StillClosed {
                    closed: vec![
                        ("db:5432".into(), "connection refused".into()),
                        ("[::1]:80".into(), "timed out".into()),
                    ],
                    after: Duration::from_secs(5),
                },
                1,
                "db:5432 still closed after 5s: connection refused\ntcp-echo: [::1]:80 still closed after 5s: timed out",
            ),
        ];
        for (error, code, message) in &cases {
            assert_eq!((exit_code(error), error.to_string().as_str()), (*code, *message), "{error:?}");
        }
    }

    #[test]
    fn the_error_underneath_is_kept() {
        use std::error::Error as _;
        let peer = Peer::Named("/run/x.sock".into());
        let e = Error::Connection { peer: peer.clone(), source: os(io::ErrorKind::ConnectionReset) };
        let inner = e.source().and_then(|s| s.downcast_ref::<io::Error>()).map(io::Error::kind);
        assert_eq!(inner, Some(io::ErrorKind::ConnectionReset));
        assert!(Error::Idle { peer, after: Duration::from_secs(1) }.source().is_none());
    }
}
