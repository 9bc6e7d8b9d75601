//! `--tls`: our client against an in-process rustls server (certificates
//! checked against a CA file, names, SNI only for names, ALPN, the end
//! confirmed by close_notify or not), and our listener (the certificate it
//! makes, valid for localhost and its addresses, its fingerprint printed;
//! files given; both ends ours with half-closes each way). Without the
//! `tls` feature, `--tls` is one line and exit 2.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn tcp_echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

#[cfg(not(feature = "tls"))]
#[test]
fn without_the_feature_tls_is_refused() {
    let mut cmd = tcp_echo();
    cmd.args(["--tls", "127.0.0.1", "1"]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (Some(2), "tcp-echo: --tls: this tcp-echo was built without TLS (the `tls` cargo feature)\n")
    );
}

#[cfg(feature = "tls")]
mod tls {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
    use std::process::Stdio;
    use std::sync::Arc;

    use harness::{Capture, TempDir};
    use shared::tls::client::{ClientOptions, client_config};
    use shared::tls::server::{Identity, self_signed};

    /// How the in-process server ends its side.
    #[derive(Clone, Copy, PartialEq)]
    enum End {
        /// close_notify, then the socket's half-close.
        Confirmed,
        /// The socket closed with no close_notify.
        Cut,
    }

    /// What the in-process server saw.
    #[derive(Debug)]
    struct Seen {
        sni: Option<String>,
        alpn: Option<Vec<u8>>,
        got: Vec<u8>,
        /// The client's end came with close_notify.
        confirmed: bool,
    }

    /// A server on 127.0.0.1 with `id`: sends `reply`, reads to the
    /// client's end, ends as `end` says.
    fn server(id: &Identity, reply: Vec<u8>, end: End) -> (SocketAddr, std::thread::JoinHandle<Option<Seen>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let config = id.config.clone();
        let handle = std::thread::spawn(move || {
            let (mut tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(LIMIT)).unwrap();
            let mut conn = rustls::ServerConnection::new(config).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut tcp).is_err() {
                    return None;
                }
            }
            let sni = conn.server_name().map(str::to_string);
            let alpn = conn.alpn_protocol().map(<[u8]>::to_vec);
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            tls.write_all(&reply).unwrap();
            tls.flush().unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 16 * 1024];
            let confirmed = loop {
                match tls.read(&mut buf) {
                    Ok(0) => break true,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(_) => break false,
                }
            };
            if end == End::Confirmed {
                conn.send_close_notify();
                let _ = conn.complete_io(&mut tcp);
            }
            let _ = tcp.shutdown(Shutdown::Write);
            Some(Seen { sni, alpn, got, confirmed })
        });
        (addr, handle)
    }

    fn identity() -> Identity {
        self_signed(&["localhost".into()], &["127.0.0.1".parse().unwrap()], &[b"http/1.1".to_vec()]).unwrap()
    }

    /// The identity's certificate in a PEM file, for `--tls-ca`.
    fn ca_file(dir: &TempDir, id: &Identity) -> String {
        let path = dir.join("ca.pem");
        std::fs::write(&path, id.pem()).unwrap();
        path.display().to_string()
    }

    #[test]
    fn checked_both_ways_with_close_notify() {
        let dir = TempDir::new("tls-ca");
        let id = identity();
        let ca = ca_file(&dir, &id);
        let reply = harness::pseudo_random(80, 1024 * 1024);
        let ours = harness::pseudo_random(81, 1024 * 1024);
        let (addr, server) = server(&id, reply.clone(), End::Confirmed);
        let mut cmd = tcp_echo();
        cmd.args(["--tls", "--tls-ca", &ca, "--tls-alpn", "h2,http/1.1", "localhost", &addr.port().to_string()]);
        let out = harness::run(cmd, Some(&ours), LIMIT);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(out.stdout == reply, "the server's 1 MiB arrived");
        let seen = server.join().unwrap().unwrap();
        assert!(seen.got == ours, "our 1 MiB arrived");
        assert!(seen.confirmed, "our end came with close_notify");
        assert_eq!(seen.sni.as_deref(), Some("localhost"), "SNI for a name");
        assert_eq!(seen.alpn.as_deref(), Some(&b"http/1.1"[..]));
    }

    #[test]
    fn no_sni_for_an_address() {
        let dir = TempDir::new("tls-ip");
        let id = identity();
        let ca = ca_file(&dir, &id);
        let (addr, server) = server(&id, b"hi".to_vec(), End::Confirmed);
        let mut cmd = tcp_echo();
        cmd.args(["--tls", "--tls-ca", &ca, &addr.to_string()]);
        let out = harness::run(cmd, Some(b""), LIMIT);
        assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"hi"[..]), "{}", out.stderr);
        assert_eq!(server.join().unwrap().unwrap().sni, None, "no SNI for an IP address (RFC 6066)");
    }

    #[test]
    fn an_end_without_close_notify_is_exit_1_after_the_data() {
        let dir = TempDir::new("tls-cut");
        let id = identity();
        let ca = ca_file(&dir, &id);
        let (addr, server) = server(&id, b"all of it".to_vec(), End::Cut);
        let mut cmd = tcp_echo();
        cmd.args(["--tls", "--tls-ca", &ca, &addr.to_string()]);
        let out = harness::run(cmd, Some(b"x"), LIMIT);
        assert_eq!(out.stdout, b"all of it", "what came was delivered");
        assert_eq!(
            (out.code, out.stderr),
            (
                Some(1),
                format!(
                    "tcp-echo: {addr} closed without TLS close_notify: the end was not confirmed (the stream may be cut)\n"
                )
            )
        );
        server.join().unwrap();
    }

    #[test]
    fn certificates_not_trusted_or_not_for_the_name() {
        let dir = TempDir::new("tls-refuse");
        let id = identity();
        let ca = ca_file(&dir, &id);
        let cases: Vec<(Vec<String>, &str)> = vec![
            (
                vec!["--tls".into()],
                "the certificate is not trusted (unknown issuer; --tls-ca FILE trusts it, --tls-insecure skips the checks)",
            ),
            (
                vec!["--tls".into(), "--tls-ca".into(), ca.clone(), "--tls-server-name".into(), "other.example".into()],
                "the certificate is not for this name (--tls-server-name NAME checks another)",
            ),
        ];
        for (args, why) in cases {
            let (addr, server) = server(&id, Vec::new(), End::Confirmed);
            let mut cmd = tcp_echo();
            cmd.args(&args).arg(addr.to_string());
            let out = harness::run(cmd, Some(b""), LIMIT);
            assert_eq!((out.code, out.stderr), (Some(1), format!("tcp-echo: TLS with {addr}: {why}\n")), "{args:?}");
            assert!(server.join().unwrap().is_none(), "no handshake completed");
        }
        // Skipping the checks lets it through.
        let (addr, server) = server(&id, b"ok".to_vec(), End::Confirmed);
        let mut cmd = tcp_echo();
        cmd.args(["--tls", "--tls-insecure", &addr.to_string()]);
        let out = harness::run(cmd, Some(b""), LIMIT);
        assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"ok"[..]), "{}", out.stderr);
        server.join().unwrap();
    }

    /// Our listener's own certificate: its fingerprint printed, valid for
    /// localhost and 127.0.0.1 (a client trusting it checks both names).
    #[test]
    fn our_listener_makes_a_certificate_for_its_names() {
        let mut cmd = tcp_echo();
        cmd.args(["-l", "-k", "--echo", "--tls", "--tls-alpn", "echo", "127.0.0.1:0"]).stdin(Stdio::null());
        let run = harness::start(cmd, Capture::Stderr);
        let addr = run.addr_on_stderr("listening on ");
        let printed = run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| {
            l.strip_prefix(
                "tcp-echo: TLS certificate (self-signed, made now, kept in memory only), SHA-256 fingerprint: ",
            )
            .map(str::to_string)
        });
        // First look at the certificate without checking it.
        let insecure = client_config(&ClientOptions { insecure: true, ..ClientOptions::default() }).unwrap();
        let cert = {
            let mut conn =
                rustls::ClientConnection::new(insecure, shared::tls::server_name("localhost").unwrap()).unwrap();
            let mut tcp = TcpStream::connect(addr).unwrap();
            while conn.is_handshaking() {
                conn.complete_io(&mut tcp).unwrap();
            }
            conn.peer_certificates().unwrap()[0].clone().into_owned()
        };
        assert_eq!(shared::tls::fingerprint(cert.as_ref()), printed);
        // Then trust exactly it, and check it by name and by address.
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let mut config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
        config.alpn_protocols = vec![b"echo".to_vec()];
        let config = Arc::new(config);
        for name in ["localhost", "127.0.0.1"] {
            let mut conn =
                rustls::ClientConnection::new(config.clone(), shared::tls::server_name(name).unwrap()).unwrap();
            let mut tcp = TcpStream::connect(addr).unwrap();
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            tls.write_all(b"checked\n").unwrap();
            let mut back = [0u8; 8];
            tls.read_exact(&mut back).unwrap();
            assert_eq!(&back, b"checked\n", "{name}");
            assert_eq!(tls.conn.alpn_protocol(), Some(&b"echo"[..]));
        }
    }

    /// Both ends ours: each side half-closes with close_notify, and what
    /// the listener sends after the client's end still arrives.
    #[test]
    fn our_client_and_listener_half_close_each_way() {
        let dir = TempDir::new("tls-ours");
        std::fs::write(dir.join("big"), harness::pseudo_random(82, 8 * 1024 * 1024)).unwrap();
        let mut cmd = tcp_echo();
        cmd.args(["-l", "--tls", "127.0.0.1:0"])
            .stdin(std::fs::File::open(dir.join("big")).unwrap())
            .stdout(std::fs::File::create(dir.join("server-got")).unwrap());
        let mut server = harness::start(cmd, Capture::StderrOnly);
        let addr = server.addr_on_stderr("listening on ");
        let mut cmd = tcp_echo();
        cmd.args(["--tls", "--tls-insecure", &addr.to_string()]);
        let ours = harness::pseudo_random(83, 3 * 1024 * 1024);
        let out = harness::run(cmd, Some(&ours), LIMIT);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(out.stdout == std::fs::read(dir.join("big")).unwrap(), "the listener's 8 MiB (a file sent in pieces)");
        assert!(server.wait_exit(LIMIT).success());
        assert!(std::fs::read(dir.join("server-got")).unwrap() == ours, "our 3 MiB");
    }

    #[test]
    fn usage() {
        let cases: &[(&[&str], &str)] = &[
            (&["--tls-ca", "x.pem", "h", "443"], "the following required arguments were not provided: --tls"),
            (&["--tls", "--tls-ca", "/no/such.pem", "127.0.0.1", "1"], "/no/such.pem: no such file or directory"),
            (
                &["-l", "--tls", "--tls-cert", "/no/c.pem", "--tls-key", "/no/k.pem", "127.0.0.1:0"],
                "/no/c.pem: no such file or directory",
            ),
        ];
        for (args, want) in cases {
            let mut cmd = tcp_echo();
            cmd.args(*args);
            let out = harness::run(cmd, None, LIMIT);
            assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
            assert!(
                out.stderr.starts_with(&format!("tcp-echo: {want}")) && out.stderr.lines().count() == 1,
                "{}",
                out.stderr
            );
        }
    }
}
