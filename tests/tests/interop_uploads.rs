//! http-serve's uploads from the clients people use: curl's `-T` (PUT,
//! with `Expect: 100-continue` for large files, and chunked from a pipe)
//! and `-F` (a form), with and without `--auth`; and headless Chromium
//! sending the listing's own upload form through its script, with a
//! screenshot of that form.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{Capture, Running, TempDir, peer};

const LIMIT: Duration = Duration::from_secs(120);

fn serve(dir: &Path, args: &[&str]) -> (Running, SocketAddr) {
    let mut cmd = Command::new(harness::bin("http-serve"));
    cmd.args(["-p", "0", "--upload"]).args(args).arg(dir);
    let run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stdout(" at ");
    (run, addr)
}

fn curl(args: &[&str], stdin: Option<&[u8]>) -> (String, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-S", "--max-time", "60"]).args(args);
    let out = harness::run(cmd, stdin, LIMIT);
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.stderr)
}

#[test]
fn curl_puts_and_posts_with_and_without_auth() {
    if !peer("curl") {
        return;
    }
    let dir = TempDir::new("interop-upload");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("inbox")).unwrap();
    let big = dir.join("big.bin");
    let data = harness::pseudo_random(11, 5 << 20);
    std::fs::write(&big, &data).unwrap();
    let small = dir.join("small name.txt");
    std::fs::write(&small, "small").unwrap();
    for auth in [None, Some("ann:s3cret")] {
        let sub = if auth.is_some() { "auth" } else { "open" };
        std::fs::create_dir_all(site.join("inbox").join(sub)).unwrap();
        let mut args: Vec<&str> = Vec::new();
        if let Some(a) = auth {
            args.extend(["--auth", a]);
        }
        let (_server, addr) = serve(&site, &args);
        let url = format!("http://{addr}/inbox/{sub}/");
        let creds: Vec<&str> = auth.map(|a| vec!["-u", a]).unwrap_or_default();
        let with =
            |extra: &[&str]| -> Vec<String> { creds.iter().chain(extra.iter()).map(|s| s.to_string()).collect() };
        // -T with a folder URL: curl appends the file's name; 5 MiB makes
        // it ask for 100-continue first.
        let a = with(&["-w", "%{http_code}", "-o", "/dev/null", "-T", big.to_str().unwrap(), &url]);
        let (code, err) = curl(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert_eq!(code, "201", "{err}");
        assert_eq!(std::fs::read(site.join(format!("inbox/{sub}/big.bin"))).unwrap(), data);
        // The same name again: 409, the file kept.
        let (code, _) = curl(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert_eq!(code, "409");
        // From a pipe: chunked.
        let piped = format!("{url}piped.txt");
        let a = with(&["-w", "%{http_code}", "-o", "/dev/null", "-T", "-", &piped]);
        let (code, err) = curl(&a.iter().map(String::as_str).collect::<Vec<_>>(), Some(b"through a pipe\n"));
        assert_eq!(code, "201", "{err}");
        assert_eq!(std::fs::read(site.join(format!("inbox/{sub}/piped.txt"))).unwrap(), b"through a pipe\n");
        // -F: a form with two files and a field.
        let f1 = format!("file=@{}", small.display());
        let f2 = format!("file=@{};filename=renamed.bin", big.display());
        let a = with(&["-w", "\n%{http_code}", "-F", "note=hello", "-F", &f1, "-F", &f2, &url]);
        let (out, err) = curl(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert!(out.ends_with("\n201"), "{out}{err}");
        assert!(out.contains("Uploaded 2 files"), "{out}");
        assert_eq!(std::fs::read(site.join(format!("inbox/{sub}/small name.txt"))).unwrap(), b"small");
        assert_eq!(std::fs::read(site.join(format!("inbox/{sub}/renamed.bin"))).unwrap(), data);
        // -F with a name that climbs: refused, not reduced.
        let evil = format!("file=@{};filename=../evil.txt", small.display());
        let a = with(&["-w", "%{http_code}", "-o", "/dev/null", "-F", &evil, &url]);
        let (code, _) = curl(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert_eq!(code, "400");
        assert!(!site.join("inbox/evil.txt").exists() && !site.join(format!("inbox/{sub}/evil.txt")).exists());
        if auth.is_some() {
            // Without the password nothing lands.
            let (code, _) = curl(
                &["-w", "%{http_code}", "-o", "/dev/null", "-T", small.to_str().unwrap(), &format!("{url}x.txt")],
                None,
            );
            assert_eq!(code, "401");
            assert!(!site.join(format!("inbox/{sub}/x.txt")).exists());
        }
        let leftovers: Vec<_> = std::fs::read_dir(site.join("inbox").join(sub))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
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
    .args(args)
    .stdin(Stdio::null());
    harness::run(cmd, None, LIMIT)
}

#[test]
fn chromium_sends_the_upload_form_and_it_is_screenshotted() {
    if !peer("chromium") {
        return;
    }
    let dir = TempDir::new("browser-upload");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("drop box")).unwrap();
    std::fs::write(site.join("drop box/already here.txt"), "x").unwrap();
    // A page of the same origin that uses the listing's form the way a
    // person would: picks two files, presses Upload; the listing's script
    // sends them with progress and reloads when the server says 201.
    std::fs::write(
        site.join("probe.html"),
        "<!doctype html><html><body><pre id=\"out\">not run</pre>\
         <iframe id=\"f\" src=\"/drop%20box/\"></iframe><script>\
         var f = document.getElementById('f'), loads = 0;\
         f.onload = function () {\
           var d = f.contentDocument; loads++;\
           if (loads === 1) {\
             var form = d.querySelector('form.up'), input = form.querySelector('input[type=file]');\
             var dt = new DataTransfer();\
             dt.items.add(new File(['hello from chromium'], 'from browser.txt', {type: 'text/plain'}));\
             dt.items.add(new File([new Uint8Array(300000).fill(65)], 'r\\u00e9sum\\u00e9.bin'));\
             input.files = dt.files;\
             form.requestSubmit();\
           } else {\
             var names = Array.prototype.map.call(d.querySelectorAll('tbody tr td:first-child'), function (c) { return c.textContent; });\
             document.getElementById('out').textContent = 'reloaded: ' + names.join('|');\
           }\
         };</script></body></html>",
    )
    .unwrap();
    let (_server, addr) = serve(&site, &[]);
    let out = chromium(
        &dir.join("profile1"),
        &["--virtual-time-budget=10000", "--dump-dom", &format!("http://{addr}/probe.html")],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("reloaded: ../|already here.txt|from browser.txt|r\u{e9}sum\u{e9}.bin"), "{dom}");
    assert_eq!(std::fs::read(site.join("drop box/from browser.txt")).unwrap(), b"hello from chromium");
    assert_eq!(std::fs::read(site.join("drop box/r\u{e9}sum\u{e9}.bin")).unwrap(), vec![b'A'; 300_000]);
    // The form as a person sees it.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("upload-form.png");
    let _ = std::fs::remove_file(&png);
    chromium(
        &dir.join("profile2"),
        &["--window-size=1000,500", &format!("--screenshot={}", png.display()), &format!("http://{addr}/drop%20box/")],
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    eprintln!("upload form screenshot: {}", png.display());
}
