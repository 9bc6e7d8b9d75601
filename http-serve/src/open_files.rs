//! Files lately served, kept open for a moment.
//!
//! Opening a path beneath the root is the dearest step of answering a
//! request for a small file: a walk of the path by the kernel, then a
//! close after the send (together a fifth of the server's time under
//! `wrk`, by `perf`). A regular file served is therefore kept open for
//! [`FRESH`] and served again from the same handle, as lighttpd does by
//! default (its stat cache) and nginx with `open_file_cache`.
//!
//! What a reader sees is still the file as it is now, with one bound:
//! - the size, date and ETag come from the open handle at every request
//!   (one `fstat`), and the bytes are read at their offsets, so a file
//!   changed in place is seen at once;
//! - a file replaced by another (an editor's save-and-rename) or removed
//!   is seen within [`FRESH`]: until then the handle still holds the
//!   previous file, whole and consistent with its own ETag;
//! - an upload through this server forgets every handle at once.
//!
//! Only where holding a file open leaves others free to replace or remove
//! it ([`shared::sys::may_keep_files_open`]: Unix). On Windows a handle held
//! open makes an editor's save (a rename over the file) fail, so there, and
//! under `NETKIT_PORTABLE`, every request opens its file.
//!
//! The table is bounded ([`MOST`] handles), so descriptors and memory do
//! not grow with the paths requested.

use std::collections::HashMap;
use std::fs::File;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a file is served from the handle it was opened with.
pub const FRESH: Duration = Duration::from_secs(1);

/// Most handles kept; past it the stale ones go, then all of them.
pub const MOST: usize = 256;

/// Open regular files by their path below the root (segments joined by
/// `/`), and when each was opened.
#[derive(Debug, Default)]
pub struct OpenFiles {
    open: HashMap<Vec<u8>, (Rc<File>, Instant)>,
}

impl OpenFiles {
    /// The handle for `path` when it was opened less than [`FRESH`]
    /// before `now`.
    pub fn get(&self, path: &[u8], now: Instant) -> Option<Rc<File>> {
        match self.open.get(path) {
            Some((file, at)) if now.saturating_duration_since(*at) < FRESH => Some(file.clone()),
            _ => None,
        }
    }

    /// Keeps `file`, just opened for `path` at `now`.
    pub fn keep(&mut self, path: Vec<u8>, file: Rc<File>, now: Instant) {
        if self.open.len() >= MOST && !self.open.contains_key(&path) {
            self.open.retain(|_, (_, at)| now.saturating_duration_since(*at) < FRESH);
            if self.open.len() >= MOST {
                self.open.clear();
            }
        }
        self.open.insert(path, (file, now));
    }

    /// Forgets the handle for `path` (its file could not be read).
    pub fn forget(&mut self, path: &[u8]) {
        self.open.remove(path);
    }

    /// Forgets every handle: a file was just made or replaced here (an
    /// upload), and must be served as it now is.
    pub fn forget_all(&mut self) {
        self.open.clear();
    }

    /// How many handles are kept.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_file() -> Rc<File> {
        Rc::new(File::open(std::env::current_exe().unwrap()).unwrap())
    }

    #[test]
    fn a_handle_is_served_for_a_moment_only() {
        let t0 = Instant::now();
        let mut files = OpenFiles::default();
        assert!(files.get(b"a/b.html", t0).is_none());
        files.keep(b"a/b.html".to_vec(), a_file(), t0);
        // (offset from t0, still served from the handle?)
        let table = [
            (Duration::ZERO, true),
            (FRESH / 2, true),
            (FRESH - Duration::from_millis(1), true),
            (FRESH, false),
            (FRESH * 10, false),
        ];
        for (after, want) in table {
            assert_eq!(files.get(b"a/b.html", t0 + after).is_some(), want, "after {after:?}");
        }
        assert!(files.get(b"a/b.htm", t0).is_none(), "another path");
        files.forget(b"a/b.html");
        assert!(files.get(b"a/b.html", t0).is_none());
        files.keep(b"x".to_vec(), a_file(), t0);
        files.forget_all();
        assert!(files.is_empty());
    }

    #[test]
    fn the_table_stays_bounded() {
        let t0 = Instant::now();
        let file = a_file();
        let mut files = OpenFiles::default();
        for i in 0..MOST * 3 {
            files.keep(format!("f{i}").into_bytes(), file.clone(), t0);
            assert!(files.len() <= MOST);
        }
        // Stale handles go first: a fresh one survives the next overflow.
        let later = t0 + FRESH * 2;
        files.keep(b"new".to_vec(), file.clone(), later);
        assert!(files.get(b"new", later).is_some());
        assert_eq!(files.len(), 1);
        // Kept handles share the one descriptor, and let it go when gone.
        files.forget_all();
        assert_eq!(Rc::strong_count(&file), 1);
    }
}
