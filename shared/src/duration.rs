//! Durations as people type them on a command line (`500ms`, `3s`, `1m`),
//! for clap's `value_parser`: the timeouts of every tool read the same way.

use std::time::Duration;

/// A duration above zero (a timeout of zero would mean "never wait").
pub fn positive(s: &str) -> Result<Duration, String> {
    let d = zero_or_more(s)?;
    if d.is_zero() {
        return Err("must be more than zero".to_string());
    }
    Ok(d)
}

/// A duration that may be zero; a bare `0` is accepted as zero.
pub fn zero_or_more(s: &str) -> Result<Duration, String> {
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_table() {
        let cases: &[(&str, Option<Duration>, Option<Duration>)] = &[
            ("500ms", Some(Duration::from_millis(500)), Some(Duration::from_millis(500))),
            ("3s", Some(Duration::from_secs(3)), Some(Duration::from_secs(3))),
            ("1m 30s", Some(Duration::from_secs(90)), Some(Duration::from_secs(90))),
            ("0", None, Some(Duration::ZERO)),
            ("0s", None, Some(Duration::ZERO)),
            ("soon", None, None),
            ("", None, None),
        ];
        for (input, pos, any) in cases {
            assert_eq!(positive(input).ok(), *pos, "{input:?}");
            assert_eq!(zero_or_more(input).ok(), *any, "{input:?}");
        }
    }
}
