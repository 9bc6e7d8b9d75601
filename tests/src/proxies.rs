//! Real proxies for the interoperability tests, started on loopback with
//! a configuration of their own in a temporary folder: tinyproxy (HTTP,
//! CONNECT, Basic credentials) and Dante's `danted` (SOCKS5 and SOCKS4).
//! Neither can bind port 0 and report it, so each gets a port probed free
//! just before it starts and is retried when another process took it
//! ([`crate::peers::start_on_probed_port`]); each is ready when it says so
//! on stderr. And an HTTPS origin for tunnels: Python's `http.server`
//! behind `ssl`, with a certificate `openssl` makes, on port 0.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use crate::peers::{missing, start_on_probed_port};
use crate::{Capture, Running, TempDir};

/// A running proxy: the process, its port, its folder.
#[derive(Debug)]
pub struct ProxyPeer {
    /// The process, killed on drop.
    pub run: Running,
    /// Where it listens, on 127.0.0.1.
    pub port: u16,
    /// Its configuration.
    _dir: TempDir,
}

/// The program at one of `paths`, or `None` (reported as missing).
fn program(name: &str, paths: &[&str]) -> Option<String> {
    if cfg!(windows) {
        missing(name);
        return None;
    }
    let found = paths.iter().find(|p| Path::new(p).exists()).map(|p| p.to_string());
    if found.is_none() {
        missing(name);
    }
    found
}

/// tinyproxy on loopback, forwarding to anywhere (CONNECT to any port);
/// with `basic` it wants those credentials.
pub fn tinyproxy(basic: Option<(&str, &str)>) -> Option<ProxyPeer> {
    let bin = program("tinyproxy", &["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"])?;
    let dir = TempDir::new("tinyproxy");
    let auth = basic.map(|(u, p)| format!("BasicAuth {u} {p}\n")).unwrap_or_default();
    let conf = dir.join("tinyproxy.conf");
    let (run, port) = start_on_probed_port(
        |port| {
            let config = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogLevel Info\nMaxClients 50\nAllow 127.0.0.1\n{auth}"
            );
            std::fs::write(&conf, config).expect("write tinyproxy.conf");
            // tinyproxy logs to stdout in the foreground; the harness reads
            // stderr for the ready line.
            let mut cmd = Command::new("sh");
            cmd.args(["-c", "exec \"$0\" -d -c \"$1\" 1>&2", &bin]).arg(&conf);
            cmd
        },
        "Accepting connections",
        false,
    );
    Some(ProxyPeer { run, port, _dir: dir })
}

/// danted on loopback, SOCKS5 and SOCKS4 without credentials, to any
/// address.
pub fn danted() -> Option<ProxyPeer> {
    let bin = program("danted", &["/usr/sbin/danted", "/usr/bin/danted"])?;
    let dir = TempDir::new("danted");
    let conf = dir.join("danted.conf");
    let (run, port) = start_on_probed_port(
        |port| {
            let config = format!(
                "logoutput: stderr\ninternal: 127.0.0.1 port = {port}\nexternal: 127.0.0.1\n\
                 socksmethod: none\nclientmethod: none\nuser.privileged: root\nuser.unprivileged: nobody\n\
                 client pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 }}\nsocks pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 }}\n"
            );
            std::fs::write(&conf, config).expect("write danted.conf");
            let mut cmd = Command::new(&bin);
            cmd.arg("-f").arg(&conf).args(["-N", "1"]);
            cmd
        },
        " running",
        false,
    );
    Some(ProxyPeer { run, port, _dir: dir })
}

/// An HTTPS server on loopback port 0 serving `root`, with a self-signed
/// certificate for `localhost` and 127.0.0.1 (clients need `-k`).
pub fn https_server(root: &Path) -> Option<(Running, SocketAddr, TempDir)> {
    if !crate::peer("openssl") || !crate::peers::python_has(&["http.server", "ssl"]) {
        return None;
    }
    let dir = TempDir::new("https-origin");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(made.status.success(), "openssl req: {}", String::from_utf8_lossy(&made.stderr));
    let script = format!(
        "import http.server, ssl, functools\n\
         handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory={root:?})\n\
         srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)\n\
         ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n\
         ctx.load_cert_chain({cert:?}, {key:?})\n\
         srv.socket = ctx.wrap_socket(srv.socket, server_side=True)\n\
         print('listening on 127.0.0.1:%d' % srv.server_address[1], flush=True)\n\
         srv.serve_forever()\n",
        root = root.display().to_string(),
        cert = cert.display().to_string(),
        key = key.display().to_string(),
    );
    let mut cmd = Command::new(crate::peers::python());
    cmd.args(["-u", "-c", &script]);
    let run = crate::start(cmd, Capture::Both);
    let addr = run.addr_on_stdout("listening on ");
    Some((run, addr, dir))
}
