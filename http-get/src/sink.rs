//! Where the body goes: stdout, or a file that appears only when complete.
//!
//! A file is written under a temporary name beside its final name and
//! renamed into place after the whole body arrived, so an existing file is
//! never left half-overwritten and a failed download leaves nothing. With
//! `--continue` the partial download is `NAME.part`, kept on failure so the
//! next run resumes it. A device or FIFO given with `-o` is written as it
//! is, never replaced. Whichever it is, the open output is one `Output`
//! that hands the zero-copy path the `&File` to write to.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use url::Url;

use crate::error::{Error, Kind};

/// Where the user asked the body to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// Standard output.
    Stdout,
    /// `-o FILE`.
    File(PathBuf),
    /// `-O`: a name taken from the URL, in the current directory.
    Remote,
    /// Bound for stdout, but held in a nameless temporary file until the
    /// transfers before it are out (`-Z`).
    Spool,
}

/// What an existing partial download says about where to resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Nothing to resume.
    None,
    /// `NAME.part` from an earlier run.
    Part,
    /// The final file itself, perhaps complete already.
    Final,
}

/// Where `--continue` resumes: what is on disk, and how many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumePoint {
    /// Which file holds the bytes already fetched.
    pub source: Source,
    /// How many there are: the Range asked for starts here.
    pub offset: u64,
}

/// How writing should start once the response is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// From the first byte.
    Fresh,
    /// After the bytes already on disk (a 206 to our Range).
    Append,
}

/// A write that did not happen.
#[derive(Debug)]
pub enum WriteFail {
    /// The reader of stdout went away (`| head`): stop quietly.
    Closed,
    /// A real failure (exit 23).
    Failed(Error),
}

/// The output of one run.
#[derive(Debug)]
pub struct Sink {
    /// Where the body goes.
    dest: Dest,
    /// What a spool held when its transfer ended.
    spooled: Option<File>,
    /// `--continue`: files are `NAME.part`, kept when a download fails.
    resume: bool,
    /// The output being written, once a response says what to write.
    open: Option<Output>,
    /// Bytes written to a stream (stdout, a FIFO) in this run: a stream
    /// cannot be rewound, so a retry would write them twice.
    streamed: u64,
}

/// An open output: every kind is a file the zero-copy path can write to.
#[derive(Debug)]
enum Output {
    /// Standard output: a duplicate of its handle, so writes are unbuffered
    /// and bytes pass unchanged on every system.
    Stdout(File),
    /// An output path that is not a regular file (`/dev/null`, a FIFO, a
    /// terminal): written as it is, because renaming a temporary file over
    /// it would replace the device.
    Stream(File),
    /// A temporary file beside the target, renamed over it once the whole
    /// body arrived and removed otherwise, so the target is never half
    /// written.
    Atomic {
        /// The file being written.
        file: File,
        /// Its temporary name.
        temp: PathBuf,
    },
    /// A nameless temporary file holding what is bound for stdout (`-Z`),
    /// handed over whole when the transfer ends.
    Spool(File),
    /// `--continue`'s `NAME.part`: renamed into place once complete, kept
    /// otherwise for the next run to resume.
    Part {
        /// The file being written (appended to when resuming).
        file: File,
        /// `NAME.part`.
        part: PathBuf,
    },
}

impl Output {
    /// The file the bytes go to.
    fn file(&self) -> &File {
        match self {
            Output::Stdout(file) | Output::Stream(file) | Output::Spool(file) => file,
            Output::Atomic { file, .. } | Output::Part { file, .. } => file,
        }
    }

    /// True for outputs that cannot be taken back (stdout, a FIFO): bytes
    /// written there stay written.
    fn is_stream(&self) -> bool {
        matches!(self, Output::Stdout(_) | Output::Stream(_) | Output::Spool(_))
    }

    /// The output as write errors name it.
    fn name(&self) -> String {
        match self {
            // A stream given with -o is named as stdout too: the message
            // predates the distinction and scripts may match it.
            Output::Stdout(_) | Output::Stream(_) => "stdout".to_string(),
            Output::Spool(_) => "a temporary file holding stdout's turn".to_string(),
            Output::Atomic { temp: path, .. } | Output::Part { part: path, .. } => path.display().to_string(),
        }
    }
}

impl Sink {
    /// A sink for `dest`.
    pub fn new(dest: Dest, resume: bool) -> Sink {
        Sink { dest, resume, open: None, streamed: 0, spooled: None }
    }

    /// Bytes already written to a stream that cannot be rewound (a retry
    /// would duplicate them).
    pub fn streamed(&self) -> u64 {
        self.streamed
    }

    /// The final path for a download from `url`.
    pub fn final_path(&self, url: &Url) -> Option<PathBuf> {
        match &self.dest {
            Dest::Stdout | Dest::Spool => None,
            Dest::File(p) => Some(p.clone()),
            Dest::Remote => Some(PathBuf::from(crate::target::remote_name(url))),
        }
    }

    /// For `--continue`: where to resume a download of `url` from, and how
    /// many bytes are already there.
    pub fn resume_point(&self, url: &Url) -> ResumePoint {
        let nothing = ResumePoint { source: Source::None, offset: 0 };
        let Some(path) = self.final_path(url).filter(|_| self.resume) else {
            return nothing;
        };
        if let Ok(meta) = std::fs::metadata(part_path(&path)) {
            return ResumePoint { source: Source::Part, offset: meta.len() };
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => ResumePoint { source: Source::Final, offset: meta.len() },
            _ => nothing,
        }
    }

    /// Opens the output for a download of `url` (the first one of a chain
    /// names it for `-O -c`).
    pub fn begin(&mut self, url: &Url, how: Begin, source: Source) -> Result<(), Error> {
        self.discard();
        self.open = Some(self.open_output(url, how, source)?);
        Ok(())
    }

    fn open_output(&self, url: &Url, how: Begin, source: Source) -> Result<Output, Error> {
        if self.dest == Dest::Spool {
            let file = shared::sys::spool::anonymous().map_err(write_failure("a temporary file for -Z"))?;
            return Ok(Output::Spool(file));
        }
        let Some(path) = self.final_path(url) else {
            let stdout = shared::sys::stdio::stdout_file().map_err(write_failure("stdout"))?;
            return Ok(Output::Stdout(stdout));
        };
        if is_device(&path) || std::fs::metadata(&path).is_ok_and(|meta| !meta.is_file()) {
            // `-o /dev/null` (`-o NUL` on Windows), a FIFO, a terminal:
            // write to it as it is.
            let stream =
                OpenOptions::new().write(true).open(&path).map_err(write_failure(&path.display().to_string()))?;
            return Ok(Output::Stream(stream));
        }
        if self.resume {
            let part = part_path(&path);
            if how == Begin::Append && source == Source::Final {
                // The final file is the prefix: continue in a copy, so it
                // stays whole until the rest has arrived.
                std::fs::copy(&path, &part).map_err(write_failure(&part.display().to_string()))?;
            }
            let mut opts = OpenOptions::new();
            opts.write(true).create(true);
            if how == Begin::Append {
                opts.append(true);
            } else {
                opts.truncate(true);
            }
            let file = opts.open(&part).map_err(write_failure(&part.display().to_string()))?;
            return Ok(Output::Part { file, part });
        }
        let temp = temp_path(&path);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(write_failure(&path.display().to_string()))?;
        Ok(Output::Atomic { file, temp })
    }

    /// The file the body goes to, for the zero-copy path; `None` before
    /// [`Sink::begin`].
    pub fn file(&self) -> Option<&File> {
        self.open.as_ref().map(Output::file)
    }

    /// Counts bytes that reached the output without [`Sink::write`] (moved
    /// from the socket by the zero-copy path).
    pub fn note_moved(&mut self, n: u64) {
        if self.open.as_ref().is_some_and(Output::is_stream) {
            self.streamed += n;
        }
    }

    /// Writes body (or head) bytes.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), WriteFail> {
        let Some(open) = &self.open else {
            return Err(WriteFail::Failed(Error::new(Kind::Write, "output not open")));
        };
        match open.file().write_all(bytes) {
            Ok(()) => {
                self.note_moved(bytes.len() as u64);
                Ok(())
            }
            Err(e) if open.is_stream() && e.kind() == io::ErrorKind::BrokenPipe => Err(WriteFail::Closed),
            Err(e) => Err(WriteFail::Failed(Error::write(&open.name(), e))),
        }
    }

    /// The body is complete: move the file into place under its final name
    /// for `url`. Returns that path (None for a stream).
    pub fn commit(&mut self, url: &Url) -> Result<Option<PathBuf>, Error> {
        let (file, written) = match self.open.take() {
            Some(Output::Atomic { file, temp }) => (file, temp),
            Some(Output::Part { file, part }) => (file, part),
            Some(Output::Spool(file)) => {
                self.spooled = Some(file);
                return Ok(None);
            }
            Some(Output::Stdout(_) | Output::Stream(_)) | None => return Ok(None),
        };
        let final_path = self.final_path(url).unwrap_or_else(|| written.clone());
        let shown = final_path.display().to_string();
        file.sync_all().map_err(write_failure(&shown))?;
        drop(file);
        if let Err(e) = std::fs::rename(&written, &final_path) {
            let _ = std::fs::remove_file(&written);
            return Err(write_failure(&shown)(e));
        }
        Ok(Some(final_path))
    }

    /// A `--continue` download found already complete: put the part file
    /// (if that is what was resumed) in place.
    pub fn complete_already(&mut self, url: &Url, source: Source) -> Result<(), Error> {
        self.open = None;
        if let (Source::Part, Some(path)) = (source, self.final_path(url)) {
            std::fs::rename(part_path(&path), &path).map_err(write_failure(&path.display().to_string()))?;
        }
        Ok(())
    }

    /// Gives up on the current output: a temporary file is removed; a
    /// `--continue` part file is kept for next time; what a spool holds is
    /// kept, as stdout would have shown it.
    pub fn discard(&mut self) {
        match self.open.take() {
            Some(Output::Atomic { file, temp }) => {
                drop(file);
                let _ = std::fs::remove_file(&temp);
            }
            Some(Output::Spool(file)) => self.spooled = Some(file),
            _ => {}
        }
    }

    /// What the spool holds, once the transfer has ended (`-Z`).
    pub fn take_spooled(&mut self) -> Option<File> {
        self.discard();
        self.spooled.take()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.discard();
    }
}

/// True for a Windows device name (`NUL`, `CON`, `nul.txt`...), which
/// Windows opens as the device wherever the path points: it can be
/// written to, never renamed over. Elsewhere these are ordinary names.
fn is_device(path: &Path) -> bool {
    cfg!(windows) && path.file_name().is_some_and(|n| shared::names::is_reserved_device(n.as_encoded_bytes()))
}

/// `NAME.part` beside `NAME`.
pub fn part_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// `.NAME.http-get-PID.tmp` beside `NAME`: hidden, and unique per process.
fn temp_path(path: &Path) -> PathBuf {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let base = path.file_name().map_or_else(|| OsString::from("download"), |n| n.to_owned());
    let mut name = OsString::from(".");
    name.push(base);
    name.push(format!(".http-get-{}.tmp", std::process::id()));
    dir.join(name)
}

fn write_failure(what: &str) -> impl Fn(io::Error) -> Error + '_ {
    move |e| Error::write(what, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_and_part_names() {
        let pid = std::process::id();
        assert_eq!(temp_path(Path::new("out.bin")), PathBuf::from(format!("./.out.bin.http-get-{pid}.tmp")));
        assert_eq!(temp_path(Path::new("d/out.bin")), PathBuf::from(format!("d/.out.bin.http-get-{pid}.tmp")));
        assert_eq!(part_path(Path::new("d/out.bin")), PathBuf::from("d/out.bin.part"));
    }
}
