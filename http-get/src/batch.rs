//! A run of one or more URLs: one after another, or with `-Z` several at
//! a time. Whichever, what each URL says comes out in command-line order:
//! its body on stdout (with `-Z` held in a nameless temporary file until
//! the ones before it are out, so bodies are never interleaved), then its
//! error line, then its `-w` text. Every URL runs; the exit code is the
//! first failing URL's.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Seek, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use crate::error::{Error, exit_code};
use crate::job::{Job, Plan};
use crate::transfer::{self, Finished};
use crate::writeout::{self, Facts};

/// Runs the plan and gives the exit code.
pub fn run(plan: Plan) -> u8 {
    let mut report = Report { quiet: plan.quiet, failed: None, stdout_closed: false };
    match plan.parallel {
        None => {
            for job in plan.jobs {
                report.add(fetch(job, plan.write_out.as_deref()));
                if report.stdout_closed {
                    break;
                }
            }
        }
        Some(max) => parallel(plan.jobs, max, plan.write_out.as_deref(), &mut report),
    }
    if let Some((path, jar)) = &plan.cookie_jar {
        let saved =
            jar.lock().map_err(|_| std::io::Error::other("the cookies were lost")).and_then(|jar| jar.save(path));
        if let Err(e) = saved {
            report.fail(&Error::write(&format!("the cookie jar {}", path.display()), e));
        }
    }
    report.failed.unwrap_or(0)
}

/// One URL's transfer, or its URL's failure (with `-w` all the same).
fn fetch(job: Result<Job, Error>, write_out: Option<&str>) -> Finished {
    match job {
        Ok(job) => transfer::run(&job),
        Err(e) => Finished {
            write_out: write_out.map(|format| writeout::expand(format, &Facts::default())),
            ..Finished::refused(e)
        },
    }
}

/// `-Z`: at most `max` transfers at once, reported in command-line order
/// as each one's turn comes.
fn parallel(jobs: Vec<Result<Job, Error>>, max: usize, write_out: Option<&str>, report: &mut Report) {
    let count = jobs.len();
    let queue = Mutex::new(jobs.into_iter().enumerate());
    // Set when stdout's reader went away: no transfer starts after that.
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Finished)>();
    std::thread::scope(|scope| {
        for _ in 0..max.min(count) {
            let tx = tx.clone();
            let (queue, stop) = (&queue, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let next = queue.lock().ok().and_then(|mut q| q.next());
                    let Some((i, job)) = next else { break };
                    if tx.send((i, fetch(job, write_out))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut turn = 0;
        for (i, finished) in rx {
            waiting.insert(i, finished);
            while let Some(finished) = waiting.remove(&turn) {
                report.add(finished);
                turn += 1;
                if report.stdout_closed {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    });
}

/// What has been reported so far.
#[derive(Debug)]
struct Report {
    /// `-s` without `-S`: no error lines.
    quiet: bool,
    /// The exit code of the first URL that failed, in command-line order.
    failed: Option<u8>,
    /// The reader of stdout went away: nothing more is written there.
    stdout_closed: bool,
}

impl Report {
    /// Reports one URL's end: its held body, its error line, its `-w`.
    fn add(&mut self, finished: Finished) {
        if let Some(spool) = finished.spooled
            && !self.stdout_closed
        {
            match to_stdout(spool) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.stdout_closed = true,
                Err(e) => self.fail(&Error::write("stdout", e)),
            }
        }
        if let Err(e) = &finished.result {
            self.fail(e);
        }
        self.stdout_closed |= finished.stdout_closed;
        if let Some(text) = &finished.write_out
            && !self.stdout_closed
        {
            let mut out = io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    /// Prints `error` (unless quiet) and keeps its code if it is the first.
    fn fail(&mut self, error: &Error) {
        if !self.quiet {
            eprintln!("http-get: {error}");
        }
        self.failed.get_or_insert(exit_code(error));
    }
}

/// Copies a held body to stdout.
fn to_stdout(mut spool: File) -> io::Result<()> {
    spool.rewind()?;
    let mut out = shared::sys::stdio::stdout_file()?;
    io::copy(&mut spool, &mut out)?;
    Ok(())
}
