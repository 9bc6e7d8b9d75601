//! The URL: parsed with the `url` crate, checked (http, or https when built
//! with the `tls` feature; a host),
//! and turned into what a request needs: the request target, the Host
//! field, Basic credentials from user info, and a safe local file name for
//! `-O`.

use std::ffi::OsString;

use percent_encoding::percent_decode_str;
use url::Url;

use crate::error::{Error, Kind};

/// Parses and checks a URL as typed on the command line: without a
/// scheme it is `http://` (as curl reads it), so `localhost:8000/x` is a
/// host and a port, not a scheme.
pub fn parse_given(text: &str) -> Result<Url, Error> {
    if text.contains("://") {
        return parse(text);
    }
    let url = Url::parse(&format!("http://{text}"))
        .map_err(|e| Error::new(Kind::BadUrl, format!("{text}: malformed URL: {e}")).because(e))?;
    check(url, text)
}

/// Parses and checks a complete URL (with its scheme).
pub fn parse(text: &str) -> Result<Url, Error> {
    let url =
        Url::parse(text).map_err(|e| Error::new(Kind::BadUrl, format!("{text}: malformed URL: {e}")).because(e))?;
    check(url, text)
}

/// Resolves a Location against the current URL.
pub fn join(base: &Url, location: &str) -> Result<Url, Error> {
    let url = base.join(location).map_err(|e| {
        Error::new(Kind::Malformed, format!("{base}: bad redirect Location `{location}`: {e}")).because(e)
    })?;
    check(url, location)
}

fn check(url: Url, shown: &str) -> Result<Url, Error> {
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(Error::new(
            Kind::UnsupportedScheme,
            format!("{shown}: unsupported scheme `{}` (only http and https)", url.scheme()),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::new(Kind::BadUrl, format!("{shown}: malformed URL: no host")));
    }
    if url.scheme() == "https" && !cfg!(feature = "tls") {
        return Err(Error::new(
            Kind::NoTls,
            format!("{shown}: https is not supported: this http-get was built without TLS (the `tls` feature)"),
        ));
    }
    Ok(url)
}

/// The request target: path and query, percent-encoded, without the
/// fragment.
pub fn request_target(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// The Host field: host (IPv6 in brackets) and the port when not the
/// scheme's default.
pub fn host_field(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// `Basic ...` from the URL's user info, if it has any.
pub fn basic_auth(url: &Url) -> Option<String> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let user = percent_decode_str(url.username()).collect::<Vec<u8>>();
    let pass = url.password().map(|p| percent_decode_str(p).collect::<Vec<u8>>()).unwrap_or_default();
    let mut raw = user;
    raw.push(b':');
    raw.extend_from_slice(&pass);
    Some(format!("Basic {}", base64(&raw)))
}

/// `Basic ...` for a user and password given on the command line or
/// found in a `.netrc`.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

/// Standard base64 with padding (RFC 4648), for Basic credentials.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The URL without user info, for messages (credentials never printed).
pub fn shown(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    u.to_string()
}

/// A local file name for `-O`: the last path segment, percent-decoded,
/// with separators, NULs and leading dots removed, and mended so every
/// system can hold it (`con` is `con_`, `a:b` is `a_b`); `index.html` when
/// nothing is left. Never a path: always a name in the current directory.
pub fn remote_name(url: &Url) -> OsString {
    let last = url.path().rsplit('/').next().unwrap_or("");
    let decoded: Vec<u8> = percent_decode_str(last).collect();
    let cleaned: Vec<u8> = decoded.into_iter().filter(|b| !matches!(b, b'/' | b'\\' | 0)).collect();
    let start = cleaned.iter().position(|&b| b != b'.').unwrap_or(cleaned.len());
    // A name any system can create: no device or stream names (`con` is
    // `con_`, `a:b` is `a_b`), whatever system this runs on.
    let name = shared::names::mend(&cleaned[start..]);
    if name.is_empty() { "index.html".into() } else { file_name(name) }
}

/// Bytes as a file name, unchanged: Unix names are bytes.
#[cfg(unix)]
fn file_name(bytes: Vec<u8>) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(bytes)
}

/// Bytes as a file name: Windows names are UTF-16, so bytes that are not
/// UTF-8 become U+FFFD.
#[cfg(not(unix))]
fn file_name(bytes: Vec<u8>) -> OsString {
    String::from_utf8_lossy(&bytes).into_owned().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{code, exit_code};

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<(&str, &str), u8>)] = &[
            ("http://example.org/a b?q=1#frag", Ok(("/a%20b?q=1", "example.org"))),
            #[cfg(feature = "tls")]
            ("https://example.org:443/", Ok(("/", "example.org"))),
            ("http://example.org:8080", Ok(("/", "example.org:8080"))),
            ("http://[::1]:8080/x", Ok(("/x", "[::1]:8080"))),
            ("http://127.0.0.1/caf\u{e9}", Ok(("/caf%C3%A9", "127.0.0.1"))),
            ("ftp://example.org/", Err(code::UNSUPPORTED_SCHEME)),
            ("file:///etc/passwd", Err(code::UNSUPPORTED_SCHEME)),
            ("http://", Err(code::BAD_URL)),
            ("not a url", Err(code::BAD_URL)),
            ("http://exa mple.org/", Err(code::BAD_URL)),
        ];
        for (input, want) in cases {
            let got = parse(input).map(|u| (request_target(&u), host_field(&u)));
            match (want, got) {
                (Ok((t, h)), Ok((gt, gh))) => assert_eq!((t.to_string(), h.to_string()), (gt, gh), "{input}"),
                (Err(c), Err(e)) => assert_eq!(*c, exit_code(&e), "{input}: {e}"),
                (w, g) => panic!("{input}: want {w:?}, got {g:?}"),
            }
        }
    }

    /// Without TLS, https is refused up front, given or redirected to, as
    /// curl's "unsupported protocol".
    #[cfg(not(feature = "tls"))]
    #[test]
    fn https_needs_the_tls_feature() {
        let e = parse("https://example.org/").unwrap_err();
        assert_eq!(exit_code(&e), code::UNSUPPORTED_SCHEME);
        assert_eq!(
            e.to_string(),
            "https://example.org/: https is not supported: this http-get was built without TLS (the `tls` feature)"
        );
        let e = join(&parse("http://h/").unwrap(), "https://s/").unwrap_err();
        assert_eq!(exit_code(&e), code::UNSUPPORTED_SCHEME);
    }

    #[test]
    fn parse_given_table() {
        let cases: &[(&str, Result<&str, u8>)] = &[
            ("127.0.0.1:8000/x", Ok("http://127.0.0.1:8000/x")),
            ("localhost:8000/x", Ok("http://localhost:8000/x")),
            ("example.org", Ok("http://example.org/")),
            ("[::1]:81/a?b", Ok("http://[::1]:81/a?b")),
            ("user:pw@host/x", Ok("http://user:pw@host/x")),
            ("http://h/", Ok("http://h/")),
            ("HTTP://H/", Ok("http://h/")),
            ("gopher://h/", Err(code::UNSUPPORTED_SCHEME)),
            ("host:99999/", Err(code::BAD_URL)),
            ("", Err(code::BAD_URL)),
            ("a b", Err(code::BAD_URL)),
        ];
        for (input, want) in cases {
            let got = parse_given(input).map(|u| u.to_string()).map_err(|e| exit_code(&e));
            assert_eq!(got, want.map(str::to_string), "{input}");
        }
    }

    #[test]
    fn join_table() {
        let base = parse("http://h:1/a/b?x").unwrap();
        let cases: &[(&str, Result<&str, u8>)] = &[
            ("c", Ok("http://h:1/a/c")),
            ("/d", Ok("http://h:1/d")),
            ("//other/e", Ok("http://other/e")),
            #[cfg(feature = "tls")]
            ("https://s/", Ok("https://s/")),
            ("/with space/\u{e9}", Ok("http://h:1/with%20space/%C3%A9")),
            ("file:///etc/passwd", Err(code::UNSUPPORTED_SCHEME)),
            ("ftp://x/", Err(code::UNSUPPORTED_SCHEME)),
        ];
        for (loc, want) in cases {
            let got = join(&base, loc).map(|u| u.to_string()).map_err(|e| exit_code(&e));
            assert_eq!(got, want.map(str::to_string), "{loc}");
        }
    }

    #[test]
    fn basic_auth_and_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        let u = parse("http://us%40er:p%3Ass@h/").unwrap();
        assert_eq!(basic_auth(&u).as_deref(), Some("Basic dXNAZXI6cDpzcw=="));
        assert_eq!(basic_auth(&parse("http://h/").unwrap()), None);
        assert_eq!(shown(&u), "http://h/");
        assert_eq!(basic("us@er", "p:ss"), "Basic dXNAZXI6cDpzcw==");
    }

    #[test]
    fn remote_name_table() {
        let cases = [
            ("http://h/dir/file.tar.gz", "file.tar.gz"),
            ("http://h/dir/", "index.html"),
            ("http://h/", "index.html"),
            ("http://h/..%2F..%2Fx", "x"),
            ("http://h/%2e%2e%2f%2e%2e%2fx", "x"),
            ("http://h/.bashrc", "bashrc"),
            ("http://h/...", "index.html"),
            ("http://h/a%5cb", "ab"),
            ("http://h/a%00b", "ab"),
            ("http://h/na%20me.txt?q=1", "na me.txt"),
            ("http://h/con", "con_"),
            ("http://h/NUL.txt", "NUL_.txt"),
            ("http://h/a:b", "a_b"),
            ("http://h/file.txt%3A%3A$DATA", "file.txt__$DATA"),
            ("http://h/what%3F.txt", "what_.txt"),
            ("http://h/trailing.", "trailing_"),
        ];
        for (url, want) in cases {
            assert_eq!(remote_name(&parse(url).unwrap()), std::ffi::OsString::from(want), "{url}");
        }
    }
}
