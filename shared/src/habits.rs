//! What people bring from nc, ncat and socat to tcp-echo and udp-echo:
//! options one tool does not have get one line saying what to use there
//! (or that it is not supported), and a word in socat's address syntax
//! (`TCP:host:80`, `UDP-LISTEN:53`, `-`) is recognised as such rather than
//! taken for a host. Each tool keeps its own table of lines; the reading
//! is the same for both, and free of the command-line parser.

/// An option of another tool (every spelling of it) and the line it gets.
pub type Foreign = (&'static [&'static str], &'static str);

/// socat's address keywords: a word starting with one of these and a
/// colon is socat's syntax, never a host.
const SOCAT_KEYWORDS: &[&str] = &[
    "TCP",
    "TCP4",
    "TCP6",
    "TCP-CONNECT",
    "TCP-LISTEN",
    "TCP-L",
    "TCP4-LISTEN",
    "TCP6-LISTEN",
    "OPENSSL",
    "OPENSSL-CONNECT",
    "OPENSSL-LISTEN",
    "SSL",
    "SSL-L",
    "UNIX",
    "UNIX-CONNECT",
    "UNIX-LISTEN",
    "UNIX-CLIENT",
    "UNIX-L",
    "UNIX-SENDTO",
    "UNIX-RECVFROM",
    "UNIX-RECV",
    "ABSTRACT-CONNECT",
    "ABSTRACT-LISTEN",
    "ABSTRACT-SENDTO",
    "ABSTRACT-RECVFROM",
    "EXEC",
    "SYSTEM",
    "SOCKS4",
    "SOCKS4A",
    "SOCKS5",
    "PROXY",
    "PROXY-CONNECT",
    "UDP",
    "UDP4",
    "UDP6",
    "UDP-CONNECT",
    "UDP-LISTEN",
    "UDP-L",
    "UDP4-LISTEN",
    "UDP6-LISTEN",
    "UDP-SENDTO",
    "UDP-RECVFROM",
    "UDP-RECV",
    "UDP-DATAGRAM",
    "FILE",
    "OPEN",
    "CREATE",
    "GOPEN",
    "PIPE",
    "PTY",
    "READLINE",
];

/// socat's bare words for an end, without a colon.
const SOCAT_BARE: &[&str] = &["-", "STDIO", "STDIN", "STDOUT", "STDERR"];

/// The option named in a flag as a parser reports it: `--ssl-cert=FILE`
/// and `-xFOO` name the option before the value.
pub fn option_name(flag: &str) -> &str {
    match flag.split_once('=') {
        Some((name, _)) => name,
        None if !flag.starts_with("--") && flag.len() > 2 => &flag[..2],
        None => flag,
    }
}

/// The line for an option `tool` does not have: what to use there when
/// `table` knows the option, else the parser's suggestion if it made one.
///
/// ```
/// use shared::habits::unknown_option;
/// let table: &[shared::habits::Foreign] = &[(&["-u", "--udp"], "use udp-echo for UDP")];
/// assert_eq!(unknown_option("tcp-echo", "-u", None, table), "-u: use udp-echo for UDP");
/// assert_eq!(unknown_option("tcp-echo", "--lisen", Some("--listen"), table),
///            "unknown option `--lisen`; did you mean `--listen`? (see tcp-echo --help)");
/// ```
pub fn unknown_option(tool: &str, flag: &str, suggested: Option<&str>, table: &[Foreign]) -> String {
    let name = option_name(flag);
    if let Some((_, say)) = table.iter().find(|(names, _)| names.contains(&name)) {
        return format!("{name}: {say}");
    }
    match suggested {
        Some(s) => format!("unknown option `{name}`; did you mean `{s}`? (see {tool} --help)"),
        None => format!("unknown option `{name}` (see {tool} --help)"),
    }
}

/// A parser's message as one line, without its `error: ` prefix: its
/// first line, and when that ends in a colon, the indented lines it
/// introduces (the arguments missing), joined.
pub fn first_line(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let first = lines.next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    if first.ends_with(':') {
        let listed: Vec<&str> = lines.take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
        if !listed.is_empty() {
            return format!("{first} {}", listed.join(", "));
        }
    }
    first.to_string()
}

/// The socat keyword a word starts with (upper-case), when it is in
/// socat's address syntax.
pub fn socat_keyword(word: &str) -> Option<String> {
    let upper = word.to_ascii_uppercase();
    match upper.split_once(':') {
        Some((k, _)) if SOCAT_KEYWORDS.contains(&k) => Some(k.to_string()),
        None if SOCAT_BARE.contains(&upper.as_str()) => Some(upper),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_name_table() {
        let cases: &[(&str, &str)] =
            &[("--ssl-cert=c.pem", "--ssl-cert"), ("-xFOO", "-x"), ("-u", "-u"), ("--udp", "--udp")];
        for (flag, want) in cases {
            assert_eq!(option_name(flag), *want, "{flag}");
        }
    }

    #[test]
    fn socat_keyword_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("TCP:example.org:80", Some("TCP")),
            ("tcp-listen:9000", Some("TCP-LISTEN")),
            ("UDP-RECVFROM:53,fork", Some("UDP-RECVFROM")),
            ("-", Some("-")),
            ("stdio", Some("STDIO")),
            ("example.org:80", None),
            ("tcp.example.org:80", None),
            ("9000", None),
            ("[::1]:80", None),
        ];
        for (word, want) in cases {
            assert_eq!(socat_keyword(word).as_deref(), *want, "{word}");
        }
    }

    #[test]
    fn first_line_drops_the_prefix_and_the_rest() {
        assert_eq!(first_line("error: bad value\n\nUsage: x\n"), "bad value");
        assert_eq!(first_line(""), "");
        let missing =
            "error: the following required arguments were not provided:\n  --proxy <HOST>\n  -z\n\nUsage: t\n";
        assert_eq!(first_line(missing), "the following required arguments were not provided: --proxy <HOST>, -z");
    }
}
