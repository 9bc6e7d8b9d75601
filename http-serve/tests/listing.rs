//! Listings with awkward names, clicked through by following every link,
//! and the JSON form for scripts.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

/// Names that break naive listings: spaces, `#`, `%`, `;`, `&`, quotes,
/// non-ASCII; on Unix also `?`, `"`, `<` and bytes that are not UTF-8
/// (which Windows file names cannot hold).
fn awkward() -> Vec<&'static [u8]> {
    let mut names: Vec<&[u8]> = vec![
        b"plain.txt",
        b"with space.txt",
        b"hash#tag.txt",
        b"100% sure.txt",
        b"apos'trophe.txt",
        b"amp&amp.txt",
        "caf\u{e9} \u{2603}.txt".as_bytes(),
        b"semi;colon+plus=eq.txt",
    ];
    if cfg!(unix) {
        names.extend([&b"what?.txt"[..], b"quote\"and'apos.txt", b"<script>alert(1)<.html", b"latin1-\xe9\xff.bin"]);
    }
    names
}

/// Names Windows would read as another name: never listed, on any system.
/// (Windows itself stores only the short-name form literally; it would
/// make the others into other names or refuse them.)
fn aliases() -> Vec<&'static [u8]> {
    let mut names: Vec<&[u8]> = vec![b"PROGRA~1.TXT"];
    if cfg!(unix) {
        names.extend([&b"back\\slash.txt"[..], b"nul.txt", b"stream:name", b"trailing dot."]);
    }
    names
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Every `href="..."` in a page, unescaped.
fn hrefs(page: &str) -> Vec<String> {
    page.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(html_unescape).collect()
}

#[test]
fn awkward_names_click_through() {
    let awkward = awkward();
    let dir = TempDir::new("listing");
    let dir_name: &[u8] = if cfg!(unix) { b"dir with #?% \xe9" } else { "dir with #% \u{e9}".as_bytes() };
    let sub = dir.join(harness::os_name(dir_name));
    std::fs::create_dir(&sub).unwrap();
    for (i, name) in awkward.iter().enumerate() {
        std::fs::write(sub.join(harness::os_name(name)), format!("content {i}")).unwrap();
    }
    for name in aliases() {
        std::fs::write(sub.join(harness::os_name(name)), "an alias").unwrap();
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
    // The parent link and one per file; the aliases are left out.
    assert_eq!(links[0], "../");
    assert_eq!(links.len(), awkward.len() + 1, "{links:?}");
    let mut fetched = 0;
    for link in &links[1..] {
        let r = get(s.addr, &format!("{dir_url}{link}"));
        assert_eq!(r.status, 200, "{link}");
        let i: usize = r.text().strip_prefix("content ").unwrap().parse().unwrap();
        // The link leads to the file it is named after.
        let shown = html_unescape(&String::from_utf8_lossy(awkward[i]));
        assert!(page.contains(&format!(">{}</a>", crate_escape(&shown))), "{shown}");
        fetched |= 1 << i;
    }
    assert_eq!(fetched, (1 << awkward.len()) - 1, "every file reached once");
    let up = get(s.addr, &format!("{dir_url}../"));
    assert_eq!(up.status, 200);
}

/// The listing's HTML escaping of a display name.
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
    // A name the JSON must escape (Windows names hold no `"`: there, `'`).
    let quote = if cfg!(unix) { '"' } else { '\'' };
    std::fs::write(dir.join(format!("f {quote}q{quote}.txt")), "12345").unwrap();
    let s = Server::start(dir.path(), &[]);
    for req in [request("GET", "/", &["Accept: application/json"]), request("GET", "/?format=json", &[])] {
        let r = exchange(s.addr, &req);
        assert_eq!(r.header("Content-Type"), Some("application/json; charset=utf-8"));
        let text = r.text();
        assert!(
            text.starts_with("{\"path\":\"/\",\"entries\":[{\"name\":\"d\",\"type\":\"directory\",\"size\":0,"),
            "{text}"
        );
        let (json, href) = if cfg!(unix) { ("\\\"", "%22") } else { ("'", "%27") };
        let entry = format!("{{\"name\":\"f {json}q{json}.txt\",\"type\":\"file\",\"size\":5,\"modified\":\"");
        assert!(text.contains(&entry), "{text}");
        assert!(text.contains(&format!("\"href\":\"f%20{href}q{href}.txt\"}}")), "{text}");
    }
    let html = exchange(s.addr, &request("GET", "/", &["Accept: text/html"]));
    assert_eq!(html.header("Content-Type"), Some("text/html; charset=utf-8"));
}

/// Windows: a name that is not valid UTF-16 (a lone surrogate) is listed
/// with a replacement character and its link, percent-encoded from the
/// name's WTF-8 bytes, opens it.
#[cfg(windows)]
#[test]
fn names_that_are_not_utf16_are_listed_and_open() {
    use std::os::windows::ffi::OsStringExt;
    let dir = TempDir::new("wtf16");
    let name = std::ffi::OsString::from_wide(&[0x61, 0xd800, 0x62]);
    if std::fs::write(dir.join(&name), "lone surrogate").is_err() {
        eprintln!("skipped: this system cannot make a name that is not valid UTF-16 (Wine cannot)");
        return;
    }
    let s = Server::start(dir.path(), &[]);
    let page = get(s.addr, "/").text();
    // Shown with replacement characters, linked byte for byte.
    assert!(page.contains(">a\u{fffd}"), "{page}");
    assert!(page.contains("href=\"a%ED%A0%80b\""), "{page}");
    assert_eq!(get(s.addr, "/a%ED%A0%80b").text(), "lone surrogate");
}
