//! The stdin pump: one thread reads stdin for the whole run and writes it
//! to whichever connection is current. When stdin ends it half-closes that
//! connection (and each later one) unless told not to, so the peer knows
//! the stream is complete while it can still answer.
//!
//! One pump serves every connection of a `-k` run: what a client did not
//! take goes to the next.
//!
//! A regular-file stdin goes out with `shared::sys::sendfile` (the kernel
//! copies it on Linux, FreeBSD and macOS; a positional read and a send
//! elsewhere), from stdin's position onwards. That call leaves the file's
//! own position alone, so the pump keeps the offset itself and puts stdin's
//! position there whenever no connection is attached and when stdin is
//! done: whatever reads stdin after tcp-echo (`(tcp-echo host port; cat) <
//! file`) starts where tcp-echo stopped, as it would after plain reads.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use crate::link::Link;

/// Bytes read from stdin at once.
const CHUNK: usize = 256 * 1024;
/// Most bytes of a file stdin one sendfile call sends.
const SENDFILE_CHUNK: usize = 1 << 20;

/// What the pump is doing, shared with the session.
#[derive(Debug, Default)]
struct State {
    /// The connection stdin goes to, and the session it belongs to.
    target: Option<(u64, Arc<Link>)>,
    /// Stdin has ended and everything read was written.
    done: bool,
    /// A write failed for this session.
    failed: Option<(u64, io::Error)>,
    /// Bytes written to each session so far (the current one).
    sent: u64,
    /// With a regular-file stdin: how far into it has been sent, where its
    /// position goes when the pump lets go of it.
    offset: u64,
}

/// The stdin pump.
#[derive(Debug)]
pub struct Pump {
    state: Mutex<State>,
    changed: Condvar,
    /// Half-close on stdin end.
    shutdown: bool,
    /// Stdin, when it is a regular file sent with sendfile: a duplicate of
    /// the handle, so seeking it moves stdin's own position.
    file: Option<File>,
    /// When a byte was last written, as nanoseconds since `epoch`.
    pub last_write: AtomicU64,
    /// Reference point for `last_write`.
    pub epoch: Instant,
}

impl Pump {
    /// Starts the pump thread; `crlf` turns bare LF into CRLF; `tls` says
    /// the connections are TLS, which takes no sendfile.
    pub fn start(crlf: bool, tls: bool, shutdown: bool, epoch: Instant) -> Arc<Pump> {
        // CRLF conversion and TLS need the bytes in hand: only a plain copy
        // sends the file as it is.
        let (file, offset) = if crlf || tls { None } else { regular_stdin() }.unzip();
        let pump = Arc::new(Pump {
            state: Mutex::new(State { offset: offset.unwrap_or(0), ..State::default() }),
            changed: Condvar::new(),
            shutdown,
            file,
            last_write: AtomicU64::new(0),
            epoch,
        });
        let worker = pump.clone();
        std::thread::spawn(move || worker.run(crlf));
        pump
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn run(&self, crlf: bool) {
        if let Some(file) = &self.file {
            self.run_sendfile(file);
            return;
        }
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; CHUNK];
        let mut converted = Vec::new();
        let mut last_was_cr = false;
        loop {
            let n = match stdin.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // An unreadable stdin ends like an empty one.
                Err(_) => 0,
            };
            if n == 0 {
                self.stdin_ended();
                return;
            }
            let data: &[u8] = if crlf {
                converted.clear();
                for &b in &buf[..n] {
                    if b == b'\n' && !last_was_cr {
                        converted.push(b'\r');
                    }
                    converted.push(b);
                    last_was_cr = b == b'\r';
                }
                &converted
            } else {
                &buf[..n]
            };
            self.deliver(data);
        }
    }

    /// Stdin has ended and all of it was written: half-close.
    fn stdin_ended(&self) {
        let mut st = self.lock();
        st.done = true;
        self.leave_position(&st);
        if self.shutdown
            && let Some((_, t)) = &st.target
        {
            let _ = t.shutdown_write();
        }
        self.changed.notify_all();
    }

    /// Waits for a connection that is not `failed`; returns it.
    fn target_other_than(&self, failed: Option<u64>) -> (u64, Arc<Link>) {
        let mut st = self.lock();
        loop {
            if let Some((id, t)) = &st.target
                && Some(*id) != failed
            {
                return (*id, t.clone());
            }
            st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Sends stdin (a regular file) with sendfile, from the offset the
    /// state holds, until the file ends.
    fn run_sendfile(&self, file: &File) {
        let mut failed = None;
        let mut offset = self.lock().offset;
        loop {
            let (id, target) = self.target_other_than(failed);
            let step = target.send_file(file, &mut offset, SENDFILE_CHUNK);
            let mut st = self.lock();
            st.offset = offset;
            match step {
                Ok(0) => {
                    drop(st);
                    self.stdin_ended();
                    return;
                }
                Ok(n) => {
                    let now = self.epoch.elapsed().as_nanos() as u64;
                    self.last_write.store(now, Ordering::Relaxed);
                    if st.target.as_ref().is_some_and(|(i, _)| *i == id) {
                        st.sent += n as u64;
                    } else {
                        // The session let go while this call was sending.
                        self.leave_position(&st);
                    }
                }
                Err(e) => {
                    st.failed = Some((id, e));
                    failed = Some(id);
                    self.changed.notify_all();
                }
            }
        }
    }

    /// Puts a file stdin's position at the end of what was sent (a no-op
    /// for any other stdin). A failure changes nothing that matters here;
    /// only a later reader of stdin would notice, starting elsewhere.
    fn leave_position(&self, st: &State) {
        if let Some(mut file) = self.file.as_ref() {
            let _ = file.seek(SeekFrom::Start(st.offset));
        }
    }

    /// Writes `data` to the current connection, waiting for one if there
    /// is none; a connection that fails takes the rest of this chunk with it.
    fn deliver(&self, data: &[u8]) {
        let (id, target) = {
            let mut st = self.lock();
            loop {
                if let Some((id, t)) = &st.target {
                    break (*id, t.clone());
                }
                st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner());
            }
        };
        match target.write_all(data) {
            Ok(()) => {
                let now = self.epoch.elapsed().as_nanos() as u64;
                self.last_write.store(now, Ordering::Relaxed);
                let mut st = self.lock();
                if st.target.as_ref().is_some_and(|(i, _)| *i == id) {
                    st.sent += data.len() as u64;
                }
            }
            Err(e) => {
                let mut st = self.lock();
                st.failed = Some((id, e));
                self.changed.notify_all();
            }
        }
    }

    /// Makes `stream` the connection stdin goes to (session `id`). If stdin
    /// has already ended, the connection is half-closed at once.
    pub fn attach(&self, id: u64, stream: Arc<Link>) {
        let mut st = self.lock();
        if st.done && self.shutdown {
            let _ = stream.shutdown_write();
        }
        st.target = Some((id, stream));
        st.sent = 0;
        self.changed.notify_all();
    }

    /// Stops writing to the current connection; returns the bytes it got.
    pub fn detach(&self) -> u64 {
        let mut st = self.lock();
        st.target = None;
        self.leave_position(&st);
        std::mem::take(&mut st.sent)
    }

    /// True once stdin has ended and all of it was written.
    pub fn done(&self) -> bool {
        self.lock().done
    }

    /// The write error of session `id`, if one happened.
    pub fn failure(&self, id: u64) -> Option<io::Error> {
        let mut st = self.lock();
        match &st.failed {
            Some((i, _)) if *i == id => st.failed.take().map(|(_, e)| e),
            _ => None,
        }
    }

    /// Waits until stdin is done or session `id`'s writes failed, or until
    /// `timeout` passes (`None`: no limit). True when done.
    pub fn wait_done(&self, id: u64, timeout: Option<std::time::Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut st = self.lock();
        loop {
            if st.done || st.failed.as_ref().is_some_and(|(i, _)| *i == id) {
                return st.done;
            }
            match deadline {
                None => st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    st = self.changed.wait_timeout(st, left).unwrap_or_else(|p| p.into_inner()).0;
                }
            }
        }
    }
}

/// Stdin and its position, when it is a regular file (sendfile can send
/// it from any offset).
fn regular_stdin() -> Option<(File, u64)> {
    let mut file = shared::sys::stdio::stdin_file().ok()?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return None;
    }
    let offset = file.stream_position().ok()?;
    Some((file, offset))
}
