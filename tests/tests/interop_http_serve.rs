//! http-serve against the clients people use: curl (ranges, conditionals,
//! HEAD, keep-alive, HTTP/1.0), wget mirroring a tree through the
//! listings, h11 checking the framing of every response, and headless
//! Chromium running a page's script and rendering a listing.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::{Capture, Running, TempDir, peer, peers};

const LIMIT: Duration = Duration::from_secs(60);
const TEXT: &str = "abcdefghijklmnopqrstuvwxyz";

fn serve(dir: &Path) -> (Running, SocketAddr) {
    serve_with(dir, &[])
}

fn serve_with(dir: &Path, args: &[&str]) -> (Running, SocketAddr) {
    let mut cmd = Command::new(harness::bin("http-serve"));
    cmd.args(["-p", "0"]).args(args).arg(dir);
    let run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stdout(" at ");
    (run, addr)
}

fn site() -> (TempDir, Running, SocketAddr) {
    let dir = TempDir::new("interop-site");
    std::fs::write(dir.join("a.txt"), TEXT).unwrap();
    std::fs::create_dir(dir.join("dir")).unwrap();
    let (run, addr) = serve(dir.path());
    (dir, run, addr)
}

fn curl(args: &[&str]) -> harness::Finished {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "--max-time", "30"]).args(args);
    harness::run(cmd, None, LIMIT)
}

fn text(f: &harness::Finished) -> String {
    String::from_utf8_lossy(&f.stdout).into_owned()
}

#[test]
fn curl_ranges_conditionals_head_keepalive_http10() {
    if !peer("curl") {
        return;
    }
    let (_dir, _server, addr) = site();
    let url = format!("http://{addr}/a.txt");
    let r = curl(&["-r", "2-5", &url]);
    assert_eq!(text(&r), "cdef");
    let r = curl(&["-r", "-3", &url]);
    assert_eq!(text(&r), "xyz");
    let r = curl(&["-r", "0-1,4-5", "-D", "-", &url]);
    let t = text(&r);
    assert!(t.starts_with("HTTP/1.1 206 Partial Content\r\n"), "{t}");
    assert!(t.contains("Content-Type: multipart/byteranges; boundary="), "{t}");
    assert!(
        t.contains("Content-Range: bytes 0-1/26\r\n\r\nab\r\n")
            && t.contains("Content-Range: bytes 4-5/26\r\n\r\nef\r\n"),
        "{t}"
    );
    let r = curl(&["-o", "/dev/null", "-w", "%{http_code}", "-r", "30-", &url]);
    assert_eq!(text(&r), "416");
    // HEAD.
    let head = text(&curl(&["-I", &url]));
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Length: 26\r\n"), "{head}");
    let field = |name: &str| {
        head.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).map(|v| v.trim().to_string()).unwrap()
    };
    let (etag, last_modified) = (field("ETag"), field("Last-Modified"));
    // If-None-Match and If-Modified-Since (curl -z).
    let r = curl(&["-o", "/dev/null", "-w", "%{http_code}", "-H", &format!("If-None-Match: {etag}"), &url]);
    assert_eq!(text(&r), "304");
    let r = curl(&["-o", "/dev/null", "-w", "%{http_code}", "-z", &last_modified, &url]);
    assert_eq!(text(&r), "304");
    // Several URLs on one kept-alive connection: one connect in all.
    let dir_url = format!("http://{addr}/dir/");
    let r = curl(&[
        "-o",
        "/dev/null",
        "-o",
        "/dev/null",
        "-o",
        "/dev/null",
        "-w",
        "%{num_connects} ",
        &url,
        &dir_url,
        &url,
    ]);
    assert_eq!(text(&r), "1 0 0 ");
    // HTTP/1.0.
    let r = curl(&["--http1.0", "-w", " %{http_code}", &url]);
    assert_eq!(text(&r), format!("{TEXT} 200"));
}

#[test]
fn curl_sees_vary_on_plain_and_compressed_answers() {
    if !peer("curl") {
        return;
    }
    let dir = TempDir::new("interop-vary");
    std::fs::write(dir.join("app.js"), TEXT).unwrap();
    std::fs::write(dir.join("app.js.gz"), harness::pseudo_random(5, 100)).unwrap();
    let (_server, addr) = serve(dir.path());
    let url = format!("http://{addr}/app.js");
    for args in [&["-D", "-", "-o", "/dev/null"][..], &["-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip"]] {
        let mut all = args.to_vec();
        all.push(&url);
        let head = text(&curl(&all));
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("\r\nVary: Accept-Encoding\r\n"), "{args:?}: {head}");
    }
}

/// Names that trip up mirrors: spaces, `#`, `%`, non-ASCII.
const TREE: &[&[u8]] = &[
    b"top.txt",
    b"with space.txt",
    b"hash#name.txt",
    b"100% done.txt",
    "caf\u{e9}.txt".as_bytes(),
    b"sub dir/inner.txt",
    b"sub dir/deeper/leaf #2.txt",
];

fn files_below(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn wget_mirrors_a_tree_through_the_listings() {
    if !peer("wget") {
        return;
    }
    let dir = TempDir::new("wget-tree");
    let tree = dir.join("tree");
    for (i, name) in TREE.iter().enumerate() {
        let path = tree.join(harness::os_name(name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("file {i}\n")).unwrap();
    }
    let (_server, addr) = serve(&tree);
    let mirror = dir.join("mirror");
    let mut cmd = Command::new("wget");
    cmd.args(["-r", "-np", "-nH", "-q", "--restrict-file-names=nocontrol", "-e", "robots=off", "-P"])
        .arg(&mirror)
        .arg(format!("http://{addr}/"));
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // wget saves each listing as index.html, and each sorted view of it
    // (the column headings are links) as index.html?sort=...; the tree
    // itself has none. The folder downloads are buttons of a form, which
    // a crawler does not press: no archive is fetched.
    let all = files_below(&mirror);
    assert!(!all.iter().any(|p| p.to_string_lossy().contains("download=")), "{all:?}");
    let listing = |p: &PathBuf| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("index.html"));
    let mirrored: Vec<PathBuf> = all.iter().filter(|p| !listing(p)).cloned().collect();
    assert!(all.iter().any(|p| p.file_name() == Some(OsStr::new("index.html"))));
    assert_eq!(mirrored, files_below(&tree));
    for rel in &mirrored {
        assert_eq!(
            std::fs::read(mirror.join(rel)).unwrap(),
            std::fs::read(tree.join(rel)).unwrap(),
            "{}",
            rel.display()
        );
    }
}

#[test]
fn h11_accepts_the_framing_of_every_response() {
    if !peers::python_has(&["h11"]) {
        return;
    }
    let (_dir, _server, addr) = site();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/h11_check.py");
    let mut cmd = Command::new(peers::python());
    cmd.arg(script).arg(addr.ip().to_string()).arg(addr.port().to_string());
    let out = harness::run(cmd, None, LIMIT);
    let t = text(&out);
    assert_eq!(out.code, Some(0), "{t}{}", out.stderr);
    assert!(
        t.contains("GET /a.txt 206 4\n") && t.contains("GET /a.txt 304 0\n") && t.contains("pipelined /missing 404"),
        "{t}"
    );
    assert!(t.ends_with("h11: all responses valid\n"), "{t}");
}

/// Headless Chromium with the flags a closed network needs.
fn chromium(profile: &Path, args: &[&str]) -> harness::Finished {
    let mut cmd = Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args);
    harness::run(cmd, None, Duration::from_secs(120))
}

#[test]
fn chromium_runs_the_page_and_renders_a_listing() {
    if !peer("chromium") {
        return;
    }
    let dir = TempDir::new("browser");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("files/more")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\"><link rel=\"stylesheet\" href=\"style.css\">\
         <title>netkit</title></head><body><h1>netkit</h1><p id=\"out\">script did not run</p>\
         <img src=\"logo.svg\" alt=\"logo\"><video src=\"clip.webm\" preload=\"auto\" muted></video>\
         <script src=\"app.js\"></script></body></html>",
    )
    .unwrap();
    std::fs::write(site.join("style.css"), "h1 { color: teal }").unwrap();
    std::fs::write(
        site.join("app.js"),
        "fetch('data.json').then(r => r.json()).then(d => { document.getElementById('out').textContent = 'fetched ' + d.word; });",
    )
    .unwrap();
    std::fs::write(site.join("data.json"), "{\"word\": \"rutabaga\"}").unwrap();
    std::fs::write(
        site.join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"32\" height=\"32\"><circle cx=\"16\" cy=\"16\" r=\"14\" fill=\"teal\"/></svg>",
    )
    .unwrap();
    std::fs::write(site.join("clip.webm"), harness::pseudo_random(3, 256 * 1024)).unwrap();
    for name in ["notes.txt", "photo 1.jpg", "r\u{e9}sum\u{e9}.pdf", "100%.txt"] {
        std::fs::write(site.join("files").join(name), name).unwrap();
    }
    let (server, addr) = serve(&site);
    let out =
        chromium(&dir.join("profile1"), &["--virtual-time-budget=5000", "--dump-dom", &format!("http://{addr}/")]);
    let dom = text(&out);
    assert!(dom.contains("<p id=\"out\">fetched rutabaga</p>"), "the page's script ran: {dom}");
    let log = server.stderr.as_ref().unwrap();
    for asset in ["style.css", "app.js", "data.json", "logo.svg", "clip.webm"] {
        log.wait_for(LIMIT, |l| l.contains(&format!("\"GET /{asset} HTTP/1.1\"")).then_some(()));
    }
    // A screenshot of a listing, kept where the test output can point.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("listing.png");
    let _ = std::fs::remove_file(&png);
    chromium(
        &dir.join("profile2"),
        &["--window-size=1000,600", &format!("--screenshot={}", png.display()), &format!("http://{addr}/files/")],
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG was written");
    eprintln!("listing screenshot: {}", png.display());
}

#[test]
fn chromium_sorts_filters_and_draws_the_listing_dark() {
    if !peer("chromium") {
        return;
    }
    let dir = TempDir::new("browser-listing");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("files/photos")).unwrap();
    std::fs::create_dir_all(site.join("files/music")).unwrap();
    for (name, size) in [("photo 1.jpg", 350_000), ("phone.txt", 12), ("report.pdf", 90_000), ("notes.md", 2_000)] {
        std::fs::write(site.join("files").join(name), harness::pseudo_random(size as u64, size)).unwrap();
    }
    // A page of the same origin that drives the listing in a frame: types
    // into the filter box and reports which rows stay visible.
    std::fs::write(
        site.join("probe.html"),
        "<!doctype html><html><body><pre id=\"out\">not run</pre>\
         <iframe id=\"f\" src=\"/files/?sort=size&amp;order=desc\"></iframe><script>\
         document.getElementById('f').onload = function () {\
           var d = this.contentDocument, box = d.getElementById('filter');\
           var shown = function () { return Array.prototype.filter.call(d.querySelectorAll('tbody tr'),\
             function (r) { return !r.hidden; }).map(function (r) { return r.cells[0].textContent; }).join('|'); };\
           var before = shown();\
           box.value = 'PH'; box.dispatchEvent(new Event('input'));\
           document.getElementById('out').textContent = 'box ' + (box.hidden ? 'hidden' : 'shown') +\
             ' before=' + before + ' after=' + shown();\
         };</script></body></html>",
    )
    .unwrap();
    let (_server, addr) = serve(&site);
    let out = chromium(
        &dir.join("profile1"),
        &["--virtual-time-budget=5000", "--dump-dom", &format!("http://{addr}/probe.html")],
    );
    let dom = text(&out);
    assert!(
        dom.contains(
            "box shown before=../|photos/|music/|photo 1.jpg|report.pdf|notes.md|phone.txt \
             after=../|photos/|photo 1.jpg|phone.txt"
        ),
        "{dom}"
    );
    // Screenshots: sorted by size, in dark mode, and in light mode.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
    std::fs::create_dir_all(&shots).unwrap();
    for (file, scheme) in [("listing-size-dark.png", "dark"), ("listing-size-light.png", "light")] {
        let png = shots.join(file);
        let _ = std::fs::remove_file(&png);
        let mut args = vec![
            "--window-size=1000,500".to_string(),
            format!("--screenshot={}", png.display()),
            format!("http://{addr}/files/?sort=size&order=desc"),
        ];
        if scheme == "dark" {
            args.insert(0, "--force-dark-mode".to_string());
            args.insert(0, "--blink-settings=preferredColorScheme=0".to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        chromium(&dir.join(format!("profile-{scheme}")), &args);
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG was written");
        eprintln!("listing screenshot ({scheme}): {}", png.display());
    }
}

#[test]
fn chromium_and_curl_reach_a_single_page_app_route() {
    let dir = TempDir::new("interop-spa");
    let site = dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>spa</title></head>\
         <body><p id=\"route\">no script</p><script src=\"/app.js\"></script></body></html>",
    )
    .unwrap();
    std::fs::write(site.join("app.js"), "document.getElementById('route').textContent = 'route ' + location.pathname;")
        .unwrap();
    let (_server, addr) = serve_with(&site, &["--spa"]);
    if peer("curl") {
        let url = format!("http://{addr}/users/42");
        let r = curl(&["-H", "Accept: text/html", "-w", " %{http_code}", &url]);
        assert!(text(&r).ends_with("</html> 200"), "{}", text(&r));
        let r = curl(&["-o", "/dev/null", "-w", "%{http_code}", &format!("http://{addr}/missing.js")]);
        assert_eq!(text(&r), "404");
    }
    if peer("chromium") {
        let out = chromium(
            &dir.join("profile"),
            &["--virtual-time-budget=5000", "--dump-dom", &format!("http://{addr}/users/42/settings")],
        );
        let dom = text(&out);
        assert!(dom.contains("<p id=\"route\">route /users/42/settings</p>"), "{dom}");
    }
}

#[test]
fn curl_authenticates_with_basic() {
    if !peer("curl") {
        return;
    }
    let dir = TempDir::new("interop-auth");
    std::fs::write(dir.join("a.txt"), TEXT).unwrap();
    let (server, addr) = serve_with(dir.path(), &["--auth", "ann:open sesame", "--auth", "bob:x"]);
    let url = format!("http://{addr}/a.txt");
    let r = curl(&["-D", "-", "-o", "/dev/null", &url]);
    let head = text(&r);
    assert!(head.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{head}");
    assert!(head.contains("WWW-Authenticate: Basic realm=\"http-serve\", charset=\"UTF-8\"\r\n"), "{head}");
    assert_eq!(text(&curl(&["-u", "ann:open sesame", &url])), TEXT);
    assert_eq!(
        text(&curl(&["-u", "bob:x", "-w", " %{http_code}", &format!("http://{addr}/")])).rsplit(' ').next(),
        Some("200")
    );
    let r = curl(&["-u", "ann:wrong", "-o", "/dev/null", "-w", "%{http_code}", &url]);
    assert_eq!(text(&r), "401");
    // curl sends the credentials only after the challenge with --anyauth.
    assert_eq!(text(&curl(&["--anyauth", "-u", "ann:open sesame", &url])), TEXT);
    let log = server.stderr.as_ref().unwrap();
    log.wait_for(LIMIT, |l| l.contains("\"GET /a.txt HTTP/1.1\" 200").then_some(()));
    assert!(!log.all().iter().any(|l| l.contains("sesame")));
}

/// A `--tls` server, its address and the fingerprint it printed.
#[cfg(feature = "tls")]
fn serve_tls(dir: &Path, args: &[&str]) -> (Running, SocketAddr, String) {
    let mut cmd = Command::new(harness::bin("http-serve"));
    cmd.args(["-p", "0", "--tls"]).args(args).arg(dir);
    let run = harness::start(cmd, Capture::Both);
    let lines = run.stdout.as_ref().unwrap();
    let addr = lines.wait_for(harness::START_TIMEOUT, |l| harness::addr_after(&l.replacen("https://", "", 1), " at "));
    let fingerprint = lines.wait_for(harness::START_TIMEOUT, harness::tls::fingerprint_in);
    (run, addr, fingerprint)
}

/// The certificate a TLS server presents, as PEM, fetched by a client that
/// trusts it only by the fingerprint the server printed.
#[cfg(feature = "tls")]
fn certificate_pem(addr: SocketAddr, fingerprint: &str) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let t = harness::tls::connect(addr, "localhost", fingerprint).unwrap();
    let der = t.conn.peer_certificates().unwrap()[0].to_vec();
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            b64.push(if i <= chunk.len() { char::from(B64[(n >> (18 - 6 * i)) as usize & 63]) } else { '=' });
        }
    }
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}

/// curl trusts the self-signed certificate by itself (names and
/// addresses checked), fetches, resumes a range, and uploads over it.
#[cfg(feature = "tls")]
#[test]
fn curl_over_tls_checks_the_certificate_for_every_printed_name() {
    if !peer("curl") {
        return;
    }
    let dir = TempDir::new("interop-tls");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("in")).unwrap();
    let data = harness::pseudo_random(31, 3 << 20);
    std::fs::write(site.join("data.bin"), &data).unwrap();
    let (_server, addr, fingerprint) = serve_tls(&site, &["--upload"]);
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, certificate_pem(addr, &fingerprint)).unwrap();
    let ca = ca.to_str().unwrap().to_string();
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{}/data.bin", addr.port());
        let out = dir.join(format!("got-{host}"));
        let r = curl(&["--cacert", &ca, "-o", out.to_str().unwrap(), "-w", "%{http_code} %{ssl_verify_result}", &url]);
        assert_eq!(text(&r), "200 0", "{host}: {}", r.stderr);
        assert_eq!(std::fs::read(&out).unwrap(), data);
        let r = curl(&["--cacert", &ca, "-r", "10-19", &url]);
        assert_eq!(r.stdout, &data[10..20]);
    }
    // A name the certificate does not hold is refused by curl.
    let r = curl(&[
        "--cacert",
        &ca,
        "--resolve",
        &format!("other.example:{0}:127.0.0.1", addr.port()),
        &format!("https://other.example:{}/", addr.port()),
    ]);
    assert_ne!(r.code, Some(0));
    // An upload over TLS.
    let up = dir.join("up.bin");
    std::fs::write(&up, &data[..1 << 20]).unwrap();
    let url = format!("https://localhost:{}/in/", addr.port());
    let r = curl(&["--cacert", &ca, "-o", "/dev/null", "-w", "%{http_code}", "-T", up.to_str().unwrap(), &url]);
    assert_eq!(text(&r), "201");
    assert_eq!(std::fs::read(site.join("in/up.bin")).unwrap(), &data[..1 << 20]);
    // Plain http to the TLS port: curl follows the redirect to https.
    let r = curl(&[
        "--cacert",
        &ca,
        "-L",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{url_effective}",
        &format!("http://localhost:{}/data.bin", addr.port()),
    ]);
    assert_eq!(text(&r), format!("200 https://localhost:{}/data.bin", addr.port()));
}

#[cfg(feature = "tls")]
#[test]
fn chromium_over_tls_runs_the_listing() {
    if !peer("chromium") {
        return;
    }
    let dir = TempDir::new("browser-tls");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(site.join("docs/readme.txt"), "over https").unwrap();
    let (server, addr, _) = serve_tls(&site, &[]);
    let out = chromium(
        &dir.join("profile"),
        &["--ignore-certificate-errors", "--virtual-time-budget=5000", "--dump-dom", &format!("https://{addr}/docs/")],
    );
    let dom = text(&out);
    assert!(dom.contains("readme.txt") && dom.contains("Index of"), "{dom}");
    // The listing's script ran: it showed the filter box.
    assert!(dom.contains("id=\"filter\" type=\"search\" placeholder=\"Filter\" aria-label=\"Filter names\">"), "{dom}");
    server.stderr.as_ref().unwrap().wait_for(LIMIT, |l| l.contains("\"GET /docs/ HTTP/1.1\" 200").then_some(()));
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("listing-tls.png");
    let _ = std::fs::remove_file(&png);
    chromium(
        &dir.join("profile2"),
        &[
            "--ignore-certificate-errors",
            "--window-size=1000,400",
            &format!("--screenshot={}", png.display()),
            &format!("https://{addr}/docs/"),
        ],
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[cfg(not(feature = "tls"))]
#[test]
fn tls_interop_needs_the_tls_feature() {
    eprintln!("skipped: built without the tls feature (the TLS interop tests need it)");
}
