//! TLS for every tool, with rustls and ring (no OpenSSL): one place that
//! decides which roots a client trusts and how a server gets its
//! certificate, so http-get, http-serve, tcp-echo and udp-echo answer the
//! same way. Built with the `tls` feature.
//!
//! | module | what it holds |
//! |---|---|
//! | [`client`] | a client configuration: a CA file, the system's store or the bundled roots; skipping checks; ALPN; a client certificate |
//! | [`server`] | a server configuration from certificate and key files, or a self-signed certificate made in memory for the names and addresses served, and its SHA-256 fingerprint |
//!
//! Handshakes are the caller's: a blocking client wraps a `TcpStream`, a
//! non-blocking server drives rustls from its own readiness loop.

pub mod client;
pub mod server;

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::PathBuf;

use rustls::pki_types::ServerName;

/// What a finished handshake agreed, for `--trace`:
/// `TLSv1_3, TLS13_AES_256_GCM_SHA384, ALPN http/1.1`.
pub fn agreed(conn: &rustls::CommonState) -> String {
    let version = conn.protocol_version().map_or_else(|| "TLS".to_string(), |v| format!("{v:?}"));
    let cipher = conn.negotiated_cipher_suite().map_or_else(String::new, |c| format!(", {:?}", c.suite()));
    let alpn = conn
        .alpn_protocol()
        .map_or_else(|| ", no ALPN".to_string(), |p| format!(", ALPN {}", String::from_utf8_lossy(p)));
    format!("{version}{cipher}{alpn}")
}

/// Says a finished handshake in the trace (`TLS handshake with
/// example.org = TLSv1_3, ...`), when tracing is on.
pub fn trace_handshake(conn: &rustls::CommonState, with: &dyn fmt::Display) {
    if crate::trace::on() {
        crate::trace::step(format_args!("TLS handshake with {with} = {}", agreed(conn)));
    }
}

/// Why a TLS configuration could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsError {
    /// A certificate, key or CA file could not be read or holds nothing
    /// usable.
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, in words.
        why: String,
    },
    /// rustls refused the configuration (a key that does not match its
    /// certificate, say).
    Config(rustls::Error),
    /// Making a self-signed certificate failed.
    Generate(rcgen::Error),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::File { path, why } => write!(f, "{}: {why}", crate::io_text::path(path)),
            TlsError::Config(e) => write!(f, "TLS set-up: {e}"),
            TlsError::Generate(e) => write!(f, "making a certificate: {e}"),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::File { .. } => None,
            TlsError::Config(e) => Some(e),
            TlsError::Generate(e) => Some(e),
        }
    }
}

/// The rustls error inside an I/O error (as rustls' streams report them),
/// if that is what it is.
pub fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// The name a client checks the certificate against: a DNS name, or an
/// IP address (for which no SNI is sent, as RFC 6066 says). Brackets
/// around an IPv6 literal are taken off. `None` for a name that is neither.
///
/// ```
/// use shared::tls::server_name;
/// assert!(matches!(server_name("example.org"), Some(rustls::pki_types::ServerName::DnsName(_))));
/// assert!(matches!(server_name("[::1]"), Some(rustls::pki_types::ServerName::IpAddress(_))));
/// assert!(server_name("bad name").is_none());
/// ```
pub fn server_name(host: &str) -> Option<ServerName<'static>> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(bare.to_string()).ok()
}

/// The SHA-256 fingerprint of a certificate (its DER bytes), as browsers
/// and `openssl x509 -fingerprint -sha256` show it: upper-case hex pairs
/// joined by colons.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// The crypto provider every configuration here uses.
fn provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(rustls::crypto::ring::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_sha256_in_hex_pairs() {
        // SHA-256 of the empty string.
        assert_eq!(
            fingerprint(b""),
            "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55"
        );
    }

    #[test]
    fn server_name_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("example.org", Some("dns")),
            ("localhost", Some("dns")),
            ("127.0.0.1", Some("ip")),
            ("::1", Some("ip")),
            ("[::1]", Some("ip")),
            ("", None),
            ("a b", None),
        ];
        for (host, want) in cases {
            let got = server_name(host).map(|n| match n {
                ServerName::DnsName(_) => "dns",
                ServerName::IpAddress(_) => "ip",
                _ => "other",
            });
            assert_eq!(got, *want, "{host:?}");
        }
    }
}
