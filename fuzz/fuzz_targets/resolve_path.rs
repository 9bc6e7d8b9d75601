//! URL path to file path: for any bytes, a resolved path is inside the
//! root, both as written and where its symlinks lead.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use http_serve::beneath::{self, Root};
use http_serve::resolve::{Rules, resolve, segments};
use libfuzzer_sys::fuzz_target;

/// A small tree with a secret beside the root and symlinks out and in.
fn root() -> &'static PathBuf {
    &opened_root().path
}

/// The same root with its openat2 handle.
fn opened_root() -> &'static Root {
    static ROOT: OnceLock<Root> = OnceLock::new();
    ROOT.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("netkit-fuzz-resolve-{}", std::process::id()));
        let root = base.join("root");
        let _ = std::fs::create_dir_all(root.join("a/b"));
        let _ = std::fs::write(base.join("secret"), "secret");
        let _ = std::fs::write(root.join("a/b/file"), "file");
        let _ = std::os::unix::fs::symlink(base.join("secret"), root.join("out"));
        let _ = std::os::unix::fs::symlink(&base, root.join("a/up"));
        let _ = std::os::unix::fs::symlink("b/file", root.join("a/in"));
        Root::new(std::fs::canonicalize(root).expect("canonical root"))
    })
}

fuzz_target!(|data: &[u8]| {
    let root = root();
    let mut path = b"/".to_vec();
    path.extend_from_slice(data);
    if let Ok(segs) = segments(&path) {
        assert!(segs.iter().all(|s| !s.is_empty() && s != b"." && s != b".." && !s.contains(&b'/')));
    }
    for rules in [Rules::default(), Rules { hidden: true, follow_symlinks: false }] {
        if let Ok(opened) = beneath::open(opened_root(), &path, rules) {
            assert!(opened.path.starts_with(root), "{:?} left the root", opened.path);
            let real = std::fs::read_link(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&opened.file)));
            if let Ok(real) = real {
                assert!(real.starts_with(root), "{real:?} was opened outside the root");
            }
        }
        if let Ok(found) = resolve(root, &path, rules) {
            assert!(found.path.starts_with(root), "{:?} left the root", found.path);
            if let Ok(real) = std::fs::canonicalize(&found.path) {
                assert!(real.starts_with(root), "{real:?} leads out of the root");
            }
        }
    }
});
