//! The command line: modes, options (doc comments are the `--help` text)
//! and the checks that make a bad combination a usage error (exit 2).

use std::time::Duration;

use clap::Parser;
use shared::net::addr::Family;

const EXAMPLES: &str = "\
Examples:
  tar c dir | tcp-echo backup-host:9000          send a stream, then wait for the peer to finish
  tcp-echo -l 9000 > backup.tar                  receive one connection's stream
  tcp-echo -C mail.example.org 25                talk to a service by hand (CRLF line ends)
  tcp-echo -l --echo 7007                        an echo service (RFC 862) for many clients
  tcp-echo -z example.org 20-25                  which ports are open
  tcp-echo [::1]:9000                            IPv6

Exit status: 0 success, 1 network trouble (refused, unreachable, resolve
failure, timeout, reset; one line on stderr names the address and cause),
2 bad usage.";

/// A netcat-style TCP client and server: pipes stdin and stdout through a
/// socket, with half-close done right.
#[derive(Debug, Parser)]
#[command(name = "tcp-echo", version, after_help = EXAMPLES)]
pub struct Cli {
    /// HOST:PORT or HOST PORT to connect to; with -l, [ADDR:]PORT to listen
    /// on; with -z, HOST PORT[-PORT].
    #[arg(required = true, num_args = 1..=2, value_name = "ADDRESS")]
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

    /// With --echo: most clients at once; more are closed at once.
    #[arg(long, default_value_t = 64, value_name = "N", requires = "echo", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_clients: u32,

    /// Probe: report which ports accept a connection, send nothing.
    #[arg(short = 'z', conflicts_with_all = ["listen", "no_stdin"])]
    pub zero_io: bool,

    /// Connect timeout, and idle timeout: no byte either way for this long
    /// ends with exit 1 (e.g. 500ms, 3s).
    #[arg(short = 'w', long = "timeout", value_name = "DURATION", value_parser = shared::duration::positive)]
    pub timeout: Option<Duration>,

    /// After stdin ends, wait at most this long for the peer to finish,
    /// then exit 0.
    #[arg(short = 'q', long = "quit-after", value_name = "DURATION", value_parser = shared::duration::zero_or_more)]
    pub quit_after: Option<Duration>,

    /// Never read stdin (receive only).
    #[arg(short = 'd', long)]
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
}

impl Cli {
    /// The address family asked for.
    pub fn family(&self) -> Family {
        Family::from_flags(self.ipv4, self.ipv6)
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
            (&[], false),
            (&["a", "b", "c"], false),
            (&["-l", "9000"], true),
            (&["-l", "-k", "9000"], true),
            (&["-k", "host:80"], false),
            (&["--echo", "host:80"], false),
            (&["-l", "--echo", "--max-clients", "0", "9000"], false),
            (&["-z", "host", "20-25"], true),
            (&["-z", "-l", "9000"], false),
            (&["-w", "300ms", "host:80"], true),
            (&["-w", "0s", "host:80"], false),
            (&["-q", "0", "host:80"], true),
            (&["-4", "-6", "host:80"], false),
            (&["-N", "-C", "-d", "host:80"], true),
        ];
        for (args, want) in cases {
            assert_eq!(ok(args), *want, "{args:?}");
        }
    }
}
