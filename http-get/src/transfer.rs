//! A whole run: build the request, follow redirects, decide what a status
//! means, stream the body to its sink, retry what may be retried, and
//! report with one line and an exit code.

use std::io::{IsTerminal, Read};
use std::time::{Duration, Instant, SystemTime};

use url::Url;

use crate::cli::Cli;
use crate::copy::{self, Copied, Out};
use crate::error::{Error, Kind};
use crate::exchange::{self, Data, Request, Settings};
use crate::net::Clock;
use crate::progress::Progress;
use crate::response::{self, Response};
use crate::sink::{Begin, Dest, ResumePoint, Sink, Source, WriteFail};
use crate::target;
use crate::writeout::{self, Facts};

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

/// Everything a run needs, checked.
#[derive(Debug)]
pub struct Plan {
    url: Url,
    method: Option<String>,
    user_headers: Vec<(String, String)>,
    data: Option<Data>,
    user_agent: String,
    include: bool,
    head: bool,
    dest: Dest,
    resume: bool,
    max_redirects: u32,
    fail: FailMode,
    settings: Settings,
    retry: u32,
    write_out: Option<String>,
    quiet: bool,
    progress: bool,
}

/// Longest wait between retries, whatever Retry-After says.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(600);

impl Plan {
    /// Checks the command line; a problem is a usage error or a bad URL.
    pub fn from_cli(cli: Cli) -> Result<Plan, Error> {
        let url = target::parse(&cli.url)?;
        if cli.resume && cli.output.is_none() && !cli.remote_name {
            return Err(Error::new(Kind::Usage, "--continue needs -o FILE or -O"));
        }
        let data = match cli.data.as_deref() {
            None => None,
            Some("@-") => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::new(Kind::Usage, format!("-d @-: reading stdin: {e}")).because(e))?;
                Some(Data::Bytes(bytes))
            }
            Some(s) if s.starts_with('@') => {
                let path = std::path::PathBuf::from(&s[1..]);
                std::fs::metadata(&path).map_err(|e| Error::usage_io(&format!("-d {s}"), e))?;
                Some(Data::File(path))
            }
            Some(s) => Some(Data::Bytes(s.as_bytes().to_vec())),
        };
        let dest = match (cli.output, cli.remote_name) {
            (Some(p), _) => Dest::File(p),
            (None, true) => Dest::Remote,
            (None, false) => Dest::Stdout,
        };
        let fail = if cli.no_fail {
            FailMode::NoFail
        } else if cli.fail_with_body {
            FailMode::FailWithBody
        } else {
            FailMode::Fail
        };
        if let Some(path) = &cli.cacert {
            // Read when an https URL needs it; a missing file is a usage
            // error now, before any traffic.
            std::fs::metadata(path).map_err(|e| Error::usage_io(&format!("--cacert {}", path.display()), e))?;
        }
        let tls = std::sync::Arc::new(crate::tls::Lazy::new(cli.cacert.clone(), cli.insecure));
        let deadline = cli.max_time.map(|t| Instant::now() + t);
        let quiet = cli.silent && !cli.show_error;
        Ok(Plan {
            url,
            method: cli.method,
            user_headers: cli.headers,
            data,
            user_agent: cli.user_agent.unwrap_or_else(|| format!("http-get/{}", env!("CARGO_PKG_VERSION"))),
            include: cli.include,
            head: cli.head,
            progress: !cli.silent && dest != Dest::Stdout,
            dest,
            resume: cli.resume,
            max_redirects: cli.max_redirects,
            fail,
            settings: Settings {
                connect_timeout: cli.connect_timeout,
                clock: Clock { deadline, idle: cli.idle_timeout },
                tls,
                verbose: cli.verbose,
            },
            retry: cli.retry,
            write_out: cli.write_out,
            quiet,
        })
    }
}

/// What one attempt learned, for retries and `-w`.
#[derive(Debug, Default)]
struct Attempt {
    facts: Facts,
    retry_after: Option<Duration>,
}

/// How an attempt ended without a failure.
#[derive(Debug)]
enum Ended {
    /// All delivered.
    Done,
    /// Status >= 400 with --fail-with-body: delivered, but a failure.
    HttpError(Error),
    /// The reader of stdout went away.
    StdoutClosed,
}

/// How a run ended, for `main` to report: the error, if any (printed
/// once, then turned into the exit code), and the `-w` text to print after
/// it.
#[derive(Debug)]
pub struct Finished {
    /// Success, or why not.
    pub result: Result<(), Error>,
    /// `-w` expanded, when there is something to report (not after a usage
    /// error, nor when the reader of stdout went away).
    pub write_out: Option<String>,
}

impl Finished {
    /// A run that failed before any request.
    pub fn refused(error: Error) -> Finished {
        Finished { result: Err(error), write_out: None }
    }

    /// Prints the `-w` text on stdout, if any.
    pub fn print_write_out(&self) {
        if let Some(text) = &self.write_out {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
}

/// Runs the plan: attempts, retries, and how it all ended.
pub fn run(plan: &Plan) -> Finished {
    let started = Instant::now();
    let mut sink = Sink::new(plan.dest.clone(), plan.resume);
    let mut wait = Duration::from_secs(1);
    let mut tries = 0;
    loop {
        let mut attempt = Attempt::default();
        let result = attempt_once(plan, &mut sink, &mut attempt);
        attempt.facts.time_total = started.elapsed();
        let error = match result {
            Ok(Ended::Done) => return Finished { result: Ok(()), write_out: write_out(plan, &attempt.facts) },
            Ok(Ended::StdoutClosed) => return Finished { result: Ok(()), write_out: None },
            Ok(Ended::HttpError(e)) | Err(e) => e,
        };
        sink.discard();
        if error.kind().retryable() && tries < plan.retry && sink.streamed() == 0 {
            let pause = attempt.retry_after.unwrap_or(wait).min(MAX_RETRY_WAIT);
            let left = plan.settings.clock.deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if left.is_none_or(|l| l > pause) {
                tries += 1;
                if !plan.quiet {
                    eprintln!(
                        "http-get: {error}; retrying in {} ({tries} of {})",
                        humantime::format_duration(pause),
                        plan.retry
                    );
                }
                std::thread::sleep(pause);
                wait = wait.saturating_mul(2);
                continue;
            }
        }
        return Finished { result: Err(error), write_out: write_out(plan, &attempt.facts) };
    }
}

fn write_out(plan: &Plan, facts: &Facts) -> Option<String> {
    plan.write_out.as_deref().map(|format| writeout::expand(format, facts))
}

/// The origin (scheme, host, port) credentials are tied to.
fn origin(url: &Url) -> (String, Option<String>, Option<u16>) {
    (url.scheme().to_string(), url.host_str().map(str::to_string), url.port_or_known_default())
}

fn attempt_once(plan: &Plan, sink: &mut Sink, attempt: &mut Attempt) -> Result<Ended, Error> {
    let first = plan.url.clone();
    let mut url = plan.url.clone();
    let mut method = plan.method.clone().unwrap_or_else(|| {
        if plan.head {
            "HEAD".into()
        } else if plan.data.is_some() {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    let mut data = plan.data.clone();
    let credentials_origin = origin(&plan.url);
    let url_auth = target::basic_auth(&plan.url);
    let mut redirects = 0;
    loop {
        // -O -c names the file after the URL given, before redirects.
        let ResumePoint { source, offset } =
            if plan.resume { sink.resume_point(&first) } else { ResumePoint { source: Source::None, offset: 0 } };
        let same_origin = origin(&url) == credentials_origin;
        let req = Request {
            headers: headers(
                plan,
                &url,
                &method,
                data.as_ref(),
                same_origin.then_some(url_auth.as_deref()).flatten(),
                same_origin,
                offset,
            )?,
            method: method.clone(),
            url: url.clone(),
            body: data.clone(),
        };
        let response = exchange::send(&req, &plan.settings)?;
        let status = response.head.status;
        attempt.facts.http_code = status;
        attempt.facts.url_effective = target::shown(&url);
        attempt.facts.content_type = response.head.headers.get_str("content-type").unwrap_or_default().to_string();
        attempt.retry_after = retry_after(&response);
        let location = response.head.headers.get_str("location").map(str::to_string);
        if matches!(status, 301 | 302 | 303 | 307 | 308)
            && plan.max_redirects > 0
            && let Some(location) = location
        {
            if redirects >= plan.max_redirects {
                return Err(Error::new(
                    Kind::TooManyRedirects,
                    format!("{}: more than {} redirects", target::shown(&plan.url), plan.max_redirects),
                ));
            }
            let next = target::join(&url, &location)?;
            if status == 303 && method != "HEAD" || matches!(status, 301 | 302) && method == "POST" {
                method = "GET".into();
                data = None;
            }
            url = next;
            redirects += 1;
            continue;
        }
        return deliver(plan, sink, attempt, response, &url, &first, source, offset);
    }
}

/// The request's header fields: defaults, then -H (which replaces a
/// default of the same name, or removes it when empty).
fn headers(
    plan: &Plan,
    url: &Url,
    method: &str,
    data: Option<&Data>,
    url_auth: Option<&str>,
    same_origin: bool,
    offset: u64,
) -> Result<Vec<(String, String)>, Error> {
    let mut fields: Vec<(String, String)> = vec![
        ("Host".into(), target::host_field(url)),
        ("User-Agent".into(), plan.user_agent.clone()),
        ("Accept".into(), "*/*".into()),
    ];
    if let Some(auth) = url_auth {
        fields.push(("Authorization".into(), auth.to_string()));
    }
    if offset > 0 {
        fields.push(("Range".into(), format!("bytes={offset}-")));
    }
    if let Some(d) = data {
        let len = d.size().map_err(|e| Error::usage_io("-d", e))?;
        fields.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
        fields.push(("Content-Length".into(), len.to_string()));
    } else if matches!(method, "POST" | "PUT" | "PATCH") {
        fields.push(("Content-Length".into(), "0".into()));
    }
    fields.push(("Connection".into(), "close".into()));
    for (name, value) in &plan.user_headers {
        let lower = name.to_ascii_lowercase();
        // The body's own headers go with the body; credentials stay with
        // the origin they were given for.
        if data.is_none() && lower == "content-type" || !same_origin && lower == "authorization" {
            continue;
        }
        if matches!(lower.as_str(), "content-length" | "transfer-encoding" | "connection") {
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
                let at = fields.len() - 1;
                fields.insert(at, (name.clone(), value.clone()));
            }
        }
    }
    Ok(fields)
}

fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.head.headers.get_str("retry-after")?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = shared::http::date::parse(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// The final response: decide what its status means, then stream it out.
#[allow(clippy::too_many_arguments)]
fn deliver(
    plan: &Plan,
    sink: &mut Sink,
    attempt: &mut Attempt,
    response: Response,
    url: &Url,
    first: &Url,
    source: Source,
    offset: u64,
) -> Result<Ended, Error> {
    let shown = target::shown(url);
    let status = response.head.status;
    let mut begin = Begin::Fresh;
    if plan.resume && offset > 0 {
        match status {
            416 => {
                // Already complete when the server's length is ours.
                let total = response.head.headers.get_str("content-range").and_then(|v| v.strip_prefix("bytes */"));
                if total.is_none_or(|t| t.trim().parse::<u64>() == Ok(offset)) {
                    sink.complete_already(first, source)?;
                    return Ok(Ended::Done);
                }
            }
            206 => {
                let start = response
                    .head
                    .headers
                    .get_str("content-range")
                    .and_then(|v| v.strip_prefix("bytes "))
                    .and_then(|v| v.split('-').next())
                    .and_then(|v| v.parse::<u64>().ok());
                if start != Some(offset) {
                    return Err(Error::new(
                        Kind::Malformed,
                        format!("{shown}: asked to resume at byte {offset}, the server sent another range"),
                    ));
                }
                begin = Begin::Append;
            }
            // The server ignored the Range: start over cleanly.
            _ => {}
        }
    }
    let mut http_error = (status >= 400 && plan.fail != FailMode::NoFail)
        .then(|| Error::http_status(&shown, status, &response.head.reason));
    if let Some(e) = http_error.take_if(|_| plan.fail == FailMode::Fail) {
        return Err(e);
    }
    let name_url = if plan.resume { first } else { url };
    sink.begin(name_url, begin, source)?;
    if plan.head || plan.include {
        match sink.write(&response::head_text(&response.head)) {
            Ok(()) => {}
            Err(WriteFail::Closed) => return Ok(Ended::StdoutClosed),
            Err(WriteFail::Failed(f)) => return Err(f),
        }
    }
    let total = shared::http::framing::content_length(&response.head.headers).ok().flatten().filter(|_| !plan.head);
    let done = if begin == Begin::Append { offset } else { 0 };
    let progress = Progress::new(plan.progress && !plan.head, total, done);
    let copied = copy::body(response, &shown, Out { sink, progress: &progress, facts: &mut attempt.facts });
    progress.finish();
    if copied? == Copied::ReaderGone {
        return Ok(Ended::StdoutClosed);
    }
    if let Some(path) = sink.commit(name_url)?
        && progress.shown()
        && std::io::stderr().is_terminal()
    {
        eprintln!("saved {}", path.display());
    }
    Ok(match http_error {
        Some(e) => Ended::HttpError(e),
        None => Ended::Done,
    })
}
