//! `--tls` (`--ssl`): TLS on a connection of any kind, with rustls through
//! `shared::tls`, the configuration every tool shares.
//!
//! A client checks the server's certificate against the system's store
//! (or `--tls-ca`, or `SSL_CERT_FILE`), and the name it connected to (or
//! `--tls-server-name`); SNI goes with a name, never with an address (RFC
//! 6066); `--tls-insecure` skips the checks, not the signatures. A
//! listener serves `--tls-cert`/`--tls-key`, or a certificate made now,
//! self-signed, for `localhost` and the addresses it listens on, and
//! prints its SHA-256 fingerprint. The handshake is done here, at once,
//! bounded by `-w` or [`HANDSHAKE_TIMEOUT`]; after it the connection is a
//! [`crate::link::Link`] like any other ([`stream`] lets both directions
//! use it at once). Built with the `tls` feature; without it `--tls` is
//! refused in one line.

#[cfg(feature = "tls")]
pub mod stream;

use std::time::Duration;

use crate::cli::Cli;
use crate::error::Error;
use crate::link::{Link, Peer};
use crate::listener::Listener;

/// How long a handshake may take without `-w`.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// A client's TLS configuration.
#[derive(Debug)]
pub struct Client {
    #[cfg(feature = "tls")]
    config: std::sync::Arc<rustls::ClientConfig>,
}

/// A listener's TLS: its configuration and the certificate's fingerprint.
#[derive(Debug)]
pub struct Server {
    #[cfg(feature = "tls")]
    config: std::sync::Arc<rustls::ServerConfig>,
    /// SHA-256 of the certificate, hex pairs joined by colons.
    pub fingerprint: String,
    /// Made now rather than read from `--tls-cert`.
    pub self_signed: bool,
    /// How long a handshake may take.
    #[cfg(feature = "tls")]
    limit: Duration,
    /// `-v`: a line per handshake.
    #[cfg(feature = "tls")]
    verbose: bool,
}

impl Server {
    /// The line that says which certificate is served.
    pub fn note(&self) -> String {
        let kind = if self.self_signed { "self-signed, made now, kept in memory only" } else { "from --tls-cert" };
        format!("TLS certificate ({kind}), SHA-256 fingerprint: {}", self.fingerprint)
    }
}

#[cfg(feature = "tls")]
mod imp {
    use std::io::{self, Read, Write};
    use std::net::IpAddr;

    use rustls::Connection;
    use shared::tls::client::{ClientOptions, client_config};

    use super::*;

    /// The protocols `--tls-alpn` lists, most preferred first.
    fn alpn(cli: &Cli) -> Vec<Vec<u8>> {
        cli.tls_alpn.as_deref().map_or_else(Vec::new, |list| {
            list.split(',').map(str::trim).filter(|p| !p.is_empty()).map(|p| p.as_bytes().to_vec()).collect()
        })
    }

    fn handshake_timeout(cli: &Cli) -> Duration {
        cli.timeout.unwrap_or(HANDSHAKE_TIMEOUT)
    }

    /// The link seen as a byte stream for the handshake.
    struct Raw<'a>(&'a Link);

    impl Read for Raw<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read_raw(buf)
        }
    }

    impl Write for Raw<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.write_all(buf).map(|()| buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Completes `conn`'s handshake over `raw`, within `limit`.
    fn handshake(mut conn: Connection, raw: Link, peer: &Peer, limit: Duration, verbose: bool) -> Result<Link, Error> {
        let tls = |source: io::Error| Error::Tls { peer: peer.clone(), source };
        raw.set_read_timeout(Some(limit)).and_then(|()| raw.set_write_timeout(Some(limit))).map_err(Error::Socket)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut Raw(&raw)).map_err(tls)?;
        }
        raw.set_read_timeout(None).and_then(|()| raw.set_write_timeout(None)).map_err(Error::Socket)?;
        shared::tls::trace_handshake(&conn, peer);
        if verbose {
            let version = conn.protocol_version().map_or_else(|| "TLS".to_string(), |v| format!("{v:?}"));
            let alpn =
                conn.alpn_protocol().map(|p| format!(", ALPN {}", String::from_utf8_lossy(p))).unwrap_or_default();
            eprintln!("tcp-echo: {version} with {peer}{alpn}");
        }
        Ok(Link::Tls(Box::new(stream::TlsStream::new(conn, raw))))
    }

    /// A client's configuration, made before connecting: a CA file that
    /// cannot be read is refused before anything reaches the network.
    pub fn client_setup(cli: &Cli) -> Result<Client, Error> {
        let options =
            ClientOptions { ca_file: cli.tls_ca.clone(), insecure: cli.tls_insecure, alpn: alpn(cli), identity: None };
        Ok(Client { config: client_config(&options).map_err(Error::TlsSetup)? })
    }

    /// The client side, over `raw` connected to `host`.
    pub fn client(cli: &Cli, setup: &Client, raw: Link, host: &str, peer: &Peer) -> Result<Link, Error> {
        let config = setup.config.clone();
        let name = cli.tls_server_name.as_deref().unwrap_or(host);
        let server_name = shared::tls::server_name(name).ok_or_else(|| Error::TlsName(name.to_string()))?;
        let conn = rustls::ClientConnection::new(config, server_name)
            .map_err(|e| Error::Tls { peer: peer.clone(), source: io::Error::new(io::ErrorKind::InvalidData, e) })?;
        handshake(Connection::Client(conn), raw, peer, handshake_timeout(cli), cli.verbose)
    }

    /// A listener's TLS: `--tls-cert`/`--tls-key`, or a certificate made
    /// now for `localhost` and the addresses `listener` is reached at.
    pub fn server(cli: &Cli, listener: &Listener) -> Result<Server, Error> {
        let alpn = alpn(cli);
        let (id, self_signed) = match (&cli.tls_cert, &cli.tls_key) {
            (Some(cert), Some(key)) => {
                (shared::tls::server::from_files(cert, key, &alpn).map_err(Error::TlsSetup)?, false)
            }
            _ => {
                let addrs = reached_at(listener);
                (
                    shared::tls::server::self_signed(&["localhost".to_string()], &addrs, &alpn)
                        .map_err(Error::TlsSetup)?,
                    true,
                )
            }
        };
        Ok(Server {
            config: id.config,
            fingerprint: id.fingerprint,
            self_signed,
            limit: handshake_timeout(cli),
            verbose: cli.verbose,
        })
    }

    /// The addresses a client may reach `listener` at: its own, or for the
    /// wildcard every interface's (loopback too).
    fn reached_at(listener: &Listener) -> Vec<IpAddr> {
        let Some(local) = listener.ip() else { return Vec::new() };
        if !local.is_unspecified() {
            return vec![local];
        }
        let mut all: Vec<IpAddr> = shared::sys::interfaces::interfaces()
            .map(|list| list.into_iter().flat_map(|i| i.addrs).collect())
            .unwrap_or_default();
        for lo in [IpAddr::from([127, 0, 0, 1]), IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])] {
            if !all.contains(&lo) {
                all.push(lo);
            }
        }
        // An IPv4-only listener is not reached over IPv6, and the reverse.
        let dual = local.is_ipv6();
        all.retain(|a| dual || a.is_ipv4());
        all
    }

    impl Server {
        /// The server side of a connection just accepted.
        pub fn accept(&self, raw: Link, peer: &Peer) -> Result<Link, Error> {
            let conn = rustls::ServerConnection::new(self.config.clone()).map_err(|e| Error::Tls {
                peer: peer.clone(),
                source: io::Error::new(io::ErrorKind::InvalidData, e),
            })?;
            handshake(Connection::Server(conn), raw, peer, self.limit, self.verbose)
        }
    }
}

#[cfg(feature = "tls")]
pub use imp::{client, client_setup, server};

/// `--tls` in a build without TLS.
#[cfg(not(feature = "tls"))]
pub fn client_setup(_cli: &Cli) -> Result<Client, Error> {
    Err(Error::TlsUnsupported)
}

/// `--tls` in a build without TLS.
#[cfg(not(feature = "tls"))]
pub fn client(_cli: &Cli, _setup: &Client, _raw: Link, _host: &str, _peer: &Peer) -> Result<Link, Error> {
    Err(Error::TlsUnsupported)
}

/// `--tls` in a build without TLS.
#[cfg(not(feature = "tls"))]
pub fn server(_cli: &Cli, _listener: &Listener) -> Result<Server, Error> {
    Err(Error::TlsUnsupported)
}

#[cfg(not(feature = "tls"))]
impl Server {
    /// Never reached: no server is made without TLS.
    pub fn accept(&self, _raw: Link, _peer: &Peer) -> Result<Link, Error> {
        Err(Error::TlsUnsupported)
    }
}

/// A connection just accepted, with TLS's handshake done when `tls` is
/// given.
pub fn secure(tls: Option<&Server>, raw: Link, peer: &Peer) -> Result<Link, Error> {
    match tls {
        Some(server) => server.accept(raw, peer),
        None => Ok(raw),
    }
}

/// A TLS failure in words: what went wrong with the certificate or the
/// handshake, and what to do about a certificate not trusted.
pub fn words(e: &std::io::Error) -> String {
    #[cfg(feature = "tls")]
    if let Some(tls) = shared::tls::rustls_error(e) {
        use rustls::{CertificateError, Error as E};
        return match tls {
            E::InvalidCertificate(CertificateError::UnknownIssuer) => {
                "the certificate is not trusted (unknown issuer; --tls-ca FILE trusts it, --tls-insecure skips the checks)"
                    .to_string()
            }
            E::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => {
                "the certificate is not for this name (--tls-server-name NAME checks another)".to_string()
            }
            E::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => {
                "the certificate has expired".to_string()
            }
            E::InvalidCertificate(other) => format!("bad certificate: {other:?}"),
            E::AlertReceived(alert) => format!("the peer refused the handshake ({alert:?})"),
            E::NoApplicationProtocol => "no ALPN protocol in common".to_string(),
            E::PeerIncompatible(why) => format!("no TLS version or cipher in common ({why:?})"),
            E::InvalidMessage(_) => "the peer does not speak TLS".to_string(),
            other => other.to_string(),
        };
    }
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        return "the peer closed during the handshake".to_string();
    }
    shared::io_text::describe(e)
}
