//! Reading a file at an offset, without moving a position other readers
//! share (one open file may serve many responses at once), and appending
//! what arrives on a socket to a buffer.
//!
//! On Unix the bytes land in the buffer's spare capacity directly (rustix
//! hands the kernel uninitialised memory and sets the length to what it
//! wrote); elsewhere the buffer is first extended with zeros and cut back.
//! The same bytes either way: only the zeroing is saved, which was a
//! hundredth of a small file's cost under `wrk`.

use std::fs::File;
use std::io;

use super::AsSock;

/// Reads from `file` at `offset` into `buf` (pread on Unix; on Windows a
/// positioned read, which also moves the handle's own position, so every
/// read of a shared handle must say where it reads, as this does).
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    #[cfg(unix)]
    return super::retry(|| std::os::unix::fs::FileExt::read_at(file, buf, offset));
    #[cfg(windows)]
    return super::retry(|| std::os::windows::fs::FileExt::seek_read(file, buf, offset));
}

/// Appends up to `len` bytes of `file` from `offset` to `buf`; fewer only
/// at the file's end. How many were appended.
pub fn append_at(file: &File, buf: &mut Vec<u8>, offset: u64, len: usize) -> io::Result<usize> {
    let start = buf.len();
    while buf.len() - start < len {
        let got = buf.len() - start;
        let n = match imp::append_once(file, buf, offset + got as u64, len - got) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                buf.truncate(start + got);
                return Err(e);
            }
        };
        if n == 0 {
            break;
        }
    }
    // A file that grew since its length was taken gives no more than asked.
    buf.truncate(start + len.min(buf.len() - start));
    Ok(buf.len() - start)
}

/// Receives what `sock` has, up to about `want` bytes, onto the end of
/// `buf`; 0 at the end of the stream. Waits as a read would.
pub fn recv_append(sock: &impl AsSock, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    let n = super::retry(|| imp::recv_once(sock, buf, want))?;
    crate::trace::recv(sock, n);
    Ok(n)
}

#[cfg(unix)]
mod imp {
    use super::AsSock;
    use rustix::buffer::spare_capacity;
    use std::fs::File;
    use std::io;

    pub fn append_once(file: &File, buf: &mut Vec<u8>, offset: u64, want: usize) -> io::Result<usize> {
        buf.reserve(want);
        rustix::io::pread(file, spare_capacity(buf), offset).map_err(io::Error::from)
    }

    pub fn recv_once(sock: &impl AsSock, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        buf.reserve(want);
        let (n, _) = rustix::net::recv(sock.as_fd(), spare_capacity(buf), rustix::net::RecvFlags::empty())
            .map_err(io::Error::from)?;
        Ok(n)
    }
}

#[cfg(windows)]
mod imp {
    use super::AsSock;
    use std::fs::File;
    use std::io::{self, Read};

    pub fn append_once(file: &File, buf: &mut Vec<u8>, offset: u64, want: usize) -> io::Result<usize> {
        let start = buf.len();
        buf.resize(start + want, 0);
        let read = std::os::windows::fs::FileExt::seek_read(file, &mut buf[start..], offset);
        buf.truncate(start + *read.as_ref().unwrap_or(&0));
        read
    }

    pub fn recv_once(sock: &impl AsSock, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        let start = buf.len();
        buf.resize(start + want, 0);
        let socket = socket2::SockRef::from(sock);
        let read = (&*socket).read(&mut buf[start..]);
        buf.truncate(start + *read.as_ref().unwrap_or(&0));
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn append_at_reads_what_is_asked_and_no_more() {
        let dir = std::env::temp_dir().join(format!("netkit-positional-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::File::create(&path).unwrap().write_all(&data).unwrap();
        let file = File::open(&path).unwrap();
        // (offset, asked, appended)
        let cases: &[(u64, usize, usize)] = &[
            (0, 0, 0),
            (0, 1, 1),
            (0, 10_000, 10_000),
            (9_990, 100, 10),
            (10_000, 5, 0),
            (20_000, 5, 0),
            (17, 4096, 4096),
        ];
        for &(offset, asked, want) in cases {
            let mut buf = b"head".to_vec();
            let n = append_at(&file, &mut buf, offset, asked).unwrap();
            assert_eq!(n, want, "{offset} {asked}");
            let from = (offset as usize).min(data.len());
            assert_eq!(&buf[4..], &data[from..from + want], "{offset} {asked}");
            assert_eq!(&buf[..4], b"head");
            // One positioned read into a slice gets the same bytes.
            let mut slice = vec![0u8; asked];
            let got = read_at(&file, &mut slice, offset).unwrap();
            assert_eq!(&slice[..got], &data[from..from + got], "{offset} {asked}");
            assert!(got <= want);
        }
        // Windows removes no folder with a file open in it.
        drop(file);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn recv_append_keeps_what_was_there() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        client.write_all(b"hello").unwrap();
        drop(client);
        let mut buf = b">".to_vec();
        let mut total = 0;
        for _ in 0..100 {
            match recv_append(&server, &mut buf, 4096).unwrap() {
                0 => break,
                n => total += n,
            }
        }
        assert_eq!((total, buf.as_slice()), (5, &b">hello"[..]));
    }
}
