//! The command line: the options (their doc comments are the `--help`
//! text), read by [`parse`] (outputs and URLs paired in order, refusals in
//! one line) with values checked as they are read (`values`), so a bad
//! one is a usage error (exit 2) before any network traffic.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use shared::generate::{Guide, Kind, KindParser};

mod parse;
mod values;

pub use parse::{Refused, parse};
pub use values::{CookieArg, parse_header, parse_size};
use values::{continue_at, parse_cookie, parse_method, parse_range, parse_rate, parse_user};

/// The examples, notes and exit statuses: `--help` shows them after the
/// options, and they are the manual page's last sections.
pub const GUIDE: Guide = Guide {
    examples: &[
        ("http-get https://example.org/data.csv > data.csv", "fails (22) on 404: nothing written"),
        ("http-get -o release.tar.gz https://example.org/release.tar.gz", "the file appears only when complete"),
        ("http-get -c -o big.iso https://example.org/big.iso", "resume if interrupted"),
        ("http-get -I https://example.org/", "print the response head"),
        ("http-get -d 'name=value' https://example.org/form", "POST a form"),
        ("http-get --json @payload.json https://example.org/api", "POST JSON from a file"),
        ("http-get -F 'file=@report.pdf' https://example.org/upload", "a multipart form with a file"),
        ("http-get -o a.txt https://h/a.txt -o b.txt https://h/b.txt", "one connection for both"),
        ("http-get -s -w '%{http_code}\\n' -o /dev/null https://example.org/", "print only the status"),
    ],
    notes: &[(
        "Accepted from curl as already so",
        "  -L (redirects are followed), -f (a status >= 400 fails), -C - (as -c), -# -N -g -q
  --http1.1 --tlsv1.2 --basic; timeouts take curl's seconds (-m 30) too. curl's
  other options are answered with one line saying what to use here.",
    )],
    exit_status: &[
        ("0", "success (with several URLs the status is the first failure's, in command-line order)"),
        ("1", "unsupported scheme (in the URL or a redirect; https:// in a build without TLS)"),
        ("2", "bad usage (unknown option, bad value, a file named by an option unreadable)"),
        ("3", "malformed URL"),
        ("5", "cannot resolve the proxy's host"),
        ("6", "cannot resolve host"),
        ("7", "cannot connect (to the host, or to the proxy)"),
        ("8", "malformed response (bad status line, bad or conflicting Content-Length, bad chunk)"),
        ("18", "body cut short"),
        ("22", "HTTP status 400 or more"),
        ("23", "write error (disk full, no such directory)"),
        ("26", "a file or stdin given as the request body could not be read while sending, or changed size"),
        ("28", "timeout (--connect-timeout, -m, --idle-timeout)"),
        ("35", "TLS handshake failed"),
        ("47", "too many redirects"),
        ("52", "empty reply: the connection closed before any byte"),
        ("56", "connection reset or failed while receiving; a proxy refused CONNECT"),
        ("60", "server certificate not trusted"),
        ("61", "a --compressed body does not decode, or names a coding not known"),
        ("63", "the body is larger than --max-filesize"),
        ("65", "the request body would have to be sent again and it came from stdin, which can be read once"),
        ("97", "a SOCKS proxy failed or refused"),
    ],
};

/// Fetch a URL over HTTP/1.1 for shell scripts: strict about framing,
/// honest in its exit codes, safe with files.
#[derive(Debug, Parser)]
#[command(name = "http-get", version, after_help = GUIDE.after_help())]
pub struct Cli {
    /// The URLs to fetch (http or https; without a scheme, http), in
    /// order; consecutive ones on the same host share a connection.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,

    /// A URL to fetch, as curl's --url (repeatable; in order with the
    /// others).
    #[arg(long = "url", value_name = "URL")]
    pub url_options: Vec<String>,

    /// Write the body to FILE (atomically: it appears only when complete).
    /// Repeatable: the first -o or -O goes with the first URL, and so on.
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// Write the body to a file in the current directory named after the
    /// last segment of the final URL's path (repeatable, as -o).
    #[arg(short = 'O', long, action = clap::ArgAction::Append, num_args = 0, default_missing_value = "true",
          value_parser = clap::value_parser!(bool))]
    pub remote_name: Vec<bool>,

    /// With -O: name the file as the response's Content-Disposition says
    /// (its last component, made safe as -O's), else after the URL.
    #[arg(short = 'J', long)]
    pub remote_header_name: bool,

    /// Put -O's files, and -o's relative paths, in DIR.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Make the folders an output path needs.
    #[arg(long)]
    pub create_dirs: bool,

    /// Fetch the URLs at the same time (stdout still gets each body whole,
    /// in command-line order).
    #[arg(short = 'Z', long)]
    pub parallel: bool,

    /// With -Z: most transfers at once.
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub parallel_max: u16,

    /// The URLs in command-line order (positional and --url), filled in
    /// by [`parse`].
    #[arg(skip)]
    pub url_order: Vec<String>,

    /// The outputs in command-line order (-o and -O), filled in by
    /// [`parse`]: the n-th goes with the n-th URL.
    #[arg(skip)]
    pub outputs: Vec<Output>,

    /// Print the response head before the body.
    #[arg(short, long)]
    pub include: bool,

    /// Send a HEAD request and print the response head.
    #[arg(short = 'I', long, conflicts_with_all = [
        "data", "data_binary", "data_raw", "data_urlencode", "json", "form", "form_string", "upload_file", "include"
    ])]
    pub head: bool,

    /// The request method (default GET; POST with a body, PUT with -T).
    #[arg(short = 'X', long = "request", value_name = "METHOD", value_parser = parse_method)]
    pub method: Option<String>,

    /// Extra request header 'Name: value' (repeatable); replaces a default
    /// header of the same name; 'Name:' with no value removes it.
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,

    /// Request body: DATA as given, @FILE for a file's bytes (unchanged),
    /// @- for stdin (the only case stdin is read), both streamed. Repeated,
    /// the pieces are joined by `&`. POST unless -X says otherwise.
    #[arg(short, long, value_name = "DATA", visible_alias = "data-ascii")]
    pub data: Vec<String>,

    /// As -d (curl's name for sending @FILE's bytes unchanged, which -d
    /// does too).
    #[arg(long, value_name = "DATA")]
    pub data_binary: Vec<String>,

    /// As -d, but @ is just a character.
    #[arg(long, value_name = "DATA")]
    pub data_raw: Vec<String>,

    /// As -d, percent-encoded: CONTENT, =CONTENT, NAME=CONTENT, @FILE,
    /// NAME@FILE (curl's forms).
    #[arg(long, value_name = "DATA")]
    pub data_urlencode: Vec<String>,

    /// A JSON body: DATA, @FILE or @- (streamed); repeated, the pieces are
    /// joined. Sends Content-Type and Accept: application/json. POST.
    #[arg(long, value_name = "DATA")]
    pub json: Vec<String>,

    /// A multipart/form-data field: NAME=VALUE, NAME=@FILE (a file upload,
    /// streamed), NAME=<FILE (the file's bytes as the value); `@-` and
    /// `<-` read stdin; `;type=TYPE` and `;filename=NAME` may follow.
    /// Repeatable. POST.
    #[arg(short = 'F', long, value_name = "NAME=CONTENT")]
    pub form: Vec<String>,

    /// A form field whose value is taken as it is (no @, <, or ;type=).
    #[arg(long, value_name = "NAME=VALUE")]
    pub form_string: Vec<String>,

    /// With -d and its kinds: put the data in the URL's query and GET.
    #[arg(short = 'G', long)]
    pub get: bool,

    /// PUT FILE's bytes, streamed (`-` streams stdin, chunked). A URL
    /// ending in `/` gets FILE's name appended.
    #[arg(short = 'T', long, value_name = "FILE")]
    pub upload_file: Option<PathBuf>,

    /// The body options in command-line order, filled in by [`parse`].
    #[arg(skip)]
    pub body: crate::data::Given,

    /// Basic credentials, USER:PASSWORD (sent only to the URL's own scheme,
    /// host and port, never after a redirect elsewhere).
    #[arg(short = 'u', long = "user", value_name = "USER:PASSWORD", value_parser = parse_user)]
    pub user: Option<(String, String)>,

    /// Credentials from ~/.netrc ($NETRC; _netrc on Windows when there is
    /// no .netrc) for the URL's host, when -u and the URL give none.
    #[arg(short = 'n', long)]
    pub netrc: bool,

    /// Like --netrc, from FILE.
    #[arg(long, value_name = "FILE")]
    pub netrc_file: Option<PathBuf>,

    /// As --netrc (curl's spelling for "use it when it has an entry").
    #[arg(long)]
    pub netrc_optional: bool,

    /// Send `Authorization: Bearer TOKEN` (to the URL's own origin only).
    #[arg(long, value_name = "TOKEN")]
    pub oauth2_bearer: Option<String>,

    /// Go through the proxy at URL (http://, socks5://, socks5h://,
    /// socks4a://, socks4://; no scheme is http, no port 1080), instead of
    /// the proxy variables; `-x ""` goes direct. no_proxy still applies.
    #[arg(short = 'x', long = "proxy", value_name = "URL")]
    pub proxy: Option<String>,

    /// Hosts reached without the proxy, as no_proxy lists them (replaces
    /// no_proxy; `*` is every host, `""` none).
    #[arg(long, value_name = "LIST")]
    pub noproxy: Option<String>,

    /// Ask for a compressed body (gzip, deflate, br, zstd) and decode it as
    /// it streams. Without it, bytes are never decoded.
    #[arg(long)]
    pub compressed: bool,

    /// Fail (exit 63) rather than write more than BYTES (k, M, G suffixes
    /// are 1024s): checked against Content-Length, and counted as the body
    /// is written (after decoding with --compressed).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_filesize: Option<u64>,

    /// Ask for part of the body: a byte range as curl takes it (0-499,
    /// 500-, -500, 0-9,20-29); sent as `Range: bytes=RANGE`.
    #[arg(short = 'r', long, value_name = "RANGE", value_parser = parse_range)]
    pub range: Option<String>,

    /// Send `Referer: URL`; with `;auto` (`-e ';auto'`, `-e 'URL;auto'`)
    /// each redirect sends the URL it came from.
    #[arg(short = 'e', long, value_name = "URL")]
    pub referer: Option<String>,

    /// Send the cookies NAME=VALUE[; NAME2=VALUE2] (to the URL's origin
    /// only); or, without `=`, read a cookie file (Netscape's format; a
    /// missing one is empty) and send its cookies where they belong,
    /// with those responses set.
    #[arg(short = 'b', long, value_name = "NAME=VALUE|FILE", value_parser = parse_cookie)]
    pub cookie: Option<CookieArg>,

    /// After the run, write every cookie known to FILE (Netscape's format);
    /// cookies responses set are sent on later requests of the run.
    #[arg(long, value_name = "FILE")]
    pub cookie_jar: Option<PathBuf>,

    /// Receive the body no faster than RATE bytes a second (k, M, G
    /// suffixes are 1024s).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<u64>,

    /// The User-Agent header.
    #[arg(short = 'A', long, value_name = "NAME")]
    pub user_agent: Option<String>,

    /// No progress bar, no messages.
    #[arg(short, long)]
    pub silent: bool,

    /// Follow redirects: already the default (accepted from curl; see
    /// --max-redirects).
    #[arg(short = 'L', long)]
    pub location: bool,

    /// Fail on a status of 400 or more (exit 22): already the default
    /// (accepted from curl).
    #[arg(short = 'f', long, conflicts_with = "no_fail")]
    pub fail: bool,

    /// curl's options whose job is already done here, accepted and
    /// ignored: -# (a bar is drawn only where it helps), -N (output is
    /// never buffered), -g (URLs are never globbed), -q (no config file is
    /// read), --http1.1 (the only version spoken), --tlsv1.2 (the
    /// oldest TLS offered), --basic (the only credentials sent).
    #[command(flatten)]
    pub already: Already,

    /// With -s, still print the error line.
    #[arg(short = 'S', long)]
    pub show_error: bool,

    /// Print request and response heads to stderr ('> ' and '< ' prefixed).
    #[arg(short, long)]
    pub verbose: bool,

    /// Show each step on stderr as it happens: resolving, each socket and
    /// connect, the TLS handshake, the request sent, the response head,
    /// the body's framing, redirects, and the socket calls moving bytes.
    #[arg(long)]
    pub trace: bool,

    /// Most redirects to follow; 0 does not follow any.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_redirects: u32,

    /// On a status of 400 or more, write the body anyway (still exit 22).
    #[arg(long, conflicts_with = "no_fail")]
    pub fail_with_body: bool,

    /// Treat every status as success (exit 0 on 404).
    #[arg(long)]
    pub no_fail: bool,

    /// Limit on resolving, connecting and the TLS handshake (10s, 500ms;
    /// a bare number is seconds, as in curl).
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = shared::seconds::positive)]
    pub connect_timeout: Duration,

    /// Limit on the whole transfer (30s, 2m; a bare number is seconds).
    #[arg(short, long, value_name = "DURATION", value_parser = shared::seconds::positive)]
    pub max_time: Option<Duration>,

    /// Give up when no byte moves for this long.
    #[arg(long, default_value = "2m", value_name = "DURATION", value_parser = shared::duration::positive)]
    pub idle_timeout: Duration,

    /// With -o or -O: resume a partial download with a Range request.
    #[arg(short = 'c', long = "continue")]
    pub resume: bool,

    /// `-C -` is curl's way to say --continue (an offset is not taken).
    #[arg(short = 'C', long = "continue-at", value_name = "-", allow_hyphen_values = true, value_parser = continue_at)]
    pub continue_at: Option<bool>,

    /// Retry connection failures, timeouts, cut bodies and 408/429/500/502/503/504 up to
    /// N times, waiting 1s then doubling (or as Retry-After says).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub retry: u32,

    /// After each URL's transfer (also after a failure) print FORMAT on
    /// stdout, with curl's variables: %{http_code}, %{url_effective},
    /// %{url}, %{size_download}, %{size_header}, %{speed_download},
    /// %{content_type}, %{num_redirects}, %{method}, %{http_version},
    /// %{scheme}, %{remote_ip}, %{remote_port}, %{time_namelookup},
    /// %{time_connect}, %{time_appconnect}, %{time_starttransfer},
    /// %{time_total}, %{filename_effective}, %{exitcode}, %{errormsg},
    /// %{json} (all of them); \n \t \r.
    #[arg(short, long, value_name = "FORMAT")]
    pub write_out: Option<String>,

    /// Trust the CA certificates in FILE (PEM) instead of the system's.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// A client certificate (PEM; its key too, unless --key).
    #[arg(short = 'E', long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// The client certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// Connect to ADDR for HOST:PORT without asking DNS (repeatable;
    /// ADDR may be a list: 10.0.0.1,[::1]).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Connect to HOST2:PORT2 for HOST:PORT (empty fields match any or keep
    /// the same); the request, Host and TLS's name stay the URL's.
    #[arg(long, value_name = "HOST:PORT:HOST2:PORT2")]
    pub connect_to: Vec<String>,

    /// Connect every request through the Unix domain socket at PATH.
    #[arg(long, value_name = "PATH")]
    pub unix_socket: Option<PathBuf>,

    /// IPv4 addresses only.
    #[arg(short = '4', long, conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// IPv6 addresses only.
    #[arg(short = '6', long)]
    pub ipv6: bool,

    /// Do not check the server's certificate.
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Print the manual page or a shell's completion script, and exit.
    #[arg(long, value_name = "KIND", value_parser = KindParser, exclusive = true, hide_short_help = true,
          long_help = shared::generate::HELP)]
    pub generate: Option<Kind>,
}

/// An output named on the command line, for one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// `-o FILE`.
    File(PathBuf),
    /// `-O`.
    Remote,
}

/// curl's options that ask for what http-get does anyway: taken, so a
/// script ported from curl runs, and otherwise ignored.
#[derive(Debug, clap::Args)]
pub struct Already {
    /// curl's progress bar: a bar is drawn whenever the body goes to a
    /// file and stderr is a terminal.
    #[arg(short = '#', long = "progress-bar", hide = true)]
    pub progress_bar: bool,
    /// curl's unbuffered output: output is never buffered here.
    #[arg(short = 'N', long = "no-buffer", hide = true)]
    pub no_buffer: bool,
    /// curl's "no URL globbing": URLs are never globbed here.
    #[arg(short = 'g', long = "globoff", hide = true)]
    pub globoff: bool,
    /// curl's "no config file": none is ever read here.
    #[arg(short = 'q', long = "disable", hide = true)]
    pub disable: bool,
    /// HTTP/1.1: the only version spoken.
    #[arg(long = "http1.1", hide = true)]
    pub http1_1: bool,
    /// TLS 1.2 at least: the oldest version offered anyway.
    #[arg(long = "tlsv1.2", hide = true)]
    pub tlsv1_2: bool,
    /// Basic credentials: the only kind sent.
    #[arg(long = "basic", hide = true)]
    pub basic: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = |args: &[&str]| parse(std::iter::once("http-get").chain(args.iter().copied())).is_ok();
        let cases: &[(&[&str], bool)] = &[
            (&["http://h/"], true),
            (&[], false),
            (&["-o", "f", "-O", "http://h/"], false),
            (&["-o", "f", "-O", "http://h/", "http://h/2"], true),
            (&["http://h/", "--url", "http://h/2", "-Z", "--parallel-max", "3"], true),
            (&["--parallel-max", "0", "http://h/"], false),
            (&["-I", "-d", "x", "http://h/"], false),
            (&["-I", "-F", "a=b", "http://h/"], false),
            (&["-d", "a", "--data-raw", "@b", "--data-urlencode", "c d", "-G", "http://h/"], true),
            (&["-F", "noequals", "http://h/"], false),
            (&["-m", "3s", "--connect-timeout", "500ms", "http://h/"], true),
            (&["-m", "0s", "http://h/"], false),
            (&["-m", "soon", "http://h/"], false),
            (&["-X", "PUT", "http://h/"], true),
            (&["-X", "P T", "http://h/"], false),
            (&["-H", "X-A: 1", "-H", "Accept:", "http://h/"], true),
            (&["-H", "bad header", "http://h/"], false),
            (&["--fail-with-body", "--no-fail", "http://h/"], false),
            (&["--retry", "3", "-c", "-o", "f", "http://h/"], true),
            (&["-fsSL", "http://h/"], true),
            (&["-sSLo", "f", "http://h/"], true),
            (&["-fsSLo", "f", "-C", "-", "http://h/"], true),
            (&["-C", "100", "-o", "f", "http://h/"], false),
            (&["-f", "--no-fail", "http://h/"], false),
            (&["-m", "30", "--connect-timeout", "2.5", "http://h/"], true),
            (&["-m", "0", "http://h/"], false),
            (&["-m", "-1", "http://h/"], false),
            (&["-u", "me:pw", "--oauth2-bearer", "t", "-n", "http://h/"], true),
            (&["-u", "me", "http://h/"], false),
            (&["--netrc-file", "f", "--netrc-optional", "http://h/"], true),
            (&["-x", "socks5h://p:1", "--noproxy", "*", "http://h/"], true),
            (&["-4", "-6", "http://h/"], false),
            (&["-r", "0-99", "-e", ";auto", "-b", "a=1; b=2", "--limit-rate", "10k", "http://h/"], true),
            (&["-r", "a-b", "http://h/"], false),
            (&["-b", "cookies.txt", "--cookie-jar", "jar.txt", "http://h/"], true),
            (&["--limit-rate", "0", "http://h/"], false),
            (&["-OJ", "--output-dir", "d", "--create-dirs", "http://h/"], true),
            (&["--resolve", "h:80:127.0.0.1", "--connect-to", "h:80:x:81", "-4", "http://h/"], true),
        ];
        for (args, want) in cases {
            assert_eq!(ok(args), *want, "{args:?}");
        }
    }
}
