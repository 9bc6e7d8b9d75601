//! http-get against servers nobody here wrote: nginx (a 1 GiB file, ranges
//! and resume, 404, the directory redirect), Python's http.server
//! (HTTP/1.0), and httpbin under gunicorn (redirect chains, statuses,
//! chunked streams, slow bodies, credentials, the headers we send), with
//! outputs compared to what curl fetches from the same URLs.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use harness::{Capture, Running, TempDir, peer, peers};

const LIMIT: Duration = Duration::from_secs(120);

fn http_get(dir: &Path, args: &[&str]) -> harness::Finished {
    let mut cmd = Command::new(harness::bin("http-get"));
    cmd.args(args).current_dir(dir);
    harness::run(cmd, None, LIMIT)
}

fn curl(args: &[&str]) -> harness::Finished {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "--max-time", "60"]).args(args);
    harness::run(cmd, None, LIMIT)
}

/// The hash of a file, by the system's `sha256sum` (fast on a 1 GiB file).
fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_string()
}

#[test]
fn nginx_big_file_ranges_resume_404_and_redirect() {
    let dir = TempDir::new("nginx-get");
    let www = dir.join("www");
    std::fs::create_dir_all(www.join("folder")).unwrap();
    std::fs::write(www.join("folder/inside.txt"), "inside\n").unwrap();
    std::fs::write(www.join("folder/index.html"), "folder index\n").unwrap();
    // 1 GiB, sparse but for marks at the start, the middle and the end.
    let big = www.join("big.bin");
    let mut file = std::fs::File::create(&big).unwrap();
    file.set_len(1 << 30).unwrap();
    for (at, mark) in [(0u64, &b"start"[..]), (1 << 29, b"middle"), ((1 << 30) - 3, b"end")] {
        use std::io::{Seek, SeekFrom, Write};
        file.seek(SeekFrom::Start(at)).unwrap();
        file.write_all(mark).unwrap();
    }
    drop(file);
    let Some(nginx) = peers::nginx(&www) else { return };
    let base = format!("http://{}", nginx.addr);
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    // The whole gigabyte, byte for byte.
    let r = http_get(&out, &["-o", "big.bin", &format!("{base}/big.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(sha256(&out.join("big.bin")), sha256(&big));
    // Resume: keep the first 100 MiB, fetch the rest with a Range.
    std::fs::remove_file(out.join("big.bin")).unwrap();
    std::fs::copy(&big, out.join("part-src")).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(out.join("part-src")).unwrap();
    f.set_len(100 << 20).unwrap();
    drop(f);
    std::fs::rename(out.join("part-src"), out.join("big.bin.part")).unwrap();
    let r = http_get(&out, &["-c", "-o", "big.bin", &format!("{base}/big.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(sha256(&out.join("big.bin")), sha256(&big));
    assert!(!out.join("big.bin.part").exists());
    // Already complete: nginx answers 416, which is success.
    let r = http_get(&out, &["-c", "-o", "big.bin", &format!("{base}/big.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    std::fs::remove_file(out.join("big.bin")).unwrap();
    // 404 and the directory redirect.
    let r = http_get(&out, &[&format!("{base}/missing")]);
    assert_eq!(r.code, Some(22));
    let r = http_get(&out, &["-w", "%{url_effective}", &format!("{base}/folder")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(String::from_utf8_lossy(&r.stdout), format!("folder index\n{base}/folder/"), "followed the 301");
    let r = http_get(&out, &[&format!("{base}/folder/inside.txt")]);
    assert_eq!(r.stdout, b"inside\n");
    drop(nginx);
}

fn python_server(root: &Path) -> Option<(Running, SocketAddr)> {
    if !peers::python_has(&["http.server"]) {
        return None;
    }
    let mut cmd = Command::new(peers::python());
    cmd.args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"]).current_dir(root);
    let run = harness::start(cmd, Capture::Both);
    // "Serving HTTP on 127.0.0.1 port 43567 (http://127.0.0.1:43567/) ..."
    let addr = run.addr_on_stdout("(http://");
    Some((run, addr))
}

#[test]
fn python_http_server_http10() {
    let dir = TempDir::new("py-get");
    let data = harness::pseudo_random(2, 3 * 1024 * 1024);
    std::fs::write(dir.join("data.bin"), &data).unwrap();
    let Some((_server, addr)) = python_server(dir.path()) else { return };
    let r = http_get(dir.path(), &["-i", &format!("http://{addr}/data.bin")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let head_end = r.stdout.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(r.stdout.starts_with(b"HTTP/1.0 200 OK\r\n"));
    assert!(r.stdout[head_end..] == data[..]);
    let r = http_get(dir.path(), &[&format!("http://{addr}/nothing")]);
    assert_eq!(r.code, Some(22));
    let listing = http_get(dir.path(), &[&format!("http://{addr}/")]);
    if peer("curl") {
        assert_eq!(listing.stdout, curl(&[&format!("http://{addr}/")]).stdout, "same listing as curl gets");
    }
}

/// httpbin under gunicorn on a loopback port.
fn httpbin() -> Option<(Running, String)> {
    if !peers::python_has(&["httpbin", "gunicorn"]) {
        return None;
    }
    let mut cmd = Command::new(peers::python());
    cmd.args(["-m", "gunicorn", "-b", "127.0.0.1:0", "-w", "2", "--threads", "4", "httpbin:app"]);
    let run = harness::start(cmd, Capture::Both);
    // "[INFO] Listening at: http://127.0.0.1:39721 (1234)"
    let addr = run.addr_on_stderr("Listening at: ");
    Some((run, format!("http://{addr}")))
}

#[test]
fn httpbin_redirects_statuses_streams_and_credentials() {
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-get");
    let here = dir.path();
    // Redirect chains, absolute and relative.
    for path in ["/redirect/4", "/relative-redirect/3", "/absolute-redirect/2"] {
        let r = http_get(here, &["-w", "\n%{url_effective}", &format!("{base}{path}")]);
        assert_eq!(r.code, Some(0), "{path}: {}", r.stderr);
        assert!(String::from_utf8_lossy(&r.stdout).ends_with(&format!("{base}/get")), "{path}");
    }
    let r = http_get(here, &["--max-redirects", "2", &format!("{base}/redirect/5")]);
    assert_eq!(r.code, Some(47), "{}", r.stderr);
    // Statuses.
    let r = http_get(here, &["-w", "%{http_code}", &format!("{base}/status/418")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(22), &b"418"[..]));
    let r = http_get(here, &["-w", "%{http_code}", &format!("{base}/status/204")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"204"[..]));
    // A chunked stream of 20 JSON lines.
    let r = http_get(here, &["-v", &format!("{base}/stream/20")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.to_ascii_lowercase().contains("< transfer-encoding: chunked"), "{}", r.stderr);
    assert_eq!(String::from_utf8_lossy(&r.stdout).lines().count(), 20);
    // A slow body cut by -m.
    let start = std::time::Instant::now();
    let r = http_get(here, &["-m", "1s", &format!("{base}/drip?duration=10&numbytes=10&delay=0")]);
    assert_eq!(r.code, Some(28), "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(8));
    // Credentials from the URL's user info.
    let with_user = base.replacen("http://", "http://user:pa%20ss@", 1);
    let r = http_get(here, &[&format!("{with_user}/basic-auth/user/pa%20ss")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = http_get(here, &[&format!("{with_user}/basic-auth/user/other")]);
    assert_eq!(r.code, Some(22));
    // What we send, as httpbin saw it.
    let r = http_get(here, &["-H", "X-Netkit: yes", &format!("{base}/headers")]);
    let seen = String::from_utf8_lossy(&r.stdout);
    assert!(seen.contains("\"X-Netkit\": \"yes\""), "{seen}");
    assert!(seen.contains(&format!("\"User-Agent\": \"http-get/{}\"", env!("CARGO_PKG_VERSION"))), "{seen}");
    // POST with a body.
    let r = http_get(here, &["-d", "a=1&b=two", &format!("{base}/post")]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("\"b\": \"two\""));
    // The same bytes as curl for deterministic resources.
    if peer("curl") {
        for path in [
            "/html",
            "/robots.txt",
            "/encoding/utf8",
            "/bytes/4096?seed=7",
            "/range/5000",
            "/stream-bytes/9000?seed=3&chunk_size=700",
        ] {
            let ours = http_get(here, &[&format!("{base}{path}")]);
            let theirs = curl(&[&format!("{base}{path}")]);
            assert_eq!(ours.code, Some(0), "{path}: {}", ours.stderr);
            assert!(ours.stdout == theirs.stdout, "{path}: same bytes as curl");
        }
    }
}

/// `-i` output without the lines that differ between two clients: Date
/// (a second may pass) and Connection (what each client asked for).
fn without_dates(bytes: &[u8]) -> String {
    let differ = |l: &&str| l.starts_with("Date:") || l.starts_with("Connection:");
    String::from_utf8_lossy(bytes).split_inclusive('\n').filter(|l| !differ(l)).collect()
}

/// The six defects of issue 14 against httpbin: heads as received, every
/// hop's head as curl prints them, the head of a failing status, retries
/// under --no-fail, an empty Location.
#[test]
fn httpbin_heads_retries_and_empty_location() {
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-heads");
    let here = dir.path();
    if peer("curl") {
        for (ours, theirs, path) in [
            (&["-i"][..], &["-i", "-L"][..], "/redirect-to?url=/redirect-to%3Furl%3D/robots.txt"),
            (&["-I"], &["-I", "-L"], "/redirect-to?url=/robots.txt"),
            (&["-i", "--no-fail"], &["-i"], "/status/418"),
        ] {
            let url = format!("{base}{path}");
            let a = http_get(here, &[ours, &[url.as_str()][..]].concat());
            let b = curl(&[theirs, &[url.as_str()][..]].concat());
            assert_eq!(a.code, Some(0), "{path}: {}", a.stderr);
            assert_eq!(without_dates(&a.stdout), without_dates(&b.stdout), "{path}: the same bytes as curl");
        }
    }
    // A failing status: its head, then 22.
    let r = http_get(here, &["-i", &format!("{base}/status/404")]);
    assert_eq!(r.code, Some(22), "{}", r.stderr);
    assert!(r.stdout.starts_with(b"HTTP/1.1 404 NOT FOUND\r\n") && r.stdout.ends_with(b"\r\n\r\n"));
    // 503 every time: retried under --no-fail, then delivered.
    let r = http_get(here, &["--no-fail", "--retry", "1", "-w", "%{http_code}", &format!("{base}/status/503")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"503"[..]), "{}", r.stderr);
    assert!(r.stderr.contains("retrying in 1s (1 of 1)"), "{}", r.stderr);
    // An empty Location is final: no loop.
    let r = http_get(here, &["-w", "%{http_code}", &format!("{base}/redirect-to?url=")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"302"[..]), "{}", r.stderr);
}

/// Lines as scripts call curl, against nginx, with the bytes curl gets:
/// combined short flags, a URL without a scheme, a redirect followed.
#[test]
fn nginx_as_curl_scripts_call_it() {
    let dir = TempDir::new("nginx-habits");
    let www = dir.join("www");
    std::fs::create_dir_all(www.join("docs")).unwrap();
    std::fs::write(www.join("docs/index.html"), "docs\n").unwrap();
    std::fs::write(www.join("v.txt"), "1.2.3\n").unwrap();
    let Some(nginx) = peers::nginx(&www) else { return };
    let here = dir.path();
    let bare = nginx.addr.to_string();
    for path in ["/docs", "/v.txt"] {
        let r = http_get(here, &["-fsSL", &format!("{bare}{path}")]);
        assert_eq!(r.code, Some(0), "{path}: {}", r.stderr);
        if peer("curl") {
            assert_eq!(r.stdout, curl(&["-fsSL", &format!("{bare}{path}")]).stdout, "{path}: as curl");
        }
    }
    let r = http_get(here, &["-sSLo", "v", "-m", "30", &format!("{bare}/v.txt")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(here.join("v")).unwrap(), b"1.2.3\n");
    let r = http_get(here, &["-fsSL", &format!("{bare}/missing")]);
    assert_eq!((r.code, r.stdout.len()), (Some(22), 0));
    assert_eq!(r.stderr, format!("http-get: http://{bare}/missing: HTTP 404 Not Found\n"));
}

/// Several URLs in one run against nginx: one kept-alive connection for
/// consecutive requests, outputs in order, the same bytes as curl; and
/// `-Z` giving the same stdout as one at a time.
#[test]
fn nginx_several_urls_keep_alive_and_parallel() {
    let dir = TempDir::new("nginx-many");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let mut urls_files = Vec::new();
    for i in 0..20 {
        std::fs::write(www.join(format!("f{i}.bin")), harness::pseudo_random(i, 1000 + 70_000 * i as usize)).unwrap();
        urls_files.push(format!("f{i}.bin"));
    }
    let Some(nginx) = peers::nginx(&www) else { return };
    let here = dir.path();
    let urls: Vec<String> = urls_files.iter().map(|f| format!("http://{}/{f}", nginx.addr)).collect();
    let mut args: Vec<&str> = vec!["-v"];
    args.extend(urls.iter().map(String::as_str));
    let r = http_get(here, &args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stderr.matches("* connected to").count(), 1, "one connection for twenty requests");
    assert_eq!(r.stderr.matches("* reusing the connection").count(), 19);
    let want: Vec<u8> = (0..20).flat_map(|i| harness::pseudo_random(i, 1000 + 70_000 * i as usize)).collect();
    assert!(r.stdout == want, "twenty bodies in order");
    if peer("curl") {
        let theirs = curl(&urls.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(theirs.stdout == r.stdout, "the same bytes as curl");
    }
    let mut args: Vec<&str> = vec!["-Z", "--parallel-max", "4"];
    args.extend(urls.iter().map(String::as_str));
    let r = http_get(here, &args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout == want, "-Z: twenty bodies whole and in order");
    // Outputs paired in order, -o and -O mixed.
    let r = http_get(here, &["-o", "first", &urls[1], &urls[2], "-O", &urls[3]]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(here.join("first")).unwrap(), harness::pseudo_random(1, 71_000));
    assert_eq!(std::fs::read(here.join("f2.bin")).unwrap(), harness::pseudo_random(2, 141_000));
    assert_eq!(r.stdout, harness::pseudo_random(3, 211_000));
}

/// An interrupted download against httpbin: SIGTERM mid-body leaves only
/// `FILE.part` with what arrived; `-c` resumes it with a Range request and
/// the file is what curl fetches whole.
#[cfg(unix)]
#[test]
fn httpbin_interrupted_download_resumes() {
    use std::time::Instant;
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-interrupt");
    let here = dir.path();
    let mut child = Command::new(harness::bin("http-get"))
        .args(["-s", "-o", "r", &format!("{base}/range/40000?duration=20&chunk_size=100")])
        .current_dir(here)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(here.join("r.part")).map(|m| m.len()).unwrap_or(0) < 500 {
        assert!(Instant::now() < deadline, "no bytes reached r.part");
        // Polling a file's size, bounded; not waiting for readiness.
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    harness::wait_timeout(&mut child, LIMIT);
    let names: Vec<String> =
        std::fs::read_dir(here).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["r.part"]);
    let kept = std::fs::metadata(here.join("r.part")).unwrap().len();
    assert!((500..40000).contains(&kept), "{kept} bytes kept");
    let r = http_get(here, &["-c", "-v", "-o", "r", &format!("{base}/range/40000")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("> Range: bytes={kept}-")), "{}", r.stderr);
    assert!(r.stderr.contains("< HTTP/1.1 206 PARTIAL CONTENT"), "{}", r.stderr);
    if peer("curl") {
        assert!(std::fs::read(here.join("r")).unwrap() == curl(&[&format!("{base}/range/40000")]).stdout);
    }
}

/// Credentials against httpbin: -u, a .netrc, a bearer token, each
/// accepted where right and refused (22) where wrong.
#[test]
fn httpbin_credentials() {
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-auth");
    let here = dir.path();
    let netrc = dir.join("netrc");
    std::fs::write(&netrc, "machine 127.0.0.1 login nina password \"n pw\"\n").unwrap();
    let netrc = netrc.display().to_string();
    let cases: &[(&[&str], &str, i32)] = &[
        (&["-u", "user:pa:ss"], "/basic-auth/user/pa:ss", 0),
        (&["-u", "user:wrong"], "/basic-auth/user/pa:ss", 22),
        (&["--netrc-file", &netrc], "/basic-auth/nina/n%20pw", 0),
        (&["--netrc-file", &netrc], "/hidden-basic-auth/nina/other", 22),
        (&["--oauth2-bearer", "abc.def"], "/bearer", 0),
        (&[], "/bearer", 22),
    ];
    for (args, path, want) in cases {
        let url = format!("{base}{path}");
        let r = http_get(here, &[*args, &[url.as_str()][..]].concat());
        assert_eq!(r.code, Some(*want), "{args:?} {path}: {}", r.stderr);
        if *want == 0 {
            let body = String::from_utf8_lossy(&r.stdout);
            assert!(body.contains("\"authenticated\": true"), "{path}: {body}");
        }
    }
}

/// Request bodies as httpbin parses them: forms, multipart files, JSON,
/// -G's query, uploads from a file and streamed from stdin (chunked),
/// with curl's answers for the same command lines where they must agree.
#[test]
fn httpbin_bodies() {
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-bodies");
    let here = dir.path();
    std::fs::write(here.join("note.txt"), "a note\n").unwrap();
    std::fs::write(here.join("data.json"), "{\"from\": \"file\"}").unwrap();
    let field = |out: &[u8], name: &str| -> String {
        let text = String::from_utf8_lossy(out);
        let at = text.find(&format!("\"{name}\": ")).map_or(0, |i| i + name.len() + 4);
        let rest = &text[at..];
        // The value: to the end of its line, or the object that starts there.
        if rest.starts_with('{') {
            rest[..rest.find("\n  }").map_or(rest.len(), |i| i + 4)].to_string()
        } else {
            rest.lines().next().unwrap_or_default().trim_end_matches(',').to_string()
        }
    };
    let cases: &[(&[&str], &str, &str, &str)] = &[
        (&["-d", "a=1", "-d", "b=two words"], "/post", "form", "{\n    \"a\": \"1\",\n    \"b\": \"two words\"\n  }"),
        (&["--data-urlencode", "q=a&b=c"], "/post", "form", "{\n    \"q\": \"a&b=c\"\n  }"),
        (&["-F", "doc=@note.txt", "-F", "k=v"], "/post", "files", "{\n    \"doc\": \"a note\\n\"\n  }"),
        (&["--json", "@data.json"], "/post", "json", "{\n    \"from\": \"file\"\n  }"),
        (
            &["-G", "-d", "x=1", "--data-urlencode", "y=a b"],
            "/get",
            "args",
            "{\n    \"x\": \"1\",\n    \"y\": \"a b\"\n  }",
        ),
        (&["-T", "note.txt"], "/put", "data", "\"a note\\n\""),
    ];
    for (args, path, name, want) in cases {
        let url = format!("{base}{path}");
        let r = http_get(here, &[*args, &[url.as_str()][..]].concat());
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        assert_eq!(field(&r.stdout, name), *want, "{args:?}: {}", String::from_utf8_lossy(&r.stdout));
        if peer("curl") {
            let mut cmd = Command::new("curl");
            cmd.args(["-s", "--max-time", "60"]).args(*args).arg(&url).current_dir(here);
            let theirs = harness::run(cmd, None, LIMIT);
            assert_eq!(field(&theirs.stdout, name), *want, "{args:?}: curl agrees");
        }
    }
    // Streamed from stdin, chunked.
    let mut cmd = Command::new(harness::bin("http-get"));
    cmd.args(["-T", "-", &format!("{base}/put")]);
    let r = harness::run(cmd, Some(b"piped body"), LIMIT);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(field(&r.stdout, "data"), "\"piped body\"");
    assert!(String::from_utf8_lossy(&r.stdout).contains("\"Transfer-Encoding\": \"chunked\""));
}

/// Through real proxies started here: tinyproxy (absolute-form requests,
/// CONNECT to an HTTPS origin, Basic credentials from the proxy URL) and
/// danted (SOCKS5 with the name sent or resolved here, SOCKS4; SOCKS4a,
/// which Dante refuses, refused the same way as for curl),
/// each giving the bytes a direct fetch gives, as curl does through it.
#[test]
fn real_proxies() {
    use harness::proxies;
    let dir = TempDir::new("proxied");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let data = harness::pseudo_random(11, 300_000);
    std::fs::write(www.join("data.bin"), &data).unwrap();
    let Some(nginx) = peers::nginx(&www) else { return };
    let here = dir.path();
    let env_free = |args: &[&str], env: &[(&str, String)]| {
        let mut cmd = Command::new(harness::bin("http-get"));
        for name in ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"] {
            cmd.env_remove(name);
        }
        cmd.args(args).current_dir(here).envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        harness::run(cmd, None, LIMIT)
    };
    let url = format!("http://localhost:{}/data.bin", nginx.addr.port());
    // tinyproxy, from http_proxy: the request goes to it in absolute form.
    let Some(tiny) = proxies::tinyproxy(None) else { return };
    let proxy = format!("http://127.0.0.1:{}", tiny.port);
    let r = env_free(&["-v", &url], &[("http_proxy", proxy.clone())]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout == data, "through tinyproxy");
    assert!(r.stderr.contains(&format!("* using proxy {proxy} (from http_proxy)")), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("> GET {url} HTTP/1.1")), "{}", r.stderr);
    if peer("curl") {
        assert!(curl(&["-x", &proxy, &url]).stdout == r.stdout, "as curl through tinyproxy");
    }
    // https through its CONNECT tunnel.
    if let Some((_origin, addr, _tls_dir)) = proxies::https_server(&www) {
        let secure = format!("https://localhost:{}/data.bin", addr.port());
        let r = env_free(&["-k", "-v", &secure], &[("HTTPS_PROXY", proxy.clone())]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(r.stdout == data, "https through CONNECT");
        assert!(r.stderr.contains("* tunnel to localhost:"), "{}", r.stderr);
    }
    drop(tiny);
    // tinyproxy wanting credentials: 407 without them (22), through with them.
    let Some(guarded) = proxies::tinyproxy(Some(("pxuser", "pxpass"))) else { return };
    let r = env_free(&["-x", &format!("127.0.0.1:{}", guarded.port), &url], &[]);
    assert_eq!(r.code, Some(22), "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 407"), "{}", r.stderr);
    let r = env_free(&["-x", &format!("http://pxuser:pxpass@127.0.0.1:{}", guarded.port), &url], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout == data, "with the proxy's credentials");
    drop(guarded);
    // danted: SOCKS5 (the name sent, or resolved here) and SOCKS4.
    let Some(dante) = proxies::danted() else { return };
    for scheme in ["socks5h", "socks5", "socks4"] {
        let proxy = format!("{scheme}://127.0.0.1:{}", dante.port);
        let r = env_free(&[&url], &[("ALL_PROXY", proxy.clone())]);
        assert_eq!(r.code, Some(0), "{scheme}: {}", r.stderr);
        assert!(r.stdout == data, "{scheme}");
        if peer("curl") {
            assert!(curl(&["-x", &proxy, &url]).stdout == data, "{scheme}: as curl");
        }
    }
    // Dante does not take SOCKS4a: refused, 97, as curl finds too.
    let proxy = format!("socks4a://127.0.0.1:{}", dante.port);
    let r = env_free(&["-x", &proxy, &url], &[]);
    assert_eq!(r.code, Some(97), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("SOCKS handshake with proxy {proxy} (from -x) failed")), "{}", r.stderr);
    if peer("curl") {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-x", &proxy, &url]);
        assert_eq!(harness::run(cmd, None, LIMIT).code, Some(97), "curl agrees");
    }
}

/// `--compressed` against nginx (gzip on the fly, chunked; precompressed
/// .gz and .br) and httpbin (gzip, deflate, brotli): decoded as curl
/// decodes them, and never without the option.
#[test]
fn compressed_bodies_from_nginx_and_httpbin() {
    use harness::nginx_encoding;
    let dir = TempDir::new("encoded");
    let www = dir.join("www");
    for sub in ["text", "gz", "br"] {
        std::fs::create_dir_all(www.join(sub)).unwrap();
    }
    let text: String = (0..20_000).map(|i| format!("line {i}: the quick brown fox\n")).collect();
    for sub in ["text", "gz", "br"] {
        std::fs::write(www.join(sub).join("t.txt"), &text).unwrap();
    }
    if !peer("gzip") {
        return;
    }
    let gz = Command::new("gzip").args(["-k", "-9"]).arg(www.join("gz/t.txt")).status().unwrap();
    assert!(gz.success());
    if !peers::python_has(&["brotlicffi"]) {
        return;
    }
    let br = Command::new(peers::python())
        .args(["-c", "import brotlicffi, sys; open(sys.argv[2], 'wb').write(brotlicffi.compress(open(sys.argv[1], 'rb').read()))"])
        .arg(www.join("br/t.txt"))
        .arg(www.join("br/t.txt.br"))
        .status()
        .unwrap();
    assert!(br.success());
    let Some(nginx) = nginx_encoding::start(&www) else { return };
    let here = dir.path();
    for (path, coding) in [("/text/t.txt", "gzip"), ("/gz/t.txt", "gzip"), ("/br/t.txt", "br")] {
        let url = format!("http://{}{path}", nginx.addr);
        let r = http_get(here, &["--compressed", "-v", &url]);
        assert_eq!(r.code, Some(0), "{path}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("< Content-Encoding: {coding}")), "{path}: {}", r.stderr);
        assert!(r.stdout == text.as_bytes(), "{path}: decoded");
        if peer("curl") {
            assert!(curl(&["--compressed", &url]).stdout == r.stdout, "{path}: as curl decodes it");
        }
        // Into a file too, then without --compressed: the bytes as sent.
        let r = http_get(here, &["--compressed", "-o", "decoded", &url]);
        assert_eq!(r.code, Some(0), "{path}: {}", r.stderr);
        assert!(std::fs::read(here.join("decoded")).unwrap() == text.as_bytes());
        let r = http_get(here, &["-H", &format!("Accept-Encoding: {coding}"), &url]);
        assert_eq!(r.code, Some(0), "{path}: {}", r.stderr);
        assert!(r.stdout != text.as_bytes() && !r.stdout.is_empty(), "{path}: not decoded without --compressed");
    }
    let Some((_server, base)) = httpbin() else { return };
    for (path, key) in
        [("/gzip", "\"gzipped\": true"), ("/deflate", "\"deflated\": true"), ("/brotli", "\"brotli\": true")]
    {
        let r = http_get(here, &["--compressed", &format!("{base}{path}")]);
        assert_eq!(r.code, Some(0), "{path}: {}", r.stderr);
        assert!(String::from_utf8_lossy(&r.stdout).contains(key), "{path}: {}", String::from_utf8_lossy(&r.stdout));
    }
}

/// Where connections go, against nginx and a Python server on a Unix
/// socket, with curl's answers to the same options: --resolve,
/// --connect-to (Host stays the URL's), localhost, --unix-socket.
#[cfg(unix)]
#[test]
fn resolve_connect_to_and_unix_sockets() {
    let dir = TempDir::new("connecting");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("f.txt"), "file body\n").unwrap();
    let Some(nginx) = peers::nginx(&www) else { return };
    let here = dir.path();
    let port = nginx.addr.port();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "--resolve".into(),
            format!("www.example.invalid:{port}:127.0.0.1"),
            format!("http://www.example.invalid:{port}/f.txt"),
        ],
        vec![
            "--connect-to".into(),
            format!("www.example.invalid:80:127.0.0.1:{port}"),
            "http://www.example.invalid/f.txt".into(),
        ],
        vec![format!("http://localhost:{port}/f.txt")],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = http_get(here, &args);
        assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"file body\n"[..]), "{args:?}: {}", r.stderr);
        if peer("curl") {
            assert_eq!(curl(&args).stdout, r.stdout, "{args:?}: as curl");
        }
    }
    if !peers::python_has(&["http.server", "socketserver"]) {
        return;
    }
    let socket = dir.join("web.sock");
    let script = format!(
        "import http.server, socketserver, functools\n\
         class H(http.server.SimpleHTTPRequestHandler):\n\
         \x20   def address_string(self): return 'local'\n\
         \x20   def log_message(self, *a): pass\n\
         srv = socketserver.UnixStreamServer({:?}, functools.partial(H, directory={:?}))\n\
         print('listening on 127.0.0.1:1', flush=True)\n\
         srv.serve_forever()\n",
        socket.display().to_string(),
        www.display().to_string()
    );
    let mut cmd = Command::new(peers::python());
    cmd.args(["-u", "-c", &script]);
    let server = harness::start(cmd, Capture::Both);
    server.addr_on_stdout("listening on ");
    let sock = socket.display().to_string();
    let r = http_get(here, &["--unix-socket", &sock, "http://anything/f.txt"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"file body\n"[..]), "{}", r.stderr);
    if peer("curl") {
        assert_eq!(curl(&["--unix-socket", &sock, "http://anything/f.txt"]).stdout, r.stdout, "as curl");
    }
    drop(server);
}

/// curl's less common options against httpbin, as curl does them: -r,
/// -e, -b, -OJ with --output-dir, --limit-rate.
#[test]
fn httpbin_ranges_referers_cookies_and_names() {
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-extras");
    let here = dir.path();
    let r = http_get(here, &["-r", "10-19", &format!("{base}/range/100")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"klmnopqrst"[..]), "{}", r.stderr);
    if peer("curl") {
        assert_eq!(curl(&["-r", "10-19", &format!("{base}/range/100")]).stdout, r.stdout, "as curl");
    }
    let r = http_get(here, &["-e", "http://ref.example/", "-b", "k=v; other=2", &format!("{base}/headers")]);
    let seen = String::from_utf8_lossy(&r.stdout);
    assert!(
        seen.contains("\"Referer\": \"http://ref.example/\"") && seen.contains("\"Cookie\": \"k=v; other=2\""),
        "{seen}"
    );
    let r = http_get(here, &["-b", "flavour=oat", &format!("{base}/cookies")]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("\"flavour\": \"oat\""));
    let url = format!("{base}/response-headers?Content-Disposition=attachment%3B%20filename%3D%22..%2Fnamed.txt%22");
    let r = http_get(here, &["-OJ", "--output-dir", "got", "--create-dirs", &url]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(here.join("got/named.txt").exists(), "-J's name, its last component");
    let r = http_get(here, &["--limit-rate", "200k", &format!("{base}/bytes/50000?seed=4")]);
    assert_eq!((r.code, r.stdout.len()), (Some(0), 50000), "{}", r.stderr);
    if peer("curl") {
        assert_eq!(curl(&[&format!("{base}/bytes/50000?seed=4")]).stdout, r.stdout, "as curl");
    }
}

/// `-w` against httpbin, the same text curl writes for the variables
/// that do not depend on timing.
#[test]
fn httpbin_write_out_as_curl() {
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-w");
    let format = "%{http_code} %{num_redirects} %{url_effective} %{size_download} %{content_type} %{exitcode} %{method} %{scheme}\\n";
    for (path, ours, theirs) in [
        ("/redirect-to?url=/redirect-to%3Furl%3D/json", &[][..], &["-L"][..]),
        ("/status/404", &[], &["-f"]),
        ("/bytes/1234?seed=1", &[], &[]),
        ("/json", &[], &[]),
    ] {
        let url = format!("{base}{path}");
        let r = http_get(dir.path(), &[ours, &["-s", "-o", "/dev/null", "-w", format, url.as_str()][..]].concat());
        if peer("curl") {
            let c = curl(&[theirs, &["-o", "/dev/null", "-w", format, url.as_str()][..]].concat());
            assert_eq!(String::from_utf8_lossy(&r.stdout), String::from_utf8_lossy(&c.stdout), "{path}");
            assert_eq!(r.code, c.code, "{path}: exit code");
        }
    }
}

/// The cookie engine against httpbin: cookies set by a redirect go with
/// the request it leads to, as with curl -L -b '' ; the jar holds them and
/// a later run sends them; httpbin deletes one and it is gone.
#[test]
fn httpbin_cookie_engine() {
    let Some((_server, base)) = httpbin() else { return };
    let dir = TempDir::new("httpbin-cookies");
    let here = dir.path();
    let set = format!("{base}/cookies/set?flavour=oat&size=large");
    let r = http_get(here, &["-b", "", &set]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let ours = String::from_utf8_lossy(&r.stdout).into_owned();
    assert!(ours.contains("\"flavour\": \"oat\"") && ours.contains("\"size\": \"large\""), "{ours}");
    if peer("curl") {
        assert_eq!(String::from_utf8_lossy(&curl(&["-L", "-b", "", &set]).stdout), ours, "as curl");
    }
    let r = http_get(here, &["--cookie-jar", "jar", &set]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = http_get(here, &["-b", "jar", "--cookie-jar", "jar", &format!("{base}/cookies/delete?size")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let body = String::from_utf8_lossy(&r.stdout);
    assert!(body.contains("\"flavour\": \"oat\"") && !body.contains("size"), "{body}");
    let jar = std::fs::read_to_string(here.join("jar")).unwrap();
    assert!(jar.contains("\tflavour\toat") && !jar.contains("\tsize\t"), "{jar}");
}
