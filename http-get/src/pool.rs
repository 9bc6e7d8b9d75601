//! Connections kept open between the requests of one run (keep-alive): a
//! response whose body ended at its framing, from an HTTP/1.1 server that
//! did not say `Connection: close`, leaves its connection here, and the
//! next request to the same scheme, host and port takes it instead of
//! connecting again. Shared by `-Z`'s transfers; closed when the run ends.

use std::sync::Mutex;

use url::Url;

use crate::net::Timed;
use crate::proxy::Chosen;

/// Most idle connections kept; past it the oldest is closed.
const MAX_IDLE: usize = 16;

/// Where a connection leads: the origin (scheme, host, port), the proxy
/// it goes to, or a tunnel to the origin through a proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// The key of the connection a request to `url` through `proxy` needs.
    pub fn new(url: &Url, proxy: Option<&Chosen>) -> Key {
        let origin = format!(
            "{}://{}:{}",
            url.scheme(),
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        );
        Key(match proxy {
            // An HTTP proxy takes absolute-form requests for any host.
            Some(p) if p.absolute_form(url) => format!("proxy {}", p.shown()),
            Some(p) => format!("{origin} through {}", p.shown()),
            None => origin,
        })
    }

    /// The key of a direct connection to `url`'s origin.
    pub fn of(url: &Url) -> Key {
        Key::new(url, None)
    }
}

/// Idle connections, oldest first.
#[derive(Debug, Default)]
pub struct Pool {
    /// The connections and where each leads.
    idle: Mutex<Vec<(Key, Timed)>>,
}

impl Pool {
    /// An empty pool.
    pub fn new() -> Pool {
        Pool::default()
    }

    /// An idle connection to `key`, the most recent one, if any.
    pub fn take(&self, key: &Key) -> Option<Timed> {
        let mut idle = self.idle.lock().ok()?;
        let at = idle.iter().rposition(|(k, _)| k == key)?;
        Some(idle.remove(at).1)
    }

    /// Keeps `conn` (to `key`) for a later request.
    pub fn put(&self, key: Key, conn: Timed) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() >= MAX_IDLE {
                idle.remove(0);
            }
            idle.push((key, conn));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    use crate::net::{Clock, Stream};

    #[test]
    fn take_matches_scheme_host_and_port() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let conn = || {
            let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            Timed::new(Stream::Plain(tcp), Clock { deadline: None, idle: Duration::from_secs(1) })
        };
        let pool = Pool::new();
        let url = |s: &str| Url::parse(s).unwrap();
        pool.put(Key::of(&url("http://h:8080/a")), conn());
        let cases = [
            ("https://h:8080/", false),
            ("http://h/", false),
            ("http://g:8080/", false),
            ("http://h:8080/b?c", true),
            ("http://h:8080/", false),
        ];
        for (u, want) in cases {
            assert_eq!(pool.take(&Key::of(&url(u))).is_some(), want, "{u}");
        }
        for _ in 0..MAX_IDLE + 3 {
            pool.put(Key::of(&url("http://h/")), conn());
        }
        assert_eq!(pool.idle.lock().unwrap().len(), MAX_IDLE);
    }
}
