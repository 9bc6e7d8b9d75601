//! http-get against servers that lie, stall or flood: each run ends with
//! its documented exit code within its time limit, in little memory, and
//! leaves no output file behind.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use harness::TempDir;
use harness::scripted::{Script, Scripted, reply, reply_and_reset, response};

/// Every run must end well within this.
const LIMIT: Duration = Duration::from_secs(30);
/// Peak memory allowed for http-get, in KiB.
const MEMORY: u64 = 16 * 1024;

/// Writes `chunk` over and over for at most `seconds`, until the client
/// goes away.
fn flood(prefix: &'static [u8], chunk: Vec<u8>, seconds: u64) -> Script {
    Box::new(move |s: &mut TcpStream, _: &[u8]| {
        let _ = s.write_all(prefix);
        let end = Instant::now() + Duration::from_secs(seconds);
        while Instant::now() < end {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    })
}

fn silent(seconds: u64) -> Script {
    Box::new(move |s: &mut TcpStream, _: &[u8]| {
        let _ = s.set_read_timeout(Some(Duration::from_secs(seconds)));
        let _ = std::io::Read::read(s, &mut [0u8; 1]);
    })
}

fn redirect(location: &str) -> Script {
    reply(response("302 Found", &[&format!("Location: {location}")], b""))
}

/// Runs `http-get -o out/file ARGS URL` and checks code, time, memory and
/// that no file is left when it failed.
fn attack(name: &str, script: Script, args: &[&str], path: &str, want: i32) {
    let server = Scripted::start(vec![script]);
    attack_on(name, &server, args, path, want);
}

fn attack_on(name: &str, server: &Scripted, args: &[&str], path: &str, want: i32) {
    let dir = TempDir::new("attack-client");
    let out = dir.join("file");
    let mut cmd = Command::new(harness::bin("http-get"));
    cmd.args(args).arg("-o").arg(&out).arg(server.url(path));
    let start = Instant::now();
    let (finished, peak) = harness::run_measured(cmd, LIMIT);
    let took = start.elapsed();
    eprintln!("{name}: exit {:?} in {took:?}, peak {peak} KiB: {}", finished.code, finished.stderr.trim_end());
    assert_eq!(finished.code, Some(want), "{name}: {}", finished.stderr);
    assert!(harness::memory_within(peak, MEMORY), "{name}: peak memory {peak} KiB");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    if want == 0 {
        assert!(out.exists(), "{name}: the file is there");
    } else {
        assert!(left.is_empty(), "{name}: nothing left behind, found {left:?}");
        assert_eq!(finished.stderr.lines().count(), 1, "{name}: one line on stderr");
    }
}

#[test]
fn endless_and_huge_heads() {
    attack("never-ending head", flood(b"HTTP/1.1 200 OK\r\n", b"X-More: yes\r\n".to_vec(), 20), &[], "/", 8);
    let mut line = b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec();
    line.extend(std::iter::repeat_n(b'a', 1 << 20));
    line.extend_from_slice(b"\r\n\r\n");
    attack("1 MiB header line", reply(line), &[], "/", 8);
    let mut line = b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec();
    line.extend(std::iter::repeat_n(b'a', 200_000));
    line.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    attack("200 KB header line in a head under 256 KiB", reply(line), &[], "/", 8);
    attack("no status line", reply(b"hello there\r\n\r\nbody".to_vec()), &[], "/", 8);
    attack("empty reply", reply(Vec::new()), &[], "/", 52);
}

#[test]
fn lying_lengths_and_chunks() {
    attack(
        "chunk size past 64 bits",
        reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc".to_vec()),
        &[],
        "/",
        8,
    );
    attack("negative Content-Length", reply(b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nabc".to_vec()), &[], "/", 8);
    attack(
        "huge Content-Length, short body",
        reply(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000000\r\n\r\nshort".to_vec()),
        &[],
        "/",
        18,
    );
    attack(
        "reset mid-body",
        reply_and_reset(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\npartial".to_vec()),
        &[],
        "/",
        56,
    );
}

#[test]
fn stalls_and_floods_meet_max_time() {
    let endless = flood(b"HTTP/1.1 200 OK\r\n\r\n", vec![b'z'; 64 * 1024], 20);
    attack("endless body with -m", endless, &["-m", "1s"], "/", 28);
    attack("accepts and never writes", silent(20), &["-m", "1s"], "/", 28);
}

#[test]
fn a_thousand_interim_responses_then_the_answer() {
    let mut wire = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(1000);
    wire.extend_from_slice(&response("200 OK", &[], b"finally"));
    attack("1,000 interim responses", reply(wire), &[], "/", 0);
}

#[test]
fn hostile_redirects() {
    let looping: Vec<Script> = (0..11).map(|_| redirect("/again")).collect();
    let server = Scripted::start(looping);
    attack_on("redirect loop", &server, &[], "/", 47);
    attack("redirect to file://", redirect("file:///etc/passwd"), &[], "/", 1);
    attack("redirect to ftp://", redirect("ftp://example.org/x"), &[], "/", 1);
    let server =
        Scripted::start(vec![redirect("/with space/caf\u{e9}?q=\u{1f600}"), reply(response("200 OK", &[], b"ok"))]);
    attack_on("Location with spaces and non-ASCII", &server, &[], "/", 0);
    assert!(server.requests()[1].starts_with("GET /with%20space/caf%C3%A9?q=%F0%9F%98%80 HTTP/1.1\r\n"));
}

#[test]
fn tls_server_that_sends_garbage() {
    let server = Scripted::on_raw(
        std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        vec![reply(harness::pseudo_random(9, 4096))],
    );
    let dir = TempDir::new("attack-tls");
    let mut cmd = Command::new(harness::bin("http-get"));
    cmd.arg("-o").arg(dir.join("file")).arg(format!("https://127.0.0.1:{}/", server.addr.port()));
    let (finished, peak) = harness::run_measured(cmd, LIMIT);
    assert_eq!(finished.code, Some(35), "{}", finished.stderr);
    assert!(harness::memory_within(peak, MEMORY), "peak {peak} KiB");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Compressed bodies that attack: a gzip bomb (64 MiB of zeros in 64 KiB)
/// stopped by --max-filesize (63), a zstd frame asking for a 1 GiB window
/// (61, nothing allocated), a coding stack six deep (61), a brotli body
/// that is garbage (61).
#[test]
fn compressed_bombs_and_lies() {
    let gzip_header = |encoding: &str, body: &[u8]| {
        let mut wire =
            format!("HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {}\r\n\r\n", body.len())
                .into_bytes();
        wire.extend_from_slice(body);
        wire
    };
    if cfg!(unix) && harness::peer("gzip") {
        let bomb = Command::new("bash").args(["-c", "head -c 67108864 /dev/zero | gzip -c"]).output().unwrap().stdout;
        assert!(bomb.len() < 1 << 20);
        attack("gzip bomb", reply(gzip_header("gzip", &bomb)), &["--compressed", "--max-filesize", "1M"], "/", 63);
    }
    let window = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa0, 0, 0, 0, 0];
    attack("zstd window of 1 GiB", reply(gzip_header("zstd", &window)), &["--compressed"], "/", 61);
    attack("six codings", reply(gzip_header("gzip, gzip, gzip, gzip, gzip, gzip", b"x")), &["--compressed"], "/", 61);
    attack("brotli garbage", reply(gzip_header("br", &harness::pseudo_random(3, 10_000))), &["--compressed"], "/", 61);
}
