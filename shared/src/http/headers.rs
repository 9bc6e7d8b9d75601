//! An owned, ordered list of header fields as they came off the wire.
//!
//! Names and values are kept in one byte buffer with spans into it, so a
//! parsed head costs two allocations however many fields it has. Values are
//! bytes: HTTP allows obs-text, and refusing it is the caller's choice.

use std::ops::Range;

/// Header fields in wire order. Lookups are case-insensitive on the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// Every name and value, back to back.
    raw: Vec<u8>,
    /// (name span, value span) into `raw`, in wire order.
    spans: Vec<(Range<usize>, Range<usize>)>,
}

impl Headers {
    /// An empty list.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Copies fields out of httparse's borrowed view.
    pub(crate) fn from_parsed(fields: &[httparse::Header<'_>]) -> Headers {
        let size = fields.iter().map(|h| h.name.len() + h.value.len()).sum();
        let mut headers = Headers { raw: Vec::with_capacity(size), spans: Vec::with_capacity(fields.len()) };
        for h in fields {
            headers.push(h.name, h.value);
        }
        headers
    }

    /// Appends a field.
    pub fn push(&mut self, name: &str, value: &[u8]) {
        let n0 = self.raw.len();
        self.raw.extend_from_slice(name.as_bytes());
        let v0 = self.raw.len();
        self.raw.extend_from_slice(value);
        self.spans.push((n0..v0, v0..self.raw.len()));
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Every field as (name, value), in wire order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.spans.iter().map(|(n, v)| {
            // Names came from httparse (tokens) or from `push(&str)`: UTF-8.
            let name = std::str::from_utf8(&self.raw[n.clone()]).unwrap_or("");
            (name, &self.raw[v.clone()])
        })
    }

    /// Every value of the fields called `name`.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// The first value of `name`, when it is UTF-8 (trimmed).
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| std::str::from_utf8(v).ok()).map(str::trim)
    }

    /// True when `name` is present at all.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every comma-separated element of every `name` field, trimmed, empty
    /// elements skipped (RFC 9110 5.6.1 list syntax).
    pub fn list<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.get_all(name).flat_map(|v| v.split(|&b| b == b',')).map(trim).filter(|e| !e.is_empty())
    }

    /// True when the `name` list holds `token` (case-insensitive), as in
    /// `Connection: keep-alive, Upgrade`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.list(name).any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
    }
}

/// `("Name", "value")` pairs, in order (handy for building heads in code
/// and tests).
impl<'a> FromIterator<(&'a str, &'a str)> for Headers {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Headers {
        let mut headers = Headers::new();
        for (name, value) in pairs {
            headers.push(name, value.as_bytes());
        }
        headers
    }
}

/// True for an RFC 9110 token (a field name or a method): one or more of
/// the letters, digits and `!#$%&'*+-.^_`|~`.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses a header field as users type it on a command line (`-H 'Name:
/// value'`): the name a token, the value trimmed and free of control
/// characters (so it cannot split a head). The error says what is wrong.
pub fn parse_field(s: &str) -> Result<(String, String), String> {
    let Some((name, value)) = s.split_once(':') else {
        return Err("expected 'Name: value'".to_string());
    };
    if !is_token(name) {
        return Err(format!("`{name}` is not a valid header name"));
    }
    let value = value.trim();
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Err("the value must not contain control characters".to_string());
    }
    Ok((name.to_string(), value.to_string()))
}

/// Trims optional white space (SP and HTAB) from both ends.
pub fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Headers {
        let mut h = Headers::new();
        h.push("Host", b"example.org");
        h.push("Connection", b"keep-alive, Upgrade");
        h.push("accept", b"text/html, , */*");
        h.push("ACCEPT", b"image/png");
        h
    }

    #[test]
    fn lookups_are_case_insensitive() {
        let h = sample();
        assert_eq!(h.get("host"), Some(&b"example.org"[..]));
        assert_eq!(h.get_str("HOST"), Some("example.org"));
        assert_eq!(h.get_all("Accept").count(), 2);
        assert!(h.contains("connection"));
        assert!(!h.contains("content-length"));
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn list_and_tokens() {
        let h = sample();
        let all: Vec<&[u8]> = h.list("accept").collect();
        assert_eq!(all, vec![&b"text/html"[..], b"*/*", b"image/png"]);
        assert!(h.has_token("connection", "upgrade"));
        assert!(h.has_token("Connection", "KEEP-ALIVE"));
        assert!(!h.has_token("connection", "close"));
    }

    #[test]
    fn parse_field_table() {
        let cases: &[(&str, Result<(&str, &str), &str>)] = &[
            ("Accept: text/csv", Ok(("Accept", "text/csv"))),
            ("X-Empty:", Ok(("X-Empty", ""))),
            ("A:  spaced  ", Ok(("A", "spaced"))),
            ("NoColon", Err("expected 'Name: value'")),
            ("Bad Name: x", Err("`Bad Name` is not a valid header name")),
            (": x", Err("`` is not a valid header name")),
            ("X: a\rb", Err("the value must not contain control characters")),
        ];
        for (input, want) in cases {
            let want = want.map(|(n, v)| (n.to_string(), v.to_string())).map_err(str::to_string);
            assert_eq!(parse_field(input), want, "{input:?}");
        }
        assert!(is_token("GET") && is_token("X-A_b.c~") && !is_token("") && !is_token("P T"));
    }

    #[test]
    fn trim_table() {
        let cases: &[(&[u8], &[u8])] =
            &[(b"  a  ", b"a"), (b"\ta b\t", b"a b"), (b"", b""), (b"   ", b""), (b"x", b"x")];
        for (input, want) in cases {
            assert_eq!(trim(input), *want);
        }
    }
}
