//! What a curl user types that http-get does not take: one line for each
//! of curl's options it lacks, naming the option and saying what to use
//! here or that it is not supported, instead of clap's generic "unknown
//! argument" with its `-- -L` tip. Options curl has whose job is already
//! done here by default are accepted by the command line itself ([`crate::cli`]).

/// curl's options http-get does not take, by short and long name, with
/// what to say about each.
const NOT_HERE: &[(Option<char>, &str, &str)] = &[
    (None, "digest", "is not supported: only Basic credentials are sent"),
    (None, "ntlm", "is not supported: only Basic credentials are sent"),
    (None, "negotiate", "is not supported: only Basic credentials are sent"),
    (None, "anyauth", "is not supported: only Basic credentials are sent"),
    (Some('U'), "proxy-user", "is not supported; give them in the proxy URL (-x http://USER:PASSWORD@HOST:PORT)"),
    (None, "socks5", "is not supported; use -x socks5://HOST:PORT"),
    (None, "socks5-hostname", "is not supported; use -x socks5h://HOST:PORT"),
    (None, "socks4", "is not supported; use -x socks4://HOST:PORT"),
    (None, "socks4a", "is not supported; use -x socks4a://HOST:PORT"),
    (None, "preproxy", "is not supported"),
    (Some('p'), "proxytunnel", "is not supported: only https URLs go through a CONNECT tunnel"),
    (None, "remote-name-all", "is not supported; use -O"),
    (Some('j'), "junk-session-cookies", "is not supported: a cookie file's session cookies are sent"),
    (None, "parallel-immediate", "is not needed: -Z opens its connections at once"),
    (None, "cert-type", "is not supported: certificates are PEM"),
    (None, "key-type", "is not supported: keys are PEM"),
    (None, "capath", "is not supported; use --cacert FILE"),
    (None, "abstract-unix-socket", "is not supported"),
    (Some('K'), "config", "is not supported: http-get reads no config file; give the options on the command line"),
    (Some('D'), "dump-header", "is not supported; use -i (head and body to the output) or -v (heads to stderr)"),
    (None, "trace-ascii", "is not supported; use --trace (each socket call and step) or -v (the heads)"),
    (None, "trace-time", "is not supported"),
    (None, "stderr", "is not supported; redirect stderr with the shell (2>FILE)"),
    (None, "raw", "is not supported: chunks are always decoded, and bodies decompressed only with --compressed"),
    (None, "http2", "is not supported: http-get speaks HTTP/1.1"),
    (None, "http2-prior-knowledge", "is not supported: http-get speaks HTTP/1.1"),
    (None, "http3", "is not supported: http-get speaks HTTP/1.1"),
    (None, "http3-only", "is not supported: http-get speaks HTTP/1.1"),
    (Some('0'), "http1.0", "is not supported: http-get speaks HTTP/1.1"),
    (None, "tlsv1.3", "is not supported: TLS 1.2 and 1.3 are both offered"),
    (None, "tls-max", "is not supported: TLS 1.2 and 1.3 are both offered"),
    (Some('1'), "tlsv1", "is not supported: TLS 1.2 and 1.3 are both offered"),
    (None, "tlsv1.0", "is not supported: TLS 1.2 and 1.3 are both offered"),
    (None, "tlsv1.1", "is not supported: TLS 1.2 and 1.3 are both offered"),
    (None, "ciphers", "is not supported: rustls' safe defaults are used"),
    (None, "pinnedpubkey", "is not supported"),
    (None, "cert-status", "is not supported"),
    (None, "retry-delay", "is not supported: retries wait 1 s, then double, or as Retry-After says"),
    (None, "retry-max-time", "is not supported; bound the whole run with -m"),
    (None, "retry-all-errors", "is not supported: --retry retries what may succeed next time"),
    (None, "retry-connrefused", "is not supported: --retry already retries a refused connection"),
    (Some('y'), "speed-time", "is not supported; use --idle-timeout"),
    (Some('Y'), "speed-limit", "is not supported; use --idle-timeout"),
    (None, "expect100-timeout", "is not supported"),
    (None, "keepalive-time", "is not supported"),
    (None, "no-keepalive", "is not supported"),
    (None, "interface", "is not supported"),
    (None, "local-port", "is not supported"),
    (None, "dns-servers", "is not supported"),
    (Some('R'), "remote-time", "is not supported"),
    (Some('z'), "time-cond", "is not supported; send -H 'If-Modified-Since: DATE'"),
    (None, "etag-save", "is not supported"),
    (None, "etag-compare", "is not supported"),
    (Some('a'), "append", "is not supported"),
    (Some('l'), "list-only", "is not supported: http-get fetches http and https only"),
    (Some('B'), "use-ascii", "is not supported"),
    (Some('P'), "ftp-port", "is not supported: http-get fetches http and https only"),
    (Some('Q'), "quote", "is not supported: http-get fetches http and https only"),
    (Some('t'), "telnet-option", "is not supported: http-get fetches http and https only"),
    (None, "mail-from", "is not supported: http-get fetches http and https only"),
    (None, "mail-rcpt", "is not supported: http-get fetches http and https only"),
    (None, "libcurl", "is not supported"),
    (Some('M'), "manual", "is not supported; see --help"),
    (None, "xattr", "is not supported"),
    (None, "path-as-is", "is not supported: dot segments are resolved as the URL standard says"),
    (None, "request-target", "is not supported"),
    (None, "location-trusted", "is not supported: credentials never follow a redirect to another host"),
    (None, "post301", "is not supported: POST becomes GET on 301, 302 and 303, as browsers do"),
    (None, "post302", "is not supported: POST becomes GET on 301, 302 and 303, as browsers do"),
    (None, "post303", "is not supported: POST becomes GET on 301, 302 and 303, as browsers do"),
    (None, "max-redirs", "is --max-redirects here"),
    (None, "fail-early", "is not supported"),
    (None, "styled-output", "is not supported"),
    (None, "no-progress-meter", "is not needed: the progress bar is drawn only on a terminal; -s turns it off"),
];

/// The line for an unknown option `arg` as typed (`--compressed`,
/// `--proxy=URL`, `-x`): curl's option named with what to do here, or
/// plainly unknown.
pub fn unknown_option(arg: &str) -> String {
    let (name, short) = match arg.strip_prefix("--") {
        Some(long) => (long.split('=').next().unwrap_or(long), None),
        None => ("", arg.strip_prefix('-').and_then(|s| s.chars().next())),
    };
    let found = NOT_HERE.iter().find(|(s, long, _)| match short {
        Some(c) => *s == Some(c),
        None => *long == name,
    });
    if !arg.starts_with('-') {
        return format!("unexpected argument `{arg}`: one URL is taken");
    }
    match found {
        Some((Some(s), long, why)) if short.is_some() => format!("curl's -{s} (--{long}) {why}"),
        Some((_, long, why)) => format!("curl's --{long} {why}"),
        None => format!("unknown option `{arg}`; see http-get --help"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_option_table() {
        let cases = [
            ("--compressed-ssh", "unknown option `--compressed-ssh`; see http-get --help"),
            ("--socks5=p:1080", "curl's --socks5 is not supported; use -x socks5://HOST:PORT"),
            ("-p", "curl's -p (--proxytunnel) is not supported: only https URLs go through a CONNECT tunnel"),
            (
                "-D",
                "curl's -D (--dump-header) is not supported; use -i (head and body to the output) or -v (heads to stderr)",
            ),
            ("--max-redirs", "curl's --max-redirs is --max-redirects here"),
            ("--bogus", "unknown option `--bogus`; see http-get --help"),
            ("-%", "unknown option `-%`; see http-get --help"),
        ];
        for (arg, want) in cases {
            assert_eq!(unknown_option(arg), want, "{arg}");
        }
    }

    /// Every entry is reachable: no name is listed twice, and no
    /// message is empty.
    #[test]
    fn table_is_consistent() {
        let mut shorts: Vec<char> = NOT_HERE.iter().filter_map(|(s, _, _)| *s).collect();
        let mut longs: Vec<&str> = NOT_HERE.iter().map(|(_, l, _)| *l).collect();
        let all = (shorts.len(), longs.len());
        shorts.sort_unstable();
        shorts.dedup();
        longs.sort_unstable();
        longs.dedup();
        assert_eq!((shorts.len(), longs.len()), all, "a name listed twice");
        assert!(NOT_HERE.iter().all(|(_, long, why)| !long.is_empty() && !why.is_empty()));
    }
}
