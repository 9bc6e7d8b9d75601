//! The command line. The doc comments are the `--help` text; values are
//! checked here so a bad one is a usage error (exit 2) before any network
//! traffic.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

const EXAMPLES: &str = "\
Examples:
  http-get https://example.org/data.csv > data.csv
  http-get -o release.tar.gz https://example.org/release.tar.gz
  http-get -c -o big.iso https://example.org/big.iso      resume if interrupted
  http-get -I https://example.org/                        print the response head
  http-get -d 'name=value' https://example.org/form       POST a form
  http-get -d @payload.json -H 'Content-Type: application/json' https://example.org/api
  http-get -s -w '%{http_code}\\n' -o /dev/null https://example.org/

Exit status (curl's numbers): 0 ok, 1 unsupported scheme, 2 bad usage,
3 malformed URL, 6 cannot resolve host, 7 cannot connect, 8 malformed
response, 18 body cut short, 22 HTTP status >= 400, 23 write error,
28 timeout, 35 TLS handshake failed, 47 too many redirects, 52 empty reply,
56 connection failed while receiving, 60 certificate not trusted.";

/// Fetch a URL over HTTP/1.1 for shell scripts: strict about framing,
/// honest in its exit codes, safe with files.
#[derive(Debug, Parser)]
#[command(name = "http-get", version, after_help = EXAMPLES)]
pub struct Cli {
    /// The URL to fetch (http or https).
    pub url: String,

    /// Write the body to FILE (atomically: it appears only when complete).
    #[arg(short, long, value_name = "FILE", conflicts_with = "remote_name")]
    pub output: Option<PathBuf>,

    /// Write the body to a file in the current directory named after the
    /// last segment of the final URL's path.
    #[arg(short = 'O', long)]
    pub remote_name: bool,

    /// Print the response head before the body.
    #[arg(short, long)]
    pub include: bool,

    /// Send a HEAD request and print the response head.
    #[arg(short = 'I', long, conflicts_with_all = ["data", "include"])]
    pub head: bool,

    /// The request method (default GET, or POST with -d).
    #[arg(short = 'X', long = "request", value_name = "METHOD", value_parser = parse_method)]
    pub method: Option<String>,

    /// Extra request header 'Name: value' (repeatable); replaces a default
    /// header of the same name; 'Name:' with no value removes it.
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,

    /// Request body: DATA as given, @FILE for a file's contents, @- for
    /// stdin (the only case stdin is read). Sent with POST unless -X says
    /// otherwise.
    #[arg(short, long, value_name = "DATA")]
    pub data: Option<String>,

    /// The User-Agent header.
    #[arg(short = 'A', long, value_name = "NAME")]
    pub user_agent: Option<String>,

    /// No progress bar, no messages.
    #[arg(short, long)]
    pub silent: bool,

    /// With -s, still print the error line.
    #[arg(short = 'S', long)]
    pub show_error: bool,

    /// Print request and response heads to stderr ('> ' and '< ' prefixed).
    #[arg(short, long)]
    pub verbose: bool,

    /// Most redirects to follow; 0 does not follow any.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_redirects: u32,

    /// On a status of 400 or more, write the body anyway (still exit 22).
    #[arg(long, conflicts_with = "no_fail")]
    pub fail_with_body: bool,

    /// Treat every status as success (exit 0 on 404).
    #[arg(long)]
    pub no_fail: bool,

    /// Limit on resolving, connecting and the TLS handshake (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = shared::duration::positive)]
    pub connect_timeout: Duration,

    /// Limit on the whole transfer.
    #[arg(short, long, value_name = "DURATION", value_parser = shared::duration::positive)]
    pub max_time: Option<Duration>,

    /// Give up when no byte moves for this long.
    #[arg(long, default_value = "2m", value_name = "DURATION", value_parser = shared::duration::positive)]
    pub idle_timeout: Duration,

    /// With -o or -O: resume a partial download with a Range request.
    #[arg(short = 'c', long = "continue")]
    pub resume: bool,

    /// Retry connection failures, timeouts and 408/429/500/502/503/504 up to
    /// N times, waiting 1s then doubling (or as Retry-After says).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub retry: u32,

    /// After the transfer print FORMAT on stdout: %{http_code},
    /// %{url_effective}, %{size_download}, %{content_type}, %{time_total}, \n.
    #[arg(short, long, value_name = "FORMAT")]
    pub write_out: Option<String>,

    /// Trust the CA certificates in FILE (PEM) instead of the system's.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Do not check the server's certificate.
    #[arg(short = 'k', long)]
    pub insecure: bool,
}

fn parse_method(s: &str) -> Result<String, String> {
    if !shared::http::headers::is_token(s) {
        return Err(format!("`{s}` is not a method token"));
    }
    Ok(s.to_string())
}

/// `Name: value`; the name a token, no control characters in the value.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    shared::http::headers::parse_field(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = |args: &[&str]| Cli::try_parse_from(std::iter::once("http-get").chain(args.iter().copied())).is_ok();
        let cases: &[(&[&str], bool)] = &[
            (&["http://h/"], true),
            (&[], false),
            (&["-o", "f", "-O", "http://h/"], false),
            (&["-I", "-d", "x", "http://h/"], false),
            (&["-m", "3s", "--connect-timeout", "500ms", "http://h/"], true),
            (&["-m", "0s", "http://h/"], false),
            (&["-m", "soon", "http://h/"], false),
            (&["-X", "PUT", "http://h/"], true),
            (&["-X", "P T", "http://h/"], false),
            (&["-H", "X-A: 1", "-H", "Accept:", "http://h/"], true),
            (&["-H", "bad header", "http://h/"], false),
            (&["--fail-with-body", "--no-fail", "http://h/"], false),
            (&["--retry", "3", "-c", "-o", "f", "http://h/"], true),
        ];
        for (args, want) in cases {
            assert_eq!(ok(args), *want, "{args:?}");
        }
    }
}
