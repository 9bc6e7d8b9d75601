//! This machine's name, as other machines may know it: `gethostname` on
//! Unix and on Windows (WinSock's, the same name DNS registers). A server
//! bound to every interface prints a URL with it when the name resolves
//! to one of its network addresses.

use std::io;

/// Longest name read; host names are at most 255 bytes (RFC 1035 2.3.4).
const MAX: usize = 256;

/// The host name, or an error when the system has none to give.
pub fn hostname() -> io::Result<String> {
    let mut buf = [0u8; MAX + 1];
    imp::hostname(&mut buf)?;
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = std::str::from_utf8(&buf[..len])
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the host name is not UTF-8"))?;
    if name.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "this machine has no host name"));
    }
    Ok(name.to_string())
}

#[cfg(unix)]
mod imp {
    use std::io;

    pub fn hostname(buf: &mut [u8]) -> io::Result<()> {
        // One byte kept back, so the name is NUL-terminated even when
        // the system truncates it without one.
        let len = buf.len() - 1;
        // SAFETY: `buf` has `len + 1` writable bytes; gethostname writes at
        // most `len` of them.
        if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), len) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

#[cfg(windows)]
mod imp {
    use std::io;
    use windows_sys::Win32::Networking::WinSock::{WSADATA, WSAGetLastError, WSAStartup, gethostname};

    pub fn hostname(buf: &mut [u8]) -> io::Result<()> {
        // WinSock must be started first; it counts its starts, so this one
        // costs nothing when std has started it already, and it is left
        // started for the process's sockets.
        // SAFETY: WSADATA is plain data that WSAStartup fills in.
        let mut data: WSADATA = unsafe { std::mem::zeroed() };
        // SAFETY: `data` is a valid, writable WSADATA.
        let rc = unsafe { WSAStartup(0x0202, &mut data) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        let len = i32::try_from(buf.len() - 1).unwrap_or(i32::MAX);
        // SAFETY: `buf` has at least `len` writable bytes.
        if unsafe { gethostname(buf.as_mut_ptr(), len) } != 0 {
            // SAFETY: no arguments; reads this thread's last WinSock error.
            return Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_machine_has_a_name() {
        let name = super::hostname().unwrap();
        assert!(!name.is_empty() && !name.contains('\0'), "{name:?}");
    }
}
