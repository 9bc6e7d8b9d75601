//! The command line: start-up line, start-up failures and their exit
//! codes, options.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;
use std::process::Command;

use common::*;

fn http_serve(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_http-serve")).args(args).output().unwrap()
}

#[test]
fn startup_line_names_folder_and_url() {
    let dir = TempDir::new("cli");
    std::fs::write(dir.join("x.txt"), "x").unwrap();
    let s = Server::start(dir.path(), &[]);
    let line = s.run.stdout.as_ref().unwrap().all()[0].clone();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    assert_eq!(line, format!("Serving {} at http://{}/", shared::io_text::path(&root), s.addr));
    assert!(s.addr.ip().is_loopback() && s.addr.port() != 0);
    assert_eq!(get(s.addr, "/x.txt").text(), "x");
}

#[test]
fn port_in_use_exits_1_with_hint() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = http_serve(&["-p", &port, "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("http-serve: port {port} is in use; try -p 0\n"));
}

#[test]
fn bad_folder_exits_1() {
    let dir = TempDir::new("clifile");
    std::fs::write(dir.join("file"), "x").unwrap();
    let missing = dir.join("missing");
    let out = http_serve(&["-p", "0", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with(&format!("http-serve: {}: no such directory", missing.display())), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let file = dir.join("file");
    let out = http_serve(&["-p", "0", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("http-serve: {}: not a directory\n", file.display()));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let cases: &[(&[&str], i32)] = &[
        (&["--help"], 0),
        (&["--version"], 0),
        (&["--no-such-option"], 2),
        (&["-p", "65536"], 2),
        (&["--timeout", "soon"], 2),
        (&["-H", "NoColon"], 2),
        (&["--index", "a/b"], 2),
    ];
    for (args, code) in cases {
        assert_eq!(http_serve(args).status.code(), Some(*code), "{args:?}");
    }
    let version = http_serve(&["--version"]);
    assert_eq!(String::from_utf8_lossy(&version.stdout), format!("http-serve {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn quiet_means_no_access_log() {
    let dir = TempDir::new("quiet");
    std::fs::write(dir.join("x.txt"), "x").unwrap();
    let mut s = Server::start(dir.path(), &["-q"]);
    assert_eq!(get(s.addr, "/x.txt").status, 200);
    assert_eq!(get(s.addr, "/missing").status, 404);
    let _ = s.run.child.kill();
    s.run.wait_exit(std::time::Duration::from_secs(10));
    let log = s.run.stderr.as_ref().unwrap().until_end(std::time::Duration::from_secs(10));
    assert!(log.is_empty(), "{log:?}");
}

#[test]
fn ipv6_loopback() {
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    let dir = TempDir::new("v6");
    std::fs::write(dir.join("x.txt"), "six").unwrap();
    let s = Server::start(dir.path(), &["-b", "::1"]);
    assert!(s.addr.is_ipv6());
    assert_eq!(get(s.addr, "/x.txt").text(), "six");
}
