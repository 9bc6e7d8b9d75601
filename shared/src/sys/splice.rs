//! A socket's bytes to a file, a pipe or a terminal. On Linux, `splice(2)`
//! moves them through a pipe of our own without copying them through the
//! process; an output that takes no splice (a terminal, a file opened for
//! appending on some file systems) makes it switch to reading and writing,
//! which is also what every other system does. Either way the same bytes
//! arrive in the same order, and an error says which side failed.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};

use super::AsSock;

/// Largest move per call, and the size asked for the pipe.
const CHUNK: usize = 1 << 20;
/// The buffer of the read-and-write way.
const COPY_BUFFER: usize = 256 * 1024;

/// Which side of a move failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum MoveError {
    /// Reading the socket failed (a reset, a timeout).
    Read(io::Error),
    /// Writing the output failed (a full disk, a closed pipe).
    Write(io::Error),
}

impl MoveError {
    /// The error underneath, whichever side it came from.
    pub fn io(&self) -> &io::Error {
        match self {
            MoveError::Read(e) | MoveError::Write(e) => e,
        }
    }
}

impl fmt::Display for MoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoveError::Read(e) => write!(f, "reading the socket: {}", crate::io_text::describe(e)),
            MoveError::Write(e) => write!(f, "writing the output: {}", crate::io_text::describe(e)),
        }
    }
}

impl std::error::Error for MoveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.io())
    }
}

/// Moves bytes from a socket to an output, one call at a time; keeps what
/// the moving needs (a pipe, or a buffer) between calls.
#[derive(Debug)]
pub struct SocketToFile {
    /// How the next call moves bytes.
    way: Way,
    /// The read-and-write way's buffer, made on first use.
    buf: Vec<u8>,
}

#[derive(Debug)]
enum Way {
    /// Through our own pipe by splice (Linux).
    #[cfg(target_os = "linux")]
    Splice(Pipe),
    /// Read into the buffer, then write it all.
    Copy,
}

impl Default for SocketToFile {
    fn default() -> Self {
        SocketToFile::new()
    }
}

impl SocketToFile {
    /// A mover that splices where it can.
    pub fn new() -> SocketToFile {
        SocketToFile { way: first_way(), buf: Vec::new() }
    }

    /// True while bytes go by splice, not through this process.
    pub fn zero_copy(&self) -> bool {
        !matches!(self.way, Way::Copy)
    }

    /// Moves up to `max` bytes (at most 1 MiB) of what `sock` has to `out`,
    /// waiting as a read of the socket would (its timeouts apply). Returns
    /// the bytes moved, all of them written; 0 means the socket's stream
    /// has ended (or `max` is 0).
    pub fn move_some(&mut self, sock: &impl AsSock, out: &File, max: usize) -> Result<usize, MoveError> {
        let max = max.min(CHUNK);
        if max == 0 {
            return Ok(0);
        }
        #[cfg(target_os = "linux")]
        if let Way::Splice(pipe) = &self.way {
            match pipe.move_some(sock, out, max) {
                Ok(Spliced::Moved(n)) => {
                    crate::trace::bulk("splice", sock, n);
                    return Ok(n);
                }
                Ok(Spliced::Unsupported { in_pipe, total }) => {
                    // The output takes no splice: empty the pipe by hand,
                    // then read and write from now on.
                    pipe.drain_to(out, in_pipe, &mut self.buf)?;
                    self.way = Way::Copy;
                    crate::trace::bulk("splice", sock, total);
                    return Ok(total);
                }
                Ok(Spliced::SocketUnsupported) => self.way = Way::Copy,
                Err(e) => return Err(e),
            }
        }
        self.copy(sock, out, max)
    }

    fn copy(&mut self, sock: &impl AsSock, out: &File, max: usize) -> Result<usize, MoveError> {
        if self.buf.len() < COPY_BUFFER {
            self.buf.resize(COPY_BUFFER, 0);
        }
        let want = max.min(self.buf.len());
        let socket = socket2::SockRef::from(sock);
        let n = super::retry(|| (&*socket).read(&mut self.buf[..want])).map_err(MoveError::Read)?;
        crate::trace::recv(sock, n);
        (&*out).write_all(&self.buf[..n]).map_err(MoveError::Write)?;
        Ok(n)
    }
}

#[cfg(target_os = "linux")]
fn first_way() -> Way {
    if !super::fast_paths() {
        return Way::Copy;
    }
    Pipe::new().map_or(Way::Copy, Way::Splice)
}

#[cfg(not(target_os = "linux"))]
fn first_way() -> Way {
    Way::Copy
}

/// What one splice round achieved.
#[cfg(target_os = "linux")]
enum Spliced {
    /// Bytes moved from the socket to the output.
    Moved(usize),
    /// The socket takes no splice; nothing was moved.
    SocketUnsupported,
    /// The output takes no splice: `total` bytes left the socket, of which
    /// `in_pipe` are still in the pipe.
    Unsupported { in_pipe: usize, total: usize },
}

/// A pipe of our own, the splice path's middle.
#[cfg(target_os = "linux")]
#[derive(Debug)]
struct Pipe {
    read_end: std::os::fd::OwnedFd,
    write_end: std::os::fd::OwnedFd,
}

#[cfg(target_os = "linux")]
impl Pipe {
    fn new() -> io::Result<Pipe> {
        let (read_end, write_end) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(super::os)?;
        // A bigger pipe means fewer round trips (the default is 64 KiB);
        // refused, it only means smaller moves.
        let _ = rustix::pipe::fcntl_setpipe_size(&write_end, CHUNK);
        Ok(Pipe { read_end, write_end })
    }

    fn move_some(&self, sock: &impl AsSock, out: &File, max: usize) -> Result<Spliced, MoveError> {
        use rustix::io::Errno;
        use rustix::pipe::{SpliceFlags, splice};
        let n = match super::retry(|| {
            splice(sock.as_fd(), None, &self.write_end, None, max, SpliceFlags::MOVE).map_err(super::os)
        }) {
            Ok(n) => n,
            Err(e) if Errno::from_io_error(&e) == Some(Errno::INVAL) => return Ok(Spliced::SocketUnsupported),
            Err(e) => return Err(MoveError::Read(e)),
        };
        let mut left = n;
        while left > 0 {
            match super::retry(|| splice(&self.read_end, None, out, None, left, SpliceFlags::MOVE).map_err(super::os)) {
                Ok(0) => return Err(MoveError::Write(io::Error::from(io::ErrorKind::WriteZero))),
                Ok(m) => left -= m,
                Err(e) if Errno::from_io_error(&e) == Some(Errno::INVAL) => {
                    return Ok(Spliced::Unsupported { in_pipe: left, total: n });
                }
                Err(e) => return Err(MoveError::Write(e)),
            }
        }
        Ok(Spliced::Moved(n))
    }

    /// Writes the `left` bytes waiting in the pipe to `out` by read and
    /// write.
    fn drain_to(&self, out: &File, left: usize, buf: &mut Vec<u8>) -> Result<(), MoveError> {
        if buf.len() < COPY_BUFFER {
            buf.resize(COPY_BUFFER, 0);
        }
        let mut done = 0;
        while done < left {
            let want = (left - done).min(buf.len());
            let n = super::retry(|| rustix::io::read(&self.read_end, &mut buf[..want]).map_err(super::os))
                .map_err(MoveError::Write)?;
            if n == 0 {
                return Err(MoveError::Write(io::Error::from(io::ErrorKind::UnexpectedEof)));
            }
            (&*out).write_all(&buf[..n]).map_err(MoveError::Write)?;
            done += n;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    /// Whatever way it takes, every byte the peer sent arrives in order,
    /// and the end of the stream is 0.
    #[test]
    fn moves_a_stream_whole() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let sent = data.clone();
        let writer = std::thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(&sent).unwrap();
        });
        let (sock, _) = listener.accept().unwrap();
        let path = std::env::temp_dir().join(format!("netkit-splice-{}", std::process::id()));
        let out = File::create(&path).unwrap();
        let mut mover = SocketToFile::new();
        let mut total = 0;
        loop {
            match mover.move_some(&sock, &out, usize::MAX).unwrap() {
                0 => break,
                n => total += n,
            }
        }
        writer.join().unwrap();
        assert_eq!(total, data.len());
        assert!(std::fs::read(&path).unwrap() == data);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_write_failure_names_the_write_side() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (sock, _) = listener.accept().unwrap();
        client.write_all(b"data").unwrap();
        // A file opened read-only cannot be written.
        let path = std::env::temp_dir().join(format!("netkit-splice-ro-{}", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        let out = File::open(&path).unwrap();
        let got = SocketToFile::new().move_some(&sock, &out, 100);
        assert!(matches!(got, Err(MoveError::Write(_))), "{got:?}");
        let _ = std::fs::remove_file(path);
    }
}
