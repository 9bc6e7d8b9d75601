//! Listings with awkward names, clicked through by following every link,
//! and the JSON form for scripts.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

#[cfg(unix)]
/// Names that break naive listings: spaces, `#`, `%`, `?`, quotes, `<`,
/// non-ASCII and bytes that are not UTF-8.
const AWKWARD: &[&[u8]] = &[
    b"plain.txt",
    b"with space.txt",
    b"hash#tag.txt",
    b"100% sure.txt",
    b"what?.txt",
    b"quote\"and'apos.txt",
    b"<script>alert(1)<.html",
    b"amp&amp.txt",
    "caf\u{e9} \u{2603}.txt".as_bytes(),
    b"latin1-\xe9\xff.bin",
    b"back\\slash.txt",
    b"semi;colon+plus=eq.txt",
];

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Every `href="..."` in a page, unescaped.
fn hrefs(page: &str) -> Vec<String> {
    page.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(html_unescape).collect()
}

// Names that are not UTF-8, and `\`, `"`, `<`, `?` in names, exist only on
// Unix file systems.
#[cfg(unix)]
#[test]
fn awkward_names_click_through() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("listing");
    let sub = dir.join(OsStr::from_bytes(b"dir with #?% \xe9"));
    std::fs::create_dir(&sub).unwrap();
    for (i, name) in AWKWARD.iter().enumerate() {
        std::fs::write(sub.join(OsStr::from_bytes(name)), format!("content {i}")).unwrap();
    }
    let s = Server::start(dir.path(), &[]);
    let root = get(s.addr, "/");
    assert_eq!(root.status, 200);
    let links = hrefs(&root.text());
    assert_eq!(links.len(), 1, "{links:?}");
    let dir_url = format!("/{}", links[0]);
    assert!(dir_url.ends_with('/'));
    let listing = get(s.addr, &dir_url);
    assert_eq!(listing.header("Content-Type"), Some("text/html; charset=utf-8"));
    let page = listing.text();
    assert!(page.starts_with("<!doctype html>"));
    let links = hrefs(&page);
    // The parent link and one per file.
    assert_eq!(links[0], "../");
    assert_eq!(links.len(), AWKWARD.len() + 1, "{links:?}");
    let mut fetched = 0;
    for link in &links[1..] {
        let r = get(s.addr, &format!("{dir_url}{link}"));
        assert_eq!(r.status, 200, "{link}");
        let i: usize = r.text().strip_prefix("content ").unwrap().parse().unwrap();
        // The link leads to the file it is named after.
        let shown = html_unescape(&String::from_utf8_lossy(AWKWARD[i]));
        assert!(page.contains(&format!(">{}</a>", crate_escape(&shown))), "{shown}");
        fetched |= 1 << i;
    }
    assert_eq!(fetched, (1 << AWKWARD.len()) - 1, "every file reached once");
    let up = get(s.addr, &format!("{dir_url}../"));
    assert_eq!(up.status, 200);
}

/// The listing's HTML escaping of a display name.
#[cfg(unix)]
fn crate_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[test]
fn order_sizes_and_times() {
    let dir = TempDir::new("order");
    std::fs::create_dir(dir.join("Zeta")).unwrap();
    std::fs::create_dir(dir.join("alpha")).unwrap();
    std::fs::write(dir.join("b.txt"), vec![b'x'; 1536]).unwrap();
    std::fs::write(dir.join("A.txt"), "1").unwrap();
    let s = Server::start(dir.path(), &[]);
    let page = get(s.addr, "/").text();
    let links = hrefs(&page);
    assert_eq!(links, vec!["alpha/", "Zeta/", "A.txt", "b.txt"]);
    assert!(page.contains("title=\"1536 bytes\">1.5 KiB</td>"));
    let minute = shared::http::date::format_minutes(std::fs::metadata(dir.join("b.txt")).unwrap().modified().unwrap());
    assert!(page.contains(&minute));
    assert!(!page.contains("href=\"../\""), "no parent link at the root");
}

#[test]
fn json_listing() {
    let dir = TempDir::new("json");
    std::fs::create_dir(dir.join("d")).unwrap();
    std::fs::write(dir.join("f \"q\".txt"), "12345").unwrap();
    let s = Server::start(dir.path(), &[]);
    for req in [request("GET", "/", &["Accept: application/json"]), request("GET", "/?format=json", &[])] {
        let r = exchange(s.addr, &req);
        assert_eq!(r.header("Content-Type"), Some("application/json; charset=utf-8"));
        let text = r.text();
        assert!(
            text.starts_with("{\"path\":\"/\",\"entries\":[{\"name\":\"d\",\"type\":\"directory\",\"size\":0,"),
            "{text}"
        );
        assert!(text.contains("{\"name\":\"f \\\"q\\\".txt\",\"type\":\"file\",\"size\":5,\"modified\":\""), "{text}");
        assert!(text.contains("\"href\":\"f%20%22q%22.txt\"}"), "{text}");
    }
    let html = exchange(s.addr, &request("GET", "/", &["Accept: text/html"]));
    assert_eq!(html.header("Content-Type"), Some("text/html; charset=utf-8"));
}
