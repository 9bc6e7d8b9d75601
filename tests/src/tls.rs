//! TLS for the tests (the `tls` feature): a client that trusts exactly
//! one certificate, the one whose SHA-256 fingerprint a server printed (so
//! a test proves the printed fingerprint is the certificate's), and a
//! TLS-terminating front: a local plain port whose every connection is
//! carried to the server over TLS, so tests written for plain HTTP (the
//! stall and attack suites) run unchanged against a `--tls` server.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};

/// Trusts the one certificate with this fingerprint (and still checks the
/// server holds its key).
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if shared::tls::fingerprint(end_entity) == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("the certificate is not the one whose fingerprint was printed".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A client configuration that trusts only the certificate with
/// `fingerprint` (`AB:CD:...`, as servers print it).
pub fn pinned(fingerprint: &str) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let verifier = Pinned { fingerprint: fingerprint.to_string(), algorithms };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// The fingerprint in a server's start-up line
/// (`... SHA-256 fingerprint: AB:CD:...`).
pub fn fingerprint_in(line: &str) -> Option<String> {
    let fp = line.split("SHA-256 fingerprint: ").nth(1)?.trim();
    (fp.len() == 95).then(|| fp.to_string())
}

/// A TLS connection to `addr`, by `name` (a DNS name or an address),
/// trusting only the certificate with `fingerprint`; the handshake done.
pub fn connect(
    addr: SocketAddr,
    name: &str,
    fingerprint: &str,
) -> io::Result<StreamOwned<ClientConnection, TcpStream>> {
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(20))?;
    tcp.set_read_timeout(Some(Duration::from_secs(20)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(20)))?;
    let server_name = shared::tls::server_name(name).ok_or_else(|| io::Error::other("not a server name"))?;
    let conn = ClientConnection::new(pinned(fingerprint), server_name).map_err(io::Error::other)?;
    let mut stream = StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(stream)
}

/// A TLS-terminating front for a server: plain on `addr`, TLS to the
/// server. Stops when dropped.
#[derive(Debug)]
pub struct Front {
    /// Where plain clients connect.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// Starts a front for the TLS server at `server` whose certificate has
/// `fingerprint`. Each plain connection gets its own TLS connection (the
/// handshake made at once, as a browser's would be), and the two are
/// joined until either side ends.
pub fn front(server: SocketAddr, fingerprint: &str) -> Front {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the front");
    let addr = listener.local_addr().expect("front address");
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = Arc::clone(&stop);
    let fingerprint = fingerprint.to_string();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            if stopping.load(Ordering::Relaxed) {
                return;
            }
            let Ok(client) = client else { continue };
            let fingerprint = fingerprint.clone();
            let stopping = Arc::clone(&stopping);
            std::thread::spawn(move || {
                if let Ok(tls) = connect(server, &server.ip().to_string(), &fingerprint) {
                    join(client, tls, &stopping);
                }
            });
        }
    });
    Front { addr, stop }
}

/// Carries bytes both ways between a plain client and a TLS connection:
/// one thread each way, each blocked on its own socket (the TLS state is
/// shared under a lock that is never held while waiting), so a front of
/// hundreds of connections costs nothing while they are quiet. An end on
/// either side is passed on (a half-close, or close_notify).
fn join(client: TcpStream, tls: StreamOwned<ClientConnection, TcpStream>, stop: &AtomicBool) {
    let StreamOwned { conn, sock } = tls;
    let _ = (sock.set_read_timeout(None), client.set_read_timeout(None));
    let conn = Arc::new(std::sync::Mutex::new(conn));
    let (Ok(mut client_in), Ok(mut sock_out), Ok(mut sock_out2)) =
        (client.try_clone(), sock.try_clone(), sock.try_clone())
    else {
        return;
    };
    let (mut sock_in, mut client_out) = (sock, client);
    let up_conn = Arc::clone(&conn);
    // Client to server.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = client_in.read(&mut buf).unwrap_or(0);
            let Ok(mut c) = up_conn.lock() else { return };
            if n == 0 {
                c.send_close_notify();
            } else if c.writer().write_all(&buf[..n]).is_err() {
                return;
            }
            while c.wants_write() {
                if c.write_tls(&mut sock_out).is_err() {
                    return;
                }
            }
            if n == 0 {
                let _ = sock_out.shutdown(Shutdown::Write);
                return;
            }
        }
    });
    // Server to client.
    let mut raw = vec![0u8; 64 * 1024];
    let mut plain = vec![0u8; 64 * 1024];
    while !stop.load(Ordering::Relaxed) {
        let n = sock_in.read(&mut raw).unwrap_or(0);
        if n == 0 {
            let _ = client_out.shutdown(Shutdown::Write);
            return;
        }
        let mut out = Vec::new();
        let mut ended = false;
        {
            let Ok(mut c) = conn.lock() else { return };
            let mut rest = &raw[..n];
            while !rest.is_empty() {
                if c.read_tls(&mut rest).is_err() || c.process_new_packets().is_err() {
                    let _ = client_out.shutdown(Shutdown::Both);
                    return;
                }
                loop {
                    match c.reader().read(&mut plain) {
                        Ok(0) => {
                            ended = true;
                            break;
                        }
                        Ok(m) => out.extend_from_slice(&plain[..m]),
                        Err(_) => break,
                    }
                }
            }
            while c.wants_write() {
                if c.write_tls(&mut sock_out2).is_err() {
                    break;
                }
            }
        }
        if client_out.write_all(&out).is_err() {
            let _ = sock_in.shutdown(Shutdown::Both);
            return;
        }
        if ended {
            let _ = client_out.shutdown(Shutdown::Write);
            return;
        }
    }
}
