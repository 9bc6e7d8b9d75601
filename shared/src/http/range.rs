//! `Range: bytes=` requests (RFC 9110 section 14): parse the header into
//! range specs, then resolve them against a representation's length.
//!
//! A header this server cannot use (another unit, bad syntax) is ignored,
//! as the RFC allows, and the full representation is sent. Numbers too large
//! for 64 bits saturate: a first-pos past 2^64 is past any file
//! (unsatisfiable, 416), a last-pos past it is clamped like any end past the
//! file.

use std::ops::Range;

/// One `range-spec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeSpec {
    /// `first-last`, both inclusive.
    FromTo(u64, u64),
    /// `first-`: to the end.
    From(u64),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

/// What to send for a Range request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Ignore the Range: send the whole representation (200).
    Full,
    /// These byte ranges, sorted and non-overlapping, each non-empty (206).
    Partial(Vec<Range<u64>>),
    /// No range overlaps the representation (416).
    Unsatisfiable,
}

/// Parses a Range header value. `None` means "ignore it": not the bytes
/// unit, bad syntax, or more than `max_specs` ranges (scanning stops there,
/// so a header with a thousand ranges costs no more than one with `max_specs`).
pub fn parse(value: &[u8], max_specs: usize) -> Option<Vec<RangeSpec>> {
    let value = crate::http::headers::trim(value);
    let eq = value.iter().position(|&b| b == b'=')?;
    if !value[..eq].eq_ignore_ascii_case(b"bytes") {
        return None;
    }
    let mut specs = Vec::new();
    for part in value[eq + 1..].split(|&b| b == b',') {
        let part = crate::http::headers::trim(part);
        if part.is_empty() {
            // RFC 9110 5.6.1: empty list elements are allowed and skipped.
            continue;
        }
        if specs.len() == max_specs {
            return None;
        }
        let dash = part.iter().position(|&b| b == b'-')?;
        let (first, last) = (&part[..dash], &part[dash + 1..]);
        let spec = match (number(first), number(last)) {
            (Some(f), Some(l)) if f <= l => RangeSpec::FromTo(f, l),
            (Some(f), None) if last.is_empty() => RangeSpec::From(f),
            (None, Some(n)) if first.is_empty() => RangeSpec::Suffix(n),
            _ => return None,
        };
        specs.push(spec);
    }
    if specs.is_empty() { None } else { Some(specs) }
}

/// Decimal digits to a number, saturating at `u64::MAX`; `None` for anything
/// that is not 1*DIGIT.
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0'))))
}

/// Resolves specs against a representation of `len` bytes: ends past the
/// end are clamped, unsatisfiable specs dropped, and overlapping or adjacent
/// ranges merged.
pub fn resolve(specs: &[RangeSpec], len: u64) -> Selection {
    let mut ranges: Vec<Range<u64>> = specs
        .iter()
        .filter_map(|spec| {
            let r = match *spec {
                RangeSpec::FromTo(f, l) => f..l.saturating_add(1).min(len),
                RangeSpec::From(f) => f..len,
                RangeSpec::Suffix(n) => len.saturating_sub(n)..len,
            };
            (r.start < r.end).then_some(r)
        })
        .collect();
    if ranges.is_empty() {
        return Selection::Unsatisfiable;
    }
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    Selection::Partial(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeSpec::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<Vec<RangeSpec>>)] = &[
            ("bytes=0-499", Some(vec![FromTo(0, 499)])),
            ("BYTES=0-0", Some(vec![FromTo(0, 0)])),
            ("bytes=500-", Some(vec![From(500)])),
            ("bytes=-500", Some(vec![Suffix(500)])),
            ("bytes=0-1, 4-5,,-2", Some(vec![FromTo(0, 1), FromTo(4, 5), Suffix(2)])),
            (" bytes = 1-2", None),
            ("bytes=5-1", None),
            ("bytes=-", None),
            ("bytes=", None),
            ("bytes=a-b", None),
            ("bytes=1-2-3", None),
            ("bytes=+1-2", None),
            ("items=0-1", None),
            ("0-1", None),
            ("bytes=99999999999999999999999-", Some(vec![From(u64::MAX)])),
            ("bytes=0-99999999999999999999999", Some(vec![FromTo(0, u64::MAX)])),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input.as_bytes(), 16), *want, "{input:?}");
        }
    }

    #[test]
    fn too_many_ranges_are_ignored() {
        let many = format!("bytes={}", (0..1000).map(|i| format!("{}-{}", i * 2, i * 2)).collect::<Vec<_>>().join(","));
        assert_eq!(parse(many.as_bytes(), 16), None);
        let sixteen = format!("bytes={}", (0..16).map(|i| format!("{i}-{i}")).collect::<Vec<_>>().join(","));
        assert_eq!(parse(sixteen.as_bytes(), 16).map(|v| v.len()), Some(16));
    }

    // Each case lists the ranges it expects, often just one.
    #[allow(clippy::single_range_in_vec_init)]
    #[test]
    fn resolve_table() {
        let p = |rs: &[Range<u64>]| Selection::Partial(rs.to_vec());
        let cases: &[(&[RangeSpec], u64, Selection)] = &[
            (&[FromTo(0, 499)], 1000, p(&[0..500])),
            (&[FromTo(0, 4999)], 1000, p(&[0..1000])),
            (&[FromTo(999, 999)], 1000, p(&[999..1000])),
            (&[FromTo(1000, 1000)], 1000, Selection::Unsatisfiable),
            (&[From(500)], 1000, p(&[500..1000])),
            (&[From(u64::MAX)], 1000, Selection::Unsatisfiable),
            (&[Suffix(100)], 1000, p(&[900..1000])),
            (&[Suffix(5000)], 1000, p(&[0..1000])),
            (&[Suffix(0)], 1000, Selection::Unsatisfiable),
            (&[FromTo(0, 0)], 0, Selection::Unsatisfiable),
            (&[Suffix(1)], 0, Selection::Unsatisfiable),
            (&[FromTo(0, 1), FromTo(4, 5)], 10, p(&[0..2, 4..6])),
            (&[FromTo(4, 5), FromTo(0, 1)], 10, p(&[0..2, 4..6])),
            (&[FromTo(0, 4), FromTo(2, 6)], 10, p(&[0..7])),
            (&[FromTo(0, 1), FromTo(2, 3)], 10, p(&[0..4])),
            (&[FromTo(0, 1), FromTo(50, 60)], 10, p(&[0..2])),
            (&[FromTo(0, u64::MAX)], 10, p(&[0..10])),
            (&[FromTo(5_000_000_000, 5_000_000_009)], 6_000_000_000, p(&[5_000_000_000..5_000_000_010])),
        ];
        for (specs, len, want) in cases {
            assert_eq!(resolve(specs, *len), *want, "{specs:?} / {len}");
        }
    }

    fn spec() -> impl proptest::strategy::Strategy<Value = RangeSpec> {
        use proptest::prelude::*;
        prop_oneof![
            (any::<u64>(), any::<u64>()).prop_map(|(a, b)| FromTo(a.min(b), a.max(b))),
            (0u64..10_000, 0u64..10_000).prop_map(|(a, b)| FromTo(a.min(b), a.max(b))),
            any::<u64>().prop_map(From),
            (0u64..10_000).prop_map(From),
            any::<u64>().prop_map(Suffix),
            (0u64..10_000).prop_map(Suffix),
        ]
    }

    proptest::proptest! {
        #[test]
        fn resolved_ranges_stay_inside_the_file(
            specs in proptest::collection::vec(spec(), 1..20),
            len in proptest::prop_oneof![0u64..10_000, proptest::num::u64::ANY],
        ) {
            match resolve(&specs, len) {
                Selection::Partial(ranges) => {
                    proptest::prop_assert!(!ranges.is_empty());
                    let mut end = None;
                    for r in &ranges {
                        proptest::prop_assert!(r.start < r.end && r.end <= len, "{:?} outside 0..{}", r, len);
                        if let Some(e) = end {
                            proptest::prop_assert!(r.start > e, "overlapping or touching");
                        }
                        end = Some(r.end);
                    }
                }
                Selection::Unsatisfiable | Selection::Full => {}
            }
        }

        #[test]
        fn parsing_any_text_never_panics(text in "\\PC{0,80}") {
            let _ = parse(text.as_bytes(), 16);
        }
    }
}
