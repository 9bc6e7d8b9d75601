//! nginx serving compressed bodies, for `--compressed`'s interoperability
//! tests: `/text/` gzipped on the fly (chunked), `/gz/` from precompressed
//! `.gz` files (`gzip_static`), `/br/` from precompressed `.br` files
//! (`brotli_static`, Debian's libnginx-mod-http-brotli-static). Started as
//! [`crate::peers::nginx`] is: on a listener bound here and inherited, so
//! no port is probed; stopped gracefully on drop.

use std::net::SocketAddr;
use std::path::Path;

use crate::peers::missing;
use crate::{Running, TempDir};

/// Where Debian puts the brotli_static module.
#[cfg(unix)]
const BROTLI_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so";

/// A running nginx that compresses.
#[derive(Debug)]
pub struct CompressingNginx {
    /// The process.
    pub run: Running,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its configuration and temporary files.
    _dir: TempDir,
}

impl Drop for CompressingNginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its worker, then itself.
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

/// Starts it on `root` (which holds `text/`, `gz/` and `br/`), or `None`
/// when nginx or its brotli module is missing.
#[cfg(windows)]
pub fn start(_root: &Path) -> Option<CompressingNginx> {
    missing("nginx");
    None
}

/// Starts it on `root` (which holds `text/`, `gz/` and `br/`), or `None`
/// when nginx or its brotli module is missing.
#[cfg(unix)]
pub fn start(root: &Path) -> Option<CompressingNginx> {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    use std::process::Command;
    let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists());
    let Some(bin) = bin else {
        missing("nginx");
        return None;
    };
    if !Path::new(BROTLI_MODULE).exists() {
        missing("nginx's brotli_static module (libnginx-mod-http-brotli-static)");
        return None;
    }
    let dir = TempDir::new("nginx-encoding");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind for nginx");
    let addr = listener.local_addr().expect("nginx address");
    let d = dir.path().display();
    let config = format!(
        "load_module {BROTLI_MODULE};\nworker_processes 1;\ndaemon off;\nmaster_process on;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log;\nevents {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  types {{ text/plain txt; application/octet-stream bin; }}\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{\n    listen {addr};\n    root {};\n\
             location /text/ {{ gzip on; gzip_types *; gzip_min_length 1; }}\n\
             location /gz/ {{ gzip_static on; }}\n\
             location /br/ {{ brotli_static on; }}\n  }}\n}}\n",
        root.display()
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, config).expect("write nginx.conf");
    let mut cmd = Command::new(bin);
    cmd.arg("-p").arg(dir.path()).arg("-c").arg(&conf).arg("-e").arg(dir.join("error.log"));
    let fd = listener.as_raw_fd();
    cmd.env("NGINX", "3;");
    // SAFETY: only async-signal-safe calls between fork and exec (dup2,
    // fcntl) give the child the listener as fd 3, without close-on-exec.
    unsafe {
        cmd.pre_exec(move || {
            let rc = if fd == 3 { libc::fcntl(3, libc::F_SETFD, 0) } else { libc::dup2(fd, 3) };
            if rc < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let run = crate::start(cmd, crate::Capture::Stderr);
    // The socket listens already: requests wait in its backlog.
    drop(listener);
    Some(CompressingNginx { run, addr, _dir: dir })
}
