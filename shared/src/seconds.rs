//! Timeouts as the classic network tools take them: a bare number is
//! seconds (`nc -w 3`, `ncat -i 2.5`), anything else a duration with its
//! unit (`500ms`, `1m`), read by [`crate::duration`].

use std::time::Duration;

/// A duration above zero; a bare number is seconds.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(shared::seconds::positive("3"), Ok(Duration::from_secs(3)));
/// assert_eq!(shared::seconds::positive("250ms"), Ok(Duration::from_millis(250)));
/// assert!(shared::seconds::positive("0").is_err());
/// ```
pub fn positive(s: &str) -> Result<Duration, String> {
    let d = zero_or_more(s)?;
    if d.is_zero() {
        return Err("must be more than zero".to_string());
    }
    Ok(d)
}

/// A duration that may be zero; a bare number is seconds.
pub fn zero_or_more(s: &str) -> Result<Duration, String> {
    match bare_seconds(s) {
        Some(secs) => Duration::try_from_secs_f64(secs).map_err(|_| format!("`{s}`: too long")),
        None => crate::duration::zero_or_more(s),
    }
}

/// `3`, `2.5`, `.5`: digits with at most one decimal point, nothing else
/// (no sign, no exponent, no spaces).
fn bare_seconds(s: &str) -> Option<f64> {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let points = s.bytes().filter(|&b| b == b'.').count();
    if digits == 0 || points > 1 || digits + points != s.len() {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_table() {
        let ms = Duration::from_millis;
        let cases: &[(&str, Option<Duration>, Option<Duration>)] = &[
            ("3", Some(ms(3000)), Some(ms(3000))),
            ("2.5", Some(ms(2500)), Some(ms(2500))),
            (".5", Some(ms(500)), Some(ms(500))),
            ("0", None, Some(Duration::ZERO)),
            ("0.0", None, Some(Duration::ZERO)),
            ("500ms", Some(ms(500)), Some(ms(500))),
            ("1m", Some(ms(60_000)), Some(ms(60_000))),
            ("-1", None, None),
            ("1e3", None, None),
            ("1.2.3", None, None),
            (".", None, None),
            ("", None, None),
            (" 3", None, None),
            ("99999999999999999999999", None, None),
        ];
        for (input, pos, any) in cases {
            assert_eq!(positive(input).ok(), *pos, "{input:?}");
            assert_eq!(zero_or_more(input).ok(), *any, "{input:?}");
        }
    }
}
