//! The request target (RFC 9112 3.2): origin-form (`/path?query`),
//! absolute-form (`http://host/path`), asterisk-form (`*`) and
//! authority-form (`host:port`, for CONNECT). The path is percent-decoded to
//! bytes exactly once, so `%252e` stays the three bytes `%2e`.

use std::fmt;

/// A parsed request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `/path?query`: the usual form.
    Origin {
        /// The path, percent-decoded once, as bytes (may be non-UTF-8).
        path: Vec<u8>,
        /// The query after `?`, still encoded.
        query: Option<String>,
    },
    /// `http://authority/path?query`: sent to proxies, and allowed to servers.
    Absolute {
        /// Scheme, lower-cased.
        scheme: String,
        /// `host[:port]` as sent.
        authority: String,
        /// The path, decoded once; `/` when the URL had none.
        path: Vec<u8>,
        /// The query after `?`, still encoded.
        query: Option<String>,
    },
    /// `*`, for a server-wide OPTIONS.
    Asterisk,
    /// `host:port`, only meaningful for CONNECT.
    Authority(String),
}

impl Target {
    /// The decoded path, for the forms that have one.
    pub fn path(&self) -> Option<&[u8]> {
        match self {
            Target::Origin { path, .. } | Target::Absolute { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The still-encoded query, for the forms that have one.
    pub fn query(&self) -> Option<&str> {
        match self {
            Target::Origin { query, .. } | Target::Absolute { query, .. } => query.as_deref(),
            _ => None,
        }
    }
}

/// A target that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetError {
    /// The target is empty.
    Empty,
    /// A `%` not followed by two hex digits.
    BadPercent(String),
    /// Not any of the four forms.
    BadForm(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Empty => write!(f, "empty request target"),
            TargetError::BadPercent(t) => write!(f, "`{t}`: `%` must be followed by two hex digits"),
            TargetError::BadForm(t) => write!(f, "`{t}`: not a valid request target"),
        }
    }
}

impl std::error::Error for TargetError {}

/// Parses a request target as it appears in the request line.
pub fn parse_target(raw: &str) -> Result<Target, TargetError> {
    if raw.is_empty() {
        return Err(TargetError::Empty);
    }
    if raw == "*" {
        return Ok(Target::Asterisk);
    }
    if raw.contains('#') {
        // A fragment never belongs in a request target.
        return Err(TargetError::BadForm(raw.to_string()));
    }
    if raw.starts_with('/') {
        let (path, query) = split_query(raw);
        return Ok(Target::Origin { path: percent_decode(path)?, query });
    }
    if let Some(i) = raw.find("://") {
        let scheme = &raw[..i];
        let valid_scheme = scheme.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
        if !valid_scheme {
            return Err(TargetError::BadForm(raw.to_string()));
        }
        let rest = &raw[i + 3..];
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..end];
        if authority.is_empty() {
            return Err(TargetError::BadForm(raw.to_string()));
        }
        let (path, query) = split_query(&rest[end..]);
        let path = if path.is_empty() { b"/".to_vec() } else { percent_decode(path)? };
        return Ok(Target::Absolute {
            scheme: scheme.to_ascii_lowercase(),
            authority: authority.to_string(),
            path,
            query,
        });
    }
    if !raw.contains('/') && raw.contains(':') {
        return Ok(Target::Authority(raw.to_string()));
    }
    Err(TargetError::BadForm(raw.to_string()))
}

fn split_query(s: &str) -> (&str, Option<String>) {
    match s.split_once('?') {
        Some((path, query)) => (path, Some(query.to_string())),
        None => (s, None),
    }
}

/// Decodes `%XX` escapes once; any other byte passes through. A `%` without
/// two hex digits after it is an error rather than a guess.
pub fn percent_decode(s: &str) -> Result<Vec<u8>, TargetError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|b| hex(*b));
            let lo = bytes.get(i + 2).and_then(|b| hex(*b));
            match (hi, lo) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => return Err(TargetError::BadPercent(s.to_string())),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(path: &[u8], query: Option<&str>) -> Result<Target, TargetError> {
        Ok(Target::Origin { path: path.to_vec(), query: query.map(str::to_string) })
    }

    #[test]
    fn target_table() {
        let bad_form = |s: &str| Err(TargetError::BadForm(s.to_string()));
        let bad_pct = |s: &str| Err(TargetError::BadPercent(s.to_string()));
        let cases: Vec<(&str, Result<Target, TargetError>)> = vec![
            ("/", origin(b"/", None)),
            ("/a/b.html", origin(b"/a/b.html", None)),
            ("/a%20b?x=%20", origin(b"/a b", Some("x=%20"))),
            ("/%2e%2e/", origin(b"/../", None)),
            ("/%252e", origin(b"/%2e", None)),
            ("/..%2f..%2f", origin(b"/../../", None)),
            ("/%2e%2e%5c", origin(b"/..\\", None)),
            ("/%00", origin(b"/\0", None)),
            ("/%C3%A9", origin("/é".as_bytes(), None)),
            ("/%ff", origin(b"/\xff", None)),
            ("//etc/passwd", origin(b"//etc/passwd", None)),
            ("/?", origin(b"/", Some(""))),
            ("/%", bad_pct("/%")),
            ("/%2", bad_pct("/%2")),
            ("/%zz", bad_pct("/%zz")),
            ("/a#frag", bad_form("/a#frag")),
            ("*", Ok(Target::Asterisk)),
            ("example.org:443", Ok(Target::Authority("example.org:443".to_string()))),
            (
                "http://other/../",
                Ok(Target::Absolute {
                    scheme: "http".into(),
                    authority: "other".into(),
                    path: b"/../".to_vec(),
                    query: None,
                }),
            ),
            (
                "HTTP://h:8080?q",
                Ok(Target::Absolute {
                    scheme: "http".into(),
                    authority: "h:8080".into(),
                    path: b"/".to_vec(),
                    query: Some("q".into()),
                }),
            ),
            ("http:///x", bad_form("http:///x")),
            ("1http://h/", bad_form("1http://h/")),
            ("relative", bad_form("relative")),
            ("", Err(TargetError::Empty)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_target(input), want, "input {input:?}");
        }
    }

    #[test]
    fn accessors() {
        let t = parse_target("/a?b").unwrap();
        assert_eq!(t.path(), Some(&b"/a"[..]));
        assert_eq!(t.query(), Some("b"));
        assert_eq!(Target::Asterisk.path(), None);
    }
}
