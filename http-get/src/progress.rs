//! The progress bar: shown when the body goes to a file and stderr is a
//! terminal (never in a pipe or a log), unless `-s`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing.
#[derive(Debug)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar if `wanted` and stderr is a terminal. `total` is the size when
    /// known; `done` bytes are already on disk (a resumed download).
    pub fn new(wanted: bool, total: Option<u64>, done: u64) -> Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = match total {
            Some(t) => {
                let bar = ProgressBar::with_draw_target(Some(t + done), ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template(
                    "{bytes:>10} / {total_bytes:<10} [{wide_bar}] {bytes_per_sec:>12}  ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                bar.set_style(style);
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template("{spinner} {bytes:>10} {bytes_per_sec:>12}  {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style);
                bar
            }
        };
        bar.set_position(done);
        Progress(Some(bar))
    }

    /// True when a bar is shown.
    pub fn shown(&self) -> bool {
        self.0.is_some()
    }

    /// `n` more bytes arrived.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    /// Removes the bar (done or failed).
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
