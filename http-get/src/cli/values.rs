//! The values options take, checked as clap reads them, so a bad one is
//! a usage error (exit 2) before any traffic: curl's sizes (its seconds
//! are `shared::seconds`),
//! ranges, cookies, credentials, methods, header fields.

/// curl's byte ranges: digits and `-`, comma-separated.
pub(super) fn parse_range(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.split(',').all(|r| {
            let (a, b) = r.split_once('-').unwrap_or(("x", ""));
            a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
                && !(a.is_empty() && b.is_empty())
        });
    if ok { Ok(s.to_string()) } else { Err(format!("`{s}`: expected byte ranges as 0-499, 500-, -500 or 0-9,20-29")) }
}

/// What `-b` was given: cookies as a header carries them (with a `=`),
/// or, as curl reads it, a cookie file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieArg {
    /// `NAME=VALUE[; NAME2=VALUE2]`.
    Literal(String),
    /// A cookie file (Netscape's format); empty: the engine alone.
    File(std::path::PathBuf),
}

/// `-b`: cookies (with `=`) or a file (without).
pub(super) fn parse_cookie(s: &str) -> Result<CookieArg, String> {
    if !s.contains('=') {
        return Ok(CookieArg::File(s.into()));
    }
    if s.bytes().any(|b| b < 0x20 && b != b'\t') {
        return Err(format!("`{s}`: control characters in a cookie"));
    }
    Ok(CookieArg::Literal(s.to_string()))
}

/// `--limit-rate`: a size a second, above zero.
pub(super) fn parse_rate(s: &str) -> Result<u64, String> {
    match parse_size(s)? {
        0 => Err(format!("`{s}`: must be more than zero")),
        n => Ok(n),
    }
}

/// A size as curl takes it: bytes, or with a k, M or G suffix (1024s).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let (digits, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c.to_ascii_lowercase()),
        _ => (s, 'b'),
    };
    let scale: u64 = match unit {
        'b' => 1,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        other => return Err(format!("`{s}`: unknown unit `{other}` (k, M or G)")),
    };
    let n: u64 = digits.parse().map_err(|_| format!("`{s}`: expected a number of bytes, as 1000, 64k, 10M, 2G"))?;
    n.checked_mul(scale).ok_or_else(|| format!("`{s}`: too large"))
}

/// `USER:PASSWORD`; a user alone is refused, since nothing is prompted.
pub(super) fn parse_user(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((user, password)) => Ok((user.to_string(), password.to_string())),
        None => Err(format!("give USER:PASSWORD (`{s}:` for an empty password); http-get never prompts")),
    }
}

/// `-C -` only: resuming from an offset given by hand is not taken.
pub(super) fn continue_at(s: &str) -> Result<bool, String> {
    if s == "-" {
        Ok(true)
    } else {
        Err("only `-C -` is taken (resume from what is on disk, as -c does); an offset is not supported".to_string())
    }
}

pub(super) fn parse_method(s: &str) -> Result<String, String> {
    if !shared::http::headers::is_token(s) {
        return Err(format!("`{s}` is not a method token"));
    }
    Ok(s.to_string())
}

/// `Name: value`; the name a token, no control characters in the value.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    shared::http::headers::parse_field(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_size_table() {
        let cases: &[(&str, Option<u64>)] = &[
            ("1000", Some(1000)),
            ("64k", Some(65536)),
            ("10M", Some(10 << 20)),
            ("2g", Some(2 << 30)),
            ("0", Some(0)),
            ("1.5M", None),
            ("10x", None),
            ("M", None),
            ("-1", None),
            ("99999999999999G", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_size(input).ok(), *want, "{input}");
        }
    }
}
