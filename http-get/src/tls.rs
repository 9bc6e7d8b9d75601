//! TLS with rustls (ring backend: builds with cargo and a C compiler, no
//! OpenSSL): which roots to trust, `-k` to skip certificate checks, and the
//! handshake under the connect timeout, with failures sorted into "not
//! trusted" (60) and "handshake failed" (35). Built with the default-on
//! `tls` feature; without it `target` refuses https URLs up front.

use std::io;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use shared::tls::TlsError;
use shared::tls::client::{ClientOptions, client_config};
use url::{Host, Url};

use crate::error::{Error, Kind};

/// The TLS configuration, built the first time an https URL needs it: a
/// plain-http fetch never reads the system's certificate store.
#[derive(Debug)]
pub struct Lazy {
    /// How to build it.
    trust: Trust,
    /// The configuration once built.
    config: std::sync::OnceLock<Arc<ClientConfig>>,
}

/// What to trust and how to present ourselves.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// A CA file, and where it was named (`--cacert`, `CURL_CA_BUNDLE`,
    /// `SSL_CERT_FILE`); otherwise the system's store (which reads
    /// `SSL_CERT_DIR` when set), else the bundled roots.
    pub ca: Option<(PathBuf, String)>,
    /// `-k`.
    pub insecure: bool,
    /// `--cert` and `--key`: a client certificate chain and its key.
    pub identity: Option<(PathBuf, PathBuf)>,
}

impl Lazy {
    /// Remembers how to build the configuration.
    pub fn new(trust: Trust) -> Lazy {
        Lazy { trust, config: std::sync::OnceLock::new() }
    }

    /// The configuration, built now if it was not yet.
    pub fn get(&self) -> Result<Arc<ClientConfig>, Error> {
        if let Some(c) = self.config.get() {
            return Ok(c.clone());
        }
        let built = config(&self.trust)?;
        Ok(self.config.get_or_init(|| built).clone())
    }
}

/// Builds the client configuration (`shared::tls::client`): the CA file
/// given (only it), else the system's store, else the bundled Mozilla
/// roots; `insecure` skips certificate checks (signatures are still
/// verified); a client certificate when given. A file that cannot be used
/// is a usage error naming the option or variable that named it.
pub fn config(trust: &Trust) -> Result<Arc<ClientConfig>, Error> {
    let options = ClientOptions {
        ca_file: trust.ca.as_ref().map(|(path, _)| path.clone()),
        insecure: trust.insecure,
        alpn: vec![b"http/1.1".to_vec()],
        identity: trust.identity.clone(),
    };
    client_config(&options).map_err(|e| match &e {
        TlsError::File { path, why } => {
            let named = match (&trust.ca, &trust.identity) {
                (Some((ca, source)), _) if ca == path => source.as_str(),
                (_, Some((cert, _))) if cert == path => "--cert",
                (_, Some((_, key))) if key == path => "--key",
                _ => "TLS",
            };
            Error::new(Kind::Usage, format!("{named} {}: {why}", path.display())).because(e)
        }
        TlsError::Config(rustls::Error::General(why)) => {
            Error::new(Kind::Usage, format!("--cert/--key: {why}")).because(e)
        }
        _ => Error::new(Kind::TlsHandshake, e.to_string()).because(e),
    })
}

/// Performs the handshake on `tcp` for the URL's host, within `limit`.
pub fn handshake(
    tcp: TcpStream,
    url: &Url,
    shown: &str,
    config: Arc<ClientConfig>,
    limit: Duration,
) -> Result<StreamOwned<ClientConnection, TcpStream>, Error> {
    let name = match url.host() {
        Some(Host::Domain(d)) => ServerName::try_from(d.to_string()),
        Some(Host::Ipv4(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V4(ip).into())),
        Some(Host::Ipv6(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V6(ip).into())),
        None => return Err(Error::new(Kind::BadUrl, format!("{shown}: no host"))),
    }
    .map_err(|e| Error::new(Kind::BadUrl, format!("{shown}: bad host name for TLS: {e}")).because(e))?;
    let mut conn = ClientConnection::new(config, name)
        .map_err(|e| Error::new(Kind::TlsHandshake, format!("{shown}: {e}")).because(e))?;
    let started = Instant::now();
    let mut tcp = tcp;
    while conn.is_handshaking() {
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(Error::new(Kind::TimedOut, format!("{shown}: timed out in the TLS handshake")));
        }
        let _ = tcp.set_read_timeout(Some(left));
        let _ = tcp.set_write_timeout(Some(left));
        match conn.complete_io(&mut tcp) {
            Ok((0, 0)) if conn.is_handshaking() => {
                return Err(Error::new(
                    Kind::TlsHandshake,
                    format!("{shown}: TLS handshake failed: connection closed"),
                ));
            }
            Ok(_) => {}
            Err(e) => return Err(handshake_error(shown, e)),
        }
    }
    shared::tls::trace_handshake(&conn, &url.host_str().unwrap_or_default());
    Ok(StreamOwned::new(conn, tcp))
}

fn handshake_error(shown: &str, e: io::Error) -> Error {
    let error = match rustls_error(&e) {
        Some(rustls::Error::InvalidCertificate(why)) => {
            Error::new(Kind::CertificateNotTrusted, format!("{shown}: server certificate not trusted: {why:?}"))
        }
        Some(other) => Error::new(Kind::TlsHandshake, format!("{shown}: TLS handshake failed: {other}")),
        None if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
            Error::new(Kind::TimedOut, format!("{shown}: timed out in the TLS handshake"))
        }
        None => {
            Error::new(Kind::TlsHandshake, format!("{shown}: TLS handshake failed: {}", shared::io_text::describe(&e)))
        }
    };
    error.because(e)
}

/// The rustls error inside an I/O error, if that is what it is.
pub use shared::tls::rustls_error;
