//! From a request path to a file inside the served root, and never outside
//! it.
//!
//! The path arrives percent-decoded exactly once (by `shared::http::target`). Here
//! it is split on `/` only (a `\` is an ordinary byte in a Unix file name),
//! `.` and `..` segments are resolved so that nothing climbs above the root
//! (an attempt is an error, not clamped), dot-names are hidden unless asked,
//! and finally the real location of the file (symlinks resolved) must lie
//! inside the real location of the root, unless symlinks are to be followed.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

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

/// Rules for resolving.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// Serve names starting with a dot.
    pub hidden: bool,
    /// Follow symlinks wherever they lead.
    pub follow_symlinks: bool,
}

/// A request path resolved to a file system path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The path to open (inside the root, symlinks not yet resolved).
    pub path: PathBuf,
    /// The normalised segments below the root, for building links.
    pub segments: Vec<Vec<u8>>,
}

/// Normalises a decoded request path into segments below the root.
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

/// Resolves a decoded request path against `root` (which must already be
/// canonical: absolute, symlinks resolved).
pub fn resolve(root: &Path, path: &[u8], rules: Rules) -> Result<Resolved, Refusal> {
    let segs = segments(path)?;
    if !rules.hidden && segs.iter().any(|s| s.first() == Some(&b'.')) {
        return Err(Refusal::NotFound);
    }
    let mut full = root.to_path_buf();
    for s in &segs {
        full.push(OsStr::from_bytes(s));
    }
    let real = std::fs::canonicalize(&full).map_err(|e| refusal_for(&e))?;
    if !rules.follow_symlinks {
        let Ok(below) = real.strip_prefix(root) else {
            return Err(Refusal::NotFound);
        };
        // A symlink inside the root may still lead to a hidden name.
        if !rules.hidden
            && below.components().any(|c| matches!(c, Component::Normal(n) if n.as_bytes().first() == Some(&b'.')))
        {
            return Err(Refusal::NotFound);
        }
    }
    Ok(Resolved { path: full, segments: segs })
}

/// Maps a file system error to the status it deserves.
pub fn refusal_for(e: &io::Error) -> Refusal {
    match e.kind() {
        io::ErrorKind::PermissionDenied => Refusal::Forbidden,
        _ => Refusal::NotFound,
    }
}

/// True when the real location of `path` is inside `root` (canonical).
pub fn inside(root: &Path, path: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|real| real.starts_with(root))
}

/// The tree the resolvers' tests share: files, a dot-file and a
/// dot-directory, and symlinks out of the root, into it, to a hidden name,
/// in a loop, and to the directory above the root.
#[cfg(test)]
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
mod tests {
    use super::*;
    use shared::http::target::parse_target;

    use super::fixture::tree;

    /// Resolves a raw request target the way the server does.
    fn outcome(root: &Path, target: &str, rules: Rules) -> Result<String, Refusal> {
        let path = match parse_target(target) {
            Ok(t) => t.path().map(<[u8]>::to_vec).ok_or(Refusal::BadPath("no path"))?,
            Err(_) => return Err(Refusal::BadPath("bad target")),
        };
        resolve(root, &path, rules).map(|r| r.path.strip_prefix(root).unwrap().to_string_lossy().into_owned())
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
            ("/back%5cslash", ok("back\\slash")),
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
            ("/missing", Err(Refusal::NotFound)),
            ("/%c0%ae%c0%ae/", Err(Refusal::NotFound)),
        ];
        for (target, want) in cases {
            assert_eq!(outcome(&root, target, strict), *want, "target {target:?}");
        }
    }

    #[test]
    fn options_open_up() {
        let (_t, root) = tree();
        let open = Rules { hidden: true, follow_symlinks: true };
        assert_eq!(outcome(&root, "/.env", open), Ok(".env".to_string()));
        assert_eq!(outcome(&root, "/out", open), Ok("out".to_string()));
        assert_eq!(
            outcome(&root, "/to-hidden", Rules { hidden: true, ..Rules::default() }),
            Ok("to-hidden".to_string())
        );
        // Even with both options, `..` never climbs above the root.
        assert_eq!(outcome(&root, "/../x", open), Err(Refusal::BadPath("path climbs above the root")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn never_resolves_outside_the_root(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b"..".to_vec()),
                    proptest::strategy::Just(b".".to_vec()),
                    proptest::strategy::Just(b"out".to_vec()),
                    proptest::strategy::Just(b"in".to_vec()),
                    proptest::strategy::Just(b"sub".to_vec()),
                    proptest::strategy::Just(b"loop1".to_vec()),
                    proptest::strategy::Just(b"".to_vec()),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..6),
                ],
                0..8,
            ),
            hidden: bool,
        ) {
            let (_t, root) = tree();
            let mut path = Vec::new();
            for p in parts {
                path.push(b'/');
                path.extend_from_slice(&p);
            }
            if path.is_empty() {
                path.push(b'/');
            }
            if let Ok(found) = resolve(&root, &path, Rules { hidden, follow_symlinks: false }) {
                proptest::prop_assert!(found.path.starts_with(&root));
                if let Ok(real) = std::fs::canonicalize(&found.path) {
                    proptest::prop_assert!(real.starts_with(&root), "{:?} leads outside", real);
                }
                for s in &found.segments {
                    proptest::prop_assert!(!s.is_empty() && s != b"." && s != b".." && !s.contains(&b'/'));
                }
            }
        }
    }
}
