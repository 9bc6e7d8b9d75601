//! A walk over a folder's tree by the rules a request is served by, in
//! constant memory: one open folder (and its small buffer of records) per
//! level below the top, never a list of the tree. Hidden names (unless
//! `--hidden`), names Windows would read as another, FIFOs, sockets and
//! devices are left out; a symlink is opened beneath the root like a
//! request for it, so one that leads out (without `--follow-symlinks`) or
//! to a hidden name is left out, one to a file is that file, and one to a
//! folder is not descended (no loops, no tree twice). Every folder is an
//! entry, empty ones too, before what it holds.
//!
//! Walking the same unchanged tree twice gives the same entries in the
//! same order (the system's order of each folder), so an archive's length
//! can be worked out by one walk and its bytes made by the next.

use std::io;
use std::rc::Rc;
use std::time::SystemTime;

use shared::sys::beneath::Root;
use shared::sys::dir::Kind;
use shared::sys::dir_stream::{self, Entries};

use crate::paths::{self, Rules};

/// Folders nested deeper than this below the archived one are left out
/// (each level holds an open folder).
pub const MAX_DEPTH: usize = 64;
/// Longest path in an archive, in bytes (zip keeps 16 bits for it).
pub const MAX_PATH: usize = 65_535;

/// One entry of the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The path in the archive: the top folder's name, then the names
    /// below it, `/`-separated; a folder's ends in `/`.
    pub path: Vec<u8>,
    /// A folder.
    pub dir: bool,
    /// A file's size (0 for a folder).
    pub size: u64,
    /// Modification time, seconds since 1970.
    pub mtime: i64,
}

/// A folder to walk: each [`Tree::walk`] starts from the top again.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The served root, open.
    pub root: Rc<Root>,
    /// The serving rules.
    pub rules: Rules,
    /// The folder's names below the root.
    pub segments: Vec<Vec<u8>>,
    /// Its name in the archive.
    pub top: Vec<u8>,
}

impl Tree {
    /// A new walk from the top.
    pub fn walk(&self) -> Walk {
        Walk::new(Rc::clone(&self.root), self.rules, self.segments.clone(), self.top.clone())
    }
}

/// Where the walk is.
#[derive(Debug)]
pub struct Walk {
    root: Rc<Root>,
    rules: Rules,
    /// The names below the root of the folder being read (the archived
    /// folder's own, then one per level descended).
    segments: Vec<Vec<u8>>,
    /// How many of `segments` name the archived folder itself.
    base: usize,
    /// The archive's top folder name.
    top: Vec<u8>,
    /// One open folder per level, the deepest last.
    levels: Vec<Entries>,
    /// The top folder has been given.
    started: bool,
}

impl Walk {
    /// A walk of the folder `segments` below `root`, named `top` in the
    /// archive.
    pub fn new(root: Rc<Root>, rules: Rules, segments: Vec<Vec<u8>>, top: Vec<u8>) -> Walk {
        let base = segments.len();
        Walk { root, rules, segments, base, top, levels: Vec::new(), started: false }
    }

    /// The path of `name` in the current folder (or of the current folder
    /// itself), as the archive names it.
    fn path_of(&self, name: Option<&[u8]>, dir: bool) -> Vec<u8> {
        let mut p = self.top.clone();
        for s in self.segments[self.base..].iter().map(Vec::as_slice).chain(name) {
            p.push(b'/');
            p.extend_from_slice(s);
        }
        if dir {
            p.push(b'/');
        }
        p
    }

    /// Opens a folder below the root by the serving rules and starts
    /// reading it.
    fn enter(&mut self, segments: Vec<Vec<u8>>) -> io::Result<SystemTime> {
        let found = paths::open_segments(&self.root, segments, self.rules)
            .map_err(|r| io::Error::new(io::ErrorKind::NotFound, format!("{r:?}")))?;
        let mtime = found.meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        self.levels.push(dir_stream::stream(found.into_file()?)?);
        Ok(mtime)
    }

    /// The next entry; `None` at the end.
    pub fn next_item(&mut self) -> io::Result<Option<Item>> {
        if !self.started {
            self.started = true;
            let mtime = self.enter(self.segments.clone())?;
            return Ok(Some(Item { path: self.path_of(None, true), dir: true, size: 0, mtime: secs(mtime) }));
        }
        loop {
            let Some(level) = self.levels.last_mut() else { return Ok(None) };
            let Some(entry) = level.next() else {
                self.levels.pop();
                if !self.levels.is_empty() {
                    self.segments.pop();
                }
                continue;
            };
            let (name, info) = entry?;
            if !self.rules.hidden && paths::is_hidden(&name)
                || shared::names::is_windows_alias(&name)
                || paths::is_internal(&name)
            {
                continue;
            }
            let mut below = self.segments.clone();
            below.push(name.clone());
            match info.kind {
                Kind::Dir => {
                    if self.levels.len() > MAX_DEPTH {
                        continue;
                    }
                    let path = self.path_of(Some(&name), true);
                    if path.len() > MAX_PATH {
                        continue;
                    }
                    // Opened by the same rules as a request; one that
                    // vanished meanwhile is left out.
                    let Ok(mtime) = self.enter(below) else { continue };
                    self.segments.push(name);
                    return Ok(Some(Item { path, dir: true, size: 0, mtime: secs(mtime) }));
                }
                Kind::File | Kind::Symlink => {
                    let path = self.path_of(Some(&name), false);
                    if path.len() > MAX_PATH {
                        continue;
                    }
                    let (size, mtime) = if info.kind == Kind::File {
                        (info.len, info.modified)
                    } else {
                        match paths::open_segments(&self.root, below, self.rules) {
                            Ok(target) if target.meta.is_file() => {
                                (target.meta.len(), target.meta.modified().unwrap_or(SystemTime::UNIX_EPOCH))
                            }
                            // Out of the root, hidden, broken, a folder
                            // (not descended) or not a file.
                            _ => continue,
                        }
                    };
                    return Ok(Some(Item { path, dir: false, size, mtime: secs(mtime) }));
                }
                _ => continue,
            }
        }
    }

    /// Opens the file `item` names (which the walk just gave) by the
    /// serving rules.
    pub fn open(&self, item: &Item) -> io::Result<std::fs::File> {
        let name = item.path.rsplit(|&b| b == b'/').next().unwrap_or_default().to_vec();
        let mut segments = self.segments.clone();
        segments.push(name);
        let found = paths::open_segments(&self.root, segments, self.rules)
            .map_err(|_| io::Error::new(io::ErrorKind::NotFound, "a file of the archive vanished"))?;
        if !found.meta.is_file() {
            return Err(io::Error::other("a file of the archive is no longer a file"));
        }
        found.into_file()
    }
}

/// Seconds since 1970, negative before.
fn secs(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    fn walk_all(root: &std::path::Path, rules: Rules, segments: &[&str]) -> Vec<(String, u64)> {
        let root = Rc::new(Root::new(root).unwrap());
        let segments = segments.iter().map(|s| s.as_bytes().to_vec()).collect();
        let mut w = Walk::new(root, rules, segments, b"top".to_vec());
        let mut out = Vec::new();
        // Bounded: the fixture has a few dozen entries.
        for _ in 0..1000 {
            match w.next_item().unwrap() {
                Some(item) => out.push((String::from_utf8_lossy(&item.path).into_owned(), item.size)),
                None => break,
            }
        }
        out.sort();
        out
    }

    #[test]
    fn walks_by_the_serving_rules() {
        let (_t, root) = crate::paths::fixture::tree();
        std::fs::create_dir_all(root.join("sub/empty")).unwrap();
        let got = walk_all(&root, Rules::default(), &[]);
        let want: Vec<(String, u64)> = [
            ("top/", 0),
            ("top/in", 1),
            ("top/index.html", 4),
            ("top/sub/", 0),
            ("top/sub/a.txt", 1),
            ("top/sub/deeper/", 0),
            ("top/sub/empty/", 0),
        ]
        .iter()
        .map(|(p, s)| (p.to_string(), *s))
        .collect();
        // Left out: .env, .git/, the alias back\slash, symlinks out of the
        // root (out, updir), to a hidden name, in a loop.
        assert_eq!(got, want);
        let sub = walk_all(&root, Rules::default(), &["sub"]);
        assert_eq!(
            sub.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ["top/", "top/a.txt", "top/deeper/", "top/empty/"]
        );
        let hidden = walk_all(&root, Rules { hidden: true, follow_symlinks: false }, &[]);
        assert!(hidden.iter().any(|(p, _)| p == "top/.env") && hidden.iter().any(|(p, _)| p == "top/.git/"));
        assert!(hidden.iter().any(|(p, _)| p == "top/to-hidden"));
    }

    #[test]
    fn symlinked_folders_are_not_descended() {
        let t = harness::TempDir::new("walk-links");
        std::fs::create_dir_all(t.join("real/inner")).unwrap();
        std::fs::write(t.join("real/inner/f"), "x").unwrap();
        std::os::unix::fs::symlink("real", t.join("alias")).unwrap();
        std::os::unix::fs::symlink(".", t.join("real/loop")).unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        let got = walk_all(&root, Rules::default(), &[]);
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["top/", "top/real/", "top/real/inner/", "top/real/inner/f"]);
    }
}
