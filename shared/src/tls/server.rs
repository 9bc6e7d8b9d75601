//! The server side: a certificate and key from files, or, with neither, a
//! self-signed certificate made in memory (never written to disk) for
//! every name and address the server is reached by; either way with the
//! SHA-256 fingerprint a person can compare with what a client shows.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::TlsError;
use super::client::{certificates, private_key};

/// A server's TLS configuration and the fingerprint of its certificate.
#[derive(Debug, Clone)]
pub struct Identity {
    /// What rustls serves with.
    pub config: Arc<ServerConfig>,
    /// SHA-256 of the leaf certificate, hex pairs joined by colons.
    pub fingerprint: String,
    /// The leaf certificate, for clients that should trust exactly it
    /// (tests).
    pub certificate: CertificateDer<'static>,
}

impl Identity {
    /// The leaf certificate in PEM, for a client to trust it (`curl
    /// --cacert`, `openssl s_client -CAfile`).
    pub fn pem(&self) -> String {
        const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut text = String::new();
        for chunk in self.certificate.as_ref().chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
            for i in 0..4 {
                text.push(if i <= chunk.len() { char::from(B64[(n >> (18 - 6 * i)) as usize & 63]) } else { '=' });
            }
        }
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in text.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }
}

/// A server identity from a PEM certificate chain and its key.
pub fn from_files(cert: &Path, key: &Path, alpn: &[Vec<u8>]) -> Result<Identity, TlsError> {
    let chain = certificates(cert)?;
    identity(chain, private_key(key)?, alpn)
}

/// A self-signed certificate made now, in memory, valid for `names` (DNS
/// names) and `addrs` (IP addresses), and a server identity with it.
///
/// ```
/// let id = shared::tls::server::self_signed(&["localhost".into()], &["127.0.0.1".parse().unwrap()], &[]).unwrap();
/// assert_eq!(id.fingerprint.len(), 32 * 3 - 1);
/// ```
pub fn self_signed(names: &[String], addrs: &[IpAddr], alpn: &[Vec<u8>]) -> Result<Identity, TlsError> {
    let mut sans: Vec<String> = names.to_vec();
    sans.extend(addrs.iter().map(IpAddr::to_string));
    if sans.is_empty() {
        sans.push("localhost".to_string());
    }
    let key = rcgen::KeyPair::generate().map_err(TlsError::Generate)?;
    let mut params = rcgen::CertificateParams::new(sans).map_err(TlsError::Generate)?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "netkit self-signed");
    let cert = params.self_signed(&key).map_err(TlsError::Generate)?;
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    identity(vec![cert.der().clone()], der, alpn)
}

fn identity(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    alpn: &[Vec<u8>],
) -> Result<Identity, TlsError> {
    let certificate = chain.first().cloned().ok_or_else(|| TlsError::Config(rustls::Error::NoCertificatesPresented))?;
    let mut config = ServerConfig::builder_with_provider(super::provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(TlsError::Config)?;
    config.alpn_protocols = alpn.to_vec();
    Ok(Identity { config: Arc::new(config), fingerprint: super::fingerprint(&certificate), certificate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::client::{ClientOptions, client_config};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    /// A client that trusts exactly the self-signed certificate completes a
    /// handshake with its server by name and by address, and the bytes
    /// cross; one that trusts nothing in particular refuses it.
    #[test]
    fn self_signed_serves_names_and_addresses() {
        let id = self_signed(&["localhost".into()], &["127.0.0.1".parse().unwrap()], &[]).unwrap();
        let dir = std::env::temp_dir().join(format!("netkit-tls-server-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, id.pem()).unwrap();
        for host in ["localhost", "127.0.0.1"] {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let config = id.config.clone();
            let server = std::thread::spawn(move || {
                let (mut tcp, _) = listener.accept().unwrap();
                let mut conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
                let mut got = [0u8; 5];
                tls.read_exact(&mut got).unwrap();
                tls.write_all(&got).unwrap();
                tls.flush().unwrap();
            });
            let options = ClientOptions { ca_file: Some(ca.clone()), ..ClientOptions::default() };
            let client = client_config(&options).unwrap();
            let mut conn = rustls::ClientConnection::new(client, crate::tls::server_name(host).unwrap()).unwrap();
            let mut tcp = TcpStream::connect(addr).unwrap();
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            tls.write_all(b"hello").unwrap();
            let mut back = [0u8; 5];
            tls.read_exact(&mut back).unwrap();
            assert_eq!(&back, b"hello", "{host}");
            server.join().unwrap();
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
