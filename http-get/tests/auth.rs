//! Credentials: `-u`, the URL's user info, `--oauth2-bearer`, `.netrc`
//! (`--netrc`, `--netrc-file`, `$NETRC`), each sent only to the origin it
//! was given for, never after a redirect to another host.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::*;

fn ok() -> Script {
    reply(response("200 OK", &[], b"ok"))
}

/// The Authorization field a request carried, if any.
fn authorization(request: &str) -> Option<&str> {
    request.lines().find_map(|l| l.strip_prefix("Authorization: "))
}

#[test]
fn each_kind_of_credentials() {
    let dir = TempDir::new("auth");
    let netrc = dir.join("netrc");
    std::fs::write(&netrc, "machine 127.0.0.1 login net password \"r c\"\ndefault login any password thing\n").unwrap();
    let netrc = netrc.display().to_string();
    let s = Scripted::start((0..6).map(|_| ok()).collect());
    let plain = s.url("/");
    let with_user = plain.replacen("http://", "http://url:info@", 1);
    let cases: Vec<(Vec<&str>, &str, Option<&str>)> = vec![
        (vec!["-u", "me:p@ss:word"], &plain, Some("Basic bWU6cEBzczp3b3Jk")),
        (vec!["-u", "me:"], &with_user, Some("Basic bWU6")),
        (vec![], &with_user, Some("Basic dXJsOmluZm8=")),
        (vec!["--oauth2-bearer", "tok.en"], &plain, Some("Bearer tok.en")),
        (vec!["--netrc-file", &netrc], &plain, Some("Basic bmV0OnIgYw==")),
        (vec![], &plain, None),
    ];
    for (i, (args, url, want)) in cases.iter().enumerate() {
        let mut all = args.clone();
        all.push(url);
        let r = http_get(&all);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        assert_eq!(authorization(&s.requests()[i]), *want, "{args:?}");
    }
}

/// `--netrc` reads `$NETRC` (or ~/.netrc); a missing file gives nothing.
#[test]
fn netrc_from_the_environment() {
    let dir = TempDir::new("netrc-env");
    let netrc = dir.join("my-netrc");
    std::fs::write(&netrc, "machine 127.0.0.1\n  login env\n  password pw\n").unwrap();
    let s = Scripted::start(vec![ok(), ok()]);
    for (file, want) in [(netrc.clone(), Some("Basic ZW52OnB3")), (dir.join("missing"), None)] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_http-get"));
        cmd.args(["--netrc", &s.url("/")]).env("NETRC", &file);
        let r = harness::run(cmd, None, HANG);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let requests = s.requests();
        assert_eq!(authorization(requests.last().unwrap()), want);
    }
}

/// Redirected to another host (another port is another origin), no
/// credentials of any kind follow; to the same origin they do.
#[test]
fn credentials_never_follow_a_redirect_elsewhere() {
    let dir = TempDir::new("auth-redirect");
    let netrc = dir.join("netrc");
    std::fs::write(&netrc, "default login d password p\n").unwrap();
    let netrc = netrc.display().to_string();
    for args in
        [&["-u", "me:pw"][..], &["--oauth2-bearer", "t"], &["--netrc-file", &netrc], &["-H", "Authorization: X"]]
    {
        let other = Scripted::start(vec![ok()]);
        let first = Scripted::start(vec![
            reply(response("302 Found", &["Location: /same"], b"")),
            reply(response("302 Found", &[&format!("Location: {}", other.url("/there"))], b"")),
        ]);
        let mut all = args.to_vec();
        let url = first.url("/");
        all.push(&url);
        let r = http_get(&all);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        let here = first.requests();
        assert!(authorization(&here[0]).is_some() && authorization(&here[1]).is_some(), "{args:?}: {here:?}");
        assert_eq!(authorization(&other.requests()[0]), None, "{args:?}");
    }
}

#[test]
fn credential_usage_errors() {
    let r = http_get(&["-u", "alone", "http://h/"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("give USER:PASSWORD"), "{}", r.stderr);
    let r = http_get(&["--netrc-file", "/no/such/netrc", "http://h/"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.starts_with("http-get: --netrc-file /no/such/netrc: "), "{}", r.stderr);
}
