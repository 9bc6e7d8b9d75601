//! Socket calls std does not offer: sending with "more follows" (so a
//! response head and the file after it share packets), corking a socket
//! while a file streams, and recognising that the process has run out of
//! descriptors (a listener should pause, not fail).
//!
//! Linux has `MSG_MORE` and `TCP_CORK`. FreeBSD has `TCP_NOPUSH`, which
//! pushes what is pending when it is cleared. macOS has `TCP_NOPUSH` too,
//! but clearing it does not push the last partial segment, so there (as
//! in nginx) nothing is corked. Elsewhere these are no-ops: the same bytes
//! go out, in more packets.

use std::io::{self, Read};
use std::net::{SocketAddr, UdpSocket};

use super::AsSock;

/// Sends what `sock` takes of `buf`; `more` tells the kernel more data
/// follows at once. On a non-blocking socket a full buffer is `WouldBlock`.
/// Writing to a connection the peer has closed is an error (`BrokenPipe`),
/// never a signal.
pub fn send(sock: &impl AsSock, buf: &[u8], more: bool) -> io::Result<usize> {
    let sent = imp::send(sock, buf, more && super::fast_paths())?;
    crate::trace::send(sock, sent);
    Ok(sent)
}

/// Sends all of `buf`, waiting as a blocking socket's writes do.
pub fn send_all(sock: &impl AsSock, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        match send(sock, buf, false)? {
            0 => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            n => buf = &buf[n..],
        }
    }
    Ok(())
}

/// Receives what `sock` has into `buf`, waiting as a read would; 0 at the
/// end of the stream.
pub fn recv(sock: &impl AsSock, buf: &mut [u8]) -> io::Result<usize> {
    let socket = socket2::SockRef::from(sock);
    let n = super::retry(|| (&*socket).read(buf))?;
    crate::trace::recv(sock, n);
    Ok(n)
}

/// Ends this side's sending (a FIN); the other direction goes on.
pub fn shutdown_write(sock: &impl AsSock) -> io::Result<()> {
    socket2::SockRef::from(sock).shutdown(std::net::Shutdown::Write)?;
    crate::trace::shutdown(sock, "write");
    Ok(())
}

/// Closes a socket: the same as dropping it, said in the trace first.
pub fn close<S: AsSock>(sock: S) {
    crate::trace::close(&sock);
    drop(sock);
}

/// Sends one datagram to `to`.
pub fn send_to(sock: &UdpSocket, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
    let n = sock.send_to(buf, to)?;
    crate::trace::sendto(sock, &to, n);
    Ok(n)
}

/// Sends one datagram to the address the socket is connected to.
pub fn send_connected(sock: &UdpSocket, buf: &[u8]) -> io::Result<usize> {
    let n = sock.send(buf)?;
    crate::trace::datagram("send", sock, n);
    Ok(n)
}

/// Receives one datagram and where it came from.
pub fn recv_from(sock: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    let (n, from) = sock.recv_from(buf)?;
    crate::trace::recvfrom(sock, n, &from);
    Ok((n, from))
}

/// Receives one datagram from the address the socket is connected to.
pub fn recv_connected(sock: &UdpSocket, buf: &mut [u8]) -> io::Result<usize> {
    let n = sock.recv(buf)?;
    crate::trace::datagram("recv", sock, n);
    Ok(n)
}

/// A UDP socket bound to `local` (port 0: any free port), for sending.
pub fn bind_datagrams(local: SocketAddr) -> io::Result<UdpSocket> {
    let socket = socket2::Socket::new(socket2::Domain::for_address(local), socket2::Type::DGRAM, None)?;
    crate::trace::socket(&socket, &local, false);
    let bound = socket.bind(&local.into());
    crate::trace::bind(&socket, &local, &bound);
    bound?;
    Ok(socket.into())
}

/// Connects a datagram socket to `to`: later datagrams go there, and only
/// its datagrams (and its errors) come back.
pub fn connect_datagrams(sock: &UdpSocket, to: SocketAddr) -> io::Result<()> {
    let done = sock.connect(to);
    crate::trace::connect(sock, &to, &done);
    done
}

/// Turns corking on or off: while on, only full segments are sent; turning
/// it off sends what is left at once. A no-op where the system has no such
/// option (or under `NETKIT_PORTABLE`).
pub fn set_cork(sock: &impl AsSock, on: bool) -> io::Result<()> {
    if !super::fast_paths() {
        return Ok(());
    }
    imp::set_cork(sock, on)
}

/// Sets what binding `sock` needs so that an address in use by another
/// program is refused and a restarted server is not: SO_REUSEADDR for TCP
/// on Unix (TIME_WAIT connections do not block a new listener); on Windows
/// SO_EXCLUSIVEADDRUSE (its SO_REUSEADDR would let two listeners share a
/// port).
pub fn claim_address(sock: &impl AsSock, tcp: bool) -> io::Result<()> {
    imp::claim_address(sock, tcp)
}

/// True when an error from `accept` means the process (or the system) has
/// no descriptors or buffers left: a server should close something or wait.
pub fn out_of_descriptors(e: &io::Error) -> bool {
    imp::out_of_descriptors(e)
}

#[cfg(target_os = "linux")]
mod imp {
    use super::AsSock;
    use crate::sys::{os, retry};
    use rustix::net::SendFlags;
    use std::io;

    pub fn send(sock: &impl AsSock, buf: &[u8], more: bool) -> io::Result<usize> {
        let flags = if more { SendFlags::NOSIGNAL | SendFlags::MORE } else { SendFlags::NOSIGNAL };
        retry(|| rustix::net::send(sock.as_fd(), buf, flags).map_err(os))
    }

    pub fn set_cork(sock: &impl AsSock, on: bool) -> io::Result<()> {
        rustix::net::sockopt::set_tcp_cork(sock.as_fd(), on).map_err(os)
    }

    pub fn claim_address(sock: &impl AsSock, tcp: bool) -> io::Result<()> {
        if tcp { socket2::SockRef::from(sock).set_reuse_address(true) } else { Ok(()) }
    }

    pub fn out_of_descriptors(e: &io::Error) -> bool {
        use rustix::io::Errno;
        matches!(Errno::from_io_error(e), Some(Errno::MFILE | Errno::NFILE | Errno::NOBUFS | Errno::NOMEM))
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
mod imp {
    use super::AsSock;
    use crate::sys::{os, retry};
    use std::io;

    pub fn send(sock: &impl AsSock, buf: &[u8], _more: bool) -> io::Result<usize> {
        // No MSG_MORE here. Rust programs ignore SIGPIPE, so a closed
        // connection is EPIPE, as with MSG_NOSIGNAL on Linux.
        retry(|| rustix::net::send(sock.as_fd(), buf, rustix::net::SendFlags::empty()).map_err(os))
    }

    #[cfg(target_os = "freebsd")]
    pub fn set_cork(sock: &impl AsSock, on: bool) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let value: libc::c_int = on.into();
        // SAFETY: setsockopt reads a c_int of the size given, from this
        // stack frame; the descriptor is borrowed and open for the call.
        let rc = unsafe {
            libc::setsockopt(
                sock.as_fd().as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NOPUSH,
                (&value as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
    }

    #[cfg(not(target_os = "freebsd"))]
    pub fn set_cork(_sock: &impl AsSock, _on: bool) -> io::Result<()> {
        Ok(())
    }

    pub fn claim_address(sock: &impl AsSock, tcp: bool) -> io::Result<()> {
        if tcp { socket2::SockRef::from(sock).set_reuse_address(true) } else { Ok(()) }
    }

    pub fn out_of_descriptors(e: &io::Error) -> bool {
        use rustix::io::Errno;
        matches!(Errno::from_io_error(e), Some(Errno::MFILE | Errno::NFILE | Errno::NOBUFS | Errno::NOMEM))
    }
}

#[cfg(windows)]
mod imp {
    use super::AsSock;
    use std::io;
    use windows_sys::Win32::Networking::WinSock::{
        SO_EXCLUSIVEADDRUSE, SOCKET, SOL_SOCKET, WSAEMFILE, WSAENOBUFS, setsockopt,
    };

    pub fn send(sock: &impl AsSock, buf: &[u8], _more: bool) -> io::Result<usize> {
        crate::sys::retry(|| socket2::SockRef::from(sock).send(buf))
    }

    pub fn set_cork(_sock: &impl AsSock, _on: bool) -> io::Result<()> {
        Ok(())
    }

    pub fn claim_address(sock: &impl AsSock, _tcp: bool) -> io::Result<()> {
        use std::os::windows::io::AsRawSocket;
        let on: i32 = 1;
        // SAFETY: setsockopt reads an int of the size given, from this
        // stack frame; the socket is borrowed and open for the call.
        let rc = unsafe {
            setsockopt(
                sock.as_socket().as_raw_socket() as SOCKET,
                SOL_SOCKET,
                SO_EXCLUSIVEADDRUSE,
                (&on as *const i32).cast(),
                std::mem::size_of::<i32>() as i32,
            )
        };
        if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
    }

    pub fn out_of_descriptors(e: &io::Error) -> bool {
        matches!(e.raw_os_error(), Some(WSAEMFILE | WSAENOBUFS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn send_with_and_without_more_arrives_whole() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        set_cork(&server, true).unwrap();
        assert_eq!(send(&server, b"head ", true).unwrap(), 5);
        assert_eq!(send(&server, b"body", false).unwrap(), 4);
        set_cork(&server, false).unwrap();
        drop(server);
        let mut got = String::new();
        client.read_to_string(&mut got).unwrap();
        assert_eq!(got, "head body");
    }

    #[test]
    fn sending_to_a_closed_peer_is_an_error_not_a_signal() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        drop(client);
        // The first send may still be accepted; a later one must fail.
        let failed = (0..100).any(|_| send(&server, &[0u8; 1024], false).is_err());
        assert!(failed);
    }

    #[test]
    fn descriptor_exhaustion_is_recognised() {
        assert!(!out_of_descriptors(&io::Error::from(io::ErrorKind::ConnectionAborted)));
        #[cfg(unix)]
        assert!(out_of_descriptors(&io::Error::from(rustix::io::Errno::MFILE)));
    }
}
