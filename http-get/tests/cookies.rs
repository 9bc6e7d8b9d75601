//! The cookie engine (`-b FILE`, `--cookie-jar FILE`): cookies a response
//! sets go with the next requests where they belong (across redirects and
//! URLs of the run), are written to the jar, and read back by a later run.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

fn cookie_of(request: &str) -> Option<&str> {
    request.lines().find_map(|l| l.strip_prefix("Cookie: "))
}

#[test]
fn set_sent_saved_and_read_back() {
    let dir = TempDir::new("cookies");
    let jar = dir.join("jar.txt").display().to_string();
    let s = Scripted::start(vec![
        reply(response(
            "302 Found",
            &[
                "Location: /home",
                "Set-Cookie: sid=abc123; Path=/; HttpOnly",
                "Set-Cookie: pref=dark; Max-Age=3600",
                "Set-Cookie: tls=only; Secure",
            ],
            b"",
        )),
        reply(response("200 OK", &["Set-Cookie: seen=1; Path=/home"], b"home")),
        reply(response("200 OK", &[], b"other")),
        reply(response("200 OK", &[], b"again")),
    ]);
    // The same file for -b and --cookie-jar, missing the first time.
    let r = http_get(&["-b", &jar, "--cookie-jar", &jar, &s.url("/login"), &s.url("/home/x")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"homeother"[..]), "{}", r.stderr);
    let requests = s.requests();
    assert_eq!(cookie_of(&requests[0]), None);
    assert_eq!(
        cookie_of(&requests[1]),
        Some("sid=abc123; pref=dark"),
        "after the redirect; not the Secure one over http"
    );
    assert_eq!(cookie_of(&requests[2]), Some("seen=1; sid=abc123; pref=dark"), "the next URL, longer paths first");
    let text = std::fs::read_to_string(dir.join("jar.txt")).unwrap();
    assert!(text.starts_with("# Netscape HTTP Cookie File\n"), "{text}");
    assert!(text.contains("#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc123\n"), "{text}");
    assert!(
        text.contains("\tpref\tdark\n") && text.contains("\tseen\t1\n") && text.contains("\ttls\tonly\n"),
        "{text}"
    );
    // A later run reads them back.
    let r = http_get(&["-b", &jar, &s.url("/home/y")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(cookie_of(&s.requests()[3]), Some("seen=1; sid=abc123; pref=dark"));
}

#[test]
fn literal_cookies_and_the_engine_together() {
    let dir = TempDir::new("cookies-both");
    let jar = dir.join("in.txt");
    std::fs::write(&jar, "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tfrom\tfile\n").unwrap();
    let s = Scripted::start(vec![reply(response("200 OK", &[], b"ok")), reply(response("200 OK", &[], b"ok"))]);
    let r = http_get(&["-b", &jar.display().to_string(), &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = http_get(&["-b", "a=1", &s.url("/")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(cookie_of(&s.requests()[0]), Some("from=file"));
    assert_eq!(cookie_of(&s.requests()[1]), Some("a=1"));
    // A jar that cannot be written: one line, exit 23 (unless a URL
    // failed first).
    let s = Scripted::start(vec![reply(response("200 OK", &["Set-Cookie: k=v"], b"ok"))]);
    let r = http_get(&["--cookie-jar", &dir.join("no/such/dir/jar").display().to_string(), &s.url("/")]);
    assert_eq!(r.code, Some(23), "{}", r.stderr);
    assert!(r.stderr.starts_with("http-get: writing the cookie jar ") && r.stderr.lines().count() == 1, "{}", r.stderr);
}
