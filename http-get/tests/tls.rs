//! HTTPS against a local TLS server whose CA is made in the test: trusted
//! with --cacert, untrusted without it or with another CA (60), -k, and a
//! server that answers a handshake with garbage (35). All of it needs the
//! `tls` feature; the tests that speak TLS also need rcgen, a
//! dev-dependency wherever ring can be built (see Cargo.toml).

#![cfg(feature = "tls")]
// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
use {
    rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose},
    rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
    rustls::{ServerConfig, ServerConnection, StreamOwned},
    std::io::Write,
    std::net::TcpListener,
    std::sync::Arc,
};

use common::*;

/// A CA (its PEM) and a server configuration with a certificate it signed
/// for `localhost` and `127.0.0.1`.
#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
fn ca_and_server() -> (String, Arc<ServerConfig>) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "netkit test CA");
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert = params.signed_by(&server_key, &ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    (ca.pem(), Arc::new(config))
}

/// Serves `count` TLS connections, each answered with `body`.
#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
fn tls_server(config: Arc<ServerConfig>, count: usize, body: &'static [u8]) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let scripts: Vec<Script> = (0..count)
        .map(|_| {
            let config = config.clone();
            Box::new(move |s: &mut std::net::TcpStream, _: &[u8]| {
                let conn = ServerConnection::new(config).unwrap();
                let Ok(tcp) = s.try_clone() else { return };
                let mut tls = StreamOwned::new(conn, tcp);
                let _ = harness::scripted::read_request_from(&mut tls);
                let _ = tls.write_all(&response("200 OK", &[], body));
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }) as Script
        })
        .collect();
    Scripted::on_raw(listener, scripts)
}

#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
#[test]
fn trusted_with_cacert_untrusted_without() {
    let dir = TempDir::new("tls");
    let (ca_pem, config) = ca_and_server();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let s = tls_server(config.clone(), 2, b"secure hello");
    let ip_url = format!("https://127.0.0.1:{}/", s.addr.port());
    let name_url = format!("https://localhost:{}/", s.addr.port());
    for url in [&ip_url, &name_url] {
        let r = http_get(&["--cacert", ca_file.to_str().unwrap(), url]);
        assert_eq!(r.code, Some(0), "{url}: {}", r.stderr);
        assert_eq!(r.stdout, b"secure hello");
    }
    // The system's store does not know the test CA.
    let s = tls_server(config.clone(), 1, b"x");
    let r = http_get(&[&format!("https://127.0.0.1:{}/", s.addr.port())]);
    assert_eq!(r.code, Some(60), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    // Nor does another CA.
    let (other_ca, _) = ca_and_server();
    let other_file = dir.join("other.pem");
    std::fs::write(&other_file, other_ca).unwrap();
    let s = tls_server(config.clone(), 1, b"x");
    let r = http_get(&["--cacert", other_file.to_str().unwrap(), &format!("https://127.0.0.1:{}/", s.addr.port())]);
    assert_eq!(r.code, Some(60), "{}", r.stderr);
    // -k skips the check.
    let s = tls_server(config, 1, b"insecure ok");
    let r = http_get(&["-k", &format!("https://127.0.0.1:{}/", s.addr.port())]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"insecure ok"[..]), "{}", r.stderr);
}

#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
#[test]
fn garbage_instead_of_a_handshake_is_35() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let s = Scripted::on_raw(listener, vec![reply(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".to_vec())]);
    let r = http_get(&[&format!("https://127.0.0.1:{}/", s.addr.port())]);
    assert_eq!(r.code, Some(35), "{}", r.stderr);
}

#[test]
fn missing_cacert_file_is_reported() {
    let r = http_get(&["--cacert", "/no/such/ca.pem", "https://127.0.0.1:1/"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("/no/such/ca.pem"), "{}", r.stderr);
}

/// https through an HTTP proxy: a CONNECT tunnel to the origin's name,
/// then TLS end to end, the certificate checked for the URL's host.
#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
#[test]
fn https_through_a_connect_tunnel() {
    let dir = TempDir::new("tls-connect");
    let (ca_pem, config) = ca_and_server();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let origin = tls_server(config, 1, b"tunnelled");
    let to = origin.addr;
    let proxy = Scripted::start(vec![Box::new(move |s: &mut std::net::TcpStream, _: &[u8]| {
        let _ = s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let Ok(mut upstream) = std::net::TcpStream::connect(to) else { return };
        let (Ok(mut s2), Ok(mut up2)) = (s.try_clone(), upstream.try_clone()) else { return };
        let there = std::thread::spawn(move || {
            let _ = std::io::copy(&mut s2, &mut up2);
            let _ = up2.shutdown(std::net::Shutdown::Write);
        });
        let _ = std::io::copy(&mut upstream, s);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let _ = there.join();
    }) as Script]);
    let url = format!("https://localhost:{}/secret", to.port());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_http-get"));
    cmd.env("https_proxy", format!("http://u:p@{}", proxy.addr)).env_remove("no_proxy").env_remove("NO_PROXY");
    cmd.args(["--cacert", ca_file.to_str().unwrap(), &url]);
    let r = harness::run(cmd, None, HANG);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"tunnelled"[..]), "{}", r.stderr);
    let connect = &proxy.requests()[0];
    let want = format!(
        "CONNECT localhost:{0} HTTP/1.1\r\nHost: localhost:{0}\r\nProxy-Authorization: Basic dTpw\r\n\r\n",
        to.port()
    );
    assert_eq!(connect, &want);
}

/// The trust variables scripts set: CURL_CA_BUNDLE, SSL_CERT_FILE and
/// SSL_CERT_DIR each make the test CA trusted (--cacert first, then
/// CURL_CA_BUNDLE, then SSL_CERT_FILE); one that names nothing readable is
/// a usage error naming it.
#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
#[test]
fn trust_from_the_environment() {
    let dir = TempDir::new("tls-env");
    let (ca_pem, config) = ca_and_server();
    let certs = dir.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::write(certs.join("ca.pem"), &ca_pem).unwrap();
    let ca = certs.join("ca.pem").display().to_string();
    let missing = dir.join("missing.pem").display().to_string();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_http-get"));
        for name in ["CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"] {
            cmd.env_remove(name);
        }
        cmd.envs(env.iter().copied()).args(args);
        harness::run(cmd, None, HANG)
    };
    let certs_dir = certs.display().to_string();
    let cases: &[(&[(&str, &str)], &[&str], i32)] = &[
        (&[("CURL_CA_BUNDLE", &ca)], &[], 0),
        (&[("SSL_CERT_FILE", &ca)], &[], 0),
        (&[("SSL_CERT_DIR", &certs_dir)], &[], 0),
        (&[], &[], 60),
        (&[("CURL_CA_BUNDLE", &missing), ("SSL_CERT_FILE", &ca)], &[], 2),
        (&[("CURL_CA_BUNDLE", &missing)], &["--cacert", &ca], 0),
        (&[("SSL_CERT_FILE", &missing)], &[], 2),
    ];
    for (env, args, want) in cases {
        let s = tls_server(config.clone(), 1, b"trusted");
        let url = format!("https://localhost:{}/", s.addr.port());
        let r = run(env, &[*args, &[url.as_str()][..]].concat());
        assert_eq!(r.code, Some(*want), "{env:?} {args:?}: {}", r.stderr);
        if *want == 2 {
            assert!(r.stderr.contains(&format!(" {missing}: ")), "{}", r.stderr);
            assert!(r.stderr.contains("CURL_CA_BUNDLE") || r.stderr.contains("SSL_CERT_FILE"), "{}", r.stderr);
        }
    }
}

/// A server that wants a client certificate: refused without one, served
/// with --cert and --key (or a PEM holding both).
#[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
#[test]
fn client_certificates() {
    let dir = TempDir::new("tls-client");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "netkit client CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert =
        CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&server_key, &ca).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["client".to_string()]).unwrap().signed_by(&client_key, &ca).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    let config = Arc::new(config);
    let file = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let ca_file = file("ca.pem", ca.pem());
    let cert = file("client.pem", client_cert.pem());
    let key = file("client.key", client_key.serialize_pem());
    let both = file("both.pem", format!("{}{}", client_cert.pem(), client_key.serialize_pem()));
    let cases: &[(&[&str], i32)] =
        &[(&["--cert", &cert, "--key", &key], 0), (&["-E", &both], 0), (&[], 56), (&["--key", &key], 2)];
    for (args, want) in cases {
        let s = tls_server(config.clone(), 1, b"you are known");
        let url = format!("https://localhost:{}/", s.addr.port());
        let r = http_get(&[&["--cacert", ca_file.as_str()][..], args, &[url.as_str()]].concat());
        // Without a certificate the server's alert arrives with the first
        // read (TLS 1.3 finishes the handshake first): 35 or 56.
        let code = r.code.map(|c| if *want == 56 && c == 35 { 56 } else { c });
        assert_eq!(code, Some(*want), "{args:?}: {}", r.stderr);
        if *want == 0 {
            assert_eq!(r.stdout, b"you are known");
        }
    }
}
