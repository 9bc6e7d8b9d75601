//! Entity tags (RFC 9110 8.8.3): parse `"tag"` and `W/"tag"`, lists of them
//! in If-None-Match / If-Match, and the weak and strong comparisons.

use std::time::SystemTime;

/// One entity tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ETag {
    /// `W/` prefix present.
    pub weak: bool,
    /// The opaque tag, without quotes.
    pub tag: String,
}

impl ETag {
    /// A strong tag for a file, from its size and modification time: it
    /// changes whenever either does.
    pub fn for_file(len: u64, modified: SystemTime) -> ETag {
        let (secs, nanos) =
            modified.duration_since(SystemTime::UNIX_EPOCH).map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()));
        ETag { weak: false, tag: format!("{len:x}-{secs:x}.{nanos:x}") }
    }

    /// Parses one entity tag; `None` if it is not one.
    pub fn parse(s: &str) -> Option<ETag> {
        let s = s.trim();
        let (weak, quoted) = match s.strip_prefix("W/") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let tag = quoted.strip_prefix('"')?.strip_suffix('"')?;
        // etagc = %x21 / %x23-7E / obs-text: no quote, no space, no controls.
        if !tag.bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80) {
            return None;
        }
        Some(ETag { weak, tag: tag.to_string() })
    }

    /// Weak comparison: the opaque tags match, weakness ignored.
    pub fn weak_eq(&self, other: &ETag) -> bool {
        self.tag == other.tag
    }

    /// Strong comparison: both strong and the opaque tags match.
    pub fn strong_eq(&self, other: &ETag) -> bool {
        !self.weak && !other.weak && self.tag == other.tag
    }
}

impl std::fmt::Display for ETag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.weak { write!(f, "W/\"{}\"", self.tag) } else { write!(f, "\"{}\"", self.tag) }
    }
}

/// Whether an If-None-Match value (`*` or a list of tags) matches `current`
/// by weak comparison, as RFC 9110 13.1.2 asks. Unparseable members never
/// match.
pub fn none_match(value: &str, current: &ETag) -> bool {
    if value.trim() == "*" {
        return true;
    }
    split_list(value).filter_map(ETag::parse).any(|t| t.weak_eq(current))
}

/// Splits a list of entity tags at the commas between them (commas inside
/// quotes are part of a tag).
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = value;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return None;
        }
        let open = rest.find('"')?;
        let close = rest[open + 1..].find('"').map_or(rest.len(), |i| open + 1 + i + 1);
        let (item, tail) = rest.split_at(close);
        rest = tail;
        Some(item.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(weak: bool, t: &str) -> Option<ETag> {
        Some(ETag { weak, tag: t.to_string() })
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<ETag>)] = &[
            ("\"abc\"", tag(false, "abc")),
            ("W/\"abc\"", tag(true, "abc")),
            (" \"\" ", tag(false, "")),
            ("abc", None),
            ("\"a\"b\"", None),
            ("w/\"abc\"", None),
            ("\"a b\"", None),
        ];
        for (input, want) in cases {
            assert_eq!(ETag::parse(input), *want, "{input:?}");
        }
    }

    #[test]
    fn comparison_table() {
        // RFC 9110 8.8.3.2's example table.
        let cases = [
            ("W/\"1\"", "W/\"1\"", false, true),
            ("W/\"1\"", "W/\"2\"", false, false),
            ("W/\"1\"", "\"1\"", false, true),
            ("\"1\"", "\"1\"", true, true),
        ];
        for (a, b, strong, weak) in cases {
            let (a, b) = (ETag::parse(a).unwrap(), ETag::parse(b).unwrap());
            assert_eq!(a.strong_eq(&b), strong, "{a} {b}");
            assert_eq!(a.weak_eq(&b), weak, "{a} {b}");
        }
    }

    #[test]
    fn none_match_table() {
        let current = ETag { weak: false, tag: "v1".into() };
        let cases = [
            ("\"v1\"", true),
            ("W/\"v1\"", true),
            ("\"v0\", \"v1\"", true),
            ("\"a,b\", W/\"v1\"", true),
            ("*", true),
            ("\"v2\"", false),
            ("v1", false),
            ("", false),
        ];
        for (value, want) in cases {
            assert_eq!(none_match(value, &current), want, "{value:?}");
        }
    }

    #[test]
    fn file_tags_change_with_size_and_time() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(100);
        let a = ETag::for_file(10, t);
        assert_eq!(a.to_string(), "\"a-64.0\"");
        assert_ne!(a, ETag::for_file(11, t));
        // A microsecond: Windows keeps file times in 100 ns steps.
        assert_ne!(a, ETag::for_file(10, t + std::time::Duration::from_micros(1)));
    }
}
