//! `--auth`: nothing is served without the user and password, the right
//! ones open everything, the password never reaches the log, and a
//! password that would cross the network in clear is warned about.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::*;

/// `printf %s hunter2 | sha256sum`
const HUNTER2: &str = "f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7";

fn basic(user_pass: &str) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in user_pass.as_bytes().chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(B64[(n >> (18 - 6 * i)) as usize & 63]) } else { '=' });
        }
    }
    format!("Authorization: Basic {out}")
}

#[test]
fn only_the_right_user_and_password_enter() {
    let dir = TempDir::new("auth");
    std::fs::write(dir.join("secret.txt"), "the goods").unwrap();
    let s = Server::start(dir.path(), &["--auth", "ann:s3cret pass", "--auth", &format!("bob:sha256:{HUNTER2}")]);
    let cases: &[(&str, &str, Option<String>, u16)] = &[
        ("GET", "/secret.txt", None, 401),
        ("GET", "/", None, 401),
        ("HEAD", "/secret.txt", None, 401),
        ("GET", "/missing", None, 401),
        ("GET", "/secret.txt", Some(basic("ann:s3cret pass")), 200),
        ("GET", "/", Some(basic("bob:hunter2")), 200),
        ("GET", "/missing", Some(basic("bob:hunter2")), 404),
        ("GET", "/secret.txt", Some(basic("ann:hunter2")), 401),
        ("GET", "/secret.txt", Some(basic("bob:hunter")), 401),
        ("GET", "/secret.txt", Some(basic("eve:s3cret pass")), 401),
        ("GET", "/secret.txt", Some("Authorization: Bearer s3cret".into()), 401),
    ];
    for (method, path, auth, status) in cases {
        let extra: Vec<&str> = auth.iter().map(String::as_str).collect();
        let r = exchange(s.addr, &request(method, path, &extra));
        assert_eq!(r.status, *status, "{method} {path} {auth:?}");
        if *status == 401 {
            assert_eq!(r.header("WWW-Authenticate"), Some("Basic realm=\"http-serve\", charset=\"UTF-8\""));
            assert!(!r.text().contains("the goods"));
        }
    }
    let r = exchange(s.addr, &request("GET", "/secret.txt", &[&basic("ann:s3cret pass")]));
    assert_eq!(r.text(), "the goods");
    // A kept-alive connection goes on after a 401, as browsers expect.
    let mut c = Conn::open(s.addr);
    assert_eq!(c.request(&request("GET", "/secret.txt", &[])).status, 401);
    assert_eq!(c.request(&request("GET", "/secret.txt", &[&basic("bob:hunter2")])).text(), "the goods");
    // The log has the requests, never the credentials.
    s.wait_log("\"GET /secret.txt HTTP/1.1\" 200");
    for line in s.log() {
        assert!(!line.contains("s3cret") && !line.contains("hunter2") && !line.contains("Basic"), "{line}");
    }
}

#[test]
fn bad_credentials_on_the_command_line_exit_2() {
    for arg in ["no-colon", ":pw", "ann:sha256:12"] {
        let out = Command::new(env!("CARGO_BIN_EXE_http-serve")).args(["-p", "0", "--auth", arg]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--auth"), "{err}");
    }
}

#[test]
fn a_password_in_clear_on_the_network_is_warned_about() {
    let dir = TempDir::new("auth-warn");
    let warning = "  warning: --auth over plain HTTP: passwords cross the network in clear (add --tls)";
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-serve"));
    cmd.args(["-p", "0", "-b", "0.0.0.0", "--auth", "ann:pw"]).arg(dir.path());
    let run = harness::start(cmd, harness::Capture::Both);
    run.addr_on_stdout(" at ");
    let out = run.stdout.as_ref().unwrap();
    out.wait_for(std::time::Duration::from_secs(20), |l| (l == warning).then_some(()));
    // On loopback only, no warning: the start-up block ends before the
    // first request is answered.
    let s = Server::start(dir.path(), &["--auth", "ann:pw"]);
    assert_eq!(exchange(s.addr, &request("GET", "/", &[&basic("ann:pw")])).status, 200);
    assert!(!s.run.stdout.as_ref().unwrap().all().iter().any(|l| l.contains("warning")));
}
