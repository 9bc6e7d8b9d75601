//! `--spa`: a browser's navigation to a route gets the app's index; files,
//! folders and missing assets keep their own answers.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

const BROWSER: &str = "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const INDEX: &str = "<!doctype html><title>app</title><script src=\"/app.js\"></script>";

fn app() -> TempDir {
    let dir = TempDir::new("spa");
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("app.js"), "console.log('app')").unwrap();
    std::fs::write(dir.join("robots.txt"), "User-agent: *").unwrap();
    std::fs::create_dir_all(dir.join("assets/empty")).unwrap();
    std::fs::write(dir.join("assets/logo.svg"), "<svg/>").unwrap();
    std::fs::write(dir.join(".env"), "SECRET=1").unwrap();
    dir
}

#[test]
fn navigations_get_the_index_and_nothing_else_changes() {
    let dir = app();
    let s = Server::start(dir.path(), &["--spa"]);
    let cases: &[(&str, &str, &str, u16, Option<&str>)] = &[
        // Routes a browser navigates to.
        ("GET", "/users/42", BROWSER, 200, Some(INDEX)),
        ("GET", "/settings/profile/", BROWSER, 200, Some(INDEX)),
        ("GET", "/deep/v1.2/route", BROWSER, 200, Some(INDEX)),
        ("HEAD", "/users/42", BROWSER, 200, Some("")),
        // An existing file or folder is never covered.
        ("GET", "/app.js", BROWSER, 200, Some("console.log('app')")),
        ("GET", "/robots.txt", "Accept: */*", 200, Some("User-agent: *")),
        ("GET", "/assets/logo.svg", BROWSER, 200, Some("<svg/>")),
        ("GET", "/assets/empty/", BROWSER, 200, None),
        ("GET", "/assets", BROWSER, 301, None),
        // Missing assets stay 404, whatever the Accept.
        ("GET", "/missing.js", BROWSER, 404, None),
        ("GET", "/assets/missing.png", "Accept: image/avif,image/webp,*/*", 404, None),
        // Not a browser navigation: a script's fetch, curl.
        ("GET", "/api/users", "Accept: */*", 404, None),
        ("GET", "/api/users", "Accept: application/json", 404, None),
        // Hidden files stay hidden: the app is served in their place.
        ("GET", "/.env", BROWSER, 200, Some(INDEX)),
        ("GET", "/.env", "Accept: */*", 404, None),
        // Bad paths stay bad.
        ("GET", "/../x", BROWSER, 400, None),
        ("POST", "/users/42", BROWSER, 405, None),
    ];
    for (method, path, accept, status, body) in cases {
        let r = exchange(s.addr, &request(method, path, &[accept]));
        assert_eq!(r.status, *status, "{method} {path} {accept}");
        if let Some(body) = body {
            assert_eq!(r.text(), *body, "{method} {path} {accept}");
        }
        if *status == 200 && body == &Some(INDEX) {
            assert_eq!(r.header("Content-Type"), Some("text/html; charset=utf-8"));
            assert!(r.headers.iter().any(|(n, v)| n == "Vary" && v == "Accept"), "{path}: {:?}", r.headers);
        }
        if *status == 404 {
            assert!(r.headers.iter().any(|(n, v)| n == "Vary" && v == "Accept"), "{path}: {:?}", r.headers);
        }
    }
    // The index revalidates like any file.
    let first = exchange(s.addr, &request("GET", "/users/1", &[BROWSER]));
    let etag = first.header("ETag").unwrap();
    let again = exchange(s.addr, &request("GET", "/users/2", &[BROWSER, &format!("If-None-Match: {etag}")]));
    assert_eq!(again.status, 304);
}

#[test]
fn without_the_flag_or_without_an_index_a_route_is_404() {
    let dir = app();
    let s = Server::start(dir.path(), &[]);
    assert_eq!(exchange(s.addr, &request("GET", "/users/42", &[BROWSER])).status, 404);
    let bare = TempDir::new("spa-bare");
    std::fs::write(bare.join("app.js"), "x").unwrap();
    let s = Server::start(bare.path(), &["--spa"]);
    assert_eq!(exchange(s.addr, &request("GET", "/users/42", &[BROWSER])).status, 404);
    // --index names the app's file.
    std::fs::write(bare.join("main.html"), "main").unwrap();
    let s = Server::start(bare.path(), &["--spa", "--index", "main.html"]);
    assert_eq!(exchange(s.addr, &request("GET", "/users/42", &[BROWSER])).text(), "main");
}
