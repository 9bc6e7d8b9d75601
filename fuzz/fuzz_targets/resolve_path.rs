//! URL path to an open file: for any bytes, what is opened is inside the
//! root (where its symlinks lead too), none of its names is one Windows
//! would read as another, and the portable walk agrees with openat2.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use http_serve::paths::{Rules, open, segments};
use libfuzzer_sys::fuzz_target;
use shared::names::is_windows_alias;
use shared::sys::beneath::{Method, Root};

/// A small tree with a secret beside the root and symlinks out and in,
/// opened by every method this system has.
fn roots() -> &'static (PathBuf, Vec<Root>) {
    static ROOTS: OnceLock<(PathBuf, Vec<Root>)> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("netkit-fuzz-resolve-{}", std::process::id()));
        let root = base.join("root");
        let _ = std::fs::create_dir_all(root.join("a/b"));
        let _ = std::fs::write(base.join("secret"), "secret");
        let _ = std::fs::write(root.join("a/b/file"), "file");
        let _ = std::fs::write(root.join("CON"), "device name");
        let _ = std::os::unix::fs::symlink(base.join("secret"), root.join("out"));
        let _ = std::os::unix::fs::symlink(&base, root.join("a/up"));
        let _ = std::os::unix::fs::symlink("b/file", root.join("a/in"));
        let root = std::fs::canonicalize(root).expect("canonical root");
        let opened = [Method::Openat2, Method::Walk].into_iter().filter_map(|m| Root::with_method(&root, m).ok()).collect();
        (root, opened)
    })
}

fuzz_target!(|data: &[u8]| {
    let (root, opened) = roots();
    let mut path = b"/".to_vec();
    path.extend_from_slice(data);
    if let Ok(segs) = segments(&path) {
        assert!(segs.iter().all(|s| !s.is_empty() && s != b"." && s != b".." && !s.contains(&b'/')));
    }
    for rules in [Rules::default(), Rules { hidden: true, follow_symlinks: false }] {
        let mut answers = Vec::new();
        for r in opened {
            let got = open(r, &path, rules);
            if let Ok(found) = &got {
                assert!(!found.segments.iter().any(|s| is_windows_alias(s)), "a Windows alias was opened");
                let fd = std::os::fd::AsRawFd::as_raw_fd(&found.file);
                if let Ok(real) = std::fs::read_link(format!("/proc/self/fd/{fd}")) {
                    assert!(real.starts_with(root), "{real:?} was opened outside the root");
                }
            }
            answers.push(got.map(|f| f.segments).map_err(|e| format!("{e:?}")));
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "the methods disagree: {answers:?}");
    }
});
