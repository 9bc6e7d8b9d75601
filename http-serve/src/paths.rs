//! From a request path to an open file inside the served root, and never
//! outside it.
//!
//! The path arrives percent-decoded exactly once (by `shared::http::target`).
//! Here it is split into names on `/`, `.` and `..` are resolved so that
//! nothing climbs above the root (an attempt is an error, not clamped), and
//! dot-names are hidden unless asked. Then the names are opened beneath
//! the root by the platform layer ([`shared::sys::beneath`]), which checks
//! containment in the same step that opens, and tells where a symlink
//! really led so a link to a hidden name is hidden too.
//!
//! With `--follow-symlinks` links may lead anywhere: the path is resolved
//! with realpath and opened by path, and only the names asked for are
//! checked (`Root::open_following`).

use std::fs::{File, Metadata};
use std::io;
use std::rc::Rc;

use shared::names::is_windows_alias;
use shared::sys::beneath::{BeneathError, Root};

/// Why a path does not name a servable file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A NUL byte, a `..` above the root, or a path not starting with `/` (400).
    BadPath(&'static str),
    /// Nothing there, hidden, or a symlink leading outside the root (404).
    NotFound,
    /// The file system refused access (403).
    Forbidden,
}

/// Rules for opening.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// Serve names starting with a dot.
    pub hidden: bool,
    /// Follow symlinks wherever they lead.
    pub follow_symlinks: bool,
}

/// A request path opened beneath the root.
#[derive(Debug)]
pub struct Found {
    /// The normalised names below the root, as asked (for links).
    pub segments: Vec<Vec<u8>>,
    /// The open file or folder (opened without blocking); shared when a
    /// file is kept open to be served again ([`crate::open_files`]).
    pub file: Rc<File>,
    /// Its metadata, from the open handle.
    pub meta: Metadata,
}

/// Normalises a decoded request path into names below the root.
pub fn segments(path: &[u8]) -> Result<Vec<Vec<u8>>, Refusal> {
    if path.contains(&0) {
        return Err(Refusal::BadPath("NUL byte in path"));
    }
    if path.first() != Some(&b'/') {
        return Err(Refusal::BadPath("path does not start with /"));
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    for seg in path.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                if out.pop().is_none() {
                    return Err(Refusal::BadPath("path climbs above the root"));
                }
            }
            _ => out.push(seg.to_vec()),
        }
    }
    Ok(out)
}

/// True when a name is hidden (starts with a dot).
pub fn is_hidden(name: &[u8]) -> bool {
    name.first() == Some(&b'.')
}

/// How the server's own files begin (uploads on their way): never served
/// or listed, whatever the options.
pub const INTERNAL_PREFIX: &str = ".http-serve-upload-";

/// True for a name of the server's own files.
pub fn is_internal(name: &[u8]) -> bool {
    name.starts_with(INTERNAL_PREFIX.as_bytes())
}

/// Opens the decoded request `path` beneath `root` by `rules`.
pub fn open(root: &Root, path: &[u8], rules: Rules) -> Result<Found, Refusal> {
    open_segments(root, segments(path)?, rules)
}

impl Found {
    /// The open file or folder as this caller's own: it was just opened,
    /// so nobody else holds it (a second handle is made if somebody does).
    pub fn into_file(self) -> io::Result<File> {
        Rc::try_unwrap(self.file).or_else(|shared| shared.try_clone())
    }
}

/// Whether `rules` let the names `segments` be served at all, before any
/// opening: hidden names, names Windows reads as others, and the server's
/// own files are not.
pub fn allowed(segments: &[Vec<u8>], rules: Rules) -> Result<(), Refusal> {
    if !rules.hidden && segments.iter().any(|s| is_hidden(s)) {
        return Err(Refusal::NotFound);
    }
    if segments.iter().any(|s| is_windows_alias(s) || is_internal(s)) {
        return Err(Refusal::NotFound);
    }
    Ok(())
}

/// Opens already-normalised `segments` beneath `root` by `rules`.
pub fn open_segments(root: &Root, segments: Vec<Vec<u8>>, rules: Rules) -> Result<Found, Refusal> {
    allowed(&segments, rules)?;
    let opened = if rules.follow_symlinks { root.open_following(&segments) } else { root.open(&segments) };
    let opened = opened.map_err(|e| match e {
        BeneathError::Io(e) => refusal_for(&e),
        _ => Refusal::NotFound,
    })?;
    // A symlink inside the root may still lead to a hidden name.
    if !rules.hidden && opened.real.as_ref().is_some_and(|real| real.iter().any(|s| is_hidden(s))) {
        return Err(Refusal::NotFound);
    }
    let file = opened.file;
    let meta = file.metadata().map_err(|e| refusal_for(&e))?;
    Ok(Found { segments, file: Rc::new(file), meta })
}

/// Maps a file system error to the status it deserves: only a permission
/// problem is 403; everything else (missing, not a folder, a loop) is 404.
pub fn refusal_for(e: &io::Error) -> Refusal {
    match e.kind() {
        io::ErrorKind::PermissionDenied => Refusal::Forbidden,
        _ => Refusal::NotFound,
    }
}

/// The tree the path tests share: files, a dot-file and a dot-directory,
/// and symlinks out of the root, into it, to a hidden name, in a loop,
/// and to the directory above the root.
#[cfg(test)]
#[cfg(unix)]
pub(crate) mod fixture {
    use std::path::PathBuf;

    /// Builds the tree; returns its temp dir and the canonical root.
    pub(crate) fn tree() -> (harness::TempDir, PathBuf) {
        let t = harness::TempDir::new("resolve");
        let root = t.join("root");
        std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("index.html"), "home").unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();
        std::fs::write(root.join("back\\slash"), "b").unwrap();
        std::fs::write(root.join(".env"), "secret").unwrap();
        std::fs::write(t.join("secret.txt"), "outside").unwrap();
        std::os::unix::fs::symlink(t.join("secret.txt"), root.join("out")).unwrap();
        std::os::unix::fs::symlink("sub/a.txt", root.join("in")).unwrap();
        std::os::unix::fs::symlink(".env", root.join("to-hidden")).unwrap();
        std::os::unix::fs::symlink("loop2", root.join("loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", root.join("loop2")).unwrap();
        std::os::unix::fs::symlink(t.path(), root.join("updir")).unwrap();
        let root = std::fs::canonicalize(root).unwrap();
        (t, root)
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use shared::http::target::parse_target;
    use shared::sys::beneath::Method;
    use std::path::Path;

    use super::fixture::tree;

    /// Every way this system can open beneath a root: the fast path and
    /// the portable walk must answer alike.
    fn roots(root: &Path) -> Vec<Root> {
        [Method::Openat2, Method::Walk].into_iter().filter_map(|m| Root::with_method(root, m).ok()).collect()
    }

    /// Opens a raw request target the way the server does; the names
    /// below the root of what was opened, or the refusal.
    fn outcome(root: &Root, target: &str, rules: Rules) -> Result<String, Refusal> {
        let path = match parse_target(target) {
            Ok(t) => t.path().map(<[u8]>::to_vec).ok_or(Refusal::BadPath("no path"))?,
            Err(_) => return Err(Refusal::BadPath("bad target")),
        };
        open(root, &path, rules)
            .map(|f| f.segments.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect::<Vec<_>>().join("/"))
    }

    #[test]
    fn traversal_table() {
        let (_t, root) = tree();
        let strict = Rules::default();
        let bad = |why| Err(Refusal::BadPath(why));
        let above = "path climbs above the root";
        let ok = |p: &str| Ok(p.to_string());
        let cases: &[(&str, Result<String, Refusal>)] = &[
            ("/", ok("")),
            ("/index.html", ok("index.html")),
            ("/sub/./a.txt", ok("sub/a.txt")),
            ("/sub/deeper/../a.txt", ok("sub/a.txt")),
            ("//sub//a.txt", ok("sub/a.txt")),
            ("/../", bad(above)),
            ("/%2e%2e/", bad(above)),
            ("/..%2f..%2fetc/passwd", bad(above)),
            ("/%2e%2e%5c", Err(Refusal::NotFound)),
            ("/back%5cslash", Err(Refusal::NotFound)),
            ("/%252e%252e/", Err(Refusal::NotFound)),
            ("//etc/passwd", Err(Refusal::NotFound)),
            ("/a/../../", bad(above)),
            ("/sub/../../secret.txt", bad(above)),
            ("/%00", bad("NUL byte in path")),
            ("/index.html%00.txt", bad("NUL byte in path")),
            ("http://other/../", bad(above)),
            ("http://other/index.html", ok("index.html")),
            ("/.env", Err(Refusal::NotFound)),
            ("/.git/", Err(Refusal::NotFound)),
            ("/sub/../.env", Err(Refusal::NotFound)),
            ("/out", Err(Refusal::NotFound)),
            ("/in", ok("in")),
            ("/to-hidden", Err(Refusal::NotFound)),
            ("/loop1", Err(Refusal::NotFound)),
            ("/updir/secret.txt", Err(Refusal::NotFound)),
            ("/missing", Err(Refusal::NotFound)),
            ("/%c0%ae%c0%ae/", Err(Refusal::NotFound)),
        ];
        for r in roots(&root) {
            for (target, want) in cases {
                assert_eq!(outcome(&r, target, strict), *want, "target {target:?} by {:?}", r.method());
            }
        }
    }

    #[test]
    fn options_open_up() {
        let (_t, root) = tree();
        let open_all = Rules { hidden: true, follow_symlinks: true };
        for r in roots(&root) {
            assert_eq!(outcome(&r, "/.env", open_all), Ok(".env".to_string()));
            assert_eq!(outcome(&r, "/out", open_all), Ok("out".to_string()));
            let hidden = Rules { hidden: true, ..Rules::default() };
            assert_eq!(outcome(&r, "/to-hidden", hidden), Ok("to-hidden".to_string()));
            // Even with both options, `..` never climbs above the root.
            assert_eq!(outcome(&r, "/../x", open_all), Err(Refusal::BadPath("path climbs above the root")));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn never_opens_outside_the_root(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b"..".to_vec()),
                    proptest::strategy::Just(b".".to_vec()),
                    proptest::strategy::Just(b"out".to_vec()),
                    proptest::strategy::Just(b"updir".to_vec()),
                    proptest::strategy::Just(b"in".to_vec()),
                    proptest::strategy::Just(b"sub".to_vec()),
                    proptest::strategy::Just(b"secret.txt".to_vec()),
                    proptest::strategy::Just(b"loop1".to_vec()),
                    proptest::strategy::Just(b"".to_vec()),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..6),
                ],
                0..8,
            ),
            hidden: bool,
        ) {
            let (_t, root) = tree();
            let mut path = b"/".to_vec();
            path.extend_from_slice(&parts.join(&b'/'));
            let rules = Rules { hidden, follow_symlinks: false };
            let mut answers = Vec::new();
            for r in roots(&root) {
                let got = open(&r, &path, rules);
                if let Ok(found) = &got {
                    if cfg!(target_os = "linux") {
                        let fd = std::os::fd::AsRawFd::as_raw_fd(&*found.file);
                        let real = std::fs::read_link(format!("/proc/self/fd/{fd}")).unwrap();
                        proptest::prop_assert!(real.starts_with(&root), "{:?} opened outside by {:?}", real, r.method());
                    }
                    for s in &found.segments {
                        proptest::prop_assert!(!s.is_empty() && s != b"." && s != b".." && !s.contains(&b'/'));
                    }
                }
                answers.push(got.map(|f| f.segments).map_err(|e| format!("{e:?}")));
            }
            // The fast path and the walk agree on every path.
            proptest::prop_assert!(answers.windows(2).all(|w| w[0] == w[1]), "{:?}", answers);
        }
    }
}
