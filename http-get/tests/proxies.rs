//! Proxies against in-process ones that check every byte: the variables
//! by curl's rules (case, no_proxy), `-x` and `--noproxy`, absolute-form
//! requests with the proxy's credentials, SOCKS5 (names sent or resolved
//! here), SOCKS4a, and the errors that name the proxy.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use common::*;
use harness::scripted::read_request;

/// http-get with `env` set (and every proxy variable of the test's own
/// environment removed).
fn with_env(env: &[(&str, &str)], args: &[&str]) -> Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-get"));
    for name in
        ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"]
    {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied()).args(args);
    harness::run(cmd, None, HANG)
}

fn ok(body: &'static [u8]) -> Script {
    reply(response("200 OK", &[], body))
}

#[test]
fn http_proxy_gets_absolute_form_and_its_own_credentials() {
    let proxy = Scripted::start(vec![ok(b"via proxy"), ok(b"via -x")]);
    let env = format!("http://pu:p%40ss@{}", proxy.addr);
    // The origin's name is never resolved here: the proxy does that.
    let r = with_env(&[("http_proxy", &env)], &["-v", "-u", "me:pw", "http://origin.invalid:8080/a?b=1#frag"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"via proxy"[..]), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("* using proxy http://{} (from http_proxy)", proxy.addr)), "{}", r.stderr);
    let r = with_env(&[("http_proxy", "http://127.0.0.1:1")], &["-x", &proxy.addr.to_string(), "http://o.invalid/"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"via -x"[..]), "{}", r.stderr);
    let requests = proxy.requests();
    let first = &requests[0];
    assert!(
        first.starts_with("GET http://origin.invalid:8080/a?b=1 HTTP/1.1\r\nHost: origin.invalid:8080\r\n"),
        "{first}"
    );
    assert!(first.contains("\r\nAuthorization: Basic bWU6cHc=\r\n"), "{first}");
    assert!(first.contains("\r\nProxy-Authorization: Basic cHU6cEBzcw==\r\n"), "{first}");
    assert!(!requests[1].contains("Proxy-Authorization"), "{}", requests[1]);
}

/// curl's rules for which variable counts, and no_proxy / --noproxy.
#[test]
fn which_variable_counts() {
    const DEAD: &str = "http://127.0.0.1:1";
    let mut cases: Vec<(&[(&str, &str)], &[&str], i32)> = vec![
        (&[("http_proxy", DEAD)], &[], 7),
        (&[("ALL_PROXY", DEAD)], &[], 7),
        (&[("http_proxy", "")], &[], 0),
        (&[("http_proxy", DEAD), ("no_proxy", "127.0.0.1")], &[], 0),
        (&[("http_proxy", DEAD), ("NO_PROXY", "*")], &[], 0),
        (&[("http_proxy", DEAD), ("no_proxy", "127.0.0.0/8")], &[], 0),
        (&[("http_proxy", DEAD), ("no_proxy", "other.example")], &[], 7),
        (&[("http_proxy", DEAD)], &["--noproxy", "127.0.0.1"], 0),
        (&[("no_proxy", "127.0.0.1")], &["-x", DEAD], 0),
        (&[("no_proxy", "127.0.0.1")], &["-x", DEAD, "--noproxy", ""], 7),
        (&[("http_proxy", DEAD)], &["-x", ""], 0),
        (&[("https_proxy", DEAD)], &[], 0),
    ];
    // HTTP_PROXY in upper case is ignored (CGI's Proxy: header); Windows
    // has no case in variable names, so there it is http_proxy.
    let upper: &[(&str, &str)] = &[("HTTP_PROXY", DEAD)];
    cases.push((upper, &[], if cfg!(windows) { 7 } else { 0 }));
    for (env, args, want) in cases {
        let s = Scripted::start(vec![ok(b"direct")]);
        let url = s.url("/");
        let r = with_env(env, &[args, &[url.as_str()][..]].concat());
        assert_eq!(r.code, Some(want), "{env:?} {args:?}: {}", r.stderr);
        if want == 7 {
            assert_eq!(r.stderr.lines().count(), 1);
            assert!(r.stderr.contains("cannot connect to proxy http://127.0.0.1:1 (from "), "{}", r.stderr);
        }
    }
}

#[test]
fn proxy_errors_name_the_proxy() {
    let r = with_env(&[("http_proxy", "http://127.0.0.1:1")], &["http://example.invalid/"]);
    assert_eq!(r.code, Some(7), "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "http-get: http://example.invalid/: cannot connect to proxy http://127.0.0.1:1 (from http_proxy): connection refused\n"
    );
    let r = with_env(&[("all_proxy", "socks5h://no-such-proxy.invalid")], &["http://example.invalid/"]);
    assert_eq!(r.code, Some(5), "{}", r.stderr);
    assert!(r.stderr.contains("cannot resolve proxy host `no-such-proxy.invalid` (from all_proxy)"), "{}", r.stderr);
    let r = with_env(&[], &["-x", "ftp://p", "http://example.invalid/"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(r.stderr, "http-get: proxy from -x: `ftp://p`: unknown proxy scheme `ftp`\n");
    // CONNECT answered 403: 56, naming the proxy.
    let proxy = Scripted::start(vec![reply(response("403 Forbidden", &[], b""))]);
    let r = with_env(&[("https_proxy", &proxy.addr.to_string())], &["https://example.invalid/"]);
    assert_eq!(r.code, Some(56), "{}", r.stderr);
    assert!(r.stderr.contains("CONNECT through proxy http://"), "{}", r.stderr);
    assert!(r.stderr.contains("CONNECT refused: 403 Forbidden"), "{}", r.stderr);
    assert!(proxy.requests()[0].starts_with("CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n"));
}

/// A SOCKS5 proxy in a script: reads the greeting, the request (name or
/// address), answers `reply_code`, then serves one HTTP request. Returns
/// what it was asked to connect to through `asked`.
fn socks5(reply_code: u8, asked: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>) -> Script {
    Box::new(move |s: &mut TcpStream, _: &[u8]| {
        let mut hello = [0u8; 3];
        if s.read_exact(&mut hello).is_err() {
            return;
        }
        let _ = s.write_all(&[5, 0]);
        let mut head = [0u8; 4];
        let _ = s.read_exact(&mut head);
        let mut target = head.to_vec();
        let rest = match head[3] {
            1 => 4 + 2,
            4 => 16 + 2,
            _ => {
                let mut len = [0u8; 1];
                let _ = s.read_exact(&mut len);
                target.push(len[0]);
                usize::from(len[0]) + 2
            }
        };
        let mut more = vec![0u8; rest];
        let _ = s.read_exact(&mut more);
        target.extend_from_slice(&more);
        asked.lock().unwrap().push(target);
        let _ = s.write_all(&[5, reply_code, 0, 1, 127, 0, 0, 1, 0, 80]);
        if reply_code == 0 {
            let request = read_request(s);
            let body = if request.starts_with(b"GET /s HTTP/1.1\r\n") { &b"through socks"[..] } else { b"bad request" };
            let _ = s.write_all(&response("200 OK", &[], body));
        }
    })
}

#[test]
fn socks5_names_and_addresses_and_refusals() {
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy =
        Scripted::on_raw(listener, vec![socks5(0, asked.clone()), socks5(0, asked.clone()), socks5(5, asked.clone())]);
    let p = proxy.addr;
    // socks5h: the name goes to the proxy, never resolved here.
    let r = with_env(&[("ALL_PROXY", &format!("socks5h://{p}"))], &["http://named.invalid/s"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"through socks"[..]), "{}", r.stderr);
    // socks5: an address (here a literal) goes.
    let r = with_env(&[], &["-x", &format!("socks5://{p}"), "http://127.0.0.9:81/s"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"through socks"[..]), "{}", r.stderr);
    // Refused: 97.
    let r = with_env(&[], &["-x", &format!("socks5h://{p}"), "http://named.invalid/s"]);
    assert_eq!(r.code, Some(97), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "SOCKS handshake with proxy socks5h://{p} (from -x) failed: refused: connection refused"
        )),
        "{}",
        r.stderr
    );
    let asked = asked.lock().unwrap();
    let mut named = vec![5, 1, 0, 3, 13];
    named.extend_from_slice(b"named.invalid");
    named.extend_from_slice(&80u16.to_be_bytes());
    assert_eq!(asked[0], named);
    assert_eq!(asked[1], [5, 1, 0, 1, 127, 0, 0, 9, 0, 81]);
}

#[test]
fn socks4a_sends_the_name() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let script: Script = Box::new(|s: &mut TcpStream, _: &[u8]| {
        let mut fixed = [0u8; 8];
        let _ = s.read_exact(&mut fixed);
        let mut rest = Vec::new();
        let mut byte = [0u8; 1];
        // user id, then the name: two NUL-terminated strings.
        let mut nuls = 0;
        while nuls < 2 && s.read_exact(&mut byte).is_ok() {
            nuls += usize::from(byte[0] == 0);
            rest.push(byte[0]);
        }
        let good = fixed == [4, 1, 0, 80, 0, 0, 0, 1] && rest == b"\0four.invalid\0";
        let _ = s.write_all(&[0, if good { 0x5a } else { 0x5b }, 0, 0, 0, 0, 0, 0]);
        if good {
            read_request(s);
            let _ = s.write_all(&response("200 OK", &[], b"socks4a"));
        }
    });
    let proxy = Scripted::on_raw(listener, vec![script]);
    let r = with_env(&[], &["-x", &format!("socks4a://{}", proxy.addr), "http://four.invalid/"]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"socks4a"[..]), "{}", r.stderr);
}
