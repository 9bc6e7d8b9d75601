//! `--tls`: HTTPS from the one thread. The certificate is the one whose
//! fingerprint the start-up lines print (the test client trusts exactly
//! that fingerprint); files, listings, ranges, keep-alive, uploads and
//! archives all work over it; plain HTTP to the TLS port gets a redirect,
//! never a hang; a stalled or garbage handshake costs others nothing and
//! ends within `--timeout`; `--tls-cert`/`--tls-key` are used when given.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

// With the harness's TLS client, which is built where ring cross-builds
// (see Cargo.toml's target dev-dependencies).
#[cfg(all(feature = "tls", not(any(target_os = "macos", target_os = "freebsd"))))]
mod with_tls {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::process::Command;
    use std::time::{Duration, Instant};

    use super::common::*;
    use harness::Capture;

    /// A `--tls` server: its own address (not the front's) and fingerprint.
    fn tls_server(dir: &std::path::Path, args: &[&str]) -> (Server, SocketAddr, String) {
        let mut all = vec!["--tls"];
        all.extend_from_slice(args);
        let s = Server::start(dir, &all);
        let (addr, fp) = s.tls.as_ref().map(|(a, f, _)| (*a, f.clone())).unwrap();
        (s, addr, fp)
    }

    /// One request over an open TLS stream; the status, the head, the body
    /// (by its Content-Length).
    fn over<S: Read + Write>(stream: &mut S, raw: &[u8], head_request: bool) -> (u16, String, Vec<u8>) {
        stream.write_all(raw).unwrap();
        stream.flush().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        // Bounded: a head is at most a few kilobytes.
        while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let status: u16 = text[9..12].parse().unwrap();
        let len: usize = if head_request {
            0
        } else {
            text.lines().find_map(|l| l.strip_prefix("Content-Length: ")).map_or(0, |v| v.trim().parse().unwrap())
        };
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).unwrap();
        (status, text, body)
    }

    #[test]
    fn files_listings_ranges_uploads_and_archives_over_tls() {
        let dir = TempDir::new("tls");
        let big = harness::pseudo_random(21, 8 << 20);
        std::fs::write(dir.join("big.bin"), &big).unwrap();
        std::fs::create_dir(dir.join("in")).unwrap();
        let (s, addr, fp) = tls_server(dir.path(), &["--upload"]);
        let line = s.run.stdout.as_ref().unwrap().all().join("\n");
        assert!(line.contains(&format!("at https://{addr}/")), "{line}");
        assert!(line.contains("TLS certificate (self-signed, made now, kept in memory only), SHA-256 fingerprint: "));
        // By name and by address, one kept-alive connection each.
        for name in ["localhost", "127.0.0.1"] {
            let mut t = harness::tls::connect(addr, name, &fp).unwrap();
            assert_eq!(t.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
            let (status, _, body) = over(&mut t, &request("GET", "/big.bin", &[]), false);
            assert_eq!((status, body.len()), (200, big.len()));
            assert!(body == big, "8 MiB through TLS, byte for byte");
            let (status, head, body) = over(&mut t, &request("GET", "/big.bin", &["Range: bytes=100-199"]), false);
            assert_eq!((status, body.as_slice()), (206, &big[100..200]), "{head}");
            let (status, head, _) = over(&mut t, &request("HEAD", "/big.bin", &[]), true);
            assert!(status == 200 && head.contains(&format!("Content-Length: {}", big.len())), "{head}");
            let (status, _, body) = over(&mut t, &request("GET", "/", &[]), false);
            assert!(status == 200 && String::from_utf8_lossy(&body).contains("big.bin"));
        }
        // An upload that waits for 100 Continue, over TLS.
        let mut t = harness::tls::connect(addr, "localhost", &fp).unwrap();
        t.write_all(b"PUT /in/up.bin HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\nExpect: 100-continue\r\n\r\n")
            .unwrap();
        t.flush().unwrap();
        let mut interim = [0u8; 25];
        t.read_exact(&mut interim).unwrap();
        assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        let (status, text, _) = over(&mut t, &big[..1 << 20], false);
        assert_eq!(status, 201, "{text}");
        assert_eq!(std::fs::read(dir.join("in/up.bin")).unwrap(), &big[..1 << 20]);
        // An archive over TLS: its length holds.
        let (status, head, body) = over(&mut t, &request("GET", "/?download=zip", &[]), false);
        assert_eq!(status, 200, "{head}");
        assert!(body.len() > big.len() && body.starts_with(b"PK\x03\x04"));
    }

    #[test]
    fn plain_http_to_the_tls_port_is_redirected_not_hung() {
        let dir = TempDir::new("tls-plain");
        let (_s, addr, _) = tls_server(dir.path(), &[]);
        let r = exchange(addr, b"GET /a/b?c=d HTTP/1.1\r\nHost: phone.example:8443\r\n\r\n");
        assert_eq!(r.status, 301);
        assert_eq!(r.header("Location"), Some("https://phone.example:8443/a/b?c=d"));
        assert_eq!(r.header("Connection"), Some("close"));
        let r = exchange(addr, b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!(r.status, 400);
        assert!(r.text().contains("This port speaks HTTPS"));
    }

    #[test]
    fn stalled_and_garbage_handshakes_end_within_the_timeout() {
        let dir = TempDir::new("tls-stall");
        std::fs::write(dir.join("f.txt"), "f").unwrap();
        let (s, addr, fp) = tls_server(dir.path(), &["--timeout", "1s"]);
        // The first byte of a handshake, then nothing.
        let mut stalled = TcpStream::connect(addr).unwrap();
        stalled.write_all(&[0x16]).unwrap();
        // A handshake record of garbage.
        let mut garbage = TcpStream::connect(addr).unwrap();
        garbage.write_all(&[0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]).unwrap();
        // Meanwhile others are served at once, over TLS.
        let started = Instant::now();
        let mut t = harness::tls::connect(addr, "localhost", &fp).unwrap();
        assert_eq!(over(&mut t, &request("GET", "/f.txt", &[]), false).2, b"f");
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        for mut c in [garbage, stalled] {
            c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let started = Instant::now();
            let mut rest = Vec::new();
            let _ = c.read_to_end(&mut rest);
            assert!(started.elapsed() < Duration::from_secs(10), "closed in {:?}", started.elapsed());
            assert!(!rest.starts_with(b"HTTP/"), "no plain answer on a TLS connection");
        }
        // Through the front (every plain test's way in) it serves too.
        assert_eq!(get(s.addr, "/f.txt").text(), "f");
    }

    #[cfg(not(any(target_os = "macos", target_os = "freebsd")))]
    #[test]
    fn certificate_and_key_files_are_used() {
        let dir = TempDir::new("tls-files");
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["files.example".to_string()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
        std::fs::create_dir(dir.join("site")).unwrap();
        std::fs::write(dir.join("site/f.txt"), "from files").unwrap();
        let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
        let (s, addr, fp) = tls_server(
            &dir.join("site"),
            &["--tls-cert", cert_path.to_str().unwrap(), "--tls-key", key_path.to_str().unwrap()],
        );
        assert_eq!(fp, shared::tls::fingerprint(cert.der()));
        assert!(s.run.stdout.as_ref().unwrap().all().iter().any(|l| l.contains("(from --tls-cert)")));
        let mut t = harness::tls::connect(addr, "files.example", &fp).unwrap();
        assert_eq!(over(&mut t, &request("GET", "/f.txt", &[]), false).2, b"from files");
        // A key that is not the certificate's: one line, exit 1.
        let other = rcgen::KeyPair::generate().unwrap();
        std::fs::write(dir.join("other.pem"), other.serialize_pem()).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_http-serve"))
            .args(["-p", "0", "--tls", "--tls-cert", cert_path.to_str().unwrap(), "--tls-key"])
            .arg(dir.join("other.pem"))
            .arg(dir.join("site"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("http-serve: --tls: ") && err.lines().count() == 1, "{err}");
        let _ = Capture::Both;
    }
}

/// A build without TLS refuses `--tls` in one line.
#[cfg(not(feature = "tls"))]
#[test]
fn without_the_feature_tls_is_refused_in_one_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_http-serve")).args(["-p", "0", "--tls"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "http-serve: --tls: this build has no TLS (it was built without the `tls` feature)\n"
    );
}
