//! Connecting to a Unix domain socket (a path on disk, as Docker's and
//! many local services' are) and getting back a stream the tools use like
//! any connection: reads, writes and timeouts are the same calls on every
//! kind of socket, so it comes back as a `TcpStream` holding the socket
//! (its address calls, which are TCP's, are not used on it). Unix systems
//! connect through std; Windows 10 and later have `AF_UNIX` too, reached
//! through WinSock here.

use std::io;
use std::net::TcpStream;
use std::path::Path;

/// Connects a stream socket to the Unix domain socket at `path`.
pub fn connect_unix(path: &Path) -> io::Result<TcpStream> {
    imp::connect(path)
}

#[cfg(unix)]
mod imp {
    use std::io;
    use std::net::TcpStream;
    use std::os::fd::OwnedFd;
    use std::path::Path;

    pub fn connect(path: &Path) -> io::Result<TcpStream> {
        let stream = super::super::retry(|| std::os::unix::net::UnixStream::connect(path))?;
        Ok(TcpStream::from(OwnedFd::from(stream)))
    }
}

#[cfg(windows)]
mod imp {
    use std::io;
    use std::net::TcpStream;
    use std::os::windows::io::{FromRawSocket, OwnedSocket};
    use std::path::Path;

    use windows_sys::Win32::Networking::WinSock::{
        AF_UNIX, INVALID_SOCKET, SOCK_STREAM, SOCKADDR, SOCKADDR_UN, SOCKET_ERROR, WSADATA, WSAGetLastError,
        WSAStartup, connect as ws_connect, socket,
    };

    pub fn connect(path: &Path) -> io::Result<TcpStream> {
        let bytes = path.to_string_lossy().into_owned().into_bytes();
        let mut address = SOCKADDR_UN { sun_family: AF_UNIX, sun_path: [0; 108] };
        if bytes.len() >= address.sun_path.len() || bytes.contains(&0) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a socket path of at most 107 bytes, without NUL"));
        }
        for (slot, byte) in address.sun_path.iter_mut().zip(&bytes) {
            *slot = *byte as i8;
        }
        let mut data = WSADATA::default();
        // SAFETY: WSAStartup writes into the WSADATA it is given; it is
        // counted, so a start-up std already made is harmless.
        let started = unsafe { WSAStartup(0x0202, &mut data) };
        if started != 0 {
            return Err(io::Error::from_raw_os_error(started));
        }
        // SAFETY: plain arguments; the result is checked before use.
        let raw = unsafe { socket(i32::from(AF_UNIX), SOCK_STREAM, 0) };
        if raw == INVALID_SOCKET {
            // SAFETY: reads the calling thread's last WinSock error.
            return Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }));
        }
        // SAFETY: `raw` is a socket just made and owned by nobody else.
        let owned = unsafe { OwnedSocket::from_raw_socket(raw as _) };
        let length = std::mem::size_of::<SOCKADDR_UN>() as i32;
        // SAFETY: the address is a valid SOCKADDR_UN for its length, and
        // lives across the call.
        let rc = unsafe { ws_connect(raw, (&raw const address).cast::<SOCKADDR>(), length) };
        if rc == SOCKET_ERROR {
            // SAFETY: reads the calling thread's last WinSock error.
            return Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }));
        }
        Ok(TcpStream::from(owned))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn connects_and_carries_bytes() {
        let dir = std::env::temp_dir().join(format!("netkit-local-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut got = [0u8; 4];
            s.read_exact(&mut got).unwrap();
            s.write_all(&got).unwrap();
        });
        let mut stream = connect_unix(&path).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        stream.write_all(b"ping").unwrap();
        let mut back = [0u8; 4];
        stream.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"ping");
        server.join().unwrap();
        let e = connect_unix(&dir.join("missing.sock")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
