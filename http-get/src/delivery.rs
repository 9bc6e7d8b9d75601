//! The final response of an attempt, delivered: what its status means
//! (`--fail`, `--fail-with-body`, `--no-fail`), what it answers to a
//! `--continue` Range (206 appends, 416 may mean already complete), then
//! the head for `-i`/`-I`, the body to the output with a progress bar, and
//! the output committed under its final name.

use std::io::IsTerminal;

use url::Url;

use crate::copy::{self, Copied, Out};
use crate::decode;
use crate::error::{Error, Kind};
use crate::job::{FailMode, Job};
use crate::progress::Progress;
use crate::response::Response;
use crate::sink::{Begin, Dest, ResumePoint, Sink, WriteFail};
use crate::target;
use crate::writeout::Facts;

/// How a delivery ended without a failure.
#[derive(Debug)]
pub enum Ended {
    /// All delivered.
    Done,
    /// Status >= 400 with `--fail-with-body`: delivered, but a failure.
    HttpError(Error),
    /// The reader of stdout went away.
    StdoutClosed,
}

/// What delivering one response needs: the attempt's state.
#[derive(Debug)]
pub struct Delivery<'a> {
    /// The run's settings.
    pub job: &'a Job,
    /// The output.
    pub sink: &'a mut Sink,
    /// What `-w` reports; the body's size is counted here.
    pub facts: &'a mut Facts,
    /// The URL that answered (after redirects).
    pub url: &'a Url,
    /// What `--continue` found on disk when the request was made.
    pub resume: ResumePoint,
    /// The heads of the redirects that led here, as received, for `-i`
    /// and `-I` (curl prints every hop's).
    pub earlier_heads: &'a [u8],
}

impl Delivery<'_> {
    /// Decides what the response's status means, then streams it out.
    pub fn deliver(mut self, response: Response) -> Result<Ended, Error> {
        let job = self.job;
        let shown = target::shown(self.url);
        let status = response.head.status;
        let offset = self.resume.offset;
        // -O -c names the file after the URL given, before redirects.
        let name_url = if job.resume { &job.url } else { self.url };
        let mut begin = Begin::Fresh;
        // offset > 0: resuming, with -c or after a retry of this run.
        if offset > 0 {
            match status {
                416 if already_complete(&response, offset) => {
                    self.sink.complete_already(&job.url, self.resume.source)?;
                    return Ok(Ended::Done);
                }
                206 => {
                    if range_start(&response) != Some(offset) {
                        return Err(Error::new(
                            Kind::Malformed,
                            format!("{shown}: asked to resume at byte {offset}, the server sent another range"),
                        ));
                    }
                    begin = Begin::Append(offset);
                }
                // The server ignored the Range: start over cleanly.
                _ => {}
            }
        }
        let http_error = (status >= 400 && job.fail != FailMode::NoFail)
            .then(|| Error::http_status(&shown, status, &response.head.reason));
        let show_head = job.head || job.include;
        if job.fail == FailMode::Fail
            && let Some(e) = http_error
        {
            // -i and -I still show the head (every hop's) of a response
            // that fails; the body is never written. A file is not kept
            // after a failure, so only stdout shows it.
            if show_head && matches!(job.dest, Dest::Stdout | Dest::Spool) {
                self.sink.begin(name_url, Begin::Fresh, self.resume.source)?;
                self.write_heads(&response.raw)?;
            }
            return Err(e);
        }
        // What the body will be, known before anything is written: the
        // codings to undo (one not known here fails now), a length past
        // --max-filesize.
        let codings = if job.compressed && response.has_body() {
            let values = response.head.headers.get_all("content-encoding");
            decode::codings(values).map_err(|why| Error::new(Kind::Decode, format!("{shown}: {why}")))?
        } else {
            Vec::new()
        };
        let length = shared::http::framing::content_length(&response.head.headers).ok().flatten().filter(|_| !job.head);
        if let (Some(max), Some(length), true) = (job.max_filesize, length, codings.is_empty())
            && length > max
        {
            return Err(copy::too_large(&shown, max));
        }
        if job.header_name {
            let suggested = response.head.headers.get("content-disposition").and_then(crate::disposition::file_name);
            self.sink.name_from_header(suggested);
        }
        self.sink.begin(name_url, begin, self.resume.source)?;
        self.facts.filename_effective = self.sink.final_path(name_url).map(|p| p.display().to_string());
        if show_head && self.write_heads(&response.raw)? == Copied::ReaderGone {
            return Ok(Ended::StdoutClosed);
        }
        // A decoded body's size is not its Content-Length.
        let total = length.filter(|_| codings.is_empty());
        let done = if let Begin::Append(offset) = begin { offset } else { 0 };
        let progress = Progress::new(job.progress && !job.head, total, done);
        let out = Out {
            sink: self.sink,
            progress: &progress,
            facts: self.facts,
            codings: &codings,
            max_size: job.max_filesize,
            pace: job.limit_rate.map(|rate| copy::Pace::new(rate, job.settings.clock.deadline)),
        };
        let key = response.key.clone();
        let copied = copy::body(response, &shown, out);
        progress.finish();
        let (copied, conn) = copied?;
        if copied == Copied::ReaderGone {
            return Ok(Ended::StdoutClosed);
        }
        if let Some(conn) = conn {
            job.settings.pool.put(key, conn);
        }
        if let Some(path) = self.sink.commit(name_url)?
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
}

impl Delivery<'_> {
    /// Writes the redirects' heads, then `last`, exactly as received.
    fn write_heads(&mut self, last: &[u8]) -> Result<Copied, Error> {
        for bytes in [self.earlier_heads, last] {
            match self.sink.write(bytes) {
                Ok(()) => {}
                Err(WriteFail::Closed) => return Ok(Copied::ReaderGone),
                Err(WriteFail::Failed(e)) => return Err(e),
            }
        }
        Ok(Copied::All)
    }
}

/// A 416 to our Range means "already complete" when the server's length
/// is ours (or it does not say).
fn already_complete(response: &Response, offset: u64) -> bool {
    let total = response.head.headers.get_str("content-range").and_then(|v| v.strip_prefix("bytes */"));
    total.is_none_or(|t| t.trim().parse::<u64>() == Ok(offset))
}

/// Where a 206's Content-Range starts.
fn range_start(response: &Response) -> Option<u64> {
    response
        .head
        .headers
        .get_str("content-range")
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split('-').next())
        .and_then(|v| v.parse::<u64>().ok())
}
