//! tcp-echo `--tls` against OpenSSL's `s_server` and `s_client`, ncat
//! `--ssl` and socat `OPENSSL`, both directions, certificates checked on
//! both sides (a certificate made by `openssl req`, trusted by its file).
//! Where the peer ends with close_notify (OpenSSL, socat) everything is
//! exit 0; ncat ends with a bare TCP close (as a client, most of the
//! time), and then tcp-echo delivers every byte and says, exit 1, that the
//! end was not confirmed.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::sides::Sides;
use harness::{Capture, Running, peer, peers};

const LIMIT: Duration = Duration::from_secs(60);
const SIZE: usize = 1024 * 1024;
/// What tcp-echo says of an end that came without close_notify.
const UNCONFIRMED: &str = "closed without TLS close_notify: the end was not confirmed (the stream may be cut)";

fn tcp_echo() -> Command {
    Command::new(harness::bin("tcp-echo"))
}

/// Two inputs and, beside them, a certificate for localhost and
/// 127.0.0.1 (not a CA: a leaf, as servers have) and its key.
struct Tls(Sides);

impl Tls {
    fn new(label: &str) -> Tls {
        let sides = Sides::new(label, SIZE, 91);
        let at = |name: &str| sides.path(name).display().to_string();
        let out = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
            .args(["-keyout", &at("k.pem"), "-out", &at("c.pem")])
            .args(["-subj", "/CN=localhost", "-days", "2"])
            .args([
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl req: {}", String::from_utf8_lossy(&out.stderr));
        Tls(sides)
    }

    fn path(&self, name: &str) -> String {
        self.0.path(name).display().to_string()
    }

    fn input(&self, side: &str) -> Stdio {
        self.0.input(side)
    }

    fn output(&self, side: &str) -> Stdio {
        self.0.output(side)
    }

    /// Each side's 1 MiB arrived at the other, unchanged.
    fn check(&self) {
        self.0.check();
    }

    /// The certificate's SHA-256 fingerprint, as openssl prints it.
    fn fingerprint(&self) -> String {
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in", &self.path("c.pem")])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().split_once('=').unwrap().1.to_string()
    }

    /// `tcp-echo -l --tls` with these files, side a's input and output.
    fn our_listener(&self, extra: &[&str]) -> (Running, u16) {
        let mut cmd = tcp_echo();
        cmd.args(["-l", "--tls", "--tls-cert", &self.path("c.pem"), "--tls-key", &self.path("k.pem")])
            .args(extra)
            .arg("127.0.0.1:0")
            .stdin(self.input("a"))
            .stdout(self.output("a"));
        let run = harness::start(cmd, Capture::StderrOnly);
        let port = run.addr_on_stderr("listening on ").port();
        let want = format!("tcp-echo: TLS certificate (from --tls-cert), SHA-256 fingerprint: {}", self.fingerprint());
        run.stderr.as_ref().unwrap().wait_for(LIMIT, |l| (l == want).then_some(()));
        (run, port)
    }

    /// `tcp-echo EXTRA --tls --tls-ca c.pem localhost PORT` with side a's
    /// files.
    fn our_client(&self, port: u16, extra: &[&str]) -> harness::Finished {
        let mut cmd = tcp_echo();
        cmd.args(extra)
            .args(["--tls", "--tls-ca", &self.path("c.pem"), "localhost", &port.to_string()])
            .stdin(self.input("a"))
            .stdout(self.output("a"))
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let status = harness::wait_timeout(&mut child, LIMIT);
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        harness::Finished { code: status.code(), stdout: Vec::new(), stderr }
    }
}

#[test]
fn our_client_to_openssl_s_server() {
    if !peer("openssl") {
        return;
    }
    let tls = Tls::new("tls-s-server");
    // -rev answers every line reversed, then closes with close_notify
    // when the client has.
    let (_server, port) = start_s_server(&tls);
    let lines: String = (0..2000).map(|i| format!("line number {i}\n")).collect();
    let mut cmd = tcp_echo();
    cmd.args(["--tls", "--tls-ca", &tls.path("c.pem"), "localhost", &port.to_string()]);
    let out = harness::run(cmd, Some(lines.as_bytes()), LIMIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let want: String = lines.lines().map(|l| format!("{}\n", l.chars().rev().collect::<String>())).collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

/// `openssl s_server -rev` on a probed port; it says ACCEPT on stdout.
fn start_s_server(tls: &Tls) -> (Running, u16) {
    let port = peers::free_tcp_port();
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-naccept", "1", "-rev"]).args([
        "-cert",
        &tls.path("c.pem"),
        "-key",
        &tls.path("k.pem"),
    ]);
    let run = harness::start(cmd, Capture::Both);
    run.stdout.as_ref().unwrap().wait_for(harness::START_TIMEOUT, |l| l.contains("ACCEPT").then_some(()));
    (run, port)
}

#[test]
fn openssl_s_client_to_our_listener() {
    if !peer("openssl") {
        return;
    }
    let tls = Tls::new("tls-s-client");
    let (_ours, port) = tls.our_listener(&["-k", "--echo"]);
    let mut s_client = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-quiet", "-no_ign_eof"])
        .args(["-CAfile", &tls.path("c.pem"), "-verify_return_error", "-verify_hostname", "localhost"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut to = s_client.stdin.take().unwrap();
    let mut from = BufReader::new(s_client.stdout.take().unwrap());
    for i in 0..50 {
        to.write_all(format!("hello {i} from s_client\n").as_bytes()).unwrap();
        let mut line = String::new();
        from.read_line(&mut line).unwrap();
        assert_eq!(line, format!("hello {i} from s_client\n"), "echoed through our TLS listener");
    }
    drop(to);
    assert!(harness::wait_timeout(&mut s_client, LIMIT).success(), "s_client verified us and ended cleanly");
}

#[test]
fn ncat_ssl_client_to_our_listener() {
    if !peer("openssl") || !peer("ncat") {
        return;
    }
    let tls = Tls::new("tls-ncat-client");
    let (mut ours, port) = tls.our_listener(&[]);
    let mut ncat = Command::new("ncat")
        .args(["--ssl", "--ssl-verify", "--ssl-trustfile", &tls.path("c.pem"), "localhost", &port.to_string()])
        .stdin(tls.input("b"))
        .stdout(tls.output("b"))
        .spawn()
        .unwrap();
    assert!(harness::wait_timeout(&mut ncat, LIMIT).success(), "ncat verified us");
    assert_eq!(ours.wait_exit(LIMIT).code(), Some(1), "ncat ends without close_notify");
    let lines = ours.stderr.as_ref().unwrap().until_end(LIMIT);
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("closed without TLS close_notify: the end was not confirmed (the stream may be cut)")),
        "{lines:?}"
    );
    tls.check();
}

#[test]
fn our_client_to_ncat_ssl_listener() {
    if !peer("openssl") || !peer("ncat") {
        return;
    }
    let tls = Tls::new("tls-ncat-listen");
    let (_ncat, port) = peers::start_on_probed_port(
        |port| {
            let mut c = Command::new("ncat");
            c.args(["-lv", "--ssl", "--ssl-cert", &tls.path("c.pem"), "--ssl-key", &tls.path("k.pem")])
                .args(["127.0.0.1", &port.to_string()])
                .stdin(tls.input("b"))
                .stdout(tls.output("b"));
            c
        },
        "Listening on",
        false,
    );
    // ncat -l --ssl stops sending when its client's TLS ends first: our
    // side stays open, and ncat ends, without close_notify.
    let out = tls.our_client(port, &["--no-shutdown"]);
    assert_eq!((out.code, out.stderr), (Some(1), format!("tcp-echo: 127.0.0.1:{port} {UNCONFIRMED}\n")));
    tls.check();
}

#[test]
fn socat_openssl_client_to_our_listener() {
    if !peer("openssl") || !peer("socat") {
        return;
    }
    let tls = Tls::new("tls-socat-client");
    let (mut ours, port) = tls.our_listener(&[]);
    let mut socat = Command::new("socat")
        .args(["-t", "30", "STDIO", &format!("OPENSSL:localhost:{port},cafile={}", tls.path("c.pem"))])
        .stdin(tls.input("b"))
        .stdout(tls.output("b"))
        .spawn()
        .unwrap();
    assert!(harness::wait_timeout(&mut socat, LIMIT).success(), "socat verified us");
    assert_eq!(ours.wait_exit(LIMIT).code(), Some(0), "socat ends with close_notify");
    tls.check();
}

#[test]
fn our_client_to_socat_openssl_listener() {
    if !peer("openssl") || !peer("socat") {
        return;
    }
    let tls = Tls::new("tls-socat-listen");
    let listen =
        format!("OPENSSL-LISTEN:0,bind=127.0.0.1,cert={},key={},verify=0", tls.path("c.pem"), tls.path("k.pem"));
    let mut cmd = Command::new("socat");
    cmd.args(["-d", "-d", "-t", "30", &listen, "STDIO"]).stdin(tls.input("b")).stdout(tls.output("b"));
    let mut socat = harness::start(cmd, Capture::StderrOnly);
    let port = socat.addr_on_stderr("listening on AF=2 ").port();
    let out = tls.our_client(port, &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(socat.wait_exit(LIMIT).success());
    tls.check();
}
