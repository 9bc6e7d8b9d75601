//! The few system calls std does not offer, each behind a safe function:
//! poll(2) over many sockets at once, sendfile(2) from a given offset on a
//! non-blocking socket, send(2) with MSG_MORE, and opening a file without
//! ever blocking on a FIFO.

use std::fs::File;
use std::io;
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

/// Readiness a descriptor can be watched for.
pub const READABLE: i16 = libc::POLLIN;
/// Room to write.
pub const WRITABLE: i16 = libc::POLLOUT;
/// Error or hang-up: reported whatever was asked for.
pub const FAILED: i16 = libc::POLLERR | libc::POLLHUP | libc::POLLNVAL;

/// One descriptor to watch, and what happened to it.
pub type PollFd = libc::pollfd;

/// A watch entry for `fd`.
pub fn watch(fd: RawFd, events: i16) -> PollFd {
    libc::pollfd { fd, events, revents: 0 }
}

/// Waits until one of `fds` is ready or `timeout` passes (`None`: no
/// limit). A signal interrupting the wait counts as nothing ready.
pub fn poll(fds: &mut [PollFd], timeout: Option<Duration>) -> io::Result<usize> {
    let ms = match timeout {
        None => -1,
        // Round up so a deadline 0.4 ms away is not polled for 0 ms in a loop.
        Some(t) => i32::try_from(t.as_micros().div_ceil(1000)).unwrap_or(i32::MAX),
    };
    let count = libc::nfds_t::try_from(fds.len()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `fds` is a valid, exclusively borrowed slice of `count` pollfd
    // structs for the duration of the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), count, ms) };
    if n < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(0);
        }
        return Err(e);
    }
    Ok(n as usize)
}

/// Sends up to `count` bytes of `file` from `*offset` to `sock`, advancing
/// `*offset`. On a non-blocking socket a full send buffer is `WouldBlock`.
pub fn sendfile(sock: &TcpStream, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
    let mut off = libc::off_t::try_from(*offset).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    loop {
        // SAFETY: both descriptors are open (borrowed for the call) and
        // `off` is a valid, exclusively borrowed off_t.
        let n = unsafe { libc::sendfile(sock.as_raw_fd(), file.as_raw_fd(), &mut off, count) };
        if n >= 0 {
            *offset = off as u64;
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Writes `buf` to `sock`; with `more`, tells the kernel more data follows
/// at once (MSG_MORE), so a response head and the file after it share
/// packets even with TCP_NODELAY on.
pub fn send(sock: &TcpStream, buf: &[u8], more: bool) -> io::Result<usize> {
    let flags = libc::MSG_NOSIGNAL | if more { libc::MSG_MORE } else { 0 };
    loop {
        // SAFETY: `buf` is a valid slice for reads of `buf.len()` bytes and
        // the socket is open for the call.
        let n = unsafe { libc::send(sock.as_raw_fd(), buf.as_ptr().cast(), buf.len(), flags) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Turns TCP_CORK on or off: while on, only full segments are sent.
pub fn set_cork(sock: &TcpStream, on: bool) -> io::Result<()> {
    let value: libc::c_int = i32::from(on);
    // SAFETY: setsockopt reads a c_int of the size given, from our stack.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_CORK,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Opens `path` for reading without blocking: O_NONBLOCK keeps a FIFO (or a
/// device) from stalling the only thread; the caller checks the type with
/// the returned handle's metadata, so what is checked is what is read.
pub fn open_nonblocking(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path)
}

/// An O_PATH handle on a directory, for opening beneath it.
pub fn open_dir_handle(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_PATH | libc::O_DIRECTORY).open(path)
}

/// Opens `rel` beneath `dir` for reading, without blocking, with
/// openat2(2): nothing may lead outside `dir` (RESOLVE_BENEATH), no
/// /proc magic links, and no symlinks at all unless `symlinks`.
pub fn openat2_beneath(dir: &File, rel: &[u8], symlinks: bool) -> io::Result<File> {
    let path = std::ffi::CString::new(rel).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let mut resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS;
    if !symlinks {
        resolve |= libc::RESOLVE_NO_SYMLINKS;
    }
    // SAFETY: an all-zero open_how is valid; the fields are set below.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC) as u64;
    how.resolve = resolve;
    loop {
        // SAFETY: `dir` is open, `path` is NUL-terminated, and `how` is a
        // valid open_how of the size passed.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dir.as_raw_fd(),
                path.as_ptr(),
                &how as *const libc::open_how,
                std::mem::size_of::<libc::open_how>(),
            )
        };
        if fd >= 0 {
            // SAFETY: the kernel just gave us this descriptor.
            return Ok(unsafe { File::from_raw_fd(fd as RawFd) });
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// True when openat2 works here (kernel 5.6 and later, no filter in the way).
pub fn openat2_works(dir: &File) -> bool {
    !matches!(openat2_beneath(dir, b".", false).map_err(|e| e.raw_os_error()), Err(Some(libc::ENOSYS | libc::EPERM)))
}

/// Where an open file really is (its path with every symlink resolved).
pub fn path_of(file: &File) -> io::Result<std::path::PathBuf> {
    std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    #[test]
    fn sendfile_sends_from_offset() {
        let dir = harness::TempDir::new("sys");
        let path = dir.join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = File::open(&path).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut off = 3;
        assert_eq!(sendfile(&server, &file, &mut off, 4).unwrap(), 4);
        assert_eq!(off, 7);
        assert_eq!(send(&server, b"!", false).unwrap(), 1);
        drop(server);
        let mut got = String::new();
        (&client).read_to_string(&mut got).unwrap();
        assert_eq!(got, "3456!");
    }

    #[test]
    fn poll_times_out_and_sees_readiness() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut fds = [watch(listener.as_raw_fd(), READABLE)];
        assert_eq!(poll(&mut fds, Some(Duration::from_millis(1))).unwrap(), 0);
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        assert_eq!(poll(&mut fds, Some(Duration::from_secs(10))).unwrap(), 1);
        assert_ne!(fds[0].revents & READABLE, 0);
    }
}
