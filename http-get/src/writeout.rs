//! `-w, --write-out FORMAT`: a line of facts about a transfer for
//! scripts, with curl's variable names, and `%{json}` for all of them at
//! once. Times are seconds since the URL's transfer began, for the last
//! request made (0 for steps a kept-alive connection skipped).

use std::net::SocketAddr;
use std::time::Duration;

/// What `-w` can report.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The final status (0 when no response arrived).
    pub http_code: u16,
    /// The URL given.
    pub url: String,
    /// The last URL fetched.
    pub url_effective: String,
    /// The last request's method.
    pub method: String,
    /// The final response's version (`1.1`, `1.0`).
    pub http_version: String,
    /// Body bytes written (after decoding with `--compressed`).
    pub size_download: u64,
    /// Bytes of every response head received, as received.
    pub size_header: u64,
    /// The final response's Content-Type.
    pub content_type: String,
    /// Redirects followed.
    pub num_redirects: u32,
    /// Where the last connection led (a proxy's address when through one).
    pub remote: Option<SocketAddr>,
    /// Until the name was resolved.
    pub time_namelookup: Duration,
    /// Until the TCP connection (to the host or the proxy) was made.
    pub time_connect: Duration,
    /// Until the TLS handshake was done (0 for http).
    pub time_appconnect: Duration,
    /// Until the response head arrived.
    pub time_starttransfer: Duration,
    /// From start to end.
    pub time_total: Duration,
    /// The file the body went to, if any.
    pub filename_effective: Option<String>,
    /// The exit code (0 on success).
    pub exitcode: u8,
    /// The error line, when the transfer failed.
    pub errormsg: Option<String>,
}

impl Facts {
    /// Bytes a second over the whole transfer.
    fn speed_download(&self) -> u64 {
        let secs = self.time_total.as_secs_f64();
        if secs > 0.0 { (self.size_download as f64 / secs) as u64 } else { 0 }
    }

    /// The final URL's scheme, upper case as curl writes it (`HTTPS`).
    fn scheme(&self) -> String {
        self.url_effective.split_once(':').map(|(s, _)| s.to_ascii_uppercase()).unwrap_or_default()
    }

    /// A variable's value as text, or `None` for a name not known.
    fn value(&self, name: &str) -> Option<String> {
        let secs = |d: Duration| format!("{:.6}", d.as_secs_f64());
        Some(match name {
            "http_code" | "response_code" => format!("{:03}", self.http_code),
            "url" => self.url.clone(),
            "url_effective" => self.url_effective.clone(),
            "method" => self.method.clone(),
            "http_version" => self.http_version.clone(),
            "scheme" => self.scheme(),
            "size_download" => self.size_download.to_string(),
            "size_header" => self.size_header.to_string(),
            "speed_download" => self.speed_download().to_string(),
            "content_type" => self.content_type.clone(),
            "num_redirects" => self.num_redirects.to_string(),
            "remote_ip" => self.remote.map(|a| a.ip().to_string()).unwrap_or_default(),
            "remote_port" => self.remote.map(|a| a.port().to_string()).unwrap_or_default(),
            "time_namelookup" => secs(self.time_namelookup),
            "time_connect" => secs(self.time_connect),
            "time_appconnect" => secs(self.time_appconnect),
            "time_starttransfer" => secs(self.time_starttransfer),
            "time_total" => secs(self.time_total),
            "filename_effective" => self.filename_effective.clone().unwrap_or_default(),
            "exitcode" => self.exitcode.to_string(),
            "errormsg" => self.errormsg.clone().unwrap_or_default(),
            "json" => self.json(),
            _ => return None,
        })
    }

    /// Every variable as one JSON object, keys in alphabetical order as
    /// curl writes them; absent texts are `null`.
    fn json(&self) -> String {
        let text = |s: &str| json_string(s);
        let optional = |s: &Option<String>| s.as_deref().map_or_else(|| "null".to_string(), json_string);
        let secs = |d: Duration| format!("{:.6}", d.as_secs_f64());
        let fields: Vec<(&str, String)> = vec![
            ("content_type", text(&self.content_type)),
            ("errormsg", optional(&self.errormsg)),
            ("exitcode", self.exitcode.to_string()),
            ("filename_effective", optional(&self.filename_effective)),
            ("http_code", self.http_code.to_string()),
            ("http_version", text(&self.http_version)),
            ("method", text(&self.method)),
            ("num_redirects", self.num_redirects.to_string()),
            ("remote_ip", text(&self.remote.map(|a| a.ip().to_string()).unwrap_or_default())),
            ("remote_port", self.remote.map_or_else(|| "0".to_string(), |a| a.port().to_string())),
            ("response_code", self.http_code.to_string()),
            ("scheme", text(&self.scheme())),
            ("size_download", self.size_download.to_string()),
            ("size_header", self.size_header.to_string()),
            ("speed_download", self.speed_download().to_string()),
            ("time_appconnect", secs(self.time_appconnect)),
            ("time_connect", secs(self.time_connect)),
            ("time_namelookup", secs(self.time_namelookup)),
            ("time_starttransfer", secs(self.time_starttransfer)),
            ("time_total", secs(self.time_total)),
            ("url", text(&self.url)),
            ("url_effective", text(&self.url_effective)),
        ];
        let body: Vec<String> = fields.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", body.join(","))
    }
}

/// A JSON string: quoted, with `"`, `\` and control characters escaped.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
            match facts.value(&after[..end]) {
                Some(value) => out.push_str(&value),
                None => out.push_str(&rest[..end + 3]),
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

    fn facts() -> Facts {
        Facts {
            http_code: 200,
            url: "http://h/start".into(),
            url_effective: "http://h/x".into(),
            method: "GET".into(),
            http_version: "1.1".into(),
            size_download: 42,
            size_header: 77,
            content_type: "text/plain".into(),
            num_redirects: 2,
            remote: Some("127.0.0.1:8080".parse().unwrap()),
            time_namelookup: Duration::from_millis(1),
            time_connect: Duration::from_millis(2),
            time_appconnect: Duration::ZERO,
            time_starttransfer: Duration::from_millis(250),
            time_total: Duration::from_millis(1500),
            filename_effective: Some("out \"1\".txt".into()),
            exitcode: 0,
            errormsg: None,
        }
    }

    #[test]
    fn expand_table() {
        let facts = facts();
        let cases = [
            ("%{http_code}\\n", "200\n"),
            ("%{url_effective} %{size_download}", "http://h/x 42"),
            ("%{content_type}\\t%{time_total}", "text/plain\t1.500000"),
            ("%{nope} 100%", "%{nope} 100%"),
            ("a\\\\b\\q", "a\\b\\q"),
            ("%{http_code", "%{http_code"),
            ("%{num_redirects} %{exitcode} [%{errormsg}]", "2 0 []"),
            (
                "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer}",
                "0.001000 0.002000 0.000000 0.250000",
            ),
            ("%{remote_ip}:%{remote_port} %{scheme} %{method} %{http_version}", "127.0.0.1:8080 HTTP GET 1.1"),
            ("%{filename_effective} %{speed_download} %{size_header} %{url}", "out \"1\".txt 28 77 http://h/start"),
        ];
        for (format, want) in cases {
            assert_eq!(expand(format, &facts), want, "{format}");
        }
        assert_eq!(expand("%{http_code}", &Facts::default()), "000");
    }

    #[test]
    fn json_has_every_variable() {
        let mut facts = facts();
        facts.errormsg = Some("http://h/x: HTTP 404 \"gone\"\n".into());
        facts.exitcode = 22;
        let json = expand("%{json}", &facts);
        let want = "{\"content_type\":\"text/plain\",\"errormsg\":\"http://h/x: HTTP 404 \\\"gone\\\"\\n\",\"exitcode\":22,\
                    \"filename_effective\":\"out \\\"1\\\".txt\",\"http_code\":200,\"http_version\":\"1.1\",\"method\":\"GET\",\
                    \"num_redirects\":2,\"remote_ip\":\"127.0.0.1\",\"remote_port\":8080,\"response_code\":200,\"scheme\":\"HTTP\",\
                    \"size_download\":42,\"size_header\":77,\"speed_download\":28,\"time_appconnect\":0.000000,\
                    \"time_connect\":0.002000,\"time_namelookup\":0.001000,\"time_starttransfer\":0.250000,\
                    \"time_total\":1.500000,\"url\":\"http://h/start\",\"url_effective\":\"http://h/x\"}";
        assert_eq!(json, want);
        let empty = expand("%{json}", &Facts::default());
        assert!(empty.contains("\"errormsg\":null") && empty.contains("\"filename_effective\":null"), "{empty}");
        assert_eq!(json_string("a\u{1}b"), "\"a\\u0001b\"");
    }
}
