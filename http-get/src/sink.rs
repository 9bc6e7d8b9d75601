//! Where the body goes: stdout, or a file that appears only when complete.
//!
//! A file is written as `NAME.part` beside its final name and renamed into
//! place after the whole body arrived, so an existing file is never left
//! half-overwritten. No hidden temporary file is ever made: whatever ends
//! the run, what is left is `NAME.part`, which `--continue` resumes. A
//! failure without `--continue` removes it (nothing is left); with
//! `--continue` it is kept; a signal (Ctrl-C, SIGTERM, SIGHUP) or a kill
//! ends the process with it in place. Bytes that are not the file's
//! (a body that failed to decode, one over `--max-filesize`) are never
//! kept. A `--retry` continues this run's own part with a Range request.
//! A device or FIFO given with `-o` is written as it is, never replaced.
//! Whichever it is, the open output is one `Output` that hands the
//! zero-copy path the `&File` to write to.

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
    /// After the bytes already on disk, this many (a 206 to our Range).
    Append(u64),
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
    /// `--output-dir`: where `-O`'s file goes.
    folder: Option<PathBuf>,
    /// `--create-dirs`: make the folders a path needs.
    create_dirs: bool,
    /// `-J`: the name Content-Disposition gave, made safe.
    header_name: Option<std::ffi::OsString>,
    /// `--continue`: `NAME.part` is kept when a download fails.
    resume: bool,
    /// This run's own `NAME.part`, with bytes in it: a retry continues it.
    own_part: Option<PathBuf>,
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
    /// and bytes pass unchanged on every system; one for the whole run.
    Stdout(&'static File),
    /// An output path that is not a regular file (`/dev/null`, a FIFO, a
    /// terminal): written as it is, because renaming a temporary file over
    /// it would replace the device.
    Stream(File),
    /// A nameless temporary file holding what is bound for stdout (`-Z`),
    /// handed over whole when the transfer ends.
    Spool(File),
    /// `NAME.part` beside the target, renamed over it once the whole body
    /// arrived: the target is never half written.
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
            Output::Stdout(file) => file,
            Output::Stream(file) | Output::Spool(file) => file,
            Output::Part { file, .. } => file,
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
            Output::Part { part, .. } => part.display().to_string(),
        }
    }
}

impl Sink {
    /// A sink for `dest`.
    pub fn new(dest: Dest, resume: bool) -> Sink {
        Sink {
            dest,
            resume,
            own_part: None,
            open: None,
            streamed: 0,
            spooled: None,
            folder: None,
            create_dirs: false,
            header_name: None,
        }
    }

    /// `--output-dir` and `--create-dirs`.
    pub fn place(&mut self, folder: Option<PathBuf>, create_dirs: bool) {
        self.folder = folder;
        self.create_dirs = create_dirs;
    }

    /// `-J`: the file name the response suggested (already made safe), or
    /// none, and the URL names it.
    pub fn name_from_header(&mut self, name: Option<std::ffi::OsString>) {
        self.header_name = name;
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
            Dest::Remote => {
                let name = self.header_name.clone().unwrap_or_else(|| crate::target::remote_name(url));
                Some(self.folder.as_ref().map_or_else(|| PathBuf::from(&name), |dir| dir.join(&name)))
            }
        }
    }

    /// Where to resume a download of `url` from, and how many bytes are
    /// already there: this run's own part (a retry), or with `--continue`
    /// a part or a shorter file left by an earlier run.
    pub fn resume_point(&self, url: &Url) -> ResumePoint {
        let nothing = ResumePoint { source: Source::None, offset: 0 };
        if let Some(part) = &self.own_part
            && let Ok(meta) = std::fs::metadata(part)
        {
            return ResumePoint { source: Source::Part, offset: meta.len() };
        }
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
        if let Some(Output::Part { file, part }) = self.open.take() {
            drop(file);
            self.own_part.get_or_insert(part);
        }
        self.open = Some(self.open_output(url, how, source)?);
        Ok(())
    }

    fn open_output(&self, url: &Url, how: Begin, source: Source) -> Result<Output, Error> {
        if self.dest == Dest::Spool {
            let file = shared::sys::spool::anonymous().map_err(write_failure("a temporary file for -Z"))?;
            return Ok(Output::Spool(file));
        }
        let Some(path) = self.final_path(url) else {
            let stdout = stdout().map_err(write_failure("stdout"))?;
            return Ok(Output::Stdout(stdout));
        };
        if is_device(&path) || std::fs::metadata(&path).is_ok_and(|meta| !meta.is_file()) {
            // `-o /dev/null` (`-o NUL` on Windows), a FIFO, a terminal:
            // write to it as it is.
            let stream =
                OpenOptions::new().write(true).open(&path).map_err(write_failure(&path.display().to_string()))?;
            return Ok(Output::Stream(stream));
        }
        let part = self.own_part.clone().unwrap_or_else(|| part_path(&path));
        let shown = part.display().to_string();
        if self.create_dirs
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(write_failure(&parent.display().to_string()))?;
        }
        if let Begin::Append(_) = how
            && source == Source::Final
        {
            // The final file is the prefix: continue in a copy, so it
            // stays whole until the rest has arrived.
            std::fs::copy(&path, &part).map_err(write_failure(&shown))?;
        }
        let mut opts = OpenOptions::new();
        opts.write(true).create(true);
        match how {
            Begin::Append(_) => opts.append(true),
            Begin::Fresh => opts.truncate(true),
        };
        let file = opts.open(&part).map_err(write_failure(&shown))?;
        if let Begin::Append(offset) = how {
            // What the Range asked for must still be what is on disk.
            let len = file.metadata().map_err(write_failure(&shown))?.len();
            if len != offset {
                return Err(Error::new(
                    Kind::Write,
                    format!("{shown}: changed while resuming ({len} bytes, {offset} expected)"),
                ));
            }
        }
        Ok(Output::Part { file, part })
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
        self.own_part = None;
        let (file, written) = match self.open.take() {
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
        self.own_part = None;
        if let (Source::Part, Some(path)) = (source, self.final_path(url)) {
            std::fs::rename(part_path(&path), &path).map_err(write_failure(&path.display().to_string()))?;
        }
        Ok(())
    }

    /// Stops writing after a failure that a retry may follow: the part
    /// file stays for the retry to continue (with -c or without); what a
    /// spool holds is kept, as stdout would have shown it.
    pub fn pause(&mut self) {
        match self.open.take() {
            Some(Output::Part { file, part }) => {
                drop(file);
                self.own_part = Some(part);
            }
            Some(Output::Spool(file)) => self.spooled = Some(file),
            _ => {}
        }
    }

    /// Gives up on the output for good: the part file is kept for a later
    /// `--continue` when `keep` says its bytes are the file's and the run
    /// was given `-c`; otherwise it is removed and nothing is left.
    pub fn discard(&mut self, keep: bool) {
        let open = match self.open.take() {
            Some(Output::Part { file, part }) => {
                drop(file);
                Some(part)
            }
            Some(Output::Spool(file)) => {
                self.spooled = Some(file);
                None
            }
            _ => None,
        };
        if let Some(part) = open.or_else(|| self.own_part.take())
            && !(keep && self.resume)
        {
            let _ = std::fs::remove_file(&part);
        }
        self.own_part = None;
    }

    /// What the spool holds, once the transfer has ended (`-Z`).
    pub fn take_spooled(&mut self) -> Option<File> {
        self.pause();
        self.spooled.take()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        // A run that did not commit failed: its bytes count as the file's.
        self.discard(true);
    }
}

/// Standard output as a file, duplicated once for the run (every URL of
/// it writes there).
fn stdout() -> io::Result<&'static File> {
    static STDOUT: std::sync::OnceLock<File> = std::sync::OnceLock::new();
    if let Some(file) = STDOUT.get() {
        return Ok(file);
    }
    let file = shared::sys::stdio::stdout_file()?;
    Ok(STDOUT.get_or_init(|| file))
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

fn write_failure(what: &str) -> impl Fn(io::Error) -> Error + '_ {
    move |e| Error::write(what, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names() {
        assert_eq!(part_path(Path::new("d/out.bin")), PathBuf::from("d/out.bin.part"));
        assert_eq!(part_path(Path::new("out")), PathBuf::from("out.part"));
    }
}
