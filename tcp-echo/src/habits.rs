//! What people bring from nc, ncat and socat to tcp-echo: options that
//! are not ours get one line saying what to use here (or that it is not
//! supported), socat's address words get their tcp-echo spelling, and
//! every other parse error is one line too, without clap's `-- -p` tip
//! (which only misleads: nobody means `-p` as an address). The reading is
//! `shared::habits`'; the lines are tcp-echo's.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};
use shared::habits::{Foreign, first_line, socat_keyword, unknown_option};

use crate::cli::Cli;

/// Options of nc, ncat (and of udp-echo) that tcp-echo does not have, and
/// the line each gets.
const FOREIGN: &[Foreign] = &[
    (&["-u", "--udp"], "use udp-echo for UDP"),
    (&["-b"], "broadcast is UDP's: use udp-echo -b"),
    (&["--lua-exec"], "Lua scripts are not supported"),
    (&["--ssl-ciphers"], "not supported: rustls's safe defaults are used (TLS 1.2 and 1.3)"),
    (&["-P"], "use --proxy-auth USER:PASS"),
    (&["--proxy-dns"], "the proxy always resolves the target's name here (SOCKS5, SOCKS4a, HTTP CONNECT)"),
    (&["--allowfile", "--denyfile"], "files of hosts are not supported: give --allow CIDR or --deny CIDR for each"),
    (&["-m", "--max-conns"], "use --max-clients N with --echo (nc's -m, a minimum TTL, is not supported)"),
    (&["-t", "--telnet"], "Telnet negotiation is not supported"),
    (
        &["-o", "--output", "--hex-dump", "--append-output"],
        "redirect stdout instead: tcp-echo HOST PORT > FILE (-x here is nc's proxy, not ncat's hex dump)",
    ),
    (&["--send-only"], "not supported: to discard what arrives, redirect stdout to /dev/null"),
    (&["--delay"], "a delay between reads is not supported (-d here never reads stdin, as in nc)"),
    (&["--broker", "--chat"], "ncat's broker and chat modes are not supported"),
    (&["-D"], "the debug socket option is not supported; -v says what happens"),
    (&["-F"], "passing the socket to another program is not supported"),
    (&["-I", "-O"], "socket buffer sizes are not supported"),
    (&["-M"], "setting the TTL is not supported"),
    (&["-r"], "probing ports in random order is not supported"),
    (&["-S"], "TCP MD5 signatures are not supported"),
    (&["-T"], "setting the TOS is not supported"),
    (&["-V"], "routing tables are not supported"),
    (&["-W"], "nc's -W (stop after N packets) is not supported"),
    (&["-g", "-G"], "source routing is not supported"),
    (&["-Z", "--sctp", "--vsock"], "tcp-echo speaks TCP only"),
    (&["--chunk", "--count", "--join", "--ttl", "--iface"], "that is a udp-echo option"),
];

/// A command line that does not parse: the one line to print (without the
/// `tcp-echo: ` prefix), or what `--help`, `--version` and `--generate` show.
#[derive(Debug)]
pub enum Refusal {
    /// Print this to stdout and exit 0.
    Shown(String),
    /// Print `tcp-echo: LINE` to stderr and exit 2.
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
    let runs_program = cli.exec.is_some() || cli.shell.is_some();
    if cli.max_clients.is_some() && !(cli.echo || (cli.listen && cli.keep_open && runs_program)) {
        return Err(Refusal::Usage("--max-clients goes with -l --echo, or with -l -k and -e or -c".into()));
    }
    if cli.wait.is_some() && !cli.zero_io {
        return Err(Refusal::Usage(
            "--wait goes with -z, to wait for ports to open (ncat's --wait, a connect timeout, is -w here)".into(),
        ));
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
                return Refusal::Usage(unknown_option("tcp-echo", flag, suggested, FOREIGN));
            }
        }
        _ => {}
    }
    Refusal::Usage(first_line(&e.render().to_string()))
}

/// For a word in socat's address syntax, the line that says so and how
/// tcp-echo says it.
pub fn socat_word(word: &str) -> Option<String> {
    let keyword = socat_keyword(word)?;
    let here = match keyword.as_str() {
        "TCP" | "TCP4" | "TCP6" | "TCP-CONNECT" => "tcp-echo HOST PORT",
        "TCP-LISTEN" | "TCP-L" | "TCP4-LISTEN" | "TCP6-LISTEN" => "tcp-echo -l PORT (-k for more clients)",
        "UNIX" | "UNIX-CONNECT" | "UNIX-CLIENT" => "tcp-echo -U PATH",
        "UNIX-LISTEN" | "UNIX-L" => "tcp-echo -l -U PATH",
        "ABSTRACT-CONNECT" => "tcp-echo -U @NAME",
        "ABSTRACT-LISTEN" => "tcp-echo -l -U @NAME",
        "UNIX-SENDTO" | "UNIX-RECVFROM" | "UNIX-RECV" | "ABSTRACT-SENDTO" | "ABSTRACT-RECVFROM" => {
            "udp-echo -U PATH, or udp-echo -l -U PATH"
        }
        k if k.starts_with("UDP") => "udp-echo HOST PORT, or udp-echo -l PORT",
        "-" | "STDIO" | "STDIN" | "STDOUT" | "STDERR" => "stdin and stdout are always one end; name only the other",
        "EXEC" => "-e 'PROGRAM ARGS' (no shell)",
        "SYSTEM" => "-c 'SHELL COMMAND'",
        "OPENSSL" | "OPENSSL-CONNECT" | "SSL" => "tcp-echo --tls HOST PORT (the certificate checked)",
        "OPENSSL-LISTEN" | "SSL-L" => "tcp-echo -l --tls PORT (--tls-cert/--tls-key, or a certificate made now)",
        "SOCKS4" | "SOCKS4A" => "tcp-echo -x PROXY:PORT -X 4 HOST PORT",
        "SOCKS5" => "tcp-echo -x PROXY:PORT -X 5 HOST PORT",
        "PROXY" | "PROXY-CONNECT" => "tcp-echo -x PROXY:PORT -X connect HOST PORT",
        _ => "see the table \"coming from nc, ncat or socat\" in the README",
    };
    Some(format!("`{word}` is socat's address syntax; here: {here}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(args: &[&str]) -> String {
        match parse(std::iter::once("tcp-echo").chain(args.iter().copied())) {
            Err(Refusal::Usage(l)) => l,
            other => panic!("{args:?}: expected a usage line, got {other:?}"),
        }
    }

    #[test]
    fn foreign_and_unknown_options_table() {
        let cases: &[(&[&str], &str)] = &[
            (&["-u", "host", "53"], "-u: use udp-echo for UDP"),
            (&["-lu", "9000"], "-u: use udp-echo for UDP"),
            (&["--udp", "host", "53"], "--udp: use udp-echo for UDP"),
            (
                &["--ssl-ciphers=ALL", "--tls", "h", "1"],
                "--ssl-ciphers: not supported: rustls's safe defaults are used (TLS 1.2 and 1.3)",
            ),
            (
                &["-m", "5", "-l", "9000"],
                "-m: use --max-clients N with --echo (nc's -m, a minimum TTL, is not supported)",
            ),
            (
                &["--wait", "5", "host", "80"],
                "--wait goes with -z, to wait for ports to open (ncat's --wait, a connect timeout, is -w here)",
            ),
            (&["--chunk", "5", "host:1"], "--chunk: that is a udp-echo option"),
            (&["--bogus", "host:1"], "unknown option `--bogus` (see tcp-echo --help)"),
            (&["--listne", "9000"], "unknown option `--listne`; did you mean `--listen`? (see tcp-echo --help)"),
        ];
        for (args, want) in cases {
            let got = line(args);
            assert_eq!(got, *want, "{args:?}");
            assert!(!got.contains("-- "), "no clap tip: {got}");
        }
    }

    #[test]
    fn other_parse_errors_are_one_line() {
        let got = line(&["-w", "soon", "host:1"]);
        assert!(got.starts_with("invalid value 'soon' for '--timeout <DURATION>'"), "{got}");
        assert!(!got.contains('\n'));
        let got = line(&["-z", "-l", "9000"]);
        assert!(got.contains("cannot be used with"), "{got}");
    }

    #[test]
    fn socat_words_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("TCP:example.org:80", Some("`TCP:example.org:80` is socat's address syntax; here: tcp-echo HOST PORT")),
            (
                "tcp-listen:9000",
                Some("`tcp-listen:9000` is socat's address syntax; here: tcp-echo -l PORT (-k for more clients)"),
            ),
            ("UDP:h:53", Some("`UDP:h:53` is socat's address syntax; here: udp-echo HOST PORT, or udp-echo -l PORT")),
            ("UNIX-CONNECT:/run/x", Some("`UNIX-CONNECT:/run/x` is socat's address syntax; here: tcp-echo -U PATH")),
            (
                "-",
                Some("`-` is socat's address syntax; here: stdin and stdout are always one end; name only the other"),
            ),
            ("example.org:80", None),
            ("tcp.example.org:80", None),
            ("9000", None),
        ];
        for (word, want) in cases {
            assert_eq!(socat_word(word).as_deref(), *want, "{word}");
        }
    }

    #[test]
    fn help_and_version_are_shown() {
        for flag in ["--help", "--version"] {
            assert!(matches!(parse(["tcp-echo", flag]), Err(Refusal::Shown(_))), "{flag}");
        }
    }

    #[test]
    fn generate_goes_alone_without_an_address() {
        match parse(["tcp-echo", "--generate", "man"]) {
            Err(Refusal::Shown(page)) => assert!(page.contains(".SH \"EXIT STATUS\""), "{page}"),
            other => panic!("{other:?}"),
        }
        assert!(line(&["--generate", "bash", "-l", "9000"]).contains("cannot be used with"));
    }
}
