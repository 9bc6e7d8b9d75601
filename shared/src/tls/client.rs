//! The client side: which roots to trust (the CA file given and only it;
//! else the system's store; else Mozilla's bundled roots, so a machine
//! without a store still verifies), skipping certificate checks on
//! request (signatures are still verified, so the server must hold the
//! key of what it sent), ALPN, and a client certificate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::TlsError;

/// How a client should trust and present itself.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Trust only the certificates in this PEM file.
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate (still checking the server holds its key).
    pub insecure: bool,
    /// Protocols to offer by ALPN, most preferred first.
    pub alpn: Vec<Vec<u8>>,
    /// A client certificate chain and its key (PEM files).
    pub identity: Option<(PathBuf, PathBuf)>,
}

/// Builds a client configuration for `options`.
///
/// ```
/// use shared::tls::client::{ClientOptions, client_config};
/// let options = ClientOptions { alpn: vec![b"http/1.1".to_vec()], ..ClientOptions::default() };
/// let config = client_config(&options).unwrap();
/// assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
/// ```
pub fn client_config(options: &ClientOptions) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = super::provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?;
    let builder = if options.insecure {
        let verifier = NoCertCheck(provider.signature_verification_algorithms);
        builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier))
    } else {
        builder.with_root_certificates(roots(options.ca_file.as_deref())?)
    };
    let mut config = match &options.identity {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            builder.with_client_auth_cert(certificates(cert)?, private_key(key)?).map_err(TlsError::Config)?
        }
    };
    config.alpn_protocols = options.alpn.clone();
    Ok(Arc::new(config))
}

/// The roots to trust: the CA file's certificates, else the system's
/// store, else the bundled roots.
fn roots(ca_file: Option<&Path>) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    if let Some(path) = ca_file {
        for cert in certificates(path)? {
            store.add(cert).map_err(|e| TlsError::File { path: path.to_path_buf(), why: e.to_string() })?;
        }
        return Ok(store);
    }
    let native = rustls_native_certs::load_native_certs();
    let (added, _) = store.add_parsable_certificates(native.certs);
    if added == 0 {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    Ok(store)
}

/// Every certificate in a PEM file; an error when there is none.
pub fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bad = |why: String| TlsError::File { path: path.to_path_buf(), why };
    let mut certs = Vec::new();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(pem_words(&e)))? {
        certs.push(cert.map_err(|e| bad(pem_words(&e)))?);
    }
    if certs.is_empty() {
        return Err(bad("no certificate in the file".to_string()));
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| TlsError::File { path: path.to_path_buf(), why: pem_words(&e) })
}

/// A PEM reading error in words (the file's own I/O error described).
fn pem_words(e: &rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => crate::io_text::describe(io),
        rustls::pki_types::pem::Error::NoItemsFound => "no key or certificate in the file".to_string(),
        other => format!("not a PEM file: {other:?}"),
    }
}

/// Skipping checks: accepts any certificate, but still checks that the
/// server holds the key of the certificate it sent.
#[derive(Debug)]
struct NoCertCheck(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoCertCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_or_empty_ca_files_say_so() {
        let dir = std::env::temp_dir().join(format!("netkit-tls-client-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let missing = dir.join("missing.pem");
        for (path, want) in [(&empty, "no certificate in the file"), (&missing, "no such file or directory")] {
            let options = ClientOptions { ca_file: Some(path.clone()), ..ClientOptions::default() };
            let e = client_config(&options).unwrap_err();
            assert!(e.to_string().ends_with(want), "{e}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
