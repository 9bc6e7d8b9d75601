//! Why a run failed, as one type that keeps the error underneath, and the
//! one place that turns it into an exit status.
//!
//! Errors are made where things go wrong and say only *what* went wrong;
//! [`exit_code`] alone decides what that means for the exit status, the way
//! xh's `error_reporting.rs` does. Each message is the whole line after
//! `udp-echo: `, cause included, so printing `{error}` once is enough;
//! [`std::error::Error::source`] still hands out the typed error beneath.

use std::fmt;
use std::io;

use shared::io_text::describe;
use shared::net::words::{ProbeGroup, WordsError};
use shared::net::{AddrError, BindOrAddrError, HostPort};

/// Exit status for network trouble (no one listening, a line too long for
/// one datagram, a failed send).
pub const EXIT_NETWORK: u8 = 1;
/// Exit status for bad usage (clap's own code for its errors).
pub const EXIT_USAGE: u8 = 2;

/// Everything that can end a run of udp-echo with an error.
#[derive(Debug)]
pub enum Error {
    /// The words of the command line do not say where to receive or what
    /// to send to (or `-n` refuses a name).
    Usage(WordsError),
    /// An address or port from the command line that does not parse, or a
    /// host that does not resolve.
    Address(AddrError),
    /// A destination with port 0, which no datagram can be sent to.
    PortZero(HostPort),
    /// `--chunk` asks for datagrams larger than the destination's family
    /// can carry.
    ChunkTooLarge {
        /// The `--chunk` asked for.
        chunk: usize,
        /// The destination as the user wrote it.
        target: String,
        /// The largest payload one datagram there can hold.
        max: usize,
    },
    /// No socket could be bound on the address asked for (`-l`).
    Listen(BindOrAddrError),
    /// A Unix socket could not be bound or connected to.
    #[cfg(unix)]
    Unix(shared::net::unix::UnixError),
    /// Sending was refused by the system (a broadcast address without
    /// `-b`, a firewall).
    SendDenied {
        /// The destination as the user wrote it.
        target: String,
        /// What the system said.
        source: io::Error,
    },
    /// `--join` with an address to receive on: a group receiver listens on
    /// every address.
    JoinHost(String),
    /// Joining the group (or binding for it) failed.
    Join {
        /// The group.
        group: std::net::IpAddr,
        /// `--iface`, when given.
        iface: Option<String>,
        /// What the system said.
        source: io::Error,
    },
    /// `--iface` names no interface here.
    NoIface(String),
    /// `--iface` names an interface without an address of the family.
    IfaceFamily {
        /// The interface.
        name: String,
        /// `IPv4`.
        family: &'static str,
    },
    /// Setting a socket option failed (`-b`, `--ttl`, `--iface`).
    SocketOption {
        /// The option that asked for it.
        what: &'static str,
        /// What the system said.
        source: io::Error,
    },
    /// `--allow`/`--deny` with a value that is not an address or CIDR.
    Access(shared::net::access::CidrError),
    /// `--allow`/`--deny` with `-U`: Unix peers have no address.
    AccessUnix,
    /// `-U` on a system where udp-echo has no Unix sockets (Windows).
    UnixUnsupported,
    /// `-U` with address words too.
    UnixWords(String),
    /// The sender's own socket could not be bound (on `-s`/`-p`'s
    /// address when given).
    BindSender {
        /// The local address asked for.
        local: std::net::SocketAddr,
        /// What the system said.
        source: io::Error,
    },
    /// `-s` names no address of the destination's family.
    NoSourceAddress {
        /// `-s` as typed.
        source_host: String,
        /// The destination as the user wrote it.
        target: String,
    },
    /// Setting up the socket or stdout failed (an option, a duplicate, an
    /// address).
    Setup(io::Error),
    /// The destination answered with "port unreachable": no one listens.
    NoListener {
        /// The destination as the user wrote it.
        target: String,
        /// What the system reported.
        source: io::Error,
    },
    /// Sending a datagram failed for another reason.
    Send {
        /// The destination as the user wrote it.
        target: String,
        /// What the system said.
        source: io::Error,
    },
    /// Reading stdin failed.
    ReadingStdin(io::Error),
    /// A line does not fit in one datagram; the sender stops rather than
    /// cut it.
    LineTooLong {
        /// The line's length so far (it is longer still).
        len: usize,
        /// The destination as the user wrote it.
        target: String,
        /// The largest payload one datagram there can hold.
        max: usize,
    },
    /// Writing what arrived to stdout failed (a closed reader is not this:
    /// it ends the run quietly).
    WritingStdout(io::Error),
    /// The receiver's socket failed.
    Receive(io::Error),
    /// `-z`: every port probed answered with ICMP port unreachable.
    AllClosed(Vec<ProbeGroup>),
    /// The sender's socket failed while waiting for replies.
    ReceiveFrom {
        /// The destination as the user wrote it.
        target: String,
        /// What the system said.
        source: io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(e) => e.fmt(f),
            Error::Address(e) => e.fmt(f),
            Error::PortZero(target) => write!(f, "{target}: cannot send to port 0"),
            Error::ChunkTooLarge { chunk, target, max } => {
                write!(f, "--chunk {chunk} is more than one datagram to {target} can hold ({max})")
            }
            Error::Listen(e) => e.fmt(f),
            #[cfg(unix)]
            Error::Unix(e) => e.fmt(f),
            Error::UnixUnsupported => f.write_str("-U: Unix sockets are not supported on this system"),
            Error::Access(e) => write!(f, "--allow/--deny: {e}"),
            Error::SendDenied { target, source } => {
                write!(f, "send to {target}: {} (to a broadcast address, give -b)", describe(source))
            }
            Error::JoinHost(host) => {
                write!(f, "with --join the receiver listens on every address; give only the port, not `{host}`")
            }
            Error::Join { group, iface: Some(iface), source } => {
                write!(f, "cannot join {group} on {iface}: {}", describe(source))
            }
            Error::Join { group, iface: None, source } => write!(f, "cannot join {group}: {}", describe(source)),
            Error::NoIface(name) => write!(f, "--iface: no interface named `{name}` here"),
            Error::IfaceFamily { name, family } => write!(f, "--iface: `{name}` has no {family} address"),
            Error::SocketOption { what, source } => write!(f, "{what}: {}", describe(source)),
            Error::AccessUnix => f.write_str("--allow and --deny judge IP addresses; a Unix socket's peers have none"),
            Error::UnixWords(words) => write!(f, "with -U the socket's path is the address; `{words}` has no place"),
            Error::BindSender { local, source } => write!(f, "cannot send from {local}: {}", describe(source)),
            Error::NoSourceAddress { source_host, target } => {
                write!(f, "`{source_host}` has no address of {target}'s family to send from")
            }
            Error::Setup(e) => write!(f, "socket: {}", describe(e)),
            Error::NoListener { target, .. } => write!(f, "no one is listening on {target}"),
            Error::Send { target, source } => write!(f, "send to {target}: {}", describe(source)),
            Error::ReadingStdin(e) => write!(f, "reading stdin: {}", describe(e)),
            Error::LineTooLong { len, target, max } => write!(
                f,
                "a line of {len}+ bytes does not fit in one datagram to {target} (at most {max}); nothing was cut, the rest is not sent"
            ),
            Error::WritingStdout(e) => write!(f, "writing stdout: {}", describe(e)),
            Error::Receive(e) => write!(f, "receive: {}", describe(e)),
            Error::AllClosed(groups) => {
                let list: Vec<String> = groups.iter().map(ProbeGroup::to_string).collect();
                write!(f, "closed (port unreachable): {}", list.join("; "))
            }
            Error::ReceiveFrom { target, source } => write!(f, "receive from {target}: {}", describe(source)),
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
            Error::Access(e) => Some(e),
            Error::SendDenied { source, .. } | Error::Join { source, .. } | Error::SocketOption { source, .. } => {
                Some(source)
            }
            Error::JoinHost(_) | Error::NoIface(_) | Error::IfaceFamily { .. } => None,
            Error::UnixUnsupported | Error::UnixWords(_) | Error::AccessUnix => None,
            Error::BindSender { source: e, .. }
            | Error::Setup(e)
            | Error::ReadingStdin(e)
            | Error::WritingStdout(e)
            | Error::Receive(e)
            | Error::NoListener { source: e, .. }
            | Error::Send { source: e, .. }
            | Error::ReceiveFrom { source: e, .. } => Some(e),
            Error::PortZero(_)
            | Error::ChunkTooLarge { .. }
            | Error::LineTooLong { .. }
            | Error::NoSourceAddress { .. }
            | Error::AllClosed(_) => None,
        }
    }
}

/// The exit status for `error`: 2 when the command line asked for
/// something that cannot be, 1 for everything the network, the system or
/// the input did.
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Address(e) | Error::Listen(BindOrAddrError::Addr(e)) if e.is_typing() => EXIT_USAGE,
        Error::Usage(_)
        | Error::PortZero(_)
        | Error::ChunkTooLarge { .. }
        | Error::UnixUnsupported
        | Error::UnixWords(_)
        | Error::Access(_)
        | Error::AccessUnix
        | Error::JoinHost(_) => EXIT_USAGE,
        #[cfg(unix)]
        Error::Unix(shared::net::unix::UnixError::NoAbstract(_)) => EXIT_USAGE,
        _ => EXIT_NETWORK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(kind: io::ErrorKind) -> io::Error {
        io::Error::from(kind)
    }

    #[test]
    fn exit_code_and_message_table() {
        let target = || "127.0.0.1:9".to_string();
        let resolve = || AddrError::Resolve { host: "nowhere.invalid".into(), source: os(io::ErrorKind::NotFound) };
        let cases: Vec<(Error, u8, &str)> = vec![
            (Error::Address(AddrError::MissingPort("h".into())), 2, "`h`: missing port, expected HOST:PORT"),
            (Error::Address(resolve()), 1, "cannot resolve `nowhere.invalid`: entity not found"),
            (Error::Usage(WordsError::NoListenPort), 2, "-l needs a port: -l PORT, or -l -p PORT"),
            (
                Error::BindSender { local: "127.0.0.1:53".parse().unwrap(), source: os(io::ErrorKind::AddrInUse) },
                1,
                "cannot send from 127.0.0.1:53: address in use",
            ),
            (
                Error::NoSourceAddress { source_host: "::1".into(), target: target() },
                1,
                "`::1` has no address of 127.0.0.1:9's family to send from",
            ),
            (Error::Setup(os(io::ErrorKind::PermissionDenied)), 1, "socket: permission denied"),
            (Error::PortZero(HostPort { host: "h".into(), port: 0 }), 2, "h:0: cannot send to port 0"),
            (
                Error::ChunkTooLarge { chunk: 65_508, target: target(), max: 65_507 },
                2,
                "--chunk 65508 is more than one datagram to 127.0.0.1:9 can hold (65507)",
            ),
            (Error::Listen(BindOrAddrError::Addr(resolve())), 1, "cannot resolve `nowhere.invalid`: entity not found"),
            (
                Error::NoListener { target: target(), source: os(io::ErrorKind::ConnectionRefused) },
                1,
                "no one is listening on 127.0.0.1:9",
            ),
            (
                Error::Send { target: target(), source: os(io::ErrorKind::PermissionDenied) },
                1,
                "send to 127.0.0.1:9: permission denied",
            ),
            (
                Error::LineTooLong { len: 65_508, target: target(), max: 65_507 },
                1,
                "a line of 65508+ bytes does not fit in one datagram to 127.0.0.1:9 (at most 65507); nothing was cut, the rest is not sent",
            ),
            (Error::Receive(os(io::ErrorKind::ConnectionReset)), 1, "receive: connection reset by peer"),
            (
                Error::AllClosed(vec![ProbeGroup { host: "::1".into(), ranges: vec![(53, 53), (100, 110)] }]),
                1,
                "closed (port unreachable): [::1] 53,100-110",
            ),
            (
                Error::ReceiveFrom { target: target(), source: os(io::ErrorKind::ConnectionReset) },
                1,
                "receive from 127.0.0.1:9: connection reset by peer",
            ),
        ];
        for (error, code, message) in &cases {
            assert_eq!((exit_code(error), error.to_string().as_str()), (*code, *message), "{error:?}");
        }
    }

    #[test]
    fn the_error_underneath_is_kept() {
        use std::error::Error as _;
        let e = Error::NoListener { target: "h:1".into(), source: os(io::ErrorKind::ConnectionRefused) };
        let inner = e.source().and_then(|s| s.downcast_ref::<io::Error>()).map(io::Error::kind);
        assert_eq!(inner, Some(io::ErrorKind::ConnectionRefused));
    }
}
