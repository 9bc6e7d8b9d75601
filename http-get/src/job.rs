//! What a run is asked to do: the command line checked once into a
//! [`Job`], and the requests it makes, one [`Hop`] of a redirect chain at a
//! time: the method, the body, and the header fields (defaults, then `-H`,
//! with credentials kept to the origin they were given for).

use std::time::{Duration, Instant};

use url::Url;

use crate::body::Body;
use crate::cli::{Cli, Output};
use crate::error::{Error, Kind};
use crate::net::Clock;
use crate::request::{Request, Settings};
use crate::sink::Dest;
use crate::target;

/// What a status of 400 or more means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// Exit 22 and write nothing.
    Fail,
    /// Write the body, then exit 22.
    FailWithBody,
    /// Every status is success.
    NoFail,
}

/// Everything one URL's transfer needs, checked before any traffic.
#[derive(Debug, Clone)]
pub struct Job {
    /// The URL given: the first request's, the origin credentials belong
    /// to, and the name `-O -c` resumes under.
    pub(crate) url: Url,
    /// `-X`, when given.
    pub(crate) method: Option<String>,
    /// `-H`, in order.
    pub(crate) user_headers: Vec<(String, String)>,
    /// The body: `-d` and its kinds, `--json`, `-F`, `-T`.
    pub(crate) data: Option<Body>,
    /// The method the body options imply (PUT for `-T`, POST, GET for `-G`).
    pub(crate) body_method: Option<&'static str>,
    /// `--json`: `Accept: application/json`.
    pub(crate) json: bool,
    /// `--compressed`: ask for and undo gzip, deflate, br, zstd.
    pub(crate) compressed: bool,
    /// `--max-filesize`.
    pub(crate) max_filesize: Option<u64>,
    /// `-r`: the Range asked for.
    pub(crate) range: Option<String>,
    /// `-e URL`: the first request's Referer.
    pub(crate) referer: Option<String>,
    /// `-e ...;auto`: each redirect names the URL it came from.
    pub(crate) auto_referer: bool,
    /// `-b NAME=VALUE`: cookies for the URL's origin.
    pub(crate) cookie: Option<String>,
    /// The cookie engine (`-b FILE`, `--cookie-jar`): the run's cookies.
    pub(crate) jar: Option<std::sync::Arc<std::sync::Mutex<crate::cookies::Jar>>>,
    /// `-J`: `-O`'s name from Content-Disposition.
    pub(crate) header_name: bool,
    /// `--limit-rate`: bytes a second.
    pub(crate) limit_rate: Option<u64>,
    /// `--output-dir`: where `-O`'s files go.
    pub(crate) output_dir: Option<std::path::PathBuf>,
    /// `--create-dirs`.
    pub(crate) create_dirs: bool,
    /// `-A`, or ours.
    pub(crate) user_agent: String,
    /// `-u`, `--oauth2-bearer`, `--netrc`: for the URL's own origin.
    pub(crate) auth: Auth,
    /// `-i`: the head goes out before the body.
    pub(crate) include: bool,
    /// `-I`: a HEAD request, the head is the output.
    pub(crate) head: bool,
    /// `-o`, `-O` or stdout.
    pub(crate) dest: Dest,
    /// `-c`.
    pub(crate) resume: bool,
    /// `--max-redirects`.
    pub(crate) max_redirects: u32,
    /// `--fail-with-body`, `--no-fail`, or neither.
    pub(crate) fail: FailMode,
    /// How to connect and how long anything may take.
    pub(crate) settings: Settings,
    /// `-m`: the clock starts when the URL's transfer does.
    pub(crate) max_time: Option<Duration>,
    /// Ask the server to close after answering (`Connection: close`):
    /// when no other request of the run could use the connection.
    pub(crate) close: bool,
    /// `--retry`.
    pub(crate) retry: u32,
    /// `-w`.
    pub(crate) write_out: Option<String>,
    /// `-s` without `-S`: no messages at all.
    pub(crate) quiet: bool,
    /// A progress bar is wanted (a file output, not `-s`); shown only on a
    /// terminal.
    pub(crate) progress: bool,
}

/// The command line checked: a job per URL, in order (a URL that does
/// not parse is that URL's failure, not the run's), and how to run them.
#[derive(Debug)]
pub struct Plan {
    /// One per URL, in command-line order.
    pub jobs: Vec<Result<Job, Error>>,
    /// `-Z`: how many at once; `None` runs them one after another.
    pub parallel: Option<usize>,
    /// `-s` without `-S`: no messages.
    pub quiet: bool,
    /// `-w`, also printed for a URL that does not parse.
    pub write_out: Option<String>,
    /// `--cookie-jar`: where the run's cookies go at its end, and them.
    pub cookie_jar: Option<(std::path::PathBuf, std::sync::Arc<std::sync::Mutex<crate::cookies::Jar>>)>,
}

impl Plan {
    /// Checks the command line; a problem with it as a whole (an option's
    /// value, a file it names) is a usage error.
    pub fn from_cli(cli: Cli) -> Result<Plan, Error> {
        let resume = cli.resume || cli.continue_at.is_some();
        if resume && cli.outputs.len() < cli.url_order.len() {
            return Err(Error::new(
                Kind::Usage,
                "--continue needs -o FILE or -O for every URL (curl's -c is --cookie-jar; here -c is --continue)",
            ));
        }
        let made = cli.body.clone().make()?;
        if cli.range.is_some() && resume {
            return Err(Error::new(Kind::Usage, "-r and --continue both ask for a range: choose one"));
        }
        if cli.remote_header_name && (cli.remote_name.is_empty() || resume) {
            return Err(Error::new(Kind::Usage, "-J names -O's file: it needs -O, and does not go with --continue"));
        }
        // The cookie engine: -b FILE (missing is empty, as curl reads it,
        // so one file can be both -b and --cookie-jar) or --cookie-jar.
        let jar = match (&cli.cookie, &cli.cookie_jar) {
            (Some(crate::cli::CookieArg::File(path)), _) => {
                let text = match std::fs::read(path) {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound || path.as_os_str().is_empty() => String::new(),
                    Err(e) => return Err(Error::usage_io(&format!("-b {}", path.display()), e)),
                };
                Some(crate::cookies::Jar::parse(&text))
            }
            (_, Some(_)) => Some(crate::cookies::Jar::default()),
            _ => None,
        }
        .map(|jar| std::sync::Arc::new(std::sync::Mutex::new(jar)));
        let (referer, auto_referer) = match cli.referer.as_deref() {
            Some(r) => match r.strip_suffix(";auto") {
                Some(url) => ((!url.is_empty()).then(|| url.to_string()), true),
                None => (Some(r.to_string()), false),
            },
            None => (None, false),
        };
        let fail = if cli.no_fail {
            FailMode::NoFail
        } else if cli.fail_with_body {
            FailMode::FailWithBody
        } else {
            FailMode::Fail
        };
        #[cfg(feature = "tls")]
        let trust = trust(&cli)?;
        let netrc = match (&cli.netrc_file, cli.netrc || cli.netrc_optional) {
            (Some(path), _) => Some(crate::netrc::Netrc::read(path, "--netrc-file")?),
            // The usual file is used when it is there; a missing one gives
            // no credentials, as in curl.
            (None, true) => crate::netrc::Netrc::default_path()
                .filter(|p| p.exists())
                .map(|p| crate::netrc::Netrc::read(&p, "--netrc"))
                .transpose()?,
            (None, false) => None,
        };
        let auth =
            Auth { user: cli.user.clone(), bearer: cli.oauth2_bearer.clone(), netrc: netrc.map(std::sync::Arc::new) };
        let quiet = cli.silent && !cli.show_error;
        let many = cli.url_order.len() > 1;
        let parallel = (cli.parallel && many).then_some(usize::from(cli.parallel_max));
        let settings = Settings {
            connect_timeout: cli.connect_timeout,
            clock: Clock { deadline: None, idle: cli.idle_timeout },
            #[cfg(feature = "tls")]
            tls: std::sync::Arc::new(crate::tls::Lazy::new(trust)),
            verbose: cli.verbose,
            resolver: std::sync::Arc::new(crate::resolve::Resolver::new(
                shared::net::Family::from_flags(cli.ipv4, cli.ipv6),
                &cli.resolve,
                &cli.connect_to,
            )?),
            unix_socket: cli.unix_socket.clone(),
            pool: std::sync::Arc::new(crate::pool::Pool::new()),
            proxies: std::sync::Arc::new(crate::proxy::Proxies::from_env(cli.proxy.as_deref(), cli.noproxy.as_deref())),
        };
        let mut outputs = cli.outputs.into_iter();
        let mut jobs = Vec::with_capacity(cli.url_order.len());
        for text in &cli.url_order {
            let dest = match outputs.next() {
                // --output-dir holds -o's relative paths too, as in curl.
                Some(Output::File(p)) => match &cli.output_dir {
                    Some(dir) if p.is_relative() => Dest::File(dir.join(p)),
                    _ => Dest::File(p),
                },
                Some(Output::Remote) => Dest::Remote,
                None if parallel.is_some() => Dest::Spool,
                None => Dest::Stdout,
            };
            let url = target::parse_given(text).and_then(|url| for_body(url, &cli.body, made.query.as_deref()));
            jobs.push(url.map(|url| Job {
                url,
                method: cli.method.clone(),
                user_headers: cli.headers.clone(),
                data: made.body.clone(),
                body_method: made.method,
                json: made.json,
                compressed: cli.compressed,
                max_filesize: cli.max_filesize,
                range: cli.range.clone(),
                referer: referer.clone(),
                auto_referer,
                cookie: match &cli.cookie {
                    Some(crate::cli::CookieArg::Literal(c)) => Some(c.clone()),
                    _ => None,
                },
                jar: jar.clone(),
                header_name: cli.remote_header_name,
                limit_rate: cli.limit_rate,
                output_dir: cli.output_dir.clone(),
                create_dirs: cli.create_dirs,
                user_agent: cli.user_agent.clone().unwrap_or_else(|| format!("http-get/{}", env!("CARGO_PKG_VERSION"))),
                auth: auth.clone(),
                include: cli.include,
                head: cli.head,
                // Bars of transfers running together would overwrite each other.
                progress: !cli.silent && matches!(dest, Dest::File(_) | Dest::Remote) && parallel.is_none(),
                dest,
                resume,
                max_redirects: cli.max_redirects,
                fail,
                settings: settings.clone(),
                max_time: cli.max_time,
                // One URL: the server may close once it has answered. Several:
                // connections stay open for the next request.
                close: !many,
                retry: cli.retry,
                write_out: cli.write_out.clone(),
                quiet,
            }));
        }
        let cookie_jar = cli.cookie_jar.clone().zip(jar);
        Ok(Plan { jobs, parallel, quiet, write_out: cli.write_out, cookie_jar })
    }
}

impl Job {
    /// The job with its `-m` clock started now (each URL has its own).
    pub fn started(&self) -> Job {
        let mut job = self.clone();
        job.settings.clock.deadline = self.max_time.map(|t| Instant::now() + t);
        job
    }

    /// The first request of a chain: the URL given, `-X` or the method
    /// `-I` and `-d` imply, `-d`'s body.
    pub fn first_hop(&self) -> Hop {
        let method = self
            .method
            .clone()
            .unwrap_or_else(|| if self.head { "HEAD" } else { self.body_method.unwrap_or("GET") }.to_string());
        Hop { url: self.url.clone(), method, data: self.data.clone(), referer: self.referer.clone() }
    }

    /// The request for `hop`; `offset` > 0 asks for the rest of a file from
    /// there (`--continue`).
    pub fn request(&self, hop: &Hop, offset: u64) -> Result<Request, Error> {
        // Content-Length when every part's size is known; chunked otherwise.
        let body_size = hop.data.as_ref().and_then(Body::size);
        let proxy = self.settings.proxies.for_url(&hop.url)?;
        let mut headers = self.fields(hop, offset, body_size);
        // The proxy's own credentials, for a request the proxy reads (a
        // tunnel's go in its CONNECT); never sent to an origin.
        if let Some(auth) = proxy.as_ref().filter(|p| p.absolute_form(&hop.url)).and_then(|p| p.authorization()) {
            let at = headers.len() - usize::from(self.close);
            headers.insert(at, ("Proxy-Authorization".into(), auth));
        }
        Ok(Request {
            headers,
            method: hop.method.clone(),
            url: hop.url.clone(),
            body: hop.data.clone(),
            body_size,
            proxy,
        })
    }

    /// The request's header fields: defaults, then -H (which replaces a
    /// default of the same name, or removes it when empty).
    fn fields(&self, hop: &Hop, offset: u64, body_size: Option<u64>) -> Vec<(String, String)> {
        // Credentials stay with the origin they were given for.
        let same_origin = origin(&hop.url) == origin(&self.url);
        let mut fields: Vec<(String, String)> = vec![
            ("Host".into(), target::host_field(&hop.url)),
            ("User-Agent".into(), self.user_agent.clone()),
            ("Accept".into(), if self.json { "application/json" } else { "*/*" }.into()),
        ];
        if let Some(auth) = self.auth.field(&self.url).filter(|_| same_origin) {
            fields.push(("Authorization".into(), auth));
        }
        if let Some(referer) = &hop.referer {
            fields.push(("Referer".into(), referer.clone()));
        }
        // -b's cookies, like credentials, stay with the origin given; the
        // engine's go where each belongs.
        let from_jar = self.jar.as_ref().and_then(|j| j.lock().ok()?.header(&hop.url, crate::cookies::now()));
        let cookies: Vec<String> = self.cookie.iter().filter(|_| same_origin).cloned().chain(from_jar).collect();
        if !cookies.is_empty() {
            fields.push(("Cookie".into(), cookies.join("; ")));
        }
        if offset > 0 {
            fields.push(("Range".into(), format!("bytes={offset}-")));
        } else if let Some(range) = &self.range {
            fields.push(("Range".into(), format!("bytes={range}")));
        }
        if offset == 0 && self.compressed {
            // A resumed download asks for the plain bytes: the part on
            // disk is decoded, and so must be what continues it.
            fields.push(("Accept-Encoding".into(), crate::decode::ACCEPT.into()));
        }
        if let Some(body) = &hop.data {
            if let Some(content_type) = &body.content_type {
                fields.push(("Content-Type".into(), content_type.clone()));
            }
            match body_size {
                Some(len) => fields.push(("Content-Length".into(), len.to_string())),
                None => fields.push(("Transfer-Encoding".into(), "chunked".into())),
            }
        } else if matches!(hop.method.as_str(), "POST" | "PUT" | "PATCH") {
            fields.push(("Content-Length".into(), "0".into()));
        }
        if self.close {
            fields.push(("Connection".into(), "close".into()));
        }
        for (name, value) in &self.user_headers {
            let lower = name.to_ascii_lowercase();
            // The body's own headers go with the body; credentials stay with
            // the origin they were given for.
            if hop.data.is_none() && lower == "content-type" || !same_origin && lower == "authorization" {
                continue;
            }
            if matches!(lower.as_str(), "content-length" | "transfer-encoding" | "connection" | "proxy-authorization") {
                continue;
            }
            let existing = fields.iter().position(|(n, _)| n.eq_ignore_ascii_case(name));
            match (existing, value.is_empty()) {
                (Some(i), true) => {
                    fields.remove(i);
                }
                (Some(i), false) => fields[i] = (name.clone(), value.clone()),
                (None, true) => {}
                (None, false) => {
                    // Before Connection, which stays last.
                    let at = fields.len() - usize::from(self.close);
                    fields.insert(at, (name.clone(), value.clone()));
                }
            }
        }
        fields
    }
}

/// Credentials given for the URL's origin, tried in this order: `-u`, the
/// URL's user info, `--oauth2-bearer`, the `.netrc` entry for its host.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    /// `-u USER:PASSWORD`.
    pub user: Option<(String, String)>,
    /// `--oauth2-bearer TOKEN`.
    pub bearer: Option<String>,
    /// `--netrc` or `--netrc-file`, read.
    pub netrc: Option<std::sync::Arc<crate::netrc::Netrc>>,
}

impl Auth {
    /// The Authorization value for a request to `url`.
    fn field(&self, url: &Url) -> Option<String> {
        if let Some((user, password)) = &self.user {
            return Some(target::basic(user, password));
        }
        if let Some(basic) = target::basic_auth(url) {
            return Some(basic);
        }
        if let Some(token) = &self.bearer {
            return Some(format!("Bearer {token}"));
        }
        let host = url.host_str()?;
        let (login, password) = self.netrc.as_ref()?.lookup(host, None)?;
        Some(target::basic(&login, &password))
    }
}

/// One request of a redirect chain: where, how, and with what body.
#[derive(Debug, Clone)]
pub struct Hop {
    /// Where.
    pub url: Url,
    /// The method.
    pub method: String,
    /// The body, until a redirect drops it.
    pub data: Option<Body>,
    /// `Referer`: `-e URL`, or with `;auto` the URL a redirect came from.
    pub referer: Option<String>,
}

impl Hop {
    /// The next hop after a redirect with `status` to `next`: 303 turns
    /// anything but HEAD into a GET without a body, and 301 and 302 do so
    /// for POST, as browsers and curl do; 307 and 308 resend as they were.
    /// With `auto_referer` the next request names this one's URL.
    pub fn redirected(self, status: u16, next: Url, auto_referer: bool) -> Hop {
        let referer = if auto_referer { Some(target::shown(&self.url)) } else { self.referer.clone() };
        if status == 303 && self.method != "HEAD" || matches!(status, 301 | 302) && self.method == "POST" {
            Hop { url: next, method: "GET".into(), data: None, referer }
        } else {
            Hop { url: next, referer, ..self }
        }
    }
}

/// What to trust for https, checked before any traffic: `--cacert`, else
/// `CURL_CA_BUNDLE`, else `SSL_CERT_FILE` (as curl reads them); else the
/// system's store, which reads `SSL_CERT_DIR` when it is set. A file or
/// folder named that cannot be read is a usage error naming where it was
/// named. `--cert` and `--key` (the key may be in the certificate's file).
#[cfg(feature = "tls")]
fn trust(cli: &Cli) -> Result<crate::tls::Trust, Error> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(std::path::PathBuf::from);
    let ca = match &cli.cacert {
        Some(path) => Some((path.clone(), "--cacert".to_string())),
        None => [("CURL_CA_BUNDLE"), ("SSL_CERT_FILE")]
            .into_iter()
            .find_map(|name| env(name).map(|p| (p, name.to_string()))),
    };
    if let Some((path, source)) = &ca {
        // Read when an https URL needs it; a missing file is a usage error
        // now, before any traffic.
        std::fs::metadata(path).map_err(|e| Error::usage_io(&format!("{source} {}", path.display()), e))?;
    } else if let Some(dir) = env("SSL_CERT_DIR") {
        let meta =
            std::fs::metadata(&dir).map_err(|e| Error::usage_io(&format!("SSL_CERT_DIR {}", dir.display()), e))?;
        if !meta.is_dir() {
            return Err(Error::new(Kind::Usage, format!("SSL_CERT_DIR {}: not a folder", dir.display())));
        }
    }
    let identity = match (&cli.cert, &cli.key) {
        (Some(cert), key) => Some((cert.clone(), key.clone().unwrap_or_else(|| cert.clone()))),
        (None, Some(_)) => return Err(Error::new(Kind::Usage, "--key needs --cert")),
        (None, None) => None,
    };
    for (path, option) in identity.iter().flat_map(|(c, k)| [(c, "--cert"), (k, "--key")]) {
        std::fs::metadata(path).map_err(|e| Error::usage_io(&format!("{option} {}", path.display()), e))?;
    }
    Ok(crate::tls::Trust { ca, insecure: cli.insecure, identity })
}

/// What a file name must have encoded to be one path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// The URL as the body options change it: `-G`'s data added to its query;
/// `-T FILE` to a URL ending in `/` names the file there (as curl does).
fn for_body(mut url: Url, given: &crate::data::Given, query: Option<&str>) -> Result<Url, Error> {
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        let joined = match url.query() {
            Some(old) if !old.is_empty() => format!("{old}&{query}"),
            _ => query.to_string(),
        };
        url.set_query(Some(&joined));
    }
    if let Some(name) = given.upload.as_ref().filter(|p| p.as_os_str() != "-").and_then(|p| p.file_name())
        && url.path().ends_with('/')
    {
        let name = name.to_string_lossy();
        let escaped = percent_encoding::utf8_percent_encode(&name, SEGMENT);
        url = target::join(&url, &escaped.to_string())?;
    }
    Ok(url)
}

/// The origin (scheme, host, port) credentials are tied to.
fn origin(url: &Url) -> (String, Option<String>, Option<u16>) {
    (url.scheme().to_string(), url.host_str().map(str::to_string), url.port_or_known_default())
}
