//! Where the body goes: stdout, or a file that appears only when complete.
//!
//! A file is written under a temporary name beside its final name and
//! renamed into place after the whole body arrived, so an existing file is
//! never left half-overwritten and a failed download leaves nothing. With
//! `--continue` the partial download is `NAME.part`, kept on failure so the
//! next run resumes it.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsFd;
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
    /// `--continue`.
    resume: bool,
    /// The file being written, if open.
    open: Option<Open>,
    /// Bytes written to stdout in this run (stdout cannot be rewound).
    stdout_bytes: u64,
}

#[derive(Debug)]
struct Open {
    /// A stream written as it is: standard output (a duplicate of fd 1, so
    /// writes are unbuffered) or an output path that is not a regular file
    /// (`/dev/null`, a FIFO).
    stdout: Option<File>,
    /// The file and its temporary path.
    file: Option<(File, PathBuf)>,
}

impl Sink {
    /// A sink for `dest`.
    pub fn new(dest: Dest, resume: bool) -> Sink {
        Sink { dest, resume, open: None, stdout_bytes: 0 }
    }

    /// Bytes already written to stdout (a retry would duplicate them).
    pub fn stdout_written(&self) -> u64 {
        self.stdout_bytes
    }

    /// The final path for a download from `url`.
    pub fn final_path(&self, url: &Url) -> Option<PathBuf> {
        match &self.dest {
            Dest::Stdout => None,
            Dest::File(p) => Some(p.clone()),
            Dest::Remote => Some(PathBuf::from(crate::target::remote_name(url))),
        }
    }

    /// For `--continue`: where to resume a download of `url` from, and how
    /// many bytes are already there.
    pub fn resume_point(&self, url: &Url) -> (Source, u64) {
        let Some(path) = self.final_path(url).filter(|_| self.resume) else {
            return (Source::None, 0);
        };
        if let Ok(meta) = std::fs::metadata(part_path(&path)) {
            return (Source::Part, meta.len());
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => (Source::Final, meta.len()),
            _ => (Source::None, 0),
        }
    }

    /// Opens the output for a download of `url` (the first one of a chain
    /// names it for `-O -c`).
    pub fn begin(&mut self, url: &Url, how: Begin, source: Source) -> Result<(), Error> {
        self.discard();
        let Some(path) = self.final_path(url) else {
            let stdout = io::stdout().as_fd().try_clone_to_owned().map(File::from).map_err(write_failure("stdout"))?;
            self.open = Some(Open { stdout: Some(stdout), file: None });
            return Ok(());
        };
        if let Ok(meta) = std::fs::metadata(&path)
            && !meta.is_file()
        {
            // `-o /dev/null`, a FIFO, a terminal: write to it as it is.
            // Renaming a temporary file over it would replace the device.
            let target =
                OpenOptions::new().write(true).open(&path).map_err(write_failure(&path.display().to_string()))?;
            self.open = Some(Open { stdout: Some(target), file: None });
            return Ok(());
        }
        let (file, temp) = if self.resume {
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
            (file, part)
        } else {
            let temp = temp_path(&path);
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
                .map_err(write_failure(&path.display().to_string()))?;
            (file, temp)
        };
        self.open = Some(Open { stdout: None, file: Some((file, temp)) });
        Ok(())
    }

    /// The descriptor the body goes to, for splice.
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        let open = self.open.as_ref()?;
        open.stdout.as_ref().map(AsRawFd::as_raw_fd).or_else(|| open.file.as_ref().map(|(f, _)| f.as_raw_fd()))
    }

    /// Counts bytes that went to stdout without [`Sink::write`] (spliced).
    pub fn note_stdout_bytes(&mut self, n: u64) {
        if self.open.as_ref().is_some_and(|o| o.stdout.is_some()) {
            self.stdout_bytes += n;
        }
    }

    /// Writes body (or head) bytes.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), WriteFail> {
        let Some(open) = &mut self.open else {
            return Err(WriteFail::Failed(Error::new(Kind::Write, "output not open")));
        };
        if let Some(out) = &mut open.stdout {
            return match out.write_all(bytes) {
                Ok(()) => {
                    self.stdout_bytes += bytes.len() as u64;
                    Ok(())
                }
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(WriteFail::Closed),
                Err(e) => Err(WriteFail::Failed(write_failure("stdout")(e))),
            };
        }
        if let Some((file, temp)) = &mut open.file {
            return file.write_all(bytes).map_err(|e| WriteFail::Failed(write_failure(&temp.display().to_string())(e)));
        }
        Ok(())
    }

    /// The body is complete: move the file into place under its final name
    /// for `url`. Returns that path (None for stdout).
    pub fn commit(&mut self, url: &Url) -> Result<Option<PathBuf>, Error> {
        let Some(open) = self.open.take() else { return Ok(None) };
        let Some((file, temp)) = open.file else { return Ok(None) };
        let final_path = self.final_path(url).unwrap_or_else(|| temp.clone());
        let shown = final_path.display().to_string();
        file.sync_all().map_err(write_failure(&shown))?;
        drop(file);
        if let Err(e) = std::fs::rename(&temp, &final_path) {
            let _ = std::fs::remove_file(&temp);
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
    /// `--continue` part file is kept for next time.
    pub fn discard(&mut self) {
        if let Some(Open { file: Some((file, temp)), .. }) = self.open.take() {
            drop(file);
            if !self.resume {
                let _ = std::fs::remove_file(&temp);
            }
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.discard();
    }
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
