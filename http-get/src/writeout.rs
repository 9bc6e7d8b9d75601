//! `-w, --write-out FORMAT`: a line of facts about the transfer for
//! scripts, with curl's variable names.

use std::time::Duration;

/// What `-w` can report.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The final status (0 when no response arrived).
    pub http_code: u16,
    /// The last URL fetched.
    pub url_effective: String,
    /// Body bytes received.
    pub size_download: u64,
    /// The final response's Content-Type.
    pub content_type: String,
    /// From start to end.
    pub time_total: Duration,
}

/// Expands `%{name}` variables and the escapes `\n`, `\t`, `\r`, `\\`.
/// Unknown variables are left as written.
pub fn expand(format: &str, facts: &Facts) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("%{")
            && let Some(end) = after.find('}')
        {
            let name = &after[..end];
            match name {
                "http_code" | "response_code" => out.push_str(&format!("{:03}", facts.http_code)),
                "url_effective" => out.push_str(&facts.url_effective),
                "size_download" => out.push_str(&facts.size_download.to_string()),
                "content_type" => out.push_str(&facts.content_type),
                "time_total" => out.push_str(&format!("{:.6}", facts.time_total.as_secs_f64())),
                _ => out.push_str(&rest[..end + 3]),
            }
            rest = &after[end + 1..];
            continue;
        }
        if let Some(after) = rest.strip_prefix('\\')
            && let Some(e) = after.chars().next()
        {
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '\\' => out.push('\\'),
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
            rest = &after[e.len_utf8()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_table() {
        let facts = Facts {
            http_code: 200,
            url_effective: "http://h/x".into(),
            size_download: 42,
            content_type: "text/plain".into(),
            time_total: Duration::from_millis(1500),
        };
        let cases = [
            ("%{http_code}\\n", "200\n"),
            ("%{url_effective} %{size_download}", "http://h/x 42"),
            ("%{content_type}\\t%{time_total}", "text/plain\t1.500000"),
            ("%{nope} 100%", "%{nope} 100%"),
            ("a\\\\b\\q", "a\\b\\q"),
            ("%{http_code", "%{http_code"),
        ];
        for (format, want) in cases {
            assert_eq!(expand(format, &facts), want, "{format}");
        }
        assert_eq!(expand("%{http_code}", &Facts::default()), "000");
    }
}
