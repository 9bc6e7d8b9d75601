//! A file's bytes to a socket: `sendfile(2)` where the system has it
//! (Linux, FreeBSD, macOS), so the bytes never pass through the process;
//! elsewhere, and where a file system refuses it, a positional read and a
//! send. Both take an explicit offset and leave the file's own position
//! alone, so either may stop at any byte and the next call goes on from
//! there.

use std::cell::RefCell;
use std::fs::File;
use std::io;

use super::AsSock;

/// Bytes the fallback reads per call.
const COPY_CHUNK: usize = 64 * 1024;

/// Sends up to `count` bytes of `file`, from `*offset`, to `sock`, and moves
/// `*offset` past what was sent. Returns the bytes sent; 0 means the file
/// has no byte at `*offset` (it ended) or `count` is 0. On a non-blocking
/// socket a full send buffer is `WouldBlock`, with nothing sent.
pub fn sendfile(sock: &impl AsSock, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
    if count == 0 {
        return Ok(0);
    }
    if super::fast_paths() {
        match imp::sendfile(sock, file, offset, count) {
            Err(e) if unsupported(&e) => {}
            Ok(n) => {
                // 0 is the file's end, not the socket's: nothing to say.
                if n > 0 {
                    crate::trace::bulk("sendfile", sock, n);
                }
                return Ok(n);
            }
            other => return other,
        }
    }
    copy(sock, file, offset, count)
}

/// True when [`sendfile`] has the kernel move the bytes (Linux, FreeBSD
/// and macOS, unless `NETKIT_PORTABLE` asks for the fallback).
pub fn in_kernel() -> bool {
    cfg!(any(target_os = "linux", target_os = "freebsd", target_os = "macos")) && super::fast_paths()
}

/// Errors that mean "this pair of descriptors takes no sendfile" (a file
/// system without it, a file that is not a regular file).
fn unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported || imp::unsupported(e)
}

thread_local! {
    /// The fallback's buffer, one per thread, made on first use.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The portable way: read at the offset, send what was read, and count
/// only what the socket took (the rest is read again next time).
fn copy(sock: &impl AsSock, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
    SCRATCH.with(|scratch| {
        let mut buf = scratch.borrow_mut();
        if buf.len() < COPY_CHUNK {
            buf.resize(COPY_CHUNK, 0);
        }
        let want = count.min(COPY_CHUNK);
        let n = super::positional::read_at(file, &mut buf[..want], *offset)?;
        if n == 0 {
            return Ok(0);
        }
        let sent = super::socket::send(sock, &buf[..n], false)?;
        *offset += sent as u64;
        Ok(sent)
    })
}

#[cfg(target_os = "linux")]
mod imp {
    use super::AsSock;
    use crate::sys::{os, retry};
    use std::fs::File;
    use std::io;

    pub fn sendfile(sock: &impl AsSock, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
        retry(|| rustix::fs::sendfile(sock.as_fd(), file, Some(&mut *offset), count).map_err(os))
    }

    pub fn unsupported(e: &io::Error) -> bool {
        use rustix::io::Errno;
        matches!(Errno::from_io_error(e), Some(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP))
    }
}

#[cfg(target_os = "freebsd")]
mod imp {
    use super::AsSock;
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsFd, AsRawFd};

    pub fn sendfile(sock: &impl AsSock, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
        let off = libc::off_t::try_from(*offset).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        loop {
            let mut sent: libc::off_t = 0;
            // SAFETY: both descriptors are borrowed and open for the call;
            // no header/trailer vector is passed; `sent` is a valid,
            // exclusively borrowed off_t. `count` is above zero (zero
            // would mean "to the end of the file").
            let rc = unsafe {
                libc::sendfile(
                    file.as_fd().as_raw_fd(),
                    sock.as_fd().as_raw_fd(),
                    off,
                    count,
                    std::ptr::null_mut(),
                    &mut sent,
                    0,
                )
            };
            let sent = u64::try_from(sent).unwrap_or(0);
            // A non-blocking socket that filled up, or a signal, may still
            // have taken bytes: they are sent and must be counted.
            if rc == 0 || sent > 0 {
                *offset += sent;
                return Ok(sent as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    pub fn unsupported(e: &io::Error) -> bool {
        matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOTSOCK | libc::EOPNOTSUPP | libc::ENOSYS))
    }
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
mod imp {
    use super::AsSock;
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsFd, AsRawFd};

    pub fn sendfile(sock: &impl AsSock, file: &File, offset: &mut u64, count: usize) -> io::Result<usize> {
        let off = libc::off_t::try_from(*offset).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        loop {
            // In: bytes to send (above zero: zero means "to the end");
            // out: bytes sent, also when the call fails part way.
            let mut len = libc::off_t::try_from(count).unwrap_or(libc::off_t::MAX);
            // SAFETY: both descriptors are borrowed and open for the call;
            // no header/trailer vector is passed; `len` is a valid,
            // exclusively borrowed off_t.
            let rc = unsafe {
                libc::sendfile(
                    file.as_fd().as_raw_fd(),
                    sock.as_fd().as_raw_fd(),
                    off,
                    &mut len,
                    std::ptr::null_mut(),
                    0,
                )
            };
            let sent = u64::try_from(len).unwrap_or(0);
            if rc == 0 || sent > 0 {
                *offset += sent;
                return Ok(sent as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    pub fn unsupported(e: &io::Error) -> bool {
        matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOTSOCK | libc::EOPNOTSUPP | libc::ENOSYS))
    }
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "macos", target_os = "ios")))]
mod imp {
    use super::AsSock;
    use std::fs::File;
    use std::io;

    pub fn sendfile(_sock: &impl AsSock, _file: &File, _offset: &mut u64, _count: usize) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    pub fn unsupported(_e: &io::Error) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::{TcpListener, TcpStream};

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    fn file(bytes: &[u8]) -> (std::path::PathBuf, File) {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("netkit-sendfile-{}-{n}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let f = File::open(&path).unwrap();
        (path, f)
    }

    /// The fast path and the fallback send the same bytes from the same
    /// offsets, and both stop at the end of the file.
    #[test]
    fn both_ways_send_from_the_offset() {
        let (path, f) = file(b"0123456789");
        for fast in [true, false] {
            let (mut client, server) = pair();
            let mut off = 3;
            let n = if fast { sendfile(&server, &f, &mut off, 4) } else { copy(&server, &f, &mut off, 4) }.unwrap();
            assert_eq!((n, off), (4, 7));
            let mut off = 10;
            let end = if fast { sendfile(&server, &f, &mut off, 4) } else { copy(&server, &f, &mut off, 4) }.unwrap();
            assert_eq!((end, off), (0, 10));
            drop(server);
            let mut got = String::new();
            client.read_to_string(&mut got).unwrap();
            assert_eq!(got, "3456", "fast path: {fast}");
        }
        let _ = std::fs::remove_file(path);
    }

    /// A non-blocking socket that fills up says WouldBlock, and every byte
    /// counted as sent arrives exactly once, whichever way sent it.
    #[test]
    fn full_socket_would_block_and_counts_stay_exact() {
        let data = (0..16 << 20).map(|i: u32| (i % 251) as u8).collect::<Vec<_>>();
        let (path, f) = file(&data);
        for fast in [true, false] {
            let (mut client, server) = pair();
            server.set_nonblocking(true).unwrap();
            socket2::SockRef::from(&server).set_send_buffer_size(64 * 1024).unwrap();
            let mut off = 0u64;
            let blocked = loop {
                let step =
                    if fast { sendfile(&server, &f, &mut off, 1 << 20) } else { copy(&server, &f, &mut off, 1 << 20) };
                match step {
                    Ok(0) => break false,
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break true,
                    Err(e) => panic!("{e}"),
                }
            };
            assert!(blocked, "16 MiB should fill a socket nobody reads");
            drop(server);
            let mut got = Vec::new();
            client.read_to_end(&mut got).unwrap();
            assert_eq!(got.len() as u64, off);
            assert!(got == data[..got.len()], "fast path: {fast}");
        }
        let _ = std::fs::remove_file(path);
    }
}
