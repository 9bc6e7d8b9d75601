//! What the server says when it starts: where it serves from, every URL
//! it can be reached at (see [`crate::addresses`]) and any warning about
//! the set-up (a password that would cross the network in clear), in one
//! write so a reader never sees half of it, then, when asked and stdout is
//! a terminal, a QR code of the first network URL.
//!
//! ```text
//! Serving /home/me/public at http://[::1]:8000/
//!   also at http://127.0.0.1:8000/
//!   also at http://192.168.1.20:8000/ (wlan0)
//!   also at http://laptop:8000/ (host name)
//! ```

use std::io::{self, IsTerminal, Write};
use std::net::TcpListener;
use std::path::Path;

use crate::addresses::{self, Place};

/// The URLs a listener answers at, worked out from its address, the
/// machine's interfaces and its host name.
pub fn places_of(listener: &TcpListener, scheme: &str) -> io::Result<Vec<Place>> {
    let local = listener.local_addr()?;
    if !local.ip().is_unspecified() {
        return Ok(addresses::places(scheme, local, false, &[], None));
    }
    // An IPv6 wildcard takes IPv4 too unless the system made it IPv6-only.
    let dual = local.is_ipv6() && !socket2::SockRef::from(listener).only_v6().unwrap_or(true);
    // Without the interface list only loopback is printed: never a guess.
    let interfaces = shared::sys::interfaces::interfaces().unwrap_or_default();
    let name = shared::sys::hostname::hostname().ok();
    let resolved = name.as_deref().map(|n| addresses::resolve(n, addresses::RESOLVE_LIMIT)).unwrap_or_default();
    let host = name.as_deref().map(|n| (n, resolved.as_slice()));
    Ok(addresses::places(scheme, local, dual, &interfaces, host))
}

/// What the server exposes, for the warnings at start-up.
#[derive(Debug, Clone, Copy, Default)]
pub struct Exposure {
    /// Listening beyond loopback (every interface, or a network address),
    /// whether or not an interface is up now.
    pub network: bool,
    /// `--auth` is given.
    pub auth: bool,
    /// Served over TLS.
    pub tls: bool,
    /// `--upload` is given.
    pub upload: bool,
}

/// Warnings about the set-up, one line each: a password that would cross
/// the network in clear, uploads open to anyone on the network.
pub fn warnings(exposure: &Exposure) -> Vec<String> {
    let mut out = Vec::new();
    if exposure.auth && exposure.network && !exposure.tls {
        out.push("warning: --auth over plain HTTP: passwords cross the network in clear (add --tls)".to_string());
    }
    if exposure.upload && exposure.network && !exposure.auth {
        out.push("warning: --upload without --auth: anyone who can reach this server can add files".to_string());
    }
    out
}

/// The start-up lines: `Serving ROOT at URL`, then `  also at URL (note)`
/// for each other place.
pub fn lines(root: &Path, places: &[Place]) -> String {
    let mut text = String::new();
    for (i, p) in places.iter().enumerate() {
        if i == 0 {
            text.push_str(&format!("Serving {} at {}", shared::io_text::path(root), p.url));
        } else {
            text.push_str(&format!("  also at {}", p.url));
        }
        if let Some(note) = &p.note {
            text.push_str(&format!(" ({note})"));
        }
        text.push('\n');
    }
    text
}

/// Prints the start-up lines on stdout (the places, then `notes`: the
/// certificate, warnings), and the QR code when `qr` asks
/// and stdout is a terminal (a note on stderr says why when it is not
/// drawn).
pub fn announce(root: &Path, places: &[Place], notes: &[String], qr: bool) -> io::Result<()> {
    let mut text = lines(root, places);
    for w in notes {
        text.push_str("  ");
        text.push_str(w);
        text.push('\n');
    }
    if qr {
        let first_lan = places.iter().find(|p| p.lan);
        match first_lan {
            _ if !io::stdout().is_terminal() => {
                crate::log::write("http-serve: --qr: stdout is not a terminal, so no QR code is drawn");
            }
            None => crate::log::write("http-serve: --qr: no network address to show; share with --lan"),
            Some(p) => match crate::qr::render(&p.url) {
                Some(code) => {
                    text.push_str(&code);
                    text.push_str(&format!("  (scan for {})\n", p.url));
                }
                None => crate::log::write("http-serve: --qr: the address is too long for a QR code"),
            },
        }
    }
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_each_place_once() {
        let places = vec![
            Place { url: "http://127.0.0.1:1/".into(), note: None, lan: false },
            Place { url: "http://192.0.2.2:1/".into(), note: Some("eth0".into()), lan: true },
        ];
        assert_eq!(
            lines(Path::new("/srv/site"), &places),
            "Serving /srv/site at http://127.0.0.1:1/\n  also at http://192.0.2.2:1/ (eth0)\n"
        );
    }

    #[test]
    fn warnings_table() {
        let clear = "warning: --auth over plain HTTP: passwords cross the network in clear (add --tls)";
        let open = "warning: --upload without --auth: anyone who can reach this server can add files";
        let e = |network, auth, tls, upload| Exposure { network, auth, tls, upload };
        let cases: &[(Exposure, &[&str])] = &[
            (e(false, true, false, false), &[]),
            (e(true, false, false, false), &[]),
            (e(true, true, false, false), &[clear]),
            (e(true, true, true, false), &[]),
            (e(true, false, true, true), &[open]),
            (e(false, false, false, true), &[]),
            (e(true, true, false, true), &[clear]),
        ];
        for (exposure, want) in cases {
            assert_eq!(warnings(exposure), *want, "{exposure:?}");
        }
    }
}
