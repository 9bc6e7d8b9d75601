//! Why the server could not start or stopped, and the one place that
//! chooses the exit code for it. (Usage errors never get here: the parser
//! reports them itself, with exit 2.)

use std::fmt;
use std::io;
use std::path::PathBuf;

use shared::io_text::describe;
use shared::net::{AddrError, BindError};

/// A failure of the whole server.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The command line is wrong in a way the parser cannot see (a port
    /// where the folder goes); exit 2 like the parser's own.
    Usage(String),
    /// The folder to serve cannot be opened.
    Folder {
        /// The folder as given.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// What was given to serve is not a folder.
    NotAFolder(PathBuf),
    /// `-b ADDR` did not parse or resolve.
    Address(AddrError),
    /// The port is taken by another program.
    PortInUse {
        /// The port asked for.
        port: u16,
        /// What the system said.
        source: BindError,
    },
    /// The address could not be listened on for another reason.
    Bind(BindError),
    /// The start-up line could not be written.
    Stdout(io::Error),
    /// The serving loop failed in a way that leaves nothing to do.
    Serve(io::Error),
    /// `--tls` in a build without the `tls` feature.
    NoTls,
    /// The TLS certificate could not be made or loaded.
    #[cfg(feature = "tls")]
    Tls(shared::tls::TlsError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(why) => f.write_str(why),
            Error::Folder { path, source } if source.kind() == io::ErrorKind::NotFound => {
                write!(f, "{}: no such directory", path.display())
            }
            Error::Folder { path, source } => write!(f, "{}: {}", path.display(), describe(source)),
            Error::NotAFolder(path) => write!(f, "{}: not a directory", path.display()),
            Error::Address(e) => e.fmt(f),
            Error::PortInUse { port, .. } => write!(f, "port {port} is in use; try -p 0"),
            Error::Bind(e) => e.fmt(f),
            Error::Stdout(e) => write!(f, "writing to stdout: {}", describe(e)),
            Error::Serve(e) => write!(f, "serving: {}", describe(e)),
            Error::NoTls => f.write_str("--tls: this build has no TLS (it was built without the `tls` feature)"),
            #[cfg(feature = "tls")]
            Error::Tls(e) => write!(f, "--tls: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Folder { source, .. } | Error::Stdout(source) | Error::Serve(source) => Some(source),
            Error::NotAFolder(_) | Error::Usage(_) | Error::NoTls => None,
            #[cfg(feature = "tls")]
            Error::Tls(e) => Some(e),
            Error::Address(e) => Some(e),
            Error::PortInUse { source, .. } | Error::Bind(source) => Some(source),
        }
    }
}

/// The exit code for `e`: bad usage is 2, every failure to start or keep
/// serving is 1.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Usage(_) => 2,
        Error::Folder { .. }
        | Error::NotAFolder(_)
        | Error::Address(_)
        | Error::PortInUse { .. }
        | Error::Bind(_)
        | Error::Stdout(_)
        | Error::Serve(_)
        | Error::NoTls => 1,
        #[cfg(feature = "tls")]
        Error::Tls(_) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_the_cause_once() {
        let missing = Error::Folder { path: "site".into(), source: io::Error::from(io::ErrorKind::NotFound) };
        assert_eq!(missing.to_string(), "site: no such directory");
        let denied = Error::Folder { path: "site".into(), source: io::Error::from(io::ErrorKind::PermissionDenied) };
        assert_eq!(denied.to_string(), "site: permission denied");
        assert_eq!(Error::NotAFolder("f".into()).to_string(), "f: not a directory");
        assert_eq!(exit_code(&missing), 1);
    }
}
