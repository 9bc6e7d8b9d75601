//! The fast path for a plain-http body: splice(2) moves it from the socket
//! to the output through a pipe, without copying it through this process.
//! Framing is kept exactly: a Content-Length body stops at its length and
//! an early end is "cut short"; a close-delimited body runs to the close.

use std::io;
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use shared::http::body::BodyError;
use shared::http::framing::BodyLength;

use crate::net::Clock;

/// Bytes moved per system call.
const CHUNK: usize = 1 << 20;

/// What the fast path needs: the socket, the body bytes already read with
/// the head, and how the body ends.
#[derive(Debug)]
pub struct Raw {
    /// The connection (a clone of the response's).
    pub tcp: TcpStream,
    /// Body bytes that arrived with the head.
    pub leftover: Vec<u8>,
    /// `Length` or `UntilClose`.
    pub length: BodyLength,
    /// Deadline and idle limit.
    pub clock: Clock,
}

/// Why the fast path stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Reading the socket failed (a body error, timeout or reset).
    Read(io::Error),
    /// Writing the output failed.
    Write(io::Error),
}

/// A pipe of our own.
#[derive(Debug)]
struct Pipe {
    read_end: OwnedFd,
    write_end: OwnedFd,
}

impl Pipe {
    fn new() -> io::Result<Pipe> {
        let mut fds = [0 as RawFd; 2];
        // SAFETY: pipe2 writes two new descriptors into `fds`.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the descriptors were just made and are owned here alone.
        let pipe = unsafe { Pipe { read_end: OwnedFd::from_raw_fd(fds[0]), write_end: OwnedFd::from_raw_fd(fds[1]) } };
        // SAFETY: F_SETPIPE_SZ on our own pipe; failure only means smaller moves.
        unsafe { libc::fcntl(pipe.write_end.as_raw_fd(), libc::F_SETPIPE_SZ, CHUNK as libc::c_int) };
        Ok(pipe)
    }
}

fn splice(from: RawFd, to: RawFd, len: usize) -> io::Result<usize> {
    loop {
        // SAFETY: both descriptors are open for the call; null offsets
        // mean "each one's own position".
        let n = unsafe { libc::splice(from, std::ptr::null_mut(), to, std::ptr::null_mut(), len, libc::SPLICE_F_MOVE) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Moves up to `left` bytes from the pipe to `out` by read and write.
fn copy_out(pipe: &Pipe, out: RawFd, left: usize) -> Result<usize, Stop> {
    let mut buf = vec![0u8; left.min(64 * 1024)];
    // SAFETY: reading into a buffer we own, of its length.
    let n = unsafe { libc::read(pipe.read_end.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(Stop::Write(io::Error::last_os_error()));
    }
    let n = n as usize;
    let mut done = 0;
    while done < n {
        // SAFETY: writing bytes of a buffer we own.
        let m = unsafe { libc::write(out, buf[done..n].as_ptr().cast(), n - done) };
        if m < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Stop::Write(e));
        }
        done += m as usize;
    }
    Ok(n)
}

/// Moves the body to `out` (leftover bytes are written by `write_leftover`
/// first), calling `progress` with each amount moved. Returns the body
/// bytes moved in all.
pub fn body_to(
    raw: Raw,
    out: RawFd,
    mut write_leftover: impl FnMut(&[u8]) -> Result<(), Stop>,
    mut progress: impl FnMut(u64),
) -> Result<u64, Stop> {
    let expected = match raw.length {
        BodyLength::Length(n) => Some(n),
        _ => None,
    };
    let first = match expected {
        Some(n) => &raw.leftover[..raw.leftover.len().min(usize::try_from(n).unwrap_or(usize::MAX))],
        None => &raw.leftover[..],
    };
    write_leftover(first)?;
    let mut got = first.len() as u64;
    progress(got);
    let pipe = Pipe::new().map_err(Stop::Write)?;
    // Some outputs take no splice (a file opened for appending, some file
    // systems): then the pipe is emptied with read and write instead.
    let mut write_by_copy = false;
    while expected.is_none_or(|n| got < n) {
        let timeout = raw.clock.io_timeout().ok_or_else(|| Stop::Read(io::Error::from(io::ErrorKind::TimedOut)))?;
        raw.tcp.set_read_timeout(Some(timeout)).map_err(Stop::Read)?;
        let want = expected.map_or(CHUNK, |n| usize::try_from(n - got).unwrap_or(usize::MAX).min(CHUNK));
        let n = splice(raw.tcp.as_raw_fd(), pipe.write_end.as_raw_fd(), want).map_err(|e| {
            Stop::Read(if e.kind() == io::ErrorKind::WouldBlock { io::Error::from(io::ErrorKind::TimedOut) } else { e })
        })?;
        if n == 0 {
            return match expected {
                Some(n) => Err(Stop::Read(BodyError::CutShort { expected: n, received: got }.into_io())),
                None => Ok(got),
            };
        }
        let mut left = n;
        while left > 0 {
            let m = if write_by_copy {
                copy_out(&pipe, out, left)?
            } else {
                match splice(pipe.read_end.as_raw_fd(), out, left) {
                    Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                        write_by_copy = true;
                        continue;
                    }
                    other => other.map_err(Stop::Write)?,
                }
            };
            if m == 0 {
                return Err(Stop::Write(io::Error::from(io::ErrorKind::WriteZero)));
            }
            left -= m;
        }
        got += n as u64;
        progress(n as u64);
    }
    Ok(got)
}
