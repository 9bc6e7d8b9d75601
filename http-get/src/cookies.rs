//! Cookies, for `-b FILE` and `--cookie-jar FILE`: the cookies a run
//! knows (read from a Netscape cookie file, as curl writes it, or from
//! `Set-Cookie:` lines), those responses set (RFC 6265: Domain, Path,
//! Expires, Max-Age, Secure, HttpOnly), and the `Cookie` field each
//! request gets from them. A Domain attribute must cover the host that
//! set it and hold a dot inside (no public suffix list is kept, so
//! `Domain=com` and the like are refused that way); an address host gets
//! host-only cookies. The jar is written back in the Netscape format.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use url::Url;

/// One cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    /// Its name.
    name: String,
    /// Its value.
    value: String,
    /// The domain, lower case, without a leading dot.
    domain: String,
    /// Sent to `domain` only (no Domain attribute), not to names under it.
    host_only: bool,
    /// The path it is sent under.
    path: String,
    /// Sent over https only.
    secure: bool,
    /// Marked HttpOnly (kept in the jar as such).
    http_only: bool,
    /// When it expires, in seconds since 1970; `None` for the session.
    expires: Option<u64>,
}

/// The cookies of a run, in the order they were set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jar {
    /// The cookies.
    cookies: Vec<Cookie>,
}

/// Seconds since 1970, now.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Jar {
    /// Reads a cookie file: Netscape's format (tab-separated, `#HttpOnly_`
    /// kept), or `Set-Cookie:` lines, which must name their Domain. Lines
    /// that fit neither are skipped.
    pub fn parse(text: &str) -> Jar {
        let mut jar = Jar::default();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if let Some(header) = line.strip_prefix("Set-Cookie:").or_else(|| line.strip_prefix("set-cookie:")) {
                if let Some(cookie) = parse_set_cookie(header.trim(), None, 0) {
                    jar.insert(cookie, 0);
                }
                continue;
            }
            let (line, http_only) = match line.strip_prefix("#HttpOnly_") {
                Some(rest) => (rest, true),
                None if line.starts_with('#') || line.trim().is_empty() => continue,
                None => (line, false),
            };
            let fields: Vec<&str> = line.split('\t').collect();
            let [domain, _subdomains, path, secure, expires, name, value] = fields[..] else { continue };
            let host_only = !domain.starts_with('.');
            let Ok(expires) = expires.parse::<u64>() else { continue };
            jar.cookies.push(Cookie {
                name: name.to_string(),
                value: value.to_string(),
                domain: domain.trim_start_matches('.').to_ascii_lowercase(),
                host_only,
                path: path.to_string(),
                secure: secure.eq_ignore_ascii_case("TRUE"),
                http_only,
                expires: (expires != 0).then_some(expires),
            });
        }
        jar
    }

    /// The jar in the Netscape format, as curl writes it; session cookies
    /// with an expiry of 0, expired ones left out.
    pub fn to_text(&self, now: u64) -> String {
        let mut out = String::from("# Netscape HTTP Cookie File\n# Written by http-get.\n\n");
        for c in self.cookies.iter().filter(|c| c.expires.is_none_or(|e| e > now)) {
            let domain = if c.host_only { c.domain.clone() } else { format!(".{}", c.domain) };
            out.push_str(&format!(
                "{}{domain}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                if c.http_only { "#HttpOnly_" } else { "" },
                if c.host_only { "FALSE" } else { "TRUE" },
                c.path,
                if c.secure { "TRUE" } else { "FALSE" },
                c.expires.unwrap_or(0),
                c.name,
                c.value
            ));
        }
        out
    }

    /// Writes the jar to `path` (replacing it in one step).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut temp = path.as_os_str().to_owned();
        temp.push(".part");
        std::fs::write(&temp, self.to_text(now()))?;
        std::fs::rename(&temp, path)
    }

    /// Takes a `Set-Cookie` value a response from `url` sent.
    pub fn set(&mut self, url: &Url, value: &[u8], now: u64) {
        if let Some(cookie) = parse_set_cookie(&String::from_utf8_lossy(value), Some(url), now) {
            self.insert(cookie, now);
        }
    }

    /// Adds `cookie`, replacing one of the same name, domain and path; an
    /// expired one only removes.
    fn insert(&mut self, cookie: Cookie, now: u64) {
        self.cookies.retain(|c| !(c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path));
        if cookie.expires.is_none_or(|e| e > now) {
            self.cookies.push(cookie);
        }
    }

    /// The `Cookie` field for a request to `url`: its cookies, longer
    /// paths first.
    pub fn header(&self, url: &Url, now: u64) -> Option<String> {
        let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let path = url.path();
        let mut fitting: Vec<&Cookie> = self
            .cookies
            .iter()
            .filter(|c| c.expires.is_none_or(|e| e > now))
            .filter(|c| !c.secure || url.scheme() == "https")
            .filter(|c| if c.host_only { host == c.domain } else { domain_match(&host, &c.domain) })
            .filter(|c| path_match(path, &c.path))
            .collect();
        if fitting.is_empty() {
            return None;
        }
        // Stable: cookies of one path length keep the order they were set.
        fitting.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        Some(fitting.iter().map(|c| format!("{}={}", c.name, c.value)).collect::<Vec<_>>().join("; "))
    }
}

/// A `Set-Cookie` value as a cookie, as `url` set it at `now` (`None`: read
/// from a file, where a Domain is needed).
fn parse_set_cookie(value: &str, url: Option<&Url>, now: u64) -> Option<Cookie> {
    let mut parts = value.split(';');
    let (name, val) = parts.next()?.split_once('=')?;
    let (name, val) = (name.trim(), val.trim());
    if name.is_empty() {
        return None;
    }
    let host =
        url.and_then(Url::host_str).map(|h| h.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase());
    let mut cookie = Cookie {
        name: name.to_string(),
        value: val.to_string(),
        domain: host.clone().unwrap_or_default(),
        host_only: true,
        path: default_path(url.map_or("/", Url::path)),
        secure: false,
        http_only: false,
        expires: None,
    };
    let mut max_age = None;
    for attribute in parts {
        let (key, v) = attribute.split_once('=').unwrap_or((attribute, ""));
        let (key, v) = (key.trim().to_ascii_lowercase(), v.trim());
        match key.as_str() {
            "domain" if !v.is_empty() => {
                let domain = v.trim_start_matches('.').to_ascii_lowercase();
                // It must cover the host that set it, and be more than a
                // top-level name (no public suffix list here).
                let covers = host.as_ref().is_none_or(|h| *h == domain || domain_match(h, &domain));
                let is_ip = host.as_ref().is_some_and(|h| h.parse::<std::net::IpAddr>().is_ok());
                if !covers
                    || (!domain.contains('.') && host.as_ref() != Some(&domain))
                    || (is_ip && host.as_ref() != Some(&domain))
                {
                    return None;
                }
                cookie.host_only = host.as_ref() == Some(&domain) && is_ip;
                cookie.domain = domain;
            }
            "path" if v.starts_with('/') => cookie.path = v.to_string(),
            "expires" => {
                if let Ok(at) = shared::http::date::parse(v) {
                    cookie.expires = Some(at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()));
                }
            }
            "max-age" => max_age = v.parse::<i64>().ok(),
            "secure" => cookie.secure = true,
            "httponly" => cookie.http_only = true,
            _ => {}
        }
    }
    if let Some(age) = max_age {
        // Max-Age wins over Expires; zero or less is "expired now".
        cookie.expires = Some(if age <= 0 { 0 } else { now.saturating_add(age.unsigned_abs()) });
    }
    (!cookie.domain.is_empty()).then_some(cookie)
}

/// The default path: the request path up to its last `/` (RFC 6265 5.1.4).
fn default_path(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path[..i].to_string(),
    }
}

/// `host` is `domain` or a name under it, and not an address.
fn domain_match(host: &str, domain: &str) -> bool {
    host == domain
        || (host.parse::<std::net::IpAddr>().is_err()
            && host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.')))
}

/// `path` is `cookie_path` or below it.
fn path_match(path: &str, cookie_path: &str) -> bool {
    path == cookie_path
        || (path.starts_with(cookie_path) && (cookie_path.ends_with('/') || path[cookie_path.len()..].starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// Set by one URL, sent (or not) to another.
    #[test]
    fn set_then_send_table() {
        const NOW: u64 = 1_700_000_000;
        let cases: &[(&str, &str, &str, Option<&str>)] = &[
            ("http://a.example/x", "k=v", "http://a.example/y", Some("k=v")),
            ("http://a.example/x", "k=v", "http://b.a.example/", None),
            ("http://a.example/x", "k=v; Domain=a.example", "http://b.a.example/", Some("k=v")),
            ("http://a.example/x", "k=v; Domain=.A.EXAMPLE", "http://B.a.example/", Some("k=v")),
            ("http://a.example/x", "k=v; Domain=example", "http://a.example/", None),
            ("http://a.example/x", "k=v; Domain=other.example", "http://a.example/", None),
            ("http://a.example/x", "k=v; Domain=com", "http://a.example/", None),
            ("http://a.example/docs/page", "k=v", "http://a.example/docs/other", Some("k=v")),
            ("http://a.example/docs/page", "k=v", "http://a.example/", None),
            ("http://a.example/", "k=v; Path=/api", "http://a.example/api/1", Some("k=v")),
            ("http://a.example/", "k=v; Path=/api", "http://a.example/apix", None),
            ("http://a.example/", "k=v; Secure", "http://a.example/", None),
            ("http://a.example/", "k=v; Secure", "https://a.example/", Some("k=v")),
            ("http://a.example/", "k=v; Max-Age=0", "http://a.example/", None),
            ("http://a.example/", "k=v; Max-Age=60", "http://a.example/", Some("k=v")),
            ("http://a.example/", "k=v; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "http://a.example/", None),
            ("http://a.example/", "k=v; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "http://a.example/", Some("k=v")),
            ("http://127.0.0.1:8080/", "k=v", "http://127.0.0.1:9090/", Some("k=v")),
            ("http://127.0.0.1/", "k=v; Domain=0.0.1", "http://127.0.0.1/", None),
            ("http://a.example/", "=novalue", "http://a.example/", None),
            ("http://a.example/", "k = spaced ; HttpOnly", "http://a.example/", Some("k=spaced")),
        ];
        for (from, set, to, want) in cases {
            let mut jar = Jar::default();
            jar.set(&url(from), set.as_bytes(), NOW);
            assert_eq!(jar.header(&url(to), NOW).as_deref(), *want, "{set} from {from} to {to}");
        }
    }

    #[test]
    fn replace_expire_order_and_file_round_trip() {
        const NOW: u64 = 1_700_000_000;
        let mut jar = Jar::default();
        let u = url("https://shop.example/cart/view");
        jar.set(&u, b"a=1; Path=/", NOW);
        jar.set(&u, b"b=2", NOW);
        jar.set(&u, b"c=3; Domain=shop.example; Secure; HttpOnly; Max-Age=3600", NOW);
        jar.set(&u, b"a=one; Path=/", NOW);
        assert_eq!(jar.header(&u, NOW).as_deref(), Some("b=2; c=3; a=one"));
        jar.set(&u, b"b=gone; Max-Age=0", NOW);
        assert_eq!(jar.header(&u, NOW).as_deref(), Some("c=3; a=one"));
        let text = jar.to_text(NOW);
        assert_eq!(
            text,
            "# Netscape HTTP Cookie File\n# Written by http-get.\n\n\
             #HttpOnly_.shop.example\tTRUE\t/cart\tTRUE\t1700003600\tc\t3\n\
             shop.example\tFALSE\t/\tFALSE\t0\ta\tone\n"
        );
        assert_eq!(Jar::parse(&text), jar);
        // curl's own file, and Set-Cookie lines.
        let read = Jar::parse(
            "# Netscape HTTP Cookie File\n\n.example.org\tTRUE\t/\tFALSE\t0\tsid\tabc\n\
             Set-Cookie: lang=en; Domain=example.org\nnot a cookie line\n",
        );
        assert_eq!(read.header(&url("http://www.example.org/"), NOW).as_deref(), Some("sid=abc; lang=en"));
    }
}
