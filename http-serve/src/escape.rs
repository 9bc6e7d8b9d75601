//! Escaping for the three places untrusted names and bytes end up: HTML
//! text and attributes, JSON strings, and one-line log entries; and the
//! percent-encoding set for links.

use std::fmt::Write;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// What to percent-encode in one path segment of a link: everything but the
/// RFC 3986 unreserved characters, so `?`, `#`, `%`, `/`, quotes, spaces and
/// all non-ASCII bytes are encoded and the link names exactly those bytes.
pub const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one path segment.
pub fn segment(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, SEGMENT).to_string()
}

/// Appends `s` escaped for HTML (as [`html`] does) to `out`.
pub fn html_into(out: &mut Vec<u8>, s: &str) {
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[plain..i]);
        out.extend_from_slice(entity);
        plain = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[plain..]);
}

/// Appends one path segment percent-encoded (as [`segment`] does), then
/// escaped for an HTML attribute, to `out`.
pub fn segment_html_into(out: &mut Vec<u8>, bytes: &[u8]) {
    for piece in percent_encoding::percent_encode(bytes, SEGMENT) {
        html_into(out, piece);
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes `s` as a JSON string literal, quotes included.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// Makes request bytes safe for a one-line log entry: control bytes, `"`,
/// `\` and non-ASCII bytes become `\xNN`, so a request cannot forge log lines
/// or send terminal escapes to whoever reads the log.
pub fn log(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            out.push(b as char);
        } else {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain.txt", "plain.txt"),
            (b"a b", "a%20b"),
            (b"100%", "100%25"),
            (b"q?#x", "q%3F%23x"),
            (b"\"quote'<>", "%22quote%27%3C%3E"),
            ("é".as_bytes(), "%C3%A9"),
            (b"\xff\xfe", "%FF%FE"),
            (b"a/b", "a%2Fb"),
            (b"~_-.", "~_-."),
        ];
        for (input, want) in cases {
            assert_eq!(segment(input), *want);
        }
    }

    #[test]
    fn html_table() {
        let cases = [("a&b", "a&amp;b"), ("<script>", "&lt;script&gt;"), ("\"'", "&quot;&#39;"), ("é", "é")];
        for (input, want) in cases {
            assert_eq!(html(input), want);
        }
    }

    #[test]
    fn json_table() {
        let cases = [("a", "\"a\""), ("q\"b\\", "\"q\\\"b\\\\\""), ("\n\u{1}", "\"\\n\\u0001\"")];
        for (input, want) in cases {
            let mut out = String::new();
            json_string(&mut out, input);
            assert_eq!(out, want);
        }
    }

    #[test]
    fn log_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"GET / HTTP/1.1", "GET / HTTP/1.1"),
            (b"GET /\x1b[31m", "GET /\\x1b[31m"),
            (b"a\"b\\c", "a\\x22b\\x5cc"),
            (b"\r\n", "\\x0d\\x0a"),
            (b"\xc3\xa9", "\\xc3\\xa9"),
        ];
        for (input, want) in cases {
            assert_eq!(log(input), *want);
        }
    }
}
