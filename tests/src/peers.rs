//! Starting outside programs as test peers: finding them (or skipping with
//! one clear line, or failing when CI says every peer must be there), and
//! giving each a loopback port.
//!
//! Peers that print the port they bound are started on port 0 and read.
//! nginx gets an already-bound listener through its `NGINX` inherited
//! socket variable. The few that can neither bind port 0 nor inherit a
//! socket (ncat, socat's UDP receiver) get a port probed free just before
//! they start, and are retried when another process took it meanwhile.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Capture, Running, TempDir};

/// True when CI asked for every peer (`NETKIT_REQUIRE_PEERS=1`).
pub fn required() -> bool {
    std::env::var("NETKIT_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// Reports a missing peer: a panic in CI, one line and `false` otherwise.
/// On Windows the peers (Linux programs) are not run at all: one line
/// says so, whatever CI asks.
pub fn missing(name: &str) -> bool {
    if cfg!(windows) {
        eprintln!("skipped: {name}: a Linux program, not run in the Windows pass");
        return false;
    }
    if required() {
        panic!("{name} is required (NETKIT_REQUIRE_PEERS=1) but not installed");
    }
    eprintln!("skipped: {name} not installed");
    false
}

/// The Python that has the PyPI peers: `NETKIT_PYTHON`, else `python3`.
pub fn python() -> PathBuf {
    std::env::var_os("NETKIT_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from)
}

/// True when Python can import every module in `modules` (else reported
/// as missing).
pub fn python_has(modules: &[&str]) -> bool {
    let check = format!("import {}", modules.join(", "));
    let ok = Command::new(python()).args(["-c", &check]).output().is_ok_and(|o| o.status.success());
    ok || missing(&format!("python module {}", modules.join(" and ")))
}

/// A loopback TCP port nobody listens on right now.
pub fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("probe a free port")
}

/// A loopback UDP port nobody uses right now.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).map(|a| a.port()).expect("probe a free port")
}

/// Starts a peer that cannot bind port 0 and report it: `make` builds its
/// command for a probed port; the peer is ready when a stderr line
/// contains `ready`. A port taken meanwhile ("in use") is retried.
pub fn start_on_probed_port(mut make: impl FnMut(u16) -> Command, ready: &str, udp: bool) -> (Running, u16) {
    for _ in 0..5 {
        let port = if udp { free_udp_port() } else { free_tcp_port() };
        let run = crate::start(make(port), Capture::StderrOnly);
        let lines = run.stderr.as_ref().expect("stderr captured");
        let ok = lines.wait_for(crate::START_TIMEOUT, |l| {
            if l.contains(ready) {
                Some(true)
            } else if l.to_ascii_lowercase().contains("in use") {
                Some(false)
            } else {
                None
            }
        });
        if ok {
            return (run, port);
        }
    }
    panic!("no free port could be kept for the peer in five tries");
}

/// A running nginx serving `root` on a loopback port, one worker, sendfile
/// on, access log off. Dropping it stops nginx gracefully: a killed master
/// would leave its worker running.
#[derive(Debug)]
pub struct Nginx {
    /// The process.
    pub run: Running,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its config and temp files.
    _dir: TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers, then itself.
        #[cfg(unix)]
        if let Ok(pid) = libc::pid_t::try_from(self.run.child.id()) {
            // SAFETY: signalling our own child process.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if self.run.child.try_wait().ok().flatten().is_some() {
                return;
            }
            // Polling an exit status; this is not waiting for readiness.
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Starts nginx on `root`, or `None` when nginx is not installed.
#[cfg(windows)]
pub fn nginx(_root: &Path) -> Option<Nginx> {
    missing("nginx");
    None
}

/// Starts nginx on `root`, or `None` when nginx is not installed.
#[cfg(unix)]
pub fn nginx(root: &Path) -> Option<Nginx> {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists());
    let Some(bin) = bin else {
        missing("nginx");
        return None;
    };
    let dir = TempDir::new("nginx");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind for nginx");
    let addr = listener.local_addr().expect("nginx address");
    let d = dir.path().display();
    let config = format!(
        "worker_processes 1;\ndaemon off;\nmaster_process on;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  types {{ application/octet-stream bin; text/plain txt; text/html html; }}\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{\n    listen {addr};\n    root {};\n  }}\n}}\n",
        root.display()
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, config).expect("write nginx.conf");
    let mut cmd = Command::new(bin);
    cmd.args([
        "-p",
        &dir.path().display().to_string(),
        "-c",
        &conf.display().to_string(),
        "-e",
        &format!("{d}/error.log"),
    ]);
    // nginx takes over listening sockets named in NGINX (its binary-upgrade
    // mechanism): the port is ours from the start, nobody can take it.
    let fd = listener.as_raw_fd();
    cmd.env("NGINX", "3;");
    // SAFETY: only async-signal-safe calls between fork and exec (dup2,
    // fcntl) give the child the listener as fd 3, without close-on-exec.
    unsafe {
        cmd.pre_exec(move || {
            // dup2 onto itself would keep close-on-exec: clear it instead.
            let rc = if fd == 3 { libc::fcntl(3, libc::F_SETFD, 0) } else { libc::dup2(fd, 3) };
            if rc < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let run = crate::start(cmd, Capture::Stderr);
    // The socket listens already: requests wait in its backlog until
    // nginx takes them, so there is nothing to wait for here.
    drop(listener);
    Some(Nginx { run, addr, _dir: dir })
}
