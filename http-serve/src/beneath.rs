//! Opening a request path beneath the served root in as few system calls
//! as the kernel allows: openat2(2) with RESOLVE_BENEATH checks, in the same
//! call that opens the file, that nothing (no `..`, no symlink, no magic
//! link) leads outside the root. A path without symlinks costs one call; a
//! path with one is opened again allowing symlinks beneath the root, and
//! its real location is checked for hidden names.
//!
//! Where openat2 is missing (an old kernel, a seccomp filter) or symlinks
//! may lead anywhere (`--follow-symlinks`), [`crate::resolve`] does the
//! same job with realpath.

use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, PathBuf};

use crate::resolve::{self, Refusal, Rules};
use crate::sys;

/// The served root, canonical, and a handle on it for openat2.
#[derive(Debug)]
pub struct Root {
    /// Absolute, symlinks resolved.
    pub path: PathBuf,
    /// An O_PATH handle, when the kernel can open beneath it.
    dir: Option<File>,
}

impl Root {
    /// Opens a handle on `path` (canonical).
    pub fn new(path: PathBuf) -> Root {
        let dir = sys::open_dir_handle(&path).ok().filter(sys::openat2_works);
        Root { path, dir }
    }
}

/// A request path opened beneath the root.
#[derive(Debug)]
pub struct Opened {
    /// Where it is (inside the root, symlinks not resolved).
    pub path: PathBuf,
    /// The normalised segments below the root, for links.
    pub segments: Vec<Vec<u8>>,
    /// The open file or directory (opened non-blocking).
    pub file: File,
    /// Its metadata, from the open handle.
    pub meta: Metadata,
}

/// Opens the decoded request `path` beneath `root` by `rules`.
pub fn open(root: &Root, path: &[u8], rules: Rules) -> Result<Opened, Refusal> {
    let segments = resolve::segments(path)?;
    if !rules.hidden && segments.iter().any(|s| s.first() == Some(&b'.')) {
        return Err(Refusal::NotFound);
    }
    let mut full = root.path.clone();
    for s in &segments {
        full.push(OsStr::from_bytes(s));
    }
    let file = match (&root.dir, rules.follow_symlinks) {
        (Some(dir), false) => open_beneath(root, dir, &segments, rules)?,
        _ => {
            let found = resolve::resolve(&root.path, path, rules)?;
            sys::open_nonblocking(&found.path).map_err(|e| resolve::refusal_for(&e))?
        }
    };
    let meta = file.metadata().map_err(|e| resolve::refusal_for(&e))?;
    Ok(Opened { path: full, segments, file, meta })
}

fn open_beneath(root: &Root, dir: &File, segments: &[Vec<u8>], rules: Rules) -> Result<File, Refusal> {
    let mut rel = segments.join(&b'/');
    if rel.is_empty() {
        rel.push(b'.');
    }
    match sys::openat2_beneath(dir, &rel, false) {
        Ok(f) => return Ok(f),
        Err(e) if e.raw_os_error() != Some(libc::ELOOP) => return Err(refusal(&e)),
        Err(_) => {}
    }
    // A symlink on the way: allowed if it stays beneath the root (the
    // kernel checks), and if its real location is not a hidden name.
    let file = sys::openat2_beneath(dir, &rel, true).map_err(|e| refusal(&e))?;
    if !rules.hidden {
        let real = sys::path_of(&file).map_err(|_| Refusal::NotFound)?;
        let below = real.strip_prefix(&root.path).map_err(|_| Refusal::NotFound)?;
        if below.components().any(|c| matches!(c, Component::Normal(n) if n.as_bytes().first() == Some(&b'.'))) {
            return Err(Refusal::NotFound);
        }
    }
    Ok(file)
}

/// Escaping the root (EXDEV), symlink loops (ELOOP) and missing names are
/// all "not found"; only a permission problem is 403.
fn refusal(e: &io::Error) -> Refusal {
    match e.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => Refusal::Forbidden,
        _ => Refusal::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (harness::TempDir, Root) {
        let (t, root) = crate::resolve::fixture::tree();
        (t, Root::new(root))
    }

    #[test]
    fn open_table() {
        let (_t, root) = tree();
        let strict = Rules::default();
        let cases: &[(&[u8], Result<&str, Refusal>)] = &[
            (b"/sub/a.txt", Ok("sub/a.txt")),
            (b"/in", Ok("in")),
            (b"/", Ok("")),
            (b"/sub/", Ok("sub")),
            (b"/out", Err(Refusal::NotFound)),
            (b"/updir/secret.txt", Err(Refusal::NotFound)),
            (b"/to-hidden", Err(Refusal::NotFound)),
            (b"/.env", Err(Refusal::NotFound)),
            (b"/loop1", Err(Refusal::NotFound)),
            (b"/missing", Err(Refusal::NotFound)),
            (b"/../x", Err(Refusal::BadPath("path climbs above the root"))),
            (b"/a\0b", Err(Refusal::BadPath("NUL byte in path"))),
        ];
        for (path, want) in cases {
            let got = open(&root, path, strict)
                .map(|o| o.path.strip_prefix(&root.path).unwrap().to_string_lossy().into_owned());
            assert_eq!(got.as_deref().map_err(|e| e.clone()), want.clone(), "{}", String::from_utf8_lossy(path));
        }
        let hidden = Rules { hidden: true, ..Rules::default() };
        assert!(open(&root, b"/to-hidden", hidden).is_ok());
        let follow = Rules { follow_symlinks: true, ..Rules::default() };
        assert!(open(&root, b"/out", follow).is_ok());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn never_opens_outside_the_root(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b"..".to_vec()),
                    proptest::strategy::Just(b"out".to_vec()),
                    proptest::strategy::Just(b"updir".to_vec()),
                    proptest::strategy::Just(b"in".to_vec()),
                    proptest::strategy::Just(b"secret.txt".to_vec()),
                    proptest::strategy::Just(b"loop1".to_vec()),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..5),
                ],
                0..6,
            ),
            hidden: bool,
        ) {
            let (_t, root) = tree();
            let mut path = b"/".to_vec();
            path.extend_from_slice(&parts.join(&b'/'));
            if let Ok(opened) = open(&root, &path, Rules { hidden, follow_symlinks: false }) {
                let real = sys::path_of(&opened.file).unwrap();
                proptest::prop_assert!(real.starts_with(&root.path), "{:?} opened outside", real);
            }
        }
    }
}
