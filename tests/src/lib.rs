//! The test harness: start a built tool, wait (with a timeout, never a
//! sleep) for the line in which it names its address, and kill it when the
//! test is done. Used by this crate's cross-tool tests and by each tool's
//! own integration tests.
//!
//! Everything the child writes to the captured stream is echoed to the
//! test's stderr with a prefix, so a failing test shows what the tool said.

pub mod http;
pub mod loopback;
mod measure;
pub mod nginx_encoding;
pub mod peers;
pub mod proxies;
pub mod scripted;
pub mod sides;
#[cfg(feature = "tls")]
pub mod tls;
pub mod trace;

pub use measure::run_measured;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, Once, mpsc};
use std::time::{Duration, Instant};

/// How long a tool gets to print its address before the test fails.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The path of a workspace binary (`tcp-echo`, `http-serve`, ...), built
/// on first use if cargo has not built it yet.
pub fn bin(name: &str) -> PathBuf {
    static BUILD: Once = Once::new();
    let dir = target_dir();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        BUILD.call_once(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--workspace", "--bins"]);
            if dir.ends_with("release") {
                cmd.arg("--release");
            }
            let status = cmd.status().expect("run cargo build");
            assert!(status.success(), "cargo build --workspace --bins failed");
        });
    }
    assert!(path.exists(), "binary {} not found", path.display());
    path
}

/// The profile directory the running test belongs to (`target/debug`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // target/debug/deps/test-hash -> target/debug
    let mut dir = exe.parent().expect("exe dir").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// A fresh, empty temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Makes `$TMPDIR/netkit-<label>-<pid>-<n>`.
    pub fn new(label: &str) -> TempDir {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("netkit-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the directory.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lines a child printed on one stream, collected by a reader thread.
#[derive(Debug, Clone)]
pub struct Lines {
    /// Every line so far.
    seen: Arc<Mutex<Vec<String>>>,
    /// Wakes waiters when a line arrives.
    rx: Arc<Mutex<mpsc::Receiver<String>>>,
}

impl Lines {
    /// Starts a thread that reads `stream` line by line, echoing each line
    /// with `prefix` to the test's stderr.
    pub fn collect(stream: impl Read + Send + 'static, prefix: String) -> Lines {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let store = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut raw = Vec::new();
            loop {
                raw.clear();
                match reader.read_until(b'\n', &mut raw) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&raw).trim_end_matches(['\r', '\n']).to_string();
                        eprintln!("{prefix}{line}");
                        store.lock().expect("lines lock").push(line.clone());
                        let _ = tx.send(line);
                    }
                }
            }
        });
        Lines { seen, rx: Arc::new(Mutex::new(rx)) }
    }

    /// Waits up to `timeout` for a line for which `pick` returns something.
    /// Lines already seen count. Panics with what was seen on timeout.
    pub fn wait_for<T>(&self, timeout: Duration, mut pick: impl FnMut(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        let rx = self.rx.lock().expect("rx lock");
        // Lines seen before this call may already have been received.
        let mut checked = 0;
        loop {
            {
                let seen = self.seen.lock().expect("lines lock");
                for line in &seen[checked..] {
                    if let Some(v) = pick(line) {
                        return v;
                    }
                }
                checked = seen.len();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!("timed out after {timeout:?} waiting for a line; saw: {:?}", self.all());
            }
            match rx.recv_timeout(left) {
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // The stream ended: one last look, then give up.
                    let seen = self.seen.lock().expect("lines lock");
                    if let Some(v) = seen[checked..].iter().find_map(|l| pick(l)) {
                        return v;
                    }
                    panic!("stream ended while waiting for a line; saw: {seen:?}");
                }
            }
        }
    }

    /// Waits up to `timeout` for the stream to end (the child exited or
    /// closed it), then returns every line. Panics on timeout.
    pub fn until_end(&self, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        let rx = self.rx.lock().expect("rx lock");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return self.all(),
                Err(mpsc::RecvTimeoutError::Timeout) => panic!("stream still open after {timeout:?}"),
            }
        }
    }

    /// Every line so far.
    pub fn all(&self) -> Vec<String> {
        self.seen.lock().expect("lines lock").clone()
    }
}

/// Finds the first `HOST:PORT` or `[V6]:PORT` after `marker` in a line.
pub fn addr_after(line: &str, marker: &str) -> Option<SocketAddr> {
    let rest = &line[line.find(marker)? + marker.len()..];
    let word = rest.split_whitespace().next()?;
    // `http://ADDR/`, `(http://ADDR/)`, `ADDR,`: the address ends at its port.
    let word = word.trim_start_matches("http://").trim_end_matches(|c: char| !c.is_ascii_digit());
    word.parse().ok()
}

/// A running tool, killed on drop.
#[derive(Debug)]
pub struct Running {
    /// The child process.
    pub child: Child,
    /// Its stderr lines, when captured.
    pub stderr: Option<Lines>,
    /// Its stdout lines, when captured as lines.
    pub stdout: Option<Lines>,
    /// Its stdout as a raw stream, when not captured as lines.
    pub raw_stdout: Option<ChildStdout>,
}

/// Which output streams [`start`] reads as lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// stderr as lines; stdout left as a raw pipe.
    Stderr,
    /// stdout and stderr both as lines.
    Both,
    /// stderr as lines; stdout left as the caller set it (a file, say).
    StderrOnly,
}

/// Spawns `cmd` with piped stderr (and stdout, unless `StderrOnly`; stdin
/// as the caller set it) and starts collecting lines as `capture` says.
pub fn start(mut cmd: Command, capture: Capture) -> Running {
    if capture != Capture::StderrOnly {
        cmd.stdout(Stdio::piped());
    }
    cmd.stderr(Stdio::piped());
    let label = cmd.get_program().to_string_lossy().rsplit('/').next().unwrap_or("child").to_string();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {label}: {e}"));
    let stderr = child.stderr.take().map(|s| Lines::collect(s, format!("[{label} stderr] ")));
    let (stdout, raw_stdout) = match capture {
        Capture::Both => (child.stdout.take().map(|s| Lines::collect(s, format!("[{label} stdout] "))), None),
        Capture::Stderr | Capture::StderrOnly => (None, child.stdout.take()),
    };
    Running { child, stderr, stdout, raw_stdout }
}

impl Running {
    /// Waits for a stderr line containing `marker` followed by an address.
    pub fn addr_on_stderr(&self, marker: &str) -> SocketAddr {
        let lines = self.stderr.as_ref().expect("stderr captured");
        lines.wait_for(START_TIMEOUT, |l| addr_after(l, marker))
    }

    /// Waits for a stdout line containing `marker` followed by an address.
    pub fn addr_on_stdout(&self, marker: &str) -> SocketAddr {
        let lines = self.stdout.as_ref().expect("stdout captured as lines");
        lines.wait_for(START_TIMEOUT, |l| addr_after(l, marker))
    }

    /// Waits up to `timeout` for the child to exit; kills it and panics
    /// if it does not.
    pub fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        wait_timeout(&mut self.child, timeout)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits up to `timeout` for `child` to exit; kills it and panics if not.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child did not exit within {timeout:?}");
        }
        // Polling an exit status; this is not waiting for readiness.
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// A deterministic pseudo-random byte stream (xorshift), so tests move
/// incompressible data without a dependency and can regenerate it to check.
pub fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// What a finished command printed and how it ended.
#[derive(Debug)]
pub struct Finished {
    /// Exit code (None when killed by a signal).
    pub code: Option<i32>,
    /// Everything on stdout.
    pub stdout: Vec<u8>,
    /// Everything on stderr, as text.
    pub stderr: String,
}

/// Reads the child's piped stdout and stderr to their ends in two
/// threads, so neither pipe fills up while the test waits.
pub(crate) fn read_outputs(child: &mut Child) -> (std::thread::JoinHandle<Vec<u8>>, std::thread::JoinHandle<Vec<u8>>) {
    fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    }
    (drain(child.stdout.take().expect("stdout piped")), drain(child.stderr.take().expect("stderr piped")))
}

/// Runs `cmd` to the end with `stdin` as its input (None: /dev/null),
/// killing it and failing the test if it takes longer than `timeout`.
pub fn run(mut cmd: Command, stdin: Option<&[u8]>, timeout: Duration) -> Finished {
    use std::io::Write;
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.get_program()));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin piped");
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let (out_thread, err_thread) = read_outputs(&mut child);
    let status = wait_timeout(&mut child, timeout);
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err_thread.join().unwrap_or_default()).into_owned();
    if !stderr.is_empty() {
        eprintln!("[{} stderr] {}", cmd.get_program().to_string_lossy(), stderr.trim_end());
    }
    Finished { code: status.code(), stdout, stderr }
}

/// True when the tests run under Wine (`tests/wine/run` sets
/// `NETKIT_WINE=1`).
pub fn under_wine() -> bool {
    std::env::var("NETKIT_WINE").is_ok_and(|v| v == "1")
}

/// Whether a peak memory reading (KiB) is within `limit_kib`. Under Wine
/// the working-set figures count Wine's own libraries (tens of MiB) and
/// are sometimes 0, so they prove nothing either way: there the reading is
/// printed, not judged. Everywhere else the bound holds, and a reading of
/// 0 (nothing measured) fails it.
pub fn memory_within(peak_kib: u64, limit_kib: u64) -> bool {
    if under_wine() {
        eprintln!("memory not judged under Wine (its working set counts Wine itself): {peak_kib} KiB");
        return true;
    }
    peak_kib > 0 && peak_kib < limit_kib
}

/// Peak resident memory of a running process in KiB: VmHWM on Linux, the
/// peak working set on Windows; 0 where it cannot be read.
pub fn peak_rss_kib(pid: u32) -> u64 {
    measure::peak_rss_kib(pid)
}

/// A loopback address where connecting hangs: a listener that never
/// accepts, its backlog filled, so the kernel drops new SYNs. Keep the
/// returned value alive for as long as the address should stay a black hole.
#[derive(Debug)]
pub struct BlackHole {
    /// The address to connect to.
    pub addr: SocketAddr,
    /// The listener and the connections that fill its backlog.
    _held: (socket2::Socket, Vec<std::net::TcpStream>),
}

/// Makes a [`BlackHole`].
pub fn black_hole() -> BlackHole {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket.bind(&any.into()).expect("bind");
    socket.listen(0).expect("listen");
    let addr = socket.local_addr().ok().and_then(|a| a.as_socket()).expect("bound address");
    // Bounded: a backlog of 0 holds one or two; eight tries fill it.
    let fillers: Vec<std::net::TcpStream> =
        (0..8).filter_map(|_| std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()).collect();
    BlackHole { addr, _held: (socket, fillers) }
}

/// Makes a symbolic link at `link` pointing to `target` (a file or a
/// folder link on Windows, chosen by what `target` names; a relative
/// target is taken from the link's folder).
pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(target, link)
    }
    #[cfg(windows)]
    {
        // Windows links name their target with its own separator.
        let target = PathBuf::from(target.as_ref().to_string_lossy().replace('/', "\\"));
        let link = link.as_ref();
        let resolved = link.parent().map_or_else(|| target.clone(), |dir| dir.join(&target));
        if resolved.is_dir() {
            std::os::windows::fs::symlink_dir(&target, link)?;
        } else {
            std::os::windows::fs::symlink_file(&target, link)?;
        }
        // Wine says yes and makes nothing.
        match std::fs::symlink_metadata(link) {
            Ok(_) => Ok(()),
            Err(_) => Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "symbolic links are not made here")),
        }
    }
}

/// A file name from bytes, for tests that make awkward names: any bytes
/// on Unix; on Windows, where names are Unicode, the bytes read as UTF-8.
pub fn os_name(bytes: &[u8]) -> std::ffi::OsString {
    #[cfg(unix)]
    {
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes).to_os_string()
    }
    #[cfg(windows)]
    {
        String::from_utf8_lossy(bytes).into_owned().into()
    }
}

/// True when `name` is a program on PATH.
pub fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// For tests that need an outside program: true when it is there. When it
/// is missing, prints `skipped: <peer> not installed` and returns false, or
/// panics when `NETKIT_REQUIRE_PEERS=1` (CI) says every peer must be there.
pub fn peer(name: &str) -> bool {
    (cfg!(unix) && on_path(name)) || peers::missing(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_after_table() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("Serving /x at http://127.0.0.1:8000/", " at ", Some("127.0.0.1:8000")),
            ("tcp-echo: listening on [::1]:5000", "listening on ", Some("[::1]:5000")),
            ("listening on nowhere", "listening on ", None),
            ("Serving HTTP on 127.0.0.1 port 5 (http://127.0.0.1:5/) ...", "(http://", Some("127.0.0.1:5")),
            ("nothing here", "listening on ", None),
        ];
        for (line, marker, want) in cases {
            assert_eq!(addr_after(line, marker).map(|a| a.to_string()).as_deref(), *want, "{line}");
        }
    }

    #[test]
    fn pseudo_random_is_repeatable() {
        assert_eq!(pseudo_random(7, 100), pseudo_random(7, 100));
        assert_ne!(pseudo_random(7, 100), pseudo_random(8, 100));
        assert_eq!(pseudo_random(1, 13).len(), 13);
    }
}
