//! What people bring from nc, ncat and socat to udp-echo: options that
//! are not ours get one line saying what to use here (or that it is not
//! supported), socat's address words get their udp-echo spelling, and
//! every other parse error is one line too, without clap's `-- -p` tip.
//! The reading is `shared::habits`'; the lines are udp-echo's.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};
use shared::habits::{Foreign, first_line, socat_keyword, unknown_option};

use crate::cli::Cli;

/// Options of nc, ncat (and of tcp-echo) that udp-echo does not have, and
/// the line each gets.
const FOREIGN: &[Foreign] = &[
    (&["-e", "--exec", "-c", "--sh-exec", "--lua-exec"], "running a program is not supported for UDP"),
    (
        &[
            "--ssl",
            "--tls",
            "--ssl-cert",
            "--ssl-key",
            "--ssl-verify",
            "--ssl-trustfile",
            "--ssl-ciphers",
            "--ssl-servername",
            "--ssl-alpn",
        ],
        "udp-echo has no TLS (DTLS is not supported)",
    ),
    (
        &["-x", "-X", "-P", "--proxy", "--proxy-type", "--proxy-auth", "--proxy-dns"],
        "proxies are not supported for UDP (ncat's -x, a hex dump, is not supported either)",
    ),
    (&["--allowfile", "--denyfile"], "files of hosts are not supported: give --allow CIDR or --deny CIDR for each"),
    (&["-M"], "use --ttl N"),
    (&["-W"], "use --count N with -l: exit after N datagrams"),
    (&["-q", "--quit-after"], "use -w DURATION: how long to wait for replies after stdin ends"),
    (
        &["-i", "--idle-timeout", "--timeout"],
        "use -w DURATION: how long to wait for replies after stdin ends (nc's -i, a pause between lines, is not supported)",
    ),
    (&["-C", "--crlf"], "lines are sent as they are; CRLF conversion is not supported"),
    (&["-d", "--recv-only"], "to receive only, use -l"),
    (&["--send-only"], "not supported: to discard replies, use -w 0 or redirect stdout to /dev/null"),
    (&["-N", "--no-shutdown"], "UDP has no half-close: nothing to ask for"),
    (&["-m", "--max-conns", "--max-clients"], "UDP has no connections to count: the receiver answers every sender"),
    (&["-t", "--telnet"], "Telnet negotiation is not supported"),
    (&["-o", "--output", "--hex-dump", "--append-output"], "redirect stdout instead: udp-echo -l PORT > FILE"),
    (&["--delay"], "a delay between datagrams is not supported"),
    (&["--broker", "--chat"], "ncat's broker and chat modes are not supported"),
    (&["-D"], "the debug socket option is not supported; -v says what happens"),
    (&["-F"], "passing the socket to another program is not supported"),
    (&["-I", "-O"], "socket buffer sizes are not supported"),
    (&["-r"], "random port order is not supported"),
    (&["-S"], "TCP MD5 signatures are not supported"),
    (&["-T"], "setting the TOS is not supported"),
    (&["-V"], "routing tables are not supported"),
    (&["-g", "-G"], "source routing is not supported"),
    (&["-Z", "--sctp", "--vsock"], "udp-echo speaks UDP only"),
];

/// A command line that does not parse: the one line to print (without the
/// `udp-echo: ` prefix), or what `--help`, `--version` and `--generate` show.
#[derive(Debug)]
pub enum Refusal {
    /// Print this to stdout and exit 0.
    Shown(String),
    /// Print `udp-echo: LINE` to stderr and exit 2.
    Usage(String),
}

/// Parses the command line, or says in one line why it does not parse.
pub fn parse<I, T>(args: I) -> Result<Cli, Refusal>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args).map_err(refusal)?;
    if let Some(kind) = cli.generate {
        return Err(Refusal::Shown(shared::generate::generate(kind, Cli::command(), &crate::cli::GUIDE)));
    }
    if let Some(hint) = cli.args.iter().find_map(|w| socat_word(w)) {
        return Err(Refusal::Usage(hint));
    }
    Ok(cli)
}

fn refusal(e: clap::Error) -> Refusal {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return Refusal::Shown(e.render().to_string()),
        ErrorKind::UnknownArgument => {
            if let Some(ContextValue::String(flag)) = e.get(ContextKind::InvalidArg) {
                let suggested = match e.get(ContextKind::SuggestedArg) {
                    Some(ContextValue::String(s)) => Some(s.as_str()),
                    _ => None,
                };
                return Refusal::Usage(unknown_option("udp-echo", flag, suggested, FOREIGN));
            }
        }
        _ => {}
    }
    Refusal::Usage(first_line(&e.render().to_string()))
}

/// For a word in socat's address syntax, the line that says so and how
/// udp-echo says it.
pub fn socat_word(word: &str) -> Option<String> {
    let keyword = socat_keyword(word)?;
    let here = match keyword.as_str() {
        "UDP" | "UDP4" | "UDP6" | "UDP-CONNECT" | "UDP-SENDTO" | "UDP-DATAGRAM" => "udp-echo HOST PORT",
        "UDP-LISTEN" | "UDP-L" | "UDP4-LISTEN" | "UDP6-LISTEN" | "UDP-RECVFROM" | "UDP-RECV" => {
            "udp-echo -l PORT (--echo to answer with each datagram)"
        }
        "UNIX-SENDTO" | "UNIX-CLIENT" | "ABSTRACT-SENDTO" => "udp-echo -U PATH (@NAME for an abstract one)",
        "UNIX-RECVFROM" | "UNIX-RECV" | "ABSTRACT-RECVFROM" => "udp-echo -l -U PATH (--echo to answer)",
        "UNIX" | "UNIX-CONNECT" | "UNIX-LISTEN" | "UNIX-L" | "ABSTRACT-CONNECT" | "ABSTRACT-LISTEN" => {
            "Unix stream sockets are tcp-echo's: tcp-echo -U PATH"
        }
        k if k.starts_with("TCP") => "tcp-echo HOST PORT, or tcp-echo -l PORT",
        "-" | "STDIO" | "STDIN" | "STDOUT" | "STDERR" => "stdin and stdout are always one end; name only the other",
        _ => "see the table \"coming from nc, ncat or socat\" in the README",
    };
    Some(format!("`{word}` is socat's address syntax; here: {here}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(args: &[&str]) -> String {
        match parse(std::iter::once("udp-echo").chain(args.iter().copied())) {
            Err(Refusal::Usage(l)) => l,
            other => panic!("{args:?}: expected a usage line, got {other:?}"),
        }
    }

    #[test]
    fn foreign_and_unknown_options_table() {
        let cases: &[(&[&str], &str)] = &[
            (&["-e", "/bin/cat", "-l", "9000"], "-e: running a program is not supported for UDP"),
            (&["-W", "5", "-l", "9000"], "-W: use --count N with -l: exit after N datagrams"),
            (&["-q", "1", "h", "53"], "-q: use -w DURATION: how long to wait for replies after stdin ends"),
            (&["--bogus", "h:1"], "unknown option `--bogus` (see udp-echo --help)"),
            (&["--ech", "-l", "1"], "unknown option `--ech`; did you mean `--echo`? (see udp-echo --help)"),
            (&["UDP:h:53"], "`UDP:h:53` is socat's address syntax; here: udp-echo HOST PORT"),
            (
                &["TCP-LISTEN:80"],
                "`TCP-LISTEN:80` is socat's address syntax; here: tcp-echo HOST PORT, or tcp-echo -l PORT",
            ),
        ];
        for (args, want) in cases {
            let got = line(args);
            assert_eq!(got, *want, "{args:?}");
            assert!(!got.contains("-- "), "no clap tip: {got}");
        }
        let got = line(&["-w", "soon", "h:1"]);
        assert!(got.starts_with("invalid value 'soon' for '--wait <DURATION>'") && !got.contains('\n'), "{got}");
    }

    #[test]
    fn netcat_flags_that_mean_nothing_here_are_accepted() {
        for args in [&["-u", "h", "53"][..], &["-ulk", "9000"]] {
            assert!(parse(std::iter::once("udp-echo").chain(args.iter().copied())).is_ok(), "{args:?}");
        }
    }
}
