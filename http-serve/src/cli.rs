//! The command line: options (their doc comments are the `--help` text),
//! checking them, binding the listener, and the start-up line.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use shared::net::{BindOrAddrError, Family, bind_tcp, parse_host, reachable};

use crate::config::Config;
use crate::error::Error;

const EXAMPLES: &str = "\
Examples:
  http-serve                      serve the current folder at http://127.0.0.1:8000/
  http-serve -p 0 site/           serve site/ on a free port (printed on start)
  http-serve -b 0.0.0.0 public/   share public/ with the network
  http-serve -H 'Access-Control-Allow-Origin: *' data/

Exit status: 0 never (the server runs until interrupted), 1 could not start
(port in use, folder missing), 2 bad usage.";

/// Serve a folder over HTTP/1.1: one thread, correct, impossible to escape or stall.
#[derive(Debug, Parser)]
#[command(name = "http-serve", version, after_help = EXAMPLES)]
pub struct Cli {
    /// The folder to serve.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Port to listen on; 0 picks a free one.
    #[arg(short, long, default_value_t = 8000)]
    pub port: u16,

    /// Address to listen on. The default keeps the folder on this machine;
    /// use 0.0.0.0 or :: to share it with the network.
    #[arg(short, long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// A directory without an index file is 404 instead of a listing.
    #[arg(long)]
    pub no_listing: bool,

    /// Serve and list names starting with a dot (hidden by default).
    #[arg(long)]
    pub hidden: bool,

    /// Follow symlinks that lead outside the folder (by default only those
    /// that stay inside are followed).
    #[arg(long)]
    pub follow_symlinks: bool,

    /// The file served for a directory.
    #[arg(long, default_value = "index.html", value_name = "NAME", value_parser = parse_index)]
    pub index: String,

    /// How long a request head may take to arrive, and how long a response
    /// may make no progress, before the connection is dropped (e.g. 500ms, 10s).
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = shared::duration::positive)]
    pub timeout: Duration,

    /// Extra response header, 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,

    /// No access log.
    #[arg(short, long)]
    pub quiet: bool,

    /// Most open connections; past it the oldest idle one is closed.
    #[arg(long, default_value_t = 512, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,
}

fn parse_index(s: &str) -> Result<String, String> {
    if crate::handler::valid_index(s) {
        Ok(s.to_string())
    } else {
        Err("must be a plain file name, without '/'".to_string())
    }
}

/// Fields whose value this server must control.
const RESERVED: [&str; 5] = ["content-length", "transfer-encoding", "connection", "content-range", "date"];

/// Parses `Name: value` for `-H`: the name a token, the value free of
/// control characters, and not one of the framing fields.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = shared::http::headers::parse_field(s)?;
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
        return Err(format!("{name} is set by the server"));
    }
    Ok((name, value))
}

/// Parses the command line, binds, prints the start-up line and serves.
pub fn run() -> Result<(), Error> {
    let cli = Cli::parse();
    let root = std::fs::canonicalize(&cli.dir).map_err(|source| Error::Folder { path: cli.dir.clone(), source })?;
    if !root.is_dir() {
        return Err(Error::NotAFolder(cli.dir));
    }
    let host = parse_host(&cli.bind).map_err(Error::Address)?;
    let listener = bind_tcp(Some(&host), cli.port, Family::Any).map_err(|e| match e {
        BindOrAddrError::Bind(b) if b.in_use() => Error::PortInUse { port: cli.port, source: b },
        BindOrAddrError::Bind(b) => Error::Bind(b),
        BindOrAddrError::Addr(a) => Error::Address(a),
        other => Error::Serve(std::io::Error::other(other.to_string())),
    })?;
    let local = listener.local_addr().map_err(Error::Serve)?;
    let shown = reachable(local);
    let note = if local.ip().is_unspecified() { " (all interfaces)" } else { "" };
    // One write, so a reader never sees half the line.
    let line = format!("Serving {} at http://{shown}/{note}\n", shared::io_text::path(&root));
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes()).and_then(|()| out.flush()).map_err(Error::Stdout)?;
    drop(out);

    let mut config = Config::new(root);
    config.listing = !cli.no_listing;
    config.hidden = cli.hidden;
    config.follow_symlinks = cli.follow_symlinks;
    config.index = cli.index;
    config.timeout = cli.timeout;
    config.extra_headers = cli.headers;
    config.log = !cli.quiet;
    config.max_connections = cli.max_connections as usize;
    crate::serve(listener, config).map_err(Error::Serve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_table() {
        let cases: &[(&str, Result<(&str, &str), &str>)] = &[
            ("Access-Control-Allow-Origin: *", Ok(("Access-Control-Allow-Origin", "*"))),
            ("X-A:b", Ok(("X-A", "b"))),
            ("X-Empty:", Ok(("X-Empty", ""))),
            ("NoColon", Err("expected 'Name: value'")),
            ("Bad Name: x", Err("`Bad Name` is not a valid header name")),
            (": x", Err("`` is not a valid header name")),
            ("Content-Length: 5", Err("Content-Length is set by the server")),
            ("X: a\rb", Err("the value must not contain control characters")),
        ];
        for (input, want) in cases {
            let got = parse_header(input);
            let want = want.map(|(n, v)| (n.to_string(), v.to_string())).map_err(str::to_string);
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn options_parse() {
        let cli =
            Cli::try_parse_from(["http-serve", "-p", "0", "--timeout", "500ms", "-H", "A: b", "-q", "site"]).unwrap();
        assert_eq!((cli.port, cli.timeout, cli.quiet), (0, Duration::from_millis(500), true));
        assert_eq!(cli.dir, PathBuf::from("site"));
        assert!(Cli::try_parse_from(["http-serve", "-p", "65536"]).is_err());
        assert!(Cli::try_parse_from(["http-serve", "--timeout", "0s"]).is_err());
        assert!(Cli::try_parse_from(["http-serve", "--index", "../x"]).is_err());
    }
}
