//! A whole run: attempts, each a request and the redirects it leads to,
//! then the delivery of the final response; retries of what may be
//! retried, with waits that double or follow Retry-After; and how it all
//! ended, for `main` to report once.

use std::time::{Duration, Instant, SystemTime};

use crate::body::Body;
use crate::delivery::{Delivery, Ended};
use crate::error::{Error, Kind};
use crate::job::Job;
use crate::request;
use crate::response::Response;
use crate::sink::Sink;
use crate::target;
use crate::writeout::{self, Facts};

/// Longest redirect body read past to keep its connection.
const REDIRECT_BODY: u64 = 64 * 1024;

/// Longest wait between retries, whatever Retry-After says.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(600);

/// How one URL's transfer ended, for the run to report: the error, if
/// any (printed once), the `-w` text to print after it, and with `-Z` the
/// body held for stdout's turn.
#[derive(Debug)]
pub struct Finished {
    /// Success, or why not.
    pub result: Result<(), Error>,
    /// `-w` expanded, when there is something to report (not after a usage
    /// error, nor when the reader of stdout went away).
    pub write_out: Option<String>,
    /// The reader of stdout went away: nothing more goes there.
    pub stdout_closed: bool,
    /// With `-Z`: what is bound for stdout, in a nameless temporary file.
    pub spooled: Option<std::fs::File>,
}

impl Finished {
    /// A transfer that failed before any request.
    pub fn refused(error: Error) -> Finished {
        Finished::ended(Err(error))
    }

    /// A transfer that ended with `result`, nothing else to say yet.
    fn ended(result: Result<(), Error>) -> Finished {
        Finished { result, write_out: None, stdout_closed: false, spooled: None }
    }
}

/// Runs one URL's job: attempts, retries, and how it all ended.
pub fn run(job: &Job) -> Finished {
    let job = &job.started();
    let mut sink = Sink::new(job.dest.clone(), job.resume);
    sink.place(job.output_dir.clone(), job.create_dirs);
    let mut finished = run_into(job, &mut sink);
    finished.spooled = sink.take_spooled();
    finished
}

fn run_into(job: &Job, sink: &mut Sink) -> Finished {
    let started = Instant::now();
    let mut retries = Retries { done: 0, wait: Duration::from_secs(1) };
    loop {
        let mut attempt =
            Attempt { job, sink: &mut *sink, facts: Facts::default(), retry_after: None, retries: &retries, started };
        let result = attempt.run();
        let Attempt { mut facts, retry_after, .. } = attempt;
        facts.time_total = started.elapsed();
        let error = match result {
            Ok(Ended::Done) => {
                return Finished { write_out: write_out(job, &facts, None), ..Finished::ended(Ok(())) };
            }
            Ok(Ended::StdoutClosed) => return Finished { stdout_closed: true, ..Finished::ended(Ok(())) },
            Ok(Ended::HttpError(e)) | Err(e) => e,
        };
        sink.pause();
        // A body from stdin that has begun to go cannot be sent again.
        let body_gone = job.data.as_ref().is_some_and(Body::reads_stdin) && crate::body::stdin_taken();
        if error.kind().retryable()
            && !body_gone
            && sink.streamed() == 0
            && let Some(pause) = retries.pause(job, retry_after)
        {
            retries.done += 1;
            if !job.quiet {
                eprintln!(
                    "http-get: {error}; retrying in {} ({} of {})",
                    humantime::format_duration(pause),
                    retries.done,
                    job.retry
                );
            }
            std::thread::sleep(pause);
            retries.wait = retries.wait.saturating_mul(2);
            continue;
        }
        // What reached a file is the file's (for -c to resume), unless
        // it came from a body that failed to decode or grew too large.
        sink.discard(error.kind().keeps_part());
        return Finished { write_out: write_out(job, &facts, Some(&error)), ..Finished::refused(error) };
    }
}

/// How far `--retry` has got.
#[derive(Debug)]
struct Retries {
    /// Retries made so far.
    done: u32,
    /// The next wait when the server does not say (doubles each time).
    wait: Duration,
}

impl Retries {
    /// The pause before another try, when one is allowed: tries are left
    /// and the wait (Retry-After's, or ours) ends before `--max-time`.
    fn pause(&self, job: &Job, retry_after: Option<Duration>) -> Option<Duration> {
        if self.done >= job.retry {
            return None;
        }
        let pause = retry_after.unwrap_or(self.wait).min(MAX_RETRY_WAIT);
        let left = job.settings.clock.deadline.map(|d| d.saturating_duration_since(Instant::now()));
        left.is_none_or(|l| l > pause).then_some(pause)
    }
}

/// `-w`'s text, the error (if any) among the facts.
fn write_out(job: &Job, facts: &Facts, error: Option<&Error>) -> Option<String> {
    let format = job.write_out.as_deref()?;
    let mut facts = facts.clone();
    if let Some(e) = error {
        facts.exitcode = crate::error::exit_code(e);
        facts.errormsg = Some(e.to_string());
    }
    Some(writeout::expand(format, &facts))
}

/// One attempt and what it learned, for retries and `-w`.
#[derive(Debug)]
struct Attempt<'a> {
    /// The run's settings.
    job: &'a Job,
    /// The output, kept across attempts (it knows what a retry must not
    /// repeat).
    sink: &'a mut Sink,
    /// What `-w` reports about this attempt.
    facts: Facts,
    /// What the last response's Retry-After asked for.
    retry_after: Option<Duration>,
    /// Whether another try is allowed: a response that will be retried is
    /// not delivered.
    retries: &'a Retries,
    /// When the URL's transfer began: `-w`'s times count from here.
    started: Instant,
}

impl Attempt<'_> {
    /// Requests, follows redirects, and delivers the final response.
    fn run(&mut self) -> Result<Ended, Error> {
        let job = self.job;
        let mut hop = job.first_hop();
        let mut redirects = 0;
        // Known before any answer, for a -w after a failure to connect.
        self.facts.url = target::shown(&job.url);
        self.facts.url_effective = target::shown(&job.url);
        self.facts.method = hop.method.clone();
        // The heads of the hops so far, for -i and -I.
        let mut heads = Vec::new();
        loop {
            let resume = self.sink.resume_point(&job.url);
            let response = request::send(&job.request(&hop, resume.offset)?, &job.settings)?;
            let status = response.head.status;
            self.facts.http_code = status;
            self.facts.url = target::shown(&job.url);
            self.facts.url_effective = target::shown(&hop.url);
            self.facts.method = hop.method.clone();
            self.facts.http_version = format!("1.{}", response.head.minor);
            self.facts.size_header += response.raw.len() as u64;
            self.facts.num_redirects = redirects;
            let since = |at: Option<Instant>| at.map(|t| t.saturating_duration_since(self.started)).unwrap_or_default();
            let timing = response.timing;
            self.facts.time_namelookup = since(timing.namelookup);
            self.facts.time_connect = since(timing.connect);
            self.facts.time_appconnect = since(timing.appconnect);
            self.facts.time_starttransfer = since(timing.starttransfer);
            self.facts.remote = timing.remote;
            self.facts.content_type = response.head.headers.get_str("content-type").unwrap_or_default().to_string();
            self.retry_after = retry_after(&response);
            if let Some(jar) = &job.jar
                && let Ok(mut jar) = jar.lock()
            {
                let now = crate::cookies::now();
                for value in response.head.headers.get_all("set-cookie") {
                    jar.set(&hop.url, value, now);
                }
            }
            // An empty Location leads nowhere: the response is final.
            let location =
                response.head.headers.get_str("location").map(str::trim).filter(|l| !l.is_empty()).map(str::to_string);
            if matches!(status, 301 | 302 | 303 | 307 | 308)
                && job.max_redirects > 0
                && let Some(location) = location
            {
                if redirects >= job.max_redirects {
                    return Err(Error::new(
                        Kind::TooManyRedirects,
                        format!("{}: more than {} redirects", target::shown(&job.url), job.max_redirects),
                    ));
                }
                let next = target::join(&hop.url, &location)?;
                shared::trace::step(format_args!("redirect: {status} to {}", target::shown(&next)));
                if job.include || job.head {
                    heads.extend_from_slice(&response.raw);
                }
                // A short redirect body is read past, so its connection can
                // carry the next request when that goes to the same place.
                let key = response.key.clone();
                if let Some(conn) = response.drain(REDIRECT_BODY) {
                    job.settings.pool.put(key, conn);
                }
                hop = hop.redirected(status, next, job.auto_referer);
                // 307 and 308 send the body again: stdin's is gone.
                if hop.data.as_ref().is_some_and(Body::reads_stdin) && crate::body::stdin_taken() {
                    return Err(Error::new(
                        Kind::Rewind,
                        format!(
                            "{}: a {status} asks for the request body again, and it came from stdin, which cannot be sent a second time",
                            target::shown(&hop.url)
                        ),
                    ));
                }
                redirects += 1;
                continue;
            }
            // A status --retry asks again for is not delivered when it will
            // be: its body is never written, whatever --fail says.
            if Kind::HttpStatus(status).retryable()
                && self.sink.streamed() == 0
                && self.retries.pause(job, self.retry_after).is_some()
            {
                return Err(Error::http_status(&target::shown(&hop.url), status, &response.head.reason));
            }
            let delivery = Delivery {
                job,
                sink: &mut *self.sink,
                facts: &mut self.facts,
                url: &hop.url,
                resume,
                earlier_heads: &heads,
            };
            return delivery.deliver(response);
        }
    }
}

fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.head.headers.get_str("retry-after")?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = shared::http::date::parse(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}
