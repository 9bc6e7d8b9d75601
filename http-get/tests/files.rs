//! Files appear only when complete: `-o` atomicity, `--continue`, `-O`
//! names from hostile URLs, and no progress bar outside a terminal.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

fn names_in(dir: &TempDir) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn output_file_appears_only_when_complete() {
    let dir = TempDir::new("atomic");
    let out = dir.join("data.bin");
    let body = harness::pseudo_random(9, 300_000);
    let s = Scripted::start(vec![reply(response("200 OK", &[], &body))]);
    let r = http_get(&["-o", out.to_str().unwrap(), &s.url("/data.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(std::fs::read(&out).unwrap() == body);
    assert!(r.stderr.is_empty(), "no progress bar when stderr is not a terminal: {}", r.stderr);
    // The server dies mid-body: exit 18, the old file untouched, no temp left.
    let mut cut = response("200 OK", &[], &body);
    cut.truncate(cut.len() - 1000);
    let s = Scripted::start(vec![reply(cut)]);
    let r = http_get(&["-o", out.to_str().unwrap(), &s.url("/data.bin")]);
    assert_eq!(r.code, Some(18), "{}", r.stderr);
    assert!(std::fs::read(&out).unwrap() == body, "existing file kept whole");
    assert_eq!(names_in(&dir), vec!["data.bin"]);
    // A 404 creates no file.
    let missing = dir.join("missing.bin");
    let s = Scripted::start(vec![reply(response("404 Not Found", &[], b"nope"))]);
    let r = http_get(&["-o", missing.to_str().unwrap(), &s.url("/missing.bin")]);
    assert_eq!(r.code, Some(22), "{}", r.stderr);
    assert_eq!(names_in(&dir), vec!["data.bin"]);
    // A write error (no such directory) is 23.
    let s = Scripted::start(vec![reply(response("200 OK", &[], b"x"))]);
    let r = http_get(&["-o", dir.join("no/such/dir/f").to_str().unwrap(), &s.url("/")]);
    assert_eq!(r.code, Some(23), "{}", r.stderr);
}

#[test]
fn continue_resumes_with_range() {
    let dir = TempDir::new("resume");
    let out = dir.join("big.bin");
    let body = harness::pseudo_random(4, 100_000);
    // First run: cut short, the part is kept.
    let mut cut = response("200 OK", &[], &body);
    cut.truncate(cut.len() - 40_000);
    let s = Scripted::start(vec![reply(cut)]);
    let r = http_get(&["-c", "-o", out.to_str().unwrap(), &s.url("/big.bin")]);
    assert_eq!(r.code, Some(18), "{}", r.stderr);
    let have = std::fs::metadata(dir.join("big.bin.part")).unwrap().len() as usize;
    assert_eq!(have, 60_000);
    assert!(!out.exists());
    // Second run: asks for the rest, appends it, renames into place.
    let rest = &body[have..];
    let range = format!("Content-Range: bytes {have}-{}/{}", body.len() - 1, body.len());
    let s = Scripted::start(vec![reply(response("206 Partial Content", &[&range], rest))]);
    let r = http_get(&["-c", "-o", out.to_str().unwrap(), &s.url("/big.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(s.requests()[0].contains(&format!("\r\nRange: bytes={have}-\r\n")));
    assert!(std::fs::read(&out).unwrap() == body);
    assert_eq!(names_in(&dir), vec!["big.bin"]);
    // Third run: already complete, the server says 416: success, untouched.
    let total = format!("Content-Range: bytes */{}", body.len());
    let s = Scripted::start(vec![reply(response("416 Range Not Satisfiable", &[&total], b""))]);
    let r = http_get(&["-c", "-o", out.to_str().unwrap(), &s.url("/big.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(std::fs::read(&out).unwrap() == body);
    assert_eq!(names_in(&dir), vec!["big.bin"]);
}

#[test]
fn continue_restarts_cleanly_when_range_is_ignored() {
    let dir = TempDir::new("restart");
    let out = dir.join("f.bin");
    std::fs::write(dir.join("f.bin.part"), b"stale stale stale").unwrap();
    let body = b"the whole fresh file".to_vec();
    let s = Scripted::start(vec![reply(response("200 OK", &[], &body))]);
    let r = http_get(&["-c", "-o", out.to_str().unwrap(), &s.url("/f.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(s.requests()[0].contains("\r\nRange: bytes=17-\r\n"));
    assert_eq!(std::fs::read(&out).unwrap(), body);
    assert_eq!(names_in(&dir), vec!["f.bin"]);
}

#[test]
fn remote_name_is_safe() {
    let cases = [
        ("/dir/report.csv", "report.csv"),
        ("/..%2F..%2Fescape.txt", "escape.txt"),
        ("/%2e%2e%2f%2e%2e%2fx", "x"),
        ("/.bashrc", "bashrc"),
        ("/", "index.html"),
        ("/sp%20ace.txt?x=1", "sp ace.txt"),
    ];
    for (path, want) in cases {
        let dir = TempDir::new("remote");
        let s = Scripted::start(vec![reply(response("200 OK", &[], b"content"))]);
        let r = http_get_in(dir.path(), &["-O", &s.url(path)]);
        assert_eq!(r.code, Some(0), "{path}: {}", r.stderr);
        assert_eq!(names_in(&dir), vec![want.to_string()], "{path}");
        assert_eq!(std::fs::read(dir.join(want)).unwrap(), b"content");
    }
}

#[test]
fn remote_name_follows_the_final_url() {
    let dir = TempDir::new("remote-redirect");
    let s = Scripted::start(vec![
        reply(response("302 Found", &["Location: /files/v2.tar.gz"], b"")),
        reply(response("200 OK", &[], b"tarball")),
    ]);
    let r = http_get_in(dir.path(), &["-O", &s.url("/latest")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(names_in(&dir), vec!["v2.tar.gz"]);
}

#[test]
fn retry_after_503_then_success() {
    let s = Scripted::start(vec![
        reply(response("503 Service Unavailable", &["Retry-After: 0"], b"busy")),
        reply(response("200 OK", &[], b"finally")),
    ]);
    let r = http_get(&["--retry", "2", &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, b"finally");
    assert!(r.stderr.contains("retrying"), "{}", r.stderr);
    // Without --retry the 503 is final.
    let s = Scripted::start(vec![reply(response("503 Service Unavailable", &[], b"busy"))]);
    assert_eq!(http_get(&[&s.url("/")]).code, Some(22));
    // A connection refused is retried too, then reported.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let r = http_get(&["--retry", "1", &format!("http://127.0.0.1:{port}/")]);
    assert_eq!(r.code, Some(7), "{}", r.stderr);
    assert_eq!(r.stderr.matches("connection refused").count(), 2, "{}", r.stderr);
}

/// Regression: `-o /dev/null` once renamed a temporary file over the
/// device, turning /dev/null into a regular file for the whole machine.
#[cfg(unix)]
#[test]
fn output_to_a_device_or_fifo_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let s =
        Scripted::start(vec![reply(response("200 OK", &[], b"discarded")), reply(response("200 OK", &[], b"piped"))]);
    let r = http_get(&["-s", "-o", "/dev/null", "-w", "%{http_code}", &s.url("/")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"200"[..]), "{}", r.stderr);
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "/dev/null is still a device");
    let dir = TempDir::new("fifo");
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|st| st.success()) {
        eprintln!("skipped: mkfifo not available");
        return;
    }
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read(reader_path).unwrap());
    let r = http_get(&["-o", fifo.to_str().unwrap(), &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(reader.join().unwrap(), b"piped");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(names_in(&dir), vec!["pipe"]);
}

/// Windows: `-o` replaces an existing file in one step; a file another
/// program holds open (without letting it be replaced) is left untouched
/// with exit 23 and nothing else left behind; `-o NUL` is the null device.
#[cfg(windows)]
#[test]
fn windows_atomic_replace_busy_target_and_nul() {
    use std::os::windows::fs::OpenOptionsExt;
    let dir = TempDir::new("win-atomic");
    let out = dir.join("data.bin");
    std::fs::write(&out, b"old contents").unwrap();
    let body = harness::pseudo_random(11, 100_000);
    let s = Scripted::start(vec![reply(response("200 OK", &[], &body))]);
    let r = http_get(&["-o", out.to_str().unwrap(), &s.url("/data.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(std::fs::read(&out).unwrap() == body, "replaced whole");
    // Held open with no sharing at all, as an editor or a virus scanner may.
    let held = std::fs::OpenOptions::new().read(true).share_mode(0).open(&out).unwrap();
    let s = Scripted::start(vec![reply(response("200 OK", &[], b"new"))]);
    let r = http_get(&["-o", out.to_str().unwrap(), &s.url("/data.bin")]);
    assert_eq!(r.code, Some(23), "{}", r.stderr);
    assert!(r.stderr.starts_with("http-get: writing "), "{}", r.stderr);
    drop(held);
    assert!(std::fs::read(&out).unwrap() == body, "left untouched");
    assert_eq!(names_in(&dir), vec!["data.bin"]);
    // NUL swallows the body like /dev/null; no file appears.
    let s = Scripted::start(vec![reply(response("200 OK", &[], b"into the void"))]);
    let r = http_get_in(dir.path(), &["-o", "NUL", &s.url("/x")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(names_in(&dir), vec!["data.bin"]);
}
