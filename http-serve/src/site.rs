//! What every request is answered from: the settings, the root opened
//! once (paths are opened beneath it), the files lately served (kept open
//! for a moment), and the Content-Type of each file extension, worked out
//! once.

use std::collections::HashMap;
use std::io;
use std::rc::Rc;
use std::time::Instant;

use shared::sys::beneath::Root;

use crate::config::Config;
use crate::open_files::OpenFiles;
use crate::paths::{self, Found, Refusal, Rules};
use crate::response::MediaType;
use crate::siblings::NoSiblings;

/// Most extensions remembered; past it the cache starts over.
const MAX_TYPES: usize = 256;

/// The served site.
#[derive(Debug)]
pub struct Site {
    /// Server settings.
    pub config: Config,
    /// The root folder, open, for opening paths beneath it (shared with
    /// the archives being made, which open files as they go).
    pub root: Rc<Root>,
    /// Content-Type by lower-case extension, as worked out before.
    types: HashMap<Vec<u8>, Rc<str>>,
    /// Files lately found without a `.br` or `.gz` sibling.
    pub no_siblings: NoSiblings,
    /// Regular files lately served, still open.
    pub open_files: OpenFiles,
    /// ETag and Last-Modified by file size and time, formatted once.
    pub validators: crate::validators::Memo,
    /// The time of this turn of the server's loop (set by the loop when
    /// it wakes): what deadlines and the one-second caches count from. It
    /// lags the clock by at most one turn, and saves reading the clock
    /// several times per request.
    pub now: Instant,
}

/// What [`Site::open`] found, and whether it was a handle kept open.
#[derive(Debug)]
pub struct Opened {
    /// The file or folder.
    pub found: Found,
    /// It is a file served less than [`crate::open_files::FRESH`] ago,
    /// from the handle it was opened with then.
    pub kept: bool,
}

impl Site {
    /// Opens the root of `config`.
    pub fn new(config: Config) -> io::Result<Site> {
        let root = Root::new(&config.root)?;
        Ok(Site {
            config,
            root: Rc::new(root),
            types: HashMap::new(),
            no_siblings: NoSiblings::default(),
            open_files: OpenFiles::default(),
            validators: crate::validators::Memo::default(),
            now: Instant::now(),
        })
    }

    /// Opens `segments` beneath the root by the site's rules to be served:
    /// a regular file served less than a second ago comes from the handle
    /// it was opened with (its metadata read again from it), and a regular
    /// file opened now is kept open for the next request, where the system
    /// lets others replace a file held open (not on Windows).
    pub fn open(&mut self, segments: Vec<Vec<u8>>) -> Result<Opened, Refusal> {
        let rules = self.rules();
        paths::allowed(&segments, rules)?;
        let key = crate::siblings::key(&segments);
        let now = self.now;
        if let Some(file) = self.open_files.get(&key, now) {
            match file.metadata() {
                Ok(meta) if meta.is_file() => return Ok(Opened { found: Found { segments, file, meta }, kept: true }),
                _ => self.open_files.forget(&key),
            }
        }
        let found = paths::open_segments(&self.root, segments, rules)?;
        if found.meta.is_file() && shared::sys::may_keep_files_open() {
            self.open_files.keep(key, found.file.clone(), now);
        }
        Ok(Opened { found, kept: false })
    }

    /// The rules paths are opened by.
    pub fn rules(&self) -> Rules {
        Rules { hidden: self.config.hidden, follow_symlinks: self.config.follow_symlinks }
    }

    /// The Content-Type for a file named `name`, remembered per extension
    /// so a busy server does not work it out again for every request.
    pub fn content_type(&mut self, name: &[u8]) -> MediaType {
        let ext = extension(name).to_ascii_lowercase();
        if let Some(t) = self.types.get(&ext) {
            return MediaType::Shared(t.clone());
        }
        if self.types.len() >= MAX_TYPES {
            self.types.clear();
        }
        let t: Rc<str> = media_type(&ext).into();
        self.types.insert(ext, t.clone());
        MediaType::Shared(t)
    }
}

/// The extension of a file name: after the last dot, unless that dot
/// starts the name (`.bashrc` has none).
fn extension(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'.') {
        Some(0) | None => b"",
        Some(i) => &name[i + 1..],
    }
}

/// The Content-Type for an extension: mime_guess's answer, with
/// `charset=utf-8` on text types so a browser does not guess the encoding.
pub fn media_type(ext: &[u8]) -> String {
    let mime = std::str::from_utf8(ext)
        .ok()
        .and_then(|e| mime_guess::from_ext(e).first())
        .unwrap_or(mime_guess::mime::APPLICATION_OCTET_STREAM);
    let essence = mime.essence_str();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(essence, "application/javascript" | "application/json" | "application/xml" | "image/svg+xml");
    if textual && mime.get_param("charset").is_none() {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"index.html", "text/html; charset=utf-8"),
            (b"style.CSS", "text/css; charset=utf-8"),
            (b"app.js", "text/javascript; charset=utf-8"),
            (b"data.json", "application/json; charset=utf-8"),
            (b"pic.png", "image/png"),
            (b"clip.mp4", "video/mp4"),
            (b"logo.svg", "image/svg+xml; charset=utf-8"),
            (b"archive.tar.gz", "application/gzip"),
            (b"noext", "application/octet-stream"),
            (b".bashrc", "application/octet-stream"),
            (b"\xff.txt", "text/plain; charset=utf-8"),
            (b"x.\xff", "application/octet-stream"),
        ];
        for (name, want) in cases {
            assert_eq!(media_type(&extension(name).to_ascii_lowercase()), *want, "{}", String::from_utf8_lossy(name));
        }
    }
}
