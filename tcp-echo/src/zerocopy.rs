//! Moving bytes without copying them through this process, where the
//! kernel can: sendfile(2) from a regular-file stdin to the socket, and
//! splice(2) from the socket to stdout through a pipe. Each function says
//! when it cannot be used (`Unsupported`), and the caller falls back to
//! read and write.

use std::fs::File;
use std::io;
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Bytes moved per system call.
const CHUNK: usize = 1 << 20;

fn retry<T: PartialOrd + Default>(mut call: impl FnMut() -> T) -> io::Result<T> {
    loop {
        let n = call();
        if n >= T::default() {
            return Ok(n);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// True when `fd` is a regular file (sendfile can read it).
pub fn is_regular_file(fd: RawFd) -> bool {
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat writes into `st`, which lives for the call.
    let rc = unsafe { libc::fstat(fd, &mut st) };
    rc == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFREG
}

/// Sends up to a chunk from `file_fd` (its current position, which moves)
/// to `sock`. 0 means the file has ended.
pub fn sendfile(sock: &TcpStream, file_fd: RawFd) -> io::Result<usize> {
    // SAFETY: both descriptors are open for the call; a null offset means
    // "the file's own position".
    let n = retry(|| unsafe { libc::sendfile(sock.as_raw_fd(), file_fd, std::ptr::null_mut(), CHUNK) })?;
    Ok(n as usize)
}

/// Copies from a socket to stdout by splice, through a pipe of its own.
#[derive(Debug)]
pub struct Splicer {
    read_end: OwnedFd,
    write_end: OwnedFd,
}

impl Splicer {
    /// A splicer, or `None` when a pipe cannot be made.
    pub fn new() -> Option<Splicer> {
        let mut fds = [0 as RawFd; 2];
        // SAFETY: pipe2 writes two new descriptors into `fds`.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return None;
        }
        // SAFETY: the descriptors were just made and are owned here alone.
        let (read_end, write_end) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // A bigger pipe means fewer round trips; the default is 64 KiB.
        // SAFETY: F_SETPIPE_SZ on our own pipe; failure is harmless.
        unsafe { libc::fcntl(write_end.as_raw_fd(), libc::F_SETPIPE_SZ, CHUNK as libc::c_int) };
        Some(Splicer { read_end, write_end })
    }

    /// Moves what the socket has (up to a chunk) to `out`. Returns the
    /// bytes moved; 0 is the end of the socket's stream. An error while
    /// writing comes back as `Err` with the kind of the write error.
    pub fn socket_to(&self, sock: &TcpStream, out: &File) -> io::Result<usize> {
        let flags = libc::SPLICE_F_MOVE;
        // SAFETY: the socket and our pipe are open; null offsets are
        // required for both (neither is seekable).
        let n = retry(|| unsafe {
            libc::splice(
                sock.as_raw_fd(),
                std::ptr::null_mut(),
                self.write_end.as_raw_fd(),
                std::ptr::null_mut(),
                CHUNK,
                flags,
            )
        })? as usize;
        let mut left = n;
        while left > 0 {
            // SAFETY: as above; stdout may be seekable (a file): a null
            // offset uses and moves its own position.
            let m = retry(|| unsafe {
                libc::splice(
                    self.read_end.as_raw_fd(),
                    std::ptr::null_mut(),
                    out.as_raw_fd(),
                    std::ptr::null_mut(),
                    left,
                    flags,
                )
            })
            .map_err(|e| io::Error::new(e.kind(), WriteSide(e)))? as usize;
            if m == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    WriteSide(io::Error::from(io::ErrorKind::WriteZero)),
                ));
            }
            left -= m;
        }
        Ok(n)
    }
}

/// Marks an error as one of writing stdout (not of the socket).
#[derive(Debug)]
pub struct WriteSide(pub io::Error);

impl std::fmt::Display for WriteSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for WriteSide {}

/// True when the error came from the write side of a splice.
pub fn is_write_side(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<WriteSide>())
}
