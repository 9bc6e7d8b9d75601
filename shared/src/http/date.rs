//! Dates: HTTP-date formatting and parsing (RFC 9110 5.6.7, all three
//! formats accepted on input, IMF-fixdate on output) and the short UTC form
//! used in directory listings (`2026-11-24 13:52`).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A date that is not an HTTP-date.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: not an HTTP date", self.0)
    }
}

impl std::error::Error for DateError {}

/// Formats as IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn format(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// Parses any of the three HTTP-date formats.
pub fn parse(s: &str) -> Result<SystemTime, DateError> {
    httpdate::parse_http_date(s.trim()).map_err(|_| DateError(s.to_string()))
}

/// Whole seconds since the epoch (0 before it): HTTP dates have one-second
/// resolution, so comparisons with file times must drop the fraction.
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `t` with the sub-second part dropped.
pub fn truncate(t: SystemTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix_secs(t))
}

/// Formats as `YYYY-MM-DD HH:MM` in UTC.
pub fn format_minutes(t: SystemTime) -> String {
    let secs = unix_secs(t);
    let (y, m, d) = civil_from_days(secs / 86_400);
    let rem = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", rem / 3600, rem % 3600 / 60)
}

/// Appends `t` as [`format_minutes`] writes it, without the formatting
/// machinery (a listing writes one per row, twice).
pub fn push_minutes(out: &mut Vec<u8>, t: SystemTime) {
    let secs = unix_secs(t);
    let (y, m, d) = civil_from_days(secs / 86_400);
    let rem = secs % 86_400;
    crate::decimal::push_padded(out, y, 4);
    out.push(b'-');
    crate::decimal::push_padded(out, m, 2);
    out.push(b'-');
    crate::decimal::push_padded(out, d, 2);
    out.push(b' ');
    crate::decimal::push_padded(out, rem / 3600, 2);
    out.push(b':');
    crate::decimal::push_padded(out, rem % 3600 / 60, 2);
}

/// Formats as `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC), for logs and JSON.
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = unix_secs(t);
    let (y, m, d) = civil_from_days(secs / 86_400);
    let rem = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's civil_from_days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let cases: &[(&str, Option<SystemTime>)] = &[
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(t)),
            ("Sunday, 06-Nov-94 08:49:37 GMT", Some(t)),
            ("Sun Nov  6 08:49:37 1994", Some(t)),
            (" Sun, 06 Nov 1994 08:49:37 GMT ", Some(t)),
            ("yesterday", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).ok(), *want, "{input:?}");
        }
        assert_eq!(format(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn minutes_table() {
        let cases: &[(u64, &str)] = &[
            (0, "1970-01-01 00:00"),
            (784_111_777, "1994-11-06 08:49"),
            (951_782_400, "2000-02-29 00:00"),
            (1_795_528_320, "2026-11-24 13:52"),
            (253_402_300_799, "9999-12-31 23:59"),
            (253_402_300_800, "10000-01-01 00:00"),
        ];
        for (secs, want) in cases {
            assert_eq!(format_minutes(UNIX_EPOCH + Duration::from_secs(*secs)), *want);
            let mut pushed = b"x".to_vec();
            push_minutes(&mut pushed, UNIX_EPOCH + Duration::from_secs(*secs));
            assert_eq!(pushed, format!("x{want}").into_bytes());
        }
    }

    #[test]
    fn rfc3339_table() {
        let cases: &[(u64, &str)] = &[(0, "1970-01-01T00:00:00Z"), (1_795_528_359, "2026-11-24T13:52:39Z")];
        for (secs, want) in cases {
            assert_eq!(format_rfc3339(UNIX_EPOCH + Duration::from_secs(*secs)), *want);
        }
    }

    #[test]
    fn truncate_drops_fraction() {
        let t = UNIX_EPOCH + Duration::from_millis(1500);
        assert_eq!(truncate(t), UNIX_EPOCH + Duration::from_secs(1));
    }
}
