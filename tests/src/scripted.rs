//! In-process servers that send exact bytes: each accepted connection is
//! handed to the next script in a list, after its request has been read.
//! The requests are kept so tests can assert what a client sent.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What a script does with one connection, given the request it sent.
pub type Script = Box<dyn FnOnce(&mut TcpStream, &[u8]) + Send>;

/// A server running scripts, one connection each, in order.
#[derive(Debug)]
pub struct Scripted {
    /// Where it listens (127.0.0.1, a free port).
    pub addr: SocketAddr,
    /// Every request received so far: head and any Content-Length body.
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
    /// The accepting thread.
    handle: Option<JoinHandle<()>>,
}

impl Scripted {
    /// Starts serving `scripts`; the thread ends after the last one.
    pub fn start(scripts: Vec<Script>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        Scripted::on(listener, scripts)
    }

    /// Serves `scripts` on an already-bound listener.
    pub fn on(listener: TcpListener, scripts: Vec<Script>) -> Scripted {
        Scripted::serve(listener, scripts, true)
    }

    /// Like [`Scripted::on`], but hands each connection to its script
    /// before reading anything (for TLS, or servers that speak first).
    pub fn on_raw(listener: TcpListener, scripts: Vec<Script>) -> Scripted {
        Scripted::serve(listener, scripts, false)
    }

    fn serve(listener: TcpListener, scripts: Vec<Script>, read_first: bool) -> Scripted {
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let handle = std::thread::spawn(move || {
            for script in scripts {
                let Ok((mut stream, _)) = listener.accept() else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                let request = if read_first { read_request(&mut stream) } else { Vec::new() };
                seen.lock().expect("requests lock").push(request.clone());
                script(&mut stream, &request);
            }
        });
        Scripted { addr, requests, handle: Some(handle) }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The requests received, as text.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests lock").iter().map(|r| String::from_utf8_lossy(r).into_owned()).collect()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        // The thread may be blocked in accept when a test ends early; it
        // ends with the test process, so it is not joined.
        let _ = self.handle.take();
    }
}

/// Reads a request head and, when it announces one, a Content-Length body.
pub fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    read_request_from(stream)
}

/// [`read_request`] from any stream (a TLS one, say).
pub fn read_request_from(stream: &mut impl Read) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 1 << 20 {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return buf,
        }
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if stream.read_exact(&mut body).is_ok() {
        buf.extend_from_slice(&body);
    }
    buf
}

/// A script that sends `bytes` and closes.
pub fn reply(bytes: impl Into<Vec<u8>>) -> Script {
    let bytes = bytes.into();
    Box::new(move |s, _| {
        let _ = s.write_all(&bytes);
    })
}

/// A script that sends `bytes` and keeps the connection open for `hold`
/// (to show the client does not wait for more).
pub fn reply_and_hold(bytes: impl Into<Vec<u8>>, hold: Duration) -> Script {
    let bytes = bytes.into();
    Box::new(move |s, _| {
        let _ = s.write_all(&bytes);
        let _ = s.set_read_timeout(Some(hold));
        let mut sink = [0u8; 64];
        let _ = s.read(&mut sink);
    })
}

/// A script that sends `bytes` and then resets the connection (RST).
pub fn reply_and_reset(bytes: impl Into<Vec<u8>>) -> Script {
    let bytes = bytes.into();
    Box::new(move |s, _| {
        let _ = s.write_all(&bytes);
        let _ = s.flush();
        // A pause so the bytes leave before the reset overtakes them.
        std::thread::sleep(Duration::from_millis(100));
        let sock = socket2::SockRef::from(&*s);
        let _ = sock.set_linger(Some(Duration::ZERO));
    })
}

/// `HTTP/1.1 STATUS` with Content-Length and `body`, plus extra fields.
pub fn response(status: &str, extra: &[&str], body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for e in extra {
        r.push_str(e);
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    let mut bytes = r.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
