//! The command line: modes and options (the doc comments are the `--help`
//! text). Which words mean what is `shared::net::words`' (the same in
//! udp-echo); options brought from nc, ncat and socat are
//! [`crate::habits`]'.

use std::time::Duration;

use clap::Parser;
use shared::generate::{Guide, Kind, KindParser};
use shared::net::addr::Family;
use shared::net::words::Words;

/// The examples, notes and exit statuses: `--help` shows them after the
/// options, and they are the manual page's last sections.
pub const GUIDE: Guide = Guide {
    examples: &[
        ("tar c dir | tcp-echo backup-host 9000", "connect: send a stream, wait for the peer to finish"),
        ("tcp-echo -l 9000 > backup.tar", "listen: receive one connection's stream (also -lp 9000)"),
        ("tcp-echo -l -k 9000 < motd.txt", "listen for one client after another"),
        ("tcp-echo -l --echo 7007", "an echo service (RFC 862) for many clients"),
        ("tcp-echo -U /run/docker.sock", "a Unix socket (-l -U PATH to listen on one)"),
        ("tcp-echo -l -k 9000 -e 'sort -r'", "run a program per connection, its stdin and stdout the socket"),
        (
            "tcp-echo -x proxy:1080 -X 5 host 22",
            "through a SOCKS5 proxy (ssh -o ProxyCommand='tcp-echo -x proxy:1080 %h %p')",
        ),
        ("tcp-echo --tls example.org 443", "TLS, the certificate checked (-l --tls: a certificate made now)"),
        ("tcp-echo -z example.org 20-25", "probe: which ports are open"),
        ("tcp-echo -z --wait 30s db 5432 cache 6379", "wait until both ports answer (exit 1 after 30 s)"),
    ],
    notes: &[(
        "Where an option means something else in nc or ncat",
        "  -C  as in nc and ncat: every LF not already after a CR is sent as CRLF
  -d  as in nc: stdin is never read (ncat's -d is a delay between reads: not supported)
  -i  as in ncat: an idle timeout, the same as -w here (nc's -i, a pause
      between lines, is not supported); a bare number is seconds
  -q  as in nc: after stdin ends, wait at most this long for the peer; but
      the half-close is sent at stdin's end whatever -q says (nc sends it
      only with -N), and without -q the wait ends when the peer finishes
      (nc's waits for ever); ncat has no -q
  -w  connect timeout and idle timeout (ncat's -w is the connect timeout
      only; nc's also ends the last reads)
  -p  with -l the port to listen on, else the local port to connect from (as nc)
  -x  nc's proxy (ncat's -x, a hex dump, is not supported); SOCKS5 by default
      as in nc, where ncat's --proxy is HTTP
  -U  takes the socket's path as its value (nc and ncat take it as the address)
  -N  accepted and ignored: the half-close is the default (ncat's too)",
    )],
    exit_status: &[
        ("0", "success: both directions finished (or -q ran out); -z: a port is open; -z --wait: every port is open"),
        (
            "N",
            "with -e/-c on one connection: the program's exit status, once it ran (what went wrong with the \
             connection meanwhile is said in a line)",
        ),
        (
            "1",
            "network trouble: refused, unreachable, resolve failure, timeout, reset, a proxy's refusal, a \
             certificate not trusted, an end without close_notify; a Unix socket path already served by a live \
             listener; a program that cannot be started; -z: no port open; -z --wait: a port still closed. One \
             line on stderr names the address and the cause",
        ),
        (
            "2",
            "bad usage: one line on stderr (::1:80 without brackets, port 65536, a name with -n, an option \
             tcp-echo does not have, -U on Windows or @name off Linux, a TLS file that cannot be read, --tls in a \
             build without TLS)",
        ),
    ],
};

/// A netcat-style TCP client and server: pipes stdin and stdout through a
/// socket, with half-close done right.
#[derive(Debug, Parser)]
#[command(name = "tcp-echo", version, after_help = GUIDE.after_help())]
pub struct Cli {
    /// HOST PORT or HOST:PORT to connect to; with -l, [ADDR] PORT or
    /// [ADDR:]PORT to listen on; with -z, HOST PORT[-PORT].
    #[arg(value_name = "ADDRESS")]
    pub args: Vec<String>,

    /// Listen for a connection instead of connecting.
    #[arg(short, long)]
    pub listen: bool,

    /// With -l: after a client ends, accept the next one.
    #[arg(short, long, requires = "listen")]
    pub keep_open: bool,

    /// With -l: be an echo service (RFC 862) for many clients at once; stdin
    /// is not read.
    #[arg(long, requires = "listen")]
    pub echo: bool,

    /// With --echo, or -l -k with -e/-c: most clients at once (default
    /// 64); more are closed at once.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_clients: Option<u32>,

    /// Run PROGRAM on the connection: it becomes the program's stdin and
    /// stdout (stderr stays here). The value is split on whitespace into
    /// the program and its arguments, no shell. With -l -k, a program per
    /// connection, at once. The exit status is the program's.
    #[arg(short = 'e', long = "exec", value_name = "PROGRAM", conflicts_with_all = ["echo", "zero_io", "no_stdin", "crlf", "quit_after", "no_shutdown"])]
    pub exec: Option<String>,

    /// As -e, a shell command run with /bin/sh -c (cmd.exe /C on Windows).
    #[arg(short = 'c', long = "sh-exec", value_name = "COMMAND", conflicts_with_all = ["exec", "echo", "zero_io", "no_stdin", "crlf", "quit_after", "no_shutdown"])]
    pub shell: Option<String>,

    /// Probe: report which ports accept a connection, send nothing (HOST
    /// PORT[-PORT]..., several hosts in a row).
    #[arg(short = 'z', conflicts_with_all = ["listen", "no_stdin", "port", "source"])]
    pub zero_io: bool,

    /// With -z: try again until every port given is open, or until this
    /// long has passed (then exit 1 with a line per port still closed).
    #[arg(long, value_name = "DURATION", value_parser = shared::seconds::positive)]
    pub wait: Option<Duration>,

    /// With -l: the port to listen on (nc's -l -p PORT); when connecting,
    /// the local port to connect from.
    #[arg(short = 'p', long = "port", visible_alias = "source-port", value_name = "PORT", value_parser = shared::net::parse_port)]
    pub port: Option<u16>,

    /// With -l: the address to listen on; when connecting, the local
    /// address to connect from.
    #[arg(short = 's', long = "source", value_name = "ADDR")]
    pub source: Option<String>,

    /// A Unix stream socket instead of TCP: the path to connect to or
    /// listen on (@name: a Linux abstract name). Not on Windows.
    #[arg(short = 'U', long = "unixsock", value_name = "PATH", conflicts_with_all = ["port", "source", "numeric", "ipv4", "ipv6"])]
    pub unix: Option<std::path::PathBuf>,

    /// Connect through the proxy at HOST[:PORT] (SOCKS5 unless -X says
    /// otherwise, as in nc; ncat's --proxy is HTTP unless told: add -X
    /// connect). The proxy resolves the target's name.
    #[arg(short = 'x', long = "proxy", value_name = "HOST[:PORT]", conflicts_with_all = ["listen", "zero_io", "unix"])]
    pub proxy: Option<String>,

    /// The proxy's protocol: 5 (SOCKS5, the default; port 1080), 4 (SOCKS4a;
    /// 1080) or connect (HTTP CONNECT; 3128). socks5, socks4 and http too.
    #[arg(short = 'X', long = "proxy-type", value_name = "5|4|connect", requires = "proxy", value_parser = proxy_kind)]
    pub proxy_type: Option<ProxyKind>,

    /// USER:PASS for the proxy (SOCKS5 user and password, HTTP Basic; SOCKS4a
    /// sends the user only).
    #[arg(long = "proxy-auth", value_name = "USER:PASS", requires = "proxy")]
    pub proxy_auth: Option<String>,

    /// TLS on the connection. A client checks the server's certificate
    /// (the system's roots, or --tls-ca) and name, sends SNI for a name; a
    /// listener serves --tls-cert/--tls-key, or a certificate made now for
    /// localhost and its addresses, and prints its SHA-256 fingerprint.
    /// The end of each direction is TLS's close_notify; one closed without
    /// it is exit 1 once its data is out.
    #[arg(long = "tls", visible_alias = "ssl", conflicts_with = "zero_io")]
    pub tls: bool,

    /// With --tls: trust the certificates in this PEM file instead of the
    /// system's store (also ncat's --ssl-trustfile).
    #[arg(long = "tls-ca", alias = "ssl-trustfile", value_name = "FILE", requires = "tls")]
    pub tls_ca: Option<std::path::PathBuf>,

    /// With --tls: do not check the server's certificate (its signatures are
    /// still checked).
    #[arg(long = "tls-insecure", requires = "tls")]
    pub tls_insecure: bool,

    /// With --tls: the name to send (SNI) and check the certificate
    /// against, instead of the host connected to.
    #[arg(long = "tls-server-name", alias = "ssl-servername", value_name = "NAME", requires = "tls")]
    pub tls_server_name: Option<String>,

    /// With --tls: protocols to offer or accept by ALPN, comma-separated,
    /// most preferred first (h2,http/1.1).
    #[arg(long = "tls-alpn", alias = "ssl-alpn", value_name = "LIST", requires = "tls")]
    pub tls_alpn: Option<String>,

    /// With --tls -l: the certificate chain to serve (PEM); with --tls-key.
    #[arg(long = "tls-cert", alias = "ssl-cert", value_name = "FILE", requires_all = ["tls", "tls_key", "listen"])]
    pub tls_cert: Option<std::path::PathBuf>,

    /// With --tls -l: the certificate's private key (PEM).
    #[arg(long = "tls-key", alias = "ssl-key", value_name = "FILE", requires_all = ["tls", "tls_cert", "listen"])]
    pub tls_key: Option<std::path::PathBuf>,

    /// Accepted for ncat habits: checking certificates is the default.
    #[arg(long = "ssl-verify", hide = true)]
    pub ssl_verify: bool,

    /// Numeric addresses only: a host name is a usage error, nothing is
    /// looked up.
    #[arg(short = 'n', long = "nodns")]
    pub numeric: bool,

    /// With -l: admit only peers in this address or CIDR block
    /// (10.0.0.0/8, fe80::/10); repeatable. Others are closed at once.
    #[arg(long, value_name = "CIDR", requires = "listen")]
    pub allow: Vec<String>,

    /// With -l: refuse peers in this address or CIDR block, whatever
    /// --allow says; repeatable.
    #[arg(long, value_name = "CIDR", requires = "listen")]
    pub deny: Vec<String>,

    /// Connect timeout, and idle timeout: no byte either way for this long
    /// ends with exit 1 (3, 500ms, 1m; a bare number is seconds). -i is the
    /// same (ncat's idle timeout).
    #[arg(
        short = 'w',
        long = "timeout",
        short_alias = 'i',
        alias = "idle-timeout",
        value_name = "DURATION",
        value_parser = shared::seconds::positive
    )]
    pub timeout: Option<Duration>,

    /// After stdin ends, wait at most this long for the peer to finish,
    /// then exit 0.
    #[arg(short = 'q', long = "quit-after", value_name = "DURATION", value_parser = shared::seconds::zero_or_more)]
    pub quit_after: Option<Duration>,

    /// Never read stdin (receive only; nc's -d, ncat's --recv-only).
    #[arg(short = 'd', long, visible_alias = "recv-only")]
    pub no_stdin: bool,

    /// Do not half-close the connection when stdin ends (for peers that
    /// take a half-close as a hang-up).
    #[arg(long)]
    pub no_shutdown: bool,

    /// Accepted for netcat habits; half-close on stdin end is the default.
    #[arg(short = 'N', hide = true)]
    pub netcat_n: bool,

    /// Send line ends as CRLF (for SMTP or HTTP by hand).
    #[arg(short = 'C', long)]
    pub crlf: bool,

    /// IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,

    /// Say what happens on stderr: addresses, and byte counts at the end.
    #[arg(short, long)]
    pub verbose: bool,

    /// Print the manual page or a shell's completion script, and exit.
    #[arg(long, value_name = "KIND", value_parser = KindParser, exclusive = true, hide_short_help = true,
          long_help = shared::generate::HELP)]
    pub generate: Option<Kind>,
    /// Show each socket call on stderr as it happens (socket, bind,
    /// listen, accept, connect, send, recv, shutdown, close), with its
    /// real values; bulk transfers are summarised.
    #[arg(long)]
    pub trace: bool,
}

/// A proxy's protocol, as `-X` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS5; the proxy resolves names.
    Socks5,
    /// SOCKS4a (plain SOCKS4 for an IPv4 address).
    Socks4a,
    /// HTTP CONNECT.
    Connect,
}

impl ProxyKind {
    /// The port a proxy of this kind listens on when none is given.
    pub fn default_port(self) -> u16 {
        match self {
            ProxyKind::Socks5 | ProxyKind::Socks4a => 1080,
            ProxyKind::Connect => 3128,
        }
    }
}

/// `-X`'s value: nc's `5`, `4`, `connect`, or ncat's `socks5`, `socks4`, `http`.
fn proxy_kind(s: &str) -> Result<ProxyKind, String> {
    match s.to_ascii_lowercase().as_str() {
        "5" | "socks5" | "socks5h" => Ok(ProxyKind::Socks5),
        "4" | "4a" | "socks4" | "socks4a" => Ok(ProxyKind::Socks4a),
        "connect" | "http" => Ok(ProxyKind::Connect),
        _ => Err("expected 5, 4 or connect".to_string()),
    }
}

impl Cli {
    /// The address family asked for.
    pub fn family(&self) -> Family {
        Family::from_flags(self.ipv4, self.ipv6)
    }

    /// The address parts: the words, `-p`, `-s` and `-n`.
    pub fn words(&self) -> Words<'_> {
        Words { words: &self.args, port: self.port, source: self.source.as_deref(), numeric: self.numeric }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = |args: &[&str]| Cli::try_parse_from(std::iter::once("tcp-echo").chain(args.iter().copied())).is_ok();
        let cases: &[(&[&str], bool)] = &[
            (&["host:80"], true),
            (&["host", "80"], true),
            (&["-l", "9000"], true),
            (&["-lp", "9000"], true),
            (&["-l", "-p", "9000", "-s", "127.0.0.1"], true),
            (&["-l", "-k", "9000"], true),
            (&["-k", "host:80"], false),
            (&["--echo", "host:80"], false),
            (&["-l", "--echo", "--max-clients", "0", "9000"], false),
            (&["-l", "-k", "-e", "cat -n", "9000"], true),
            (&["-c", "sort", "host", "80"], true),
            (&["-e", "cat", "-c", "cat", "host", "80"], false),
            (&["-l", "--echo", "-e", "cat", "9000"], false),
            (&["-z", "host", "20-25"], true),
            (&["-z", "--wait", "5", "db", "5432", "web:80"], true),
            (&["-z", "--wait", "0", "db", "5432"], false),
            (&["-z", "-l", "9000"], false),
            (&["-w", "300ms", "host:80"], true),
            (&["-w", "3", "host:80"], true),
            (&["-i", "2.5", "host:80"], true),
            (&["-w", "3", "-i", "3", "host:80"], false),
            (&["-w", "0s", "host:80"], false),
            (&["-q", "0", "host:80"], true),
            (&["-p", "65536", "host:80"], false),
            (&["-n", "-s", "10.0.0.1", "-p", "4000", "10.0.0.2", "80"], true),
            (&["-4", "-6", "host:80"], false),
            (&["-U", "/tmp/s"], true),
            (&["-lU", "/tmp/s"], true),
            (&["-U", "/tmp/s", "-p", "80"], false),
            (&["-x", "p:1080", "-X", "5", "h", "22"], true),
            (&["-x", "p", "-X", "connect", "--proxy-auth", "u:p", "h", "22"], true),
            (&["-x", "p", "-X", "6", "h", "22"], false),
            (&["-X", "5", "h", "22"], false),
            (&["-l", "-x", "p", "9000"], false),
            (&["--tls", "h", "443"], true),
            (&["--ssl", "--tls-alpn", "h2,http/1.1", "--tls-server-name", "n", "h", "443"], true),
            (&["--tls-ca", "ca.pem", "h", "443"], false),
            (&["-l", "--tls", "--tls-cert", "c.pem", "--tls-key", "k.pem", "0"], true),
            (&["-l", "--tls", "--tls-cert", "c.pem", "0"], false),
            (&["--tls", "--tls-cert", "c.pem", "--tls-key", "k.pem", "h", "443"], false),
            (&["-z", "--tls", "h", "443"], false),
            (&["-l", "--allow", "10.0.0.0/8", "--allow", "::1", "--deny", "10.0.0.5", "9000"], true),
            (&["--allow", "10.0.0.0/8", "h", "80"], false),
            (&["-N", "-C", "-d", "host:80"], true),
        ];
        for (args, want) in cases {
            assert_eq!(ok(args), *want, "{args:?}");
        }
    }
}
