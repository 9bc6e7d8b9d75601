//! Unix sockets as the tools' `-U PATH` names them: a path names a socket
//! file; on Linux `@name` names an abstract socket, which has no file
//! (`./@name` is a file whose name starts with `@`). A listener (stream)
//! or a receiver (datagram) replaces a socket file left by a dead one, but
//! only when nothing answers on it, never a file that is not a socket,
//! and removes its own file when it ends.
//!
//! std has all of it (`std::os::unix::net`; abstract names through
//! `std::os::linux::net`), so nothing here needs the platform layer.
//! Unix only: on Windows the tools say in one line that `-U` is not
//! supported there.

use std::fmt;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// Where a Unix socket is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnixAddr {
    /// A socket file.
    Path(PathBuf),
    /// A Linux abstract name (without the `@`).
    Abstract(Vec<u8>),
}

impl fmt::Display for UnixAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixAddr::Path(p) => f.write_str(&crate::io_text::path(p)),
            UnixAddr::Abstract(name) => write!(f, "@{}", String::from_utf8_lossy(name)),
        }
    }
}

/// Why a Unix socket could not be listened on, bound or connected to.
#[derive(Debug)]
#[non_exhaustive]
pub enum UnixError {
    /// `@name` on a system without abstract sockets.
    NoAbstract(String),
    /// A live listener already answers on the path.
    InUse(String),
    /// Something that is not a socket is at the path; it is left alone.
    NotASocket(String),
    /// The system refused: binding, connecting, removing a stale file.
    Io {
        /// What was being done, with the address: `listen on /run/x.sock`.
        doing: String,
        /// What the system said.
        source: io::Error,
    },
}

impl fmt::Display for UnixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixError::NoAbstract(name) => write!(f, "`{name}`: abstract socket names (@name) exist only on Linux"),
            UnixError::InUse(addr) => write!(f, "cannot listen on {addr}: a live listener is already there"),
            UnixError::NotASocket(addr) => write!(f, "cannot listen on {addr}: it exists and is not a socket"),
            UnixError::Io { doing, source } => write!(f, "{doing}: {}", crate::io_text::describe(source)),
        }
    }
}

impl std::error::Error for UnixError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UnixError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl UnixAddr {
    /// Reads `-U`'s value: `@name` (Linux) or a path, made absolute: a
    /// datagram peer checks that answers come from the path it sent to,
    /// and a socket's address is the path as it was bound, so a relative
    /// one would never match what another program was given.
    pub fn parse(value: &Path) -> Result<UnixAddr, UnixError> {
        let bytes = value.as_os_str().as_encoded_bytes();
        match bytes.strip_prefix(b"@") {
            Some(name) if cfg!(target_os = "linux") => Ok(UnixAddr::Abstract(name.to_vec())),
            Some(_) => Err(UnixError::NoAbstract(value.display().to_string())),
            None => match std::path::absolute(value) {
                Ok(path) => Ok(UnixAddr::Path(path)),
                Err(source) => Err(UnixError::Io { doing: format!("find {}", value.display()), source }),
            },
        }
    }

    fn io(&self, doing: &'static str) -> impl FnOnce(io::Error) -> UnixError + '_ {
        move |source| UnixError::Io { doing: format!("{doing} {self}"), source }
    }

    /// Connects a stream socket to it.
    pub fn connect(&self) -> Result<UnixStream, UnixError> {
        let connected = match self {
            UnixAddr::Path(p) => UnixStream::connect(p),
            UnixAddr::Abstract(name) => abstract_addr(name).and_then(|a| UnixStream::connect_addr(&a)),
        };
        connected.map_err(self.io("connect to"))
    }

    /// Connects a datagram socket (`socket`, bound or not) to it.
    pub fn connect_datagram(&self, socket: &UnixDatagram) -> Result<(), UnixError> {
        let connected = match self {
            UnixAddr::Path(p) => socket.connect(p),
            UnixAddr::Abstract(name) => abstract_addr(name).and_then(|a| socket.connect_addr(&a)),
        };
        connected.map_err(self.io("connect to"))
    }

    /// Listens on it with a stream socket. A socket file nothing answers
    /// on is a dead listener's, and is replaced; one a listener answers on
    /// is refused.
    pub fn listen(&self) -> Result<Bound<UnixListener>, UnixError> {
        self.claim(
            |addr| match addr {
                UnixAddr::Path(p) => UnixListener::bind(p),
                UnixAddr::Abstract(name) => abstract_addr(name).and_then(|a| UnixListener::bind_addr(&a)),
            },
            |path| UnixStream::connect(path).map(drop),
        )
    }

    /// Binds a datagram socket to it, with the same care for a file left
    /// behind by a receiver that died.
    pub fn bind_datagram(&self) -> Result<Bound<UnixDatagram>, UnixError> {
        self.claim(
            |addr| match addr {
                UnixAddr::Path(p) => UnixDatagram::bind(p),
                UnixAddr::Abstract(name) => abstract_addr(name).and_then(|a| UnixDatagram::bind_addr(&a)),
            },
            |path| UnixDatagram::unbound().and_then(|s| s.connect(path)),
        )
    }

    /// Binds with `bind`; when the address is taken, asks with `answers`
    /// whether a live socket is behind the file, and replaces the file
    /// only when none is.
    fn claim<T>(
        &self,
        bind: impl Fn(&UnixAddr) -> io::Result<T>,
        answers: impl Fn(&Path) -> io::Result<()>,
    ) -> Result<Bound<T>, UnixError> {
        let socket = match bind(self) {
            Ok(s) => s,
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                let UnixAddr::Path(path) = self else { return Err(UnixError::InUse(self.to_string())) };
                let is_socket = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket());
                if !is_socket {
                    return Err(UnixError::NotASocket(self.to_string()));
                }
                match answers(path) {
                    Ok(()) => return Err(UnixError::InUse(self.to_string())),
                    Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {}
                    Err(e) => return Err(self.io("look at the socket already at")(e)),
                }
                std::fs::remove_file(path).map_err(self.io("remove the dead socket file"))?;
                bind(self).map_err(self.io("listen on"))?
            }
            Err(e) => return Err(self.io("listen on")(e)),
        };
        Ok(Bound { socket, addr: self.clone() })
    }
}

/// A Linux abstract address.
#[cfg(target_os = "linux")]
fn abstract_addr(name: &[u8]) -> io::Result<std::os::unix::net::SocketAddr> {
    use std::os::linux::net::SocketAddrExt;
    std::os::unix::net::SocketAddr::from_abstract_name(name)
}

/// No abstract addresses here ([`UnixAddr::parse`] refuses them first).
#[cfg(not(target_os = "linux"))]
fn abstract_addr(_name: &[u8]) -> io::Result<std::os::unix::net::SocketAddr> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// A socket bound to a Unix address; its file goes when it does.
#[derive(Debug)]
pub struct Bound<T> {
    /// The socket.
    pub socket: T,
    /// Where.
    pub addr: UnixAddr,
}

impl<T> Drop for Bound<T> {
    fn drop(&mut self) {
        if let UnixAddr::Path(p) = &self.addr {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("netkit-unix-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("s")
    }

    #[test]
    fn a_dead_listeners_socket_is_replaced_a_live_one_is_not() {
        let path = temp("stale");
        let addr = UnixAddr::Path(path.clone());
        // A socket file with nobody behind it: bound, then dropped without
        // removing the file (as a killed process leaves it).
        drop(UnixListener::bind(&path).unwrap());
        assert!(path.exists());
        let live = addr.listen().unwrap();
        let again = addr.listen().unwrap_err().to_string();
        assert_eq!(again, format!("cannot listen on {}: a live listener is already there", path.display()));
        drop(live);
        assert!(!path.exists(), "the listener's file goes with it");
        std::fs::write(&path, b"not a socket").unwrap();
        let refused = addr.listen().unwrap_err().to_string();
        assert_eq!(refused, format!("cannot listen on {}: it exists and is not a socket", path.display()));
        assert_eq!(std::fs::read(&path).unwrap(), b"not a socket", "left alone");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn datagram_receivers_are_claimed_the_same_way() {
        let path = temp("dgram");
        let addr = UnixAddr::Path(path.clone());
        drop(UnixDatagram::bind(&path).unwrap());
        let live = addr.bind_datagram().unwrap();
        assert!(matches!(addr.bind_datagram(), Err(UnixError::InUse(_))));
        let sender = UnixDatagram::unbound().unwrap();
        addr.connect_datagram(&sender).unwrap();
        sender.send(b"x").unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(live.socket.recv(&mut buf).unwrap(), 1);
        drop(live);
        assert!(!path.exists());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn parse_table() {
        let abstract_ok = cfg!(target_os = "linux");
        assert_eq!(UnixAddr::parse(Path::new("/run/x.sock")).unwrap(), UnixAddr::Path("/run/x.sock".into()));
        let here = std::env::current_dir().unwrap();
        assert_eq!(UnixAddr::parse(Path::new("./@x")).unwrap(), UnixAddr::Path(here.join("@x")));
        assert_eq!(UnixAddr::parse(Path::new("a/b.sock")).unwrap(), UnixAddr::Path(here.join("a/b.sock")));
        assert_eq!(UnixAddr::parse(Path::new("@x")).is_ok(), abstract_ok);
    }
}
