//! Request bodies as a server receives them: the `-d` family joined in
//! order, `--json`, `-G`, `-F` multipart, `-T` (a file with
//! Content-Length, stdin chunked), `-d @-` streamed; large bodies in
//! little memory; stdin never sent twice.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use shared::http::chunked::ChunkedReader;

/// What a server received: the head, and the body decoded (Content-Length
/// bodies come with the head; chunked ones are read here).
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

fn receive(seen: Seen, status: &'static str) -> Script {
    Box::new(move |s, request| {
        let text = String::from_utf8_lossy(request).into_owned();
        let end = text.find("\r\n\r\n").map_or(text.len(), |i| i + 4);
        let (head, mut body) = (text[..end].to_string(), request[end..].to_vec());
        if head.to_ascii_lowercase().contains("\r\ntransfer-encoding: chunked\r\n") {
            let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
            let _ = ChunkedReader::new(BufReader::new(&*s)).read_to_end(&mut body);
        }
        seen.lock().unwrap().push((head, body));
        let _ = s.write_all(&response(status, &[], b"ok"));
    })
}

fn server(n: usize) -> (Scripted, Seen) {
    let seen: Seen = Arc::default();
    (Scripted::start((0..n).map(|_| receive(seen.clone(), "200 OK")).collect()), seen)
}

fn field<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

#[test]
fn data_kinds_joined_in_order() {
    let dir = TempDir::new("data-kinds");
    std::fs::write(dir.join("f"), "line one\nline two\n").unwrap();
    let (s, seen) = server(3);
    let r = http_get_in(
        dir.path(),
        &["-d", "a=1", "--data-raw", "@x", "--data-urlencode", "b=c d&é", "--data-binary", "@f", &s.url("/p")],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = http_get_in(dir.path(), &["--json", "{\"k\":", "--json", "[1,2]}", &s.url("/j")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = http_get_in(dir.path(), &["-G", "-d", "q=1", "--data-urlencode", "r=a b", &s.url("/g?x=0")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let seen = seen.lock().unwrap();
    let (head, body) = &seen[0];
    assert!(head.starts_with("POST /p HTTP/1.1\r\n"), "{head}");
    assert_eq!(field(head, "Content-Type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(body, b"a=1&@x&b=c%20d%26%C3%A9&line one\nline two\n");
    assert_eq!(field(head, "Content-Length"), Some("42"));
    let (head, body) = &seen[1];
    assert!(head.starts_with("POST /j HTTP/1.1\r\n"), "{head}");
    assert_eq!(
        (field(head, "Content-Type"), field(head, "Accept")),
        (Some("application/json"), Some("application/json"))
    );
    assert_eq!(body, b"{\"k\":[1,2]}");
    let (head, body) = &seen[2];
    assert!(head.starts_with("GET /g?x=0&q=1&r=a%20b HTTP/1.1\r\n"), "{head}");
    assert!(body.is_empty() && field(head, "Content-Length").is_none(), "{head}");
}

#[test]
fn multipart_form() {
    let dir = TempDir::new("form");
    let upload = harness::pseudo_random(3, 100_000);
    std::fs::write(dir.join("photo.png"), &upload).unwrap();
    std::fs::write(dir.join("note.txt"), "from a file").unwrap();
    let (s, seen) = server(1);
    let r = http_get_in(
        dir.path(),
        &[
            "-F",
            "name=Ada",
            "-F",
            "pic=@photo.png",
            "--form-string",
            "raw=@not;a file",
            "-F",
            "v=<note.txt",
            &s.url("/up"),
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let seen = seen.lock().unwrap();
    let (head, body) = &seen[0];
    let content_type = field(head, "Content-Type").unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
    let mut want = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"pic\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    want.extend_from_slice(&upload);
    want.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"raw\"\r\n\r\n@not;a file\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\nfrom a file\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    assert!(*body == want, "multipart bytes");
    assert_eq!(field(head, "Content-Length"), Some(want.len().to_string().as_str()));
}

#[test]
fn upload_file_and_stdin() {
    let dir = TempDir::new("upload");
    let data = harness::pseudo_random(4, 1 << 20);
    std::fs::write(dir.join("report.bin"), &data).unwrap();
    let (s, seen) = server(4);
    let r = http_get_in(dir.path(), &["-T", "report.bin", &s.url("/dir/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_http-get"));
    cmd.args(["-T", "-", &s.url("/stdin")]);
    let r = harness::run(cmd, Some(&data), HANG);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = http_get_stdin(&["-d", "@-", &s.url("/d")], &data);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // stdin from a file: its size is known, so Content-Length.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_http-get"));
    cmd.args(["-d", "@-", &s.url("/file-stdin")]).stdin(std::fs::File::open(dir.join("report.bin")).unwrap());
    cmd.stdout(std::process::Stdio::null());
    assert!(cmd.status().unwrap().success());
    let seen = seen.lock().unwrap();
    let (head, body) = &seen[0];
    assert!(head.starts_with("PUT /dir/report.bin HTTP/1.1\r\n"), "{head}");
    assert_eq!(field(head, "Content-Length"), Some("1048576"));
    assert!(field(head, "Content-Type").is_none(), "{head}");
    assert!(*body == data);
    for (head, body) in &seen[1..3] {
        assert_eq!(field(head, "Transfer-Encoding"), Some("chunked"), "{head}");
        assert!(field(head, "Content-Length").is_none(), "{head}");
        assert!(*body == data, "{head}");
    }
    assert!(seen[1].0.starts_with("PUT /stdin ") && seen[2].0.starts_with("POST /d "));
    assert_eq!(field(&seen[3].0, "Content-Length"), Some("1048576"));
    assert!(seen[3].1 == data);
}

/// A 307 resends a file body; a body from stdin cannot be sent again:
/// exit 65, in one line.
#[test]
fn stdin_is_never_sent_twice() {
    let dir = TempDir::new("rewind");
    std::fs::write(dir.join("b"), "file body").unwrap();
    let seen: Seen = Arc::default();
    let redirect = |seen: Seen| -> Script {
        Box::new(move |s, request| {
            seen.lock().unwrap().push((String::from_utf8_lossy(request).into_owned(), Vec::new()));
            let _ = s.write_all(&response("307 Temporary Redirect", &["Location: /again"], b""));
        })
    };
    let s = Scripted::start(vec![redirect(seen.clone()), receive(seen.clone(), "200 OK"), redirect(seen.clone())]);
    let r = http_get_in(dir.path(), &["-d", "@b", &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(seen.lock().unwrap()[1].1, b"file body");
    let r = http_get_stdin(&["-d", "@-", &s.url("/")], b"piped");
    assert_eq!(r.code, Some(65), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("came from stdin, which cannot be sent a second time"), "{}", r.stderr);
    assert_eq!(s.requests().len(), 3, "nothing sent after the 307");
}

#[test]
fn body_usage_errors() {
    let cases: &[&[&str]] = &[
        &["-d", "a", "-F", "b=c", "http://h/"],
        &["--json", "{}", "-d", "a", "http://h/"],
        &["-T", "/no/such/file", "http://h/"],
        &["-F", "f=@/no/such/file", "http://h/"],
        &["-G", "-F", "a=b", "http://h/"],
        &["-F", "a=b;nonsense=1", "http://h/"],
    ];
    for args in cases {
        let r = http_get(args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
    }
}

/// 64 MiB through `-T FILE`, `-F f=@FILE`, `-d @FILE` and `-T -` from a
/// pipe: streamed, so peak memory stays far below the body's size.
#[cfg(unix)]
#[test]
fn big_bodies_stream_in_little_memory() {
    const SIZE: usize = 64 << 20;
    let dir = TempDir::new("big-body");
    let big = dir.join("big");
    std::fs::File::create(&big).unwrap().set_len(SIZE as u64).unwrap();
    let count = |total: Arc<Mutex<Vec<u64>>>| -> Script {
        Box::new(move |s, _| {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read_exact(&mut byte).is_ok() {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
            let n = if head.contains("transfer-encoding: chunked") {
                std::io::copy(&mut ChunkedReader::new(BufReader::new(&*s)), &mut std::io::sink()).unwrap_or(0)
            } else {
                let length: u64 = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                std::io::copy(&mut (&*s).take(length), &mut std::io::sink()).unwrap_or(0)
            };
            total.lock().unwrap().push(n);
            let _ = s.write_all(&response("200 OK", &[], b"ok"));
        })
    };
    let totals = Arc::new(Mutex::new(Vec::new()));
    // The harness reads the Content-Length body of what it accepts; these
    // scripts read it themselves, so they get the raw stream.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let s = Scripted::on_raw(listener, (0..4).map(|_| count(totals.clone())).collect());
    let url = format!("http://{}/big", s.addr);
    let big_arg = big.display().to_string();
    for args in [
        vec!["-T".to_string(), big_arg.clone()],
        vec!["-F".into(), format!("f=@{big_arg}")],
        vec!["-d".into(), format!("@{big_arg}")],
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_http-get"));
        cmd.args(&args).arg(&url);
        let (r, peak) = harness::run_measured(cmd, HANG);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        assert!(harness::memory_within(peak, 16 * 1024), "{args:?}: peak {peak} KiB");
    }
    // From a pipe: the shell's children (head and http-get) are measured.
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", &format!("head -c {SIZE} /dev/zero | {} -T - {url}", env!("CARGO_BIN_EXE_http-get"))]);
    let (r, peak) = harness::run_measured(cmd, HANG);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(harness::memory_within(peak, 16 * 1024), "-T - from a pipe: peak {peak} KiB");
    let totals = totals.lock().unwrap();
    assert_eq!(totals[0], SIZE as u64);
    assert!(totals[1] > SIZE as u64, "multipart adds its heads");
    assert_eq!(totals[2..], [SIZE as u64, SIZE as u64]);
}
