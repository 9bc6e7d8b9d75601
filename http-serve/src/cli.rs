//! The command line: options (their doc comments are the `--help` text),
//! checking them, binding the listener, and the start-up line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::error::{ContextKind, ContextValue};
use clap::{CommandFactory, Parser};
use shared::generate::{Guide, Kind, KindParser};
use shared::net::{BindOrAddrError, Family, bind_tcp, parse_host};

use crate::config::Config;
use crate::error::Error;

/// The examples and exit statuses: `--help` shows them after the options,
/// and they are the manual page's last sections.
pub const GUIDE: Guide = Guide {
    examples: &[
        ("http-serve", "serve the current folder at http://127.0.0.1:8000/"),
        ("http-serve -p 0 site/", "serve site/ on a free port (printed on start)"),
        ("http-serve --lan --qr public/", "share public/ with the network; a QR code for phones"),
        (
            "http-serve --lan --tls --auth ann:s3cret --upload inbox/",
            "HTTPS (self-signed, fingerprint printed), a password,\nuploads (curl -T FILE URL/, or the listing's form)",
        ),
        ("http-serve --spa dist/", "a single-page app: routes get index.html"),
        ("http-serve -d public -p 9000", "the same habits as python3 -m http.server"),
        ("http-serve -H 'Access-Control-Allow-Origin: *' data/", "an extra header on every response"),
    ],
    notes: &[],
    exit_status: &[
        ("0", "never: the server runs until interrupted (Ctrl-C stops it at once)"),
        (
            "1",
            "could not start: port in use (port 8000 is in use; try -p 0), folder missing or not a directory, \
             address not available, a TLS certificate or key that cannot be used, --tls in a build without TLS",
        ),
        (
            "2",
            "bad usage: an unknown option, a bad value, a port number where the folder goes (http-serve 9000: \
             use -p 9000)",
        ),
    ],
};

/// Serve a folder over HTTP/1.1: one thread, correct, impossible to escape or stall.
#[derive(Debug, Parser)]
#[command(name = "http-serve", version, after_help = GUIDE.after_help())]
pub struct Cli {
    /// The folder to serve (default: the current one).
    pub dir: Option<PathBuf>,

    /// The folder to serve, as python3 -m http.server takes it.
    #[arg(short = 'd', long = "directory", value_name = "DIR", conflicts_with = "dir")]
    pub directory: Option<PathBuf>,

    /// Port to listen on; 0 picks a free one.
    #[arg(short, long, default_value_t = 8000)]
    pub port: u16,

    /// Address to listen on. The default keeps the folder on this machine;
    /// use 0.0.0.0 or :: to share it with the network.
    #[arg(short, long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// Share with the network: listen on every interface (IPv6 and IPv4)
    /// and print each address another machine can use.
    #[arg(long, conflicts_with = "bind")]
    pub lan: bool,

    /// On a terminal, draw a QR code of the first network address, for a
    /// phone's camera.
    #[arg(long)]
    pub qr: bool,

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

    /// For single-page apps: a browser's navigation to a path that names
    /// nothing (Accept: text/html, no extension) gets the root's index file
    /// with 200; files are never covered, and a missing asset stays 404.
    #[arg(long)]
    pub spa: bool,

    /// Ask for a user name and password (HTTP Basic): USER:PASSWORD, or
    /// USER:sha256:HEX with the SHA-256 of the password (keeps it out of
    /// the process list and shell history). Repeatable.
    #[arg(long = "auth", value_name = "USER:PASSWORD", value_parser = crate::auth::parse)]
    pub auth: Vec<crate::auth::Credential>,

    /// Accept uploads: PUT /folder/name (curl -T FILE URL/folder/) and the
    /// listing's upload form. A file lands only when all of it has arrived.
    #[arg(long)]
    pub upload: bool,

    /// With --upload: an upload may replace an existing file (by default a
    /// name that is taken gives 409).
    #[arg(long, requires = "upload")]
    pub overwrite: bool,

    /// With --upload: the largest upload (e.g. 500M, 2G, 1GiB, 4096).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size, requires = "upload")]
    pub max_upload: u64,

    /// Serve HTTPS. With --tls-cert and --tls-key, with that certificate;
    /// otherwise with a self-signed one made at start (kept in memory only)
    /// for every name and address printed, whose SHA-256 fingerprint is
    /// printed to compare with what a browser shows.
    #[arg(long)]
    pub tls: bool,

    /// With --tls: the certificate chain (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// With --tls: the certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// No access log.
    #[arg(short, long)]
    pub quiet: bool,

    /// Show each socket call and each step of serving on stderr as it
    /// happens: accept, read the head, open the file, build the response,
    /// send it (sendfile or copy), keep or close the connection.
    #[arg(long)]
    pub trace: bool,

    /// Most open connections; past it the oldest idle one is closed.
    #[arg(long, default_value_t = 512, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,

    /// Print the manual page or a shell's completion script, and exit.
    #[arg(long, value_name = "KIND", value_parser = KindParser, exclusive = true, hide_short_help = true,
          long_help = shared::generate::HELP)]
    pub generate: Option<Kind>,
}

fn parse_index(s: &str) -> Result<String, String> {
    if crate::handler::valid_index(s) {
        Ok(s.to_string())
    } else {
        Err("must be a plain file name, without '/'".to_string())
    }
}

/// A size as people type it: bytes, or a number with K, M, G, T (powers
/// of 1024; `KiB`, `MB`... are read the same).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let n: u64 = number.parse().map_err(|_| format!("`{s}` is not a size (e.g. 500M, 2G, 4096)"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{s}` is not a size (e.g. 500M, 2G, 4096)")),
    };
    n.checked_mul(1u64 << shift).ok_or_else(|| format!("`{s}` is too large"))
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

/// The folder to serve: `-d DIR`, the positional DIR, or `.`. A bare
/// port number where the folder goes (`http-serve 9000`, as Python's
/// server takes it) is a usage error that says what to type instead,
/// unless a folder of that name exists.
pub fn folder(cli: &Cli) -> Result<PathBuf, Error> {
    if let Some(d) = &cli.directory {
        return Ok(d.clone());
    }
    let Some(dir) = &cli.dir else { return Ok(PathBuf::from(".")) };
    if let Some(text) = dir.to_str()
        && !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.parse::<u16>().is_ok()
        && !Path::new(text).exists()
    {
        return Err(Error::Usage(format!("{text} is not a folder; to serve . on port {text} use -p {text}")));
    }
    Ok(dir.clone())
}

/// Parses the command line as clap does (its messages, exit 2), except
/// that a bad `--generate` is one line naming the kinds it takes.
fn parse() -> Result<Cli, Error> {
    Cli::try_parse().map_err(|e| match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) if arg.starts_with("--generate") => {
            Error::Usage(shared::habits::first_line(&e.render().to_string()))
        }
        _ => e.exit(),
    })
}

/// Parses the command line, binds, prints the start-up lines and serves.
pub fn run() -> Result<(), Error> {
    let cli = parse()?;
    if let Some(kind) = cli.generate {
        let text = shared::generate::generate(kind, Cli::command(), &GUIDE);
        return shared::io_text::stdout_text(&text).map_err(Error::Stdout);
    }
    if cli.trace {
        shared::trace::enable();
    }
    let dir = folder(&cli)?;
    let root = std::fs::canonicalize(&dir).map_err(|source| Error::Folder { path: dir.clone(), source })?;
    if !root.is_dir() {
        return Err(Error::NotAFolder(dir));
    }
    let host = if cli.lan { None } else { Some(parse_host(&cli.bind).map_err(Error::Address)?) };
    let listener = bind_tcp(host.as_deref(), cli.port, Family::Any).map_err(|e| match e {
        BindOrAddrError::Bind(b) if b.in_use() => Error::PortInUse { port: cli.port, source: b },
        BindOrAddrError::Bind(b) => Error::Bind(b),
        BindOrAddrError::Addr(a) => Error::Address(a),
        other => Error::Serve(std::io::Error::other(other.to_string())),
    })?;
    let tls = cli.tls || cli.tls_cert.is_some();
    let places = crate::startup::places_of(&listener, if tls { "https" } else { "http" }).map_err(Error::Serve)?;
    let identity = if tls { Some(crate::tls::identity(&cli, &places)?) } else { None };
    let network = !listener.local_addr().map_err(Error::Serve)?.ip().is_loopback();
    let exposure = crate::startup::Exposure { network, auth: !cli.auth.is_empty(), tls, upload: cli.upload };
    let mut notes = Vec::new();
    if let Some(id) = &identity {
        notes.push(id.note());
    }
    notes.extend(crate::startup::warnings(&exposure));
    crate::startup::announce(&root, &places, &notes, cli.qr).map_err(Error::Stdout)?;

    let mut config = Config::new(root);
    config.listing = !cli.no_listing;
    config.hidden = cli.hidden;
    config.follow_symlinks = cli.follow_symlinks;
    config.index = cli.index;
    config.timeout = cli.timeout;
    config.extra_headers = cli.headers;
    config.log = !cli.quiet;
    config.max_connections = cli.max_connections as usize;
    config.spa = cli.spa;
    config.auth = cli.auth;
    config.upload = cli.upload;
    config.overwrite = cli.overwrite;
    config.max_upload = cli.max_upload;
    #[cfg(feature = "tls")]
    {
        config.tls = identity.map(|id| id.config);
    }
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
        assert_eq!(cli.dir, Some(PathBuf::from("site")));
        assert!(Cli::try_parse_from(["http-serve", "--lan", "-b", "0.0.0.0"]).is_err());
        assert!(Cli::try_parse_from(["http-serve", "-d", "a", "b"]).is_err());
        assert!(Cli::try_parse_from(["http-serve", "-p", "65536"]).is_err());
        assert!(Cli::try_parse_from(["http-serve", "--timeout", "0s"]).is_err());
        assert!(Cli::try_parse_from(["http-serve", "--index", "../x"]).is_err());
    }

    #[test]
    fn folder_table() {
        let t = harness::TempDir::new("folder-arg");
        let here = std::env::current_dir().unwrap();
        let exists = t.join("8080");
        std::fs::create_dir(&exists).unwrap();
        let exists = exists.to_str().unwrap();
        let cases: &[(&[&str], Result<&str, &str>)] = &[
            (&[], Ok(".")),
            (&["site"], Ok("site")),
            (&["-d", "site"], Ok("site")),
            (&["--directory", "9000"], Ok("9000")),
            (&["9000"], Err("9000 is not a folder; to serve . on port 9000 use -p 9000")),
            (&["-p", "0", "65535"], Err("65535 is not a folder; to serve . on port 65535 use -p 65535")),
            (&["65536"], Ok("65536")),
            (&[exists], Ok(exists)),
        ];
        for (args, want) in cases {
            let cli = Cli::try_parse_from(std::iter::once("http-serve").chain(args.iter().copied())).unwrap();
            let got = folder(&cli).map(|p| p.to_string_lossy().into_owned()).map_err(|e| e.to_string());
            assert_eq!(got, want.map(str::to_string).map_err(str::to_string), "{args:?}");
            if let Err(e) = folder(&cli) {
                assert_eq!(crate::exit_code(&e), 2);
            }
        }
        assert_eq!(std::env::current_dir().unwrap(), here);
    }

    #[test]
    fn size_table() {
        let cases: &[(&str, Result<u64, ()>)] = &[
            ("4096", Ok(4096)),
            ("1G", Ok(1 << 30)),
            ("1GiB", Ok(1 << 30)),
            ("500M", Ok(500 << 20)),
            ("10k", Ok(10 << 10)),
            ("2 TB", Ok(2 << 40)),
            ("0", Ok(0)),
            ("", Err(())),
            ("G", Err(())),
            ("1.5G", Err(())),
            ("12X", Err(())),
            ("99999999999T", Err(())),
        ];
        for (input, want) in cases {
            assert_eq!(parse_size(input).map_err(|_| ()), *want, "{input}");
        }
        assert!(Cli::try_parse_from(["http-serve", "--overwrite"]).is_err(), "--overwrite needs --upload");
        let cli = Cli::try_parse_from(["http-serve", "--upload"]).unwrap();
        assert_eq!(cli.max_upload, 1 << 30);
    }
}
