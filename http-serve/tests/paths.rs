//! Nothing outside the served folder is ever served: traversal attempts in
//! every encoding, symlinks out and in loops, hidden names, directories.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use harness::symlink;

const SECRET: &str = "TOP-SECRET-outside-the-root";

/// A root inside a temp dir, with a secret file beside the root, and
/// symlinks out, in and in a loop where this system can make them (Wine
/// cannot: there the symlink cases print one `skipped:` line).
fn tree() -> (TempDir, std::path::PathBuf, bool) {
    let t = TempDir::new("paths");
    let root = t.join("root");
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(t.join("secret.txt"), SECRET).unwrap();
    std::fs::write(root.join("index.html"), "home").unwrap();
    std::fs::write(root.join("a/b/c.txt"), "c").unwrap();
    std::fs::write(root.join(".env"), SECRET).unwrap();
    std::fs::write(root.join(".git/config"), SECRET).unwrap();
    std::fs::write(root.join("docs/readme.txt"), "docs").unwrap();
    std::fs::write(root.join("PROGRA~1.TXT"), SECRET).unwrap();
    let links = symlink(t.join("secret.txt"), root.join("out-link")).is_ok();
    if links {
        symlink(t.path(), root.join("out-dir")).unwrap();
        symlink("a/b/c.txt", root.join("in-link")).unwrap();
        symlink("loop-b", root.join("loop-a")).unwrap();
        symlink("loop-a", root.join("loop-b")).unwrap();
    } else {
        eprintln!("skipped: symbolic links cannot be made here; the symlink cases are left out");
    }
    (t, root, links)
}

/// Requests for names Windows reads as other names: separators, drives,
/// streams, devices, trailing dots and spaces, short names, other cases.
/// Each is refused on every system.
const WINDOWS_NAMES: &[(&str, u16)] = &[
    ("/a%5cb%5cc.txt", 404),
    ("/a\\b\\c.txt", 404),
    ("/..%5c..%5csecret.txt", 404),
    ("/C:/secret.txt", 404),
    ("/C:%5csecret.txt", 404),
    ("/%5c%5c?%5cC:%5csecret.txt", 404),
    ("/%5c%5c.%5cC:%5csecret.txt", 404),
    ("/%5c%5clocalhost%5cc$%5csecret.txt", 404),
    ("/CON", 404),
    ("/con.txt", 404),
    ("/nul.html", 404),
    ("/AUX", 404),
    ("/COM1", 404),
    ("/lpt9.log", 404),
    ("/index.html::$DATA", 404),
    ("/a:stream", 404),
    ("/index.html.", 404),
    ("/index.html%20", 404),
    ("/index.html...", 404),
    ("/a/b/c.txt.", 404),
    ("/INDEX.HTML", 404),
    ("/A/b/c.txt", 404),
    ("/PROGRA~1.TXT", 404),
    ("/GIT~1/config", 404),
    ("/DOCS~1/readme.txt", 404),
];

#[test]
fn traversal_table() {
    let (_t, root, links) = tree();
    let s = Server::start(&root, &[]);
    let mut cases: Vec<(&str, u16)> = vec![
        ("/../", 400),
        ("/../secret.txt", 400),
        ("/%2e%2e/secret.txt", 400),
        ("/%2E%2E/secret.txt", 400),
        ("/..%2fsecret.txt", 400),
        ("/..%2f..%2fetc/passwd", 400),
        ("/%2e%2e%5csecret.txt", 404),
        ("/..\\secret.txt", 404),
        ("/%252e%252e/secret.txt", 404),
        ("//etc/passwd", 404),
        ("/a/../../secret.txt", 400),
        ("/a/b/../../../secret.txt", 400),
        ("/%00", 400),
        ("/index.html%00.txt", 400),
        ("http://other/../secret.txt", 400),
        ("/%c0%ae%c0%ae/secret.txt", 404),
        ("/.env", 404),
        ("/.git/config", 404),
        ("/a/../.env", 404),
        ("/a/./b/c.txt", 200),
        ("/a//b/c.txt", 200),
        ("/", 200),
    ];
    cases.extend_from_slice(WINDOWS_NAMES);
    if links {
        cases.extend([("/out-link", 404), ("/out-dir/secret.txt", 404), ("/out-dir/", 404), ("/loop-a", 404)]);
        cases.push(("/in-link", 200));
    }
    for (target, status) in cases {
        let r = exchange(s.addr, &request("GET", target, &[]));
        assert_eq!(r.status, status, "{target}");
        assert!(!r.text().contains(SECRET), "{target} leaked the secret");
    }
    let lister = Server::start(&root, &["--index", "no-such-file"]);
    let listing = get(lister.addr, "/").text();
    for hidden in [".env", ".git", "out-link", "out-dir", "loop-a", "PROGRA~1.TXT"] {
        assert!(!listing.contains(&format!("href=\"{hidden}")), "{hidden} listed");
    }
    assert_eq!(listing.contains("href=\"in-link\""), links);
}

#[test]
fn options_open_up_hidden_and_symlinks() {
    let (_t, root, links) = tree();
    let s = Server::start(&root, &["--hidden", "--follow-symlinks", "--index", "no-such-file"]);
    assert_eq!(get(s.addr, "/.env").text(), SECRET);
    // `..` still never climbs above the root, and Windows' other names for
    // a file stay refused whatever the options.
    assert_eq!(get(s.addr, "/../secret.txt").status, 400);
    for (target, status) in WINDOWS_NAMES {
        assert_eq!(exchange(s.addr, &request("GET", target, &[])).status, *status, "{target}");
    }
    let listing = get(s.addr, "/").text();
    assert!(listing.contains("href=\".env\""));
    if links {
        assert_eq!(get(s.addr, "/out-link").text(), SECRET);
        assert!(listing.contains("href=\"out-link\""));
    }
}

#[test]
fn directories_redirect_index_and_listing() {
    let (_t, root, _) = tree();
    let s = Server::start(&root, &[]);
    let cases: &[(&str, u16, Option<&str>)] = &[
        ("/a", 301, Some("/a/")),
        ("/a/b?x=1&y=2", 301, Some("/a/b/?x=1&y=2")),
        ("//docs", 301, Some("/docs/")),
        ("/./docs", 301, Some("/docs/")),
        ("/docs/", 200, None),
    ];
    for (target, status, location) in cases {
        let r = exchange(s.addr, &request("GET", target, &[]));
        assert_eq!((r.status, r.header("Location")), (*status, *location), "{target}");
    }
    assert_eq!(get(s.addr, "/").text(), "home");
    let no_listing = Server::start(&root, &["--no-listing"]);
    assert_eq!(get(no_listing.addr, "/docs/").status, 404);
    assert_eq!(get(no_listing.addr, "/").text(), "home");
    let other_index = Server::start(&root, &["--index", "readme.txt"]);
    assert_eq!(get(other_index.addr, "/docs/").text(), "docs");
}

#[test]
fn fifo_is_never_opened_for_reading() {
    let (_t, root, _) = tree();
    let fifo = root.join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo not available");
        return;
    }
    let s = Server::start(&root, &[]);
    assert_eq!(get(s.addr, "/pipe").status, 404);
    assert_eq!(get(s.addr, "/index.html").text(), "home");
}
