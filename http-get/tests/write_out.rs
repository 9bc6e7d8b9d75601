//! `-w`: curl's variables after each transfer, failures included, and
//! `%{json}` with all of them.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

/// The number after `"key":` in a `%{json}` line.
fn number(json: &str, key: &str) -> f64 {
    let at = json.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    json[at..].split([',', '}']).next().unwrap().parse().unwrap()
}

#[test]
fn variables_after_success_and_failure() {
    let dir = TempDir::new("write-out");
    let s = Scripted::start(vec![
        reply(response("301 Moved Permanently", &["Location: /b"], b"")),
        reply(response("302 Found", &["Location: /c"], b"")),
        reply(response("200 OK", &["Content-Type: text/csv"], b"a,b\n")),
        reply(response("404 Not Found", &[], b"none")),
    ]);
    let format = "%{num_redirects} %{http_code} %{method} %{http_version} %{scheme} %{remote_ip}:%{remote_port} [%{filename_effective}] %{exitcode} [%{errormsg}]\\n";
    let r = http_get_in(dir.path(), &["-o", "out.csv", "-w", format, &s.url("/a")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let want = format!("2 200 GET 1.1 HTTP 127.0.0.1:{} [out.csv] 0 []\n", s.addr.port());
    assert_eq!(String::from_utf8_lossy(&r.stdout), want);
    let r = http_get(&["-s", "-w", "%{exitcode} %{errormsg}", &s.url("/missing")]);
    assert_eq!(r.code, Some(22));
    assert_eq!(String::from_utf8_lossy(&r.stdout), format!("22 {}: HTTP 404 Not Found", s.url("/missing")));
    let r = http_get(&["-s", "-w", "%{http_code} %{exitcode} %{url_effective}", "http://127.0.0.1:1/x"]);
    assert_eq!(
        (r.code, String::from_utf8_lossy(&r.stdout).into_owned()),
        (Some(7), "000 7 http://127.0.0.1:1/x".into())
    );
}

#[test]
fn json_has_them_all_and_times_in_order() {
    let s = Scripted::start(vec![reply(response("200 OK", &["Content-Type: text/plain"], b"hello"))]);
    let r = http_get(&["-w", "%{json}", &s.url("/j")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let out = String::from_utf8_lossy(&r.stdout);
    let json = out.strip_prefix("hello").unwrap();
    assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
    for key in [
        "content_type",
        "errormsg",
        "exitcode",
        "filename_effective",
        "http_code",
        "num_redirects",
        "size_download",
        "time_total",
        "url_effective",
    ] {
        assert!(json.contains(&format!("\"{key}\":")), "{key} in {json}");
    }
    assert!(json.contains("\"content_type\":\"text/plain\"") && json.contains("\"errormsg\":null"), "{json}");
    assert_eq!(number(json, "size_download"), 5.0);
    let times: Vec<f64> = ["time_namelookup", "time_connect", "time_starttransfer", "time_total"]
        .iter()
        .map(|k| number(json, k))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "each step after the one before: {times:?}");
    assert_eq!(number(json, "time_appconnect"), 0.0, "no TLS");
}
