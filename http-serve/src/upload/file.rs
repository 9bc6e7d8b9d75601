//! An upload's file on its way: written under a temporary dot-name in the
//! target folder (never listed or served, whatever the options), renamed
//! to its real name only when all of it has arrived, and removed if that
//! never happens: a cut connection, a timeout, an error, a server that
//! drops the upload for any reason all end in `Drop`, which removes it.

use std::fs::File;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use shared::sys::dir_write;

use crate::paths::INTERNAL_PREFIX;

/// A file being received.
#[derive(Debug)]
pub struct TempFile {
    /// The target folder, open (opened beneath the root when the upload
    /// began, so the file lands there whatever its path names later).
    dir: Rc<File>,
    /// The temporary name.
    temp: Vec<u8>,
    /// The open file, until it is renamed.
    file: Option<File>,
    /// Bytes written.
    pub written: u64,
    /// Renamed into place: nothing to remove.
    committed: bool,
}

/// A name no other upload has: the process, a counter and the clock.
fn temp_name() -> Vec<u8> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{INTERNAL_PREFIX}{:x}-{n:x}-{nanos:x}", std::process::id()).into_bytes()
}

impl TempFile {
    /// Creates a new temporary file in `dir`.
    pub fn create(dir: Rc<File>) -> io::Result<TempFile> {
        // A clash is only possible with a file left by a killed server
        // of the same process id; a few names are tried.
        let mut last = None;
        for _ in 0..4 {
            let temp = temp_name();
            match dir_write::create_new(&dir, &temp) {
                Ok(file) => {
                    return Ok(TempFile { dir, temp, file: Some(file), written: 0, committed: false });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)))
    }

    /// Appends `data`.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let file = self.file.as_mut().ok_or_else(|| io::Error::other("the upload's file is closed"))?;
        file.write_all(data)?;
        self.written += data.len() as u64;
        Ok(())
    }

    /// Closes the file and renames it to `name` in its folder; an existing
    /// `name` is replaced only when `replace` says so (else
    /// `AlreadyExists`, and the temporary file is removed).
    pub fn commit(mut self, name: &[u8], replace: bool) -> io::Result<()> {
        // Closed first: Windows cannot rename an open file.
        drop(self.file.take());
        dir_write::rename(&self.dir, &self.temp, name, replace)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            drop(self.file.take());
            let _ = dir_write::remove(&self.dir, &self.temp);
        }
    }
}
