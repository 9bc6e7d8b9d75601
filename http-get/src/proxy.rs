//! Which proxy a request goes through, by curl's rules: `-x URL` when
//! given (`-x ""` for none), else the environment: `http_proxy` for http
//! URLs (lower case only: `HTTP_PROXY` is ignored, as curl ignores it,
//! because a CGI program gets a request's `Proxy:` header under that
//! name), `https_proxy` or `HTTPS_PROXY` for https, `all_proxy` or
//! `ALL_PROXY` for either; an empty value means none. Hosts `no_proxy`
//! (or `NO_PROXY`) lists are reached directly, with `-x` too, unless
//! `--noproxy LIST` replaces the list. Proxy URLs are read by
//! `shared::net::proxy` (no scheme is http, no port 1080, credentials
//! percent-decoded).

use shared::net::proxy::{Protocol, Proxy};
use url::Url;

use crate::error::{Error, Kind};
use crate::noproxy::NoProxy;

/// A proxy chosen for a request, and where it was named (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The proxy.
    pub proxy: Proxy,
    /// Where it came from: `-x`, `http_proxy`, `HTTPS_PROXY`...
    pub source: String,
}

impl Chosen {
    /// `scheme://host:port` without credentials, as messages name it.
    pub fn shown(&self) -> String {
        let host =
            if self.proxy.host.contains(':') { format!("[{}]", self.proxy.host) } else { self.proxy.host.clone() };
        format!("{}://{host}:{}", self.proxy.protocol.scheme(), self.proxy.port)
    }

    /// True when requests go to the proxy itself in absolute form (an
    /// HTTP proxy and a plain-http URL); otherwise the proxy makes a
    /// tunnel (CONNECT or SOCKS) to the origin.
    pub fn absolute_form(&self, url: &Url) -> bool {
        self.proxy.protocol == Protocol::Http && url.scheme() == "http"
    }

    /// `Proxy-Authorization` for an absolute-form request, from the proxy
    /// URL's credentials (never sent to an origin).
    pub fn authorization(&self) -> Option<String> {
        self.proxy.credentials.as_ref().map(|(user, password)| crate::target::basic(user, password))
    }
}

/// A proxy named somewhere: parsed, or why it could not be.
type Named = (Result<Proxy, String>, String);

/// The proxies of a run.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    /// `-x`: for every URL (`None` inside: `-x ""`, no proxy).
    explicit: Option<Option<Named>>,
    /// For http URLs.
    http: Option<Named>,
    /// For https URLs.
    https: Option<Named>,
    /// For either, when the scheme's own is not set.
    all: Option<Named>,
    /// Hosts reached directly.
    no_proxy: NoProxy,
}

impl Proxies {
    /// The proxies `-x` and `--noproxy` (when given) and the environment
    /// (`env` looks a variable up) say.
    pub fn new(cli_proxy: Option<&str>, cli_noproxy: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Proxies {
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty()).map(|v| (v, name.to_string()));
        let named = |(value, source): (String, String)| (Proxy::parse(value.trim()).map_err(|e| e.to_string()), source);
        let explicit = cli_proxy.map(|p| (!p.trim().is_empty()).then(|| named((p.to_string(), "-x".to_string()))));
        let no_proxy = match cli_noproxy {
            Some(list) => NoProxy::parse(list),
            None => set("no_proxy").or_else(|| set("NO_PROXY")).map(|(v, _)| NoProxy::parse(&v)).unwrap_or_default(),
        };
        Proxies {
            explicit,
            http: set("http_proxy").map(named),
            https: set("https_proxy").or_else(|| set("HTTPS_PROXY")).map(named),
            all: set("all_proxy").or_else(|| set("ALL_PROXY")).map(named),
            no_proxy,
        }
    }

    /// The proxies of this process's environment and command line.
    pub fn from_env(cli_proxy: Option<&str>, cli_noproxy: Option<&str>) -> Proxies {
        Proxies::new(cli_proxy, cli_noproxy, |name| std::env::var(name).ok())
    }

    /// The proxy for a request to `url`, if any; a proxy URL that does not
    /// parse is a usage error naming where it came from.
    pub fn for_url(&self, url: &Url) -> Result<Option<Chosen>, Error> {
        let host = url.host_str().unwrap_or_default();
        if self.no_proxy.matches(host, url.port_or_known_default().unwrap_or(0)) {
            return Ok(None);
        }
        let named = match &self.explicit {
            Some(explicit) => explicit.as_ref(),
            None if url.scheme() == "https" => self.https.as_ref().or(self.all.as_ref()),
            None => self.http.as_ref().or(self.all.as_ref()),
        };
        match named {
            None => Ok(None),
            Some((Ok(proxy), source)) => Ok(Some(Chosen { proxy: proxy.clone(), source: source.clone() })),
            Some((Err(why), source)) => Err(Error::new(Kind::Usage, format!("proxy from {source}: {why}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    /// Which proxy (as shown, and its source) a URL gets.
    #[test]
    fn choice_table() {
        type Case = (
            &'static [(&'static str, &'static str)],
            Option<&'static str>,
            Option<&'static str>,
            &'static str,
            Option<(&'static str, &'static str)>,
        );
        let cases: &[Case] = &[
            (&[("http_proxy", "p:3128")], None, None, "http://h/", Some(("http://p:3128", "http_proxy"))),
            (&[("HTTP_PROXY", "p:3128")], None, None, "http://h/", None),
            (&[("http_proxy", "p:3128")], None, None, "https://h/", None),
            (&[("HTTPS_PROXY", "socks5h://s")], None, None, "https://h/", Some(("socks5h://s:1080", "HTTPS_PROXY"))),
            (
                &[("https_proxy", "a:1"), ("HTTPS_PROXY", "b:2")],
                None,
                None,
                "https://h/",
                Some(("http://a:1", "https_proxy")),
            ),
            (&[("ALL_PROXY", "socks4a://s:9")], None, None, "http://h/", Some(("socks4a://s:9", "ALL_PROXY"))),
            (
                &[("all_proxy", "x:1"), ("http_proxy", "y:2")],
                None,
                None,
                "http://h/",
                Some(("http://y:2", "http_proxy")),
            ),
            (&[("http_proxy", "")], None, None, "http://h/", None),
            (&[("http_proxy", "p:1"), ("no_proxy", "h")], None, None, "http://h/", None),
            (&[("http_proxy", "p:1"), ("NO_PROXY", ".h")], None, None, "http://a.h/", None),
            (
                &[("http_proxy", "p:1"), ("no_proxy", "other")],
                None,
                None,
                "http://h/",
                Some(("http://p:1", "http_proxy")),
            ),
            (&[("http_proxy", "p:1")], Some("x:2"), None, "http://h/", Some(("http://x:2", "-x"))),
            (&[("http_proxy", "p:1")], Some(""), None, "http://h/", None),
            (&[("no_proxy", "h")], Some("x:2"), None, "http://h/", None),
            (&[("no_proxy", "h")], Some("x:2"), Some(""), "http://h/", Some(("http://x:2", "-x"))),
            (&[("http_proxy", "p:1")], None, Some("*"), "http://h/", None),
            (&[("http_proxy", "p:1")], None, Some("127.0.0.0/8"), "http://127.0.0.1:8080/", None),
            (&[("http_proxy", "http://u:p@[::1]:8")], None, None, "http://h/", Some(("http://[::1]:8", "http_proxy"))),
        ];
        for (vars, x, noproxy, url, want) in cases {
            let proxies = Proxies::new(*x, *noproxy, env(vars));
            let got = proxies.for_url(&Url::parse(url).unwrap()).unwrap().map(|c| (c.shown(), c.source));
            assert_eq!(
                got,
                want.map(|(s, src)| (s.to_string(), src.to_string())),
                "{vars:?} -x {x:?} --noproxy {noproxy:?} {url}"
            );
        }
        let bad = Proxies::new(None, None, env(&[("https_proxy", "ftp://p")]));
        assert!(bad.for_url(&Url::parse("http://h/").unwrap()).unwrap().is_none(), "unused: not an error");
        let e = bad.for_url(&Url::parse("https://h/").unwrap()).unwrap_err();
        assert_eq!(e.to_string(), "proxy from https_proxy: `ftp://p`: unknown proxy scheme `ftp`");
    }
}
