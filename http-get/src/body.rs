//! Request bodies: what `-d` and its kinds, `--json`, `-F` and `-T` send,
//! as a list of parts (bytes from the command line, a file, stdin) sent
//! one after another through a fixed buffer, never read whole into
//! memory. With every size known (bytes, regular files, stdin redirected
//! from a file) the body goes with Content-Length; otherwise (a pipe on
//! stdin, a FIFO) it goes chunked. Stdin can be read once: a body that
//! needs it again (a 307, a retry) is refused, not sent short.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use shared::http::chunked::ChunkedWriter;

/// Read size when sending a file or stdin.
const SEND_BUFFER: usize = 64 * 1024;

/// Set once stdin has begun to be sent: it cannot be sent again.
static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// One piece of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Bytes given on the command line (or made here: a multipart head).
    Bytes(Vec<u8>),
    /// A file's bytes, read as they are sent.
    File(PathBuf),
    /// Standard input, read as it is sent (once).
    Stdin,
}

/// A request body and the Content-Type it implies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// The parts, in order.
    pub parts: Vec<Part>,
    /// The Content-Type sent unless `-H` says another (`None` sends none).
    pub content_type: Option<String>,
}

/// Why a body could not be sent.
#[derive(Debug)]
pub enum SendError {
    /// A file or stdin could not be read (curl's 26).
    Read(String, io::Error),
    /// Stdin was already sent once (curl's 65).
    Rewind,
    /// The connection failed while sending.
    Net(io::Error),
}

/// True once a body has begun to read stdin: it cannot be sent again.
pub fn stdin_taken() -> bool {
    STDIN_TAKEN.load(Ordering::SeqCst)
}

impl Body {
    /// True when the body reads stdin (it can be sent once only).
    pub fn reads_stdin(&self) -> bool {
        self.parts.contains(&Part::Stdin)
    }

    /// The body's length when every part's is known: bytes, regular
    /// files, stdin redirected from a regular file (from where it stands).
    pub fn size(&self) -> Option<u64> {
        let mut total = 0u64;
        for part in &self.parts {
            total += match part {
                Part::Bytes(b) => b.len() as u64,
                Part::File(path) => regular_size(&File::open(path).ok()?)?,
                Part::Stdin => {
                    let mut stdin = shared::sys::stdio::stdin_file().ok()?;
                    let size = regular_size(&stdin)?;
                    size.checked_sub(stdin.stream_position().ok()?)?
                }
            };
        }
        Some(total)
    }

    /// Checks every file can be opened, before any traffic.
    pub fn check(&self) -> Result<(), (PathBuf, io::Error)> {
        for part in &self.parts {
            if let Part::File(path) = part {
                File::open(path).map_err(|e| (path.clone(), e))?;
            }
        }
        Ok(())
    }

    /// Writes the body to `out`: `size` bytes exactly when given (as
    /// Content-Length announced), else chunked.
    pub fn send(&self, out: &mut impl Write, size: Option<u64>) -> Result<(), SendError> {
        match size {
            Some(size) => {
                let sent = self.send_parts(out)?;
                if sent != size {
                    let why = format!("the body changed size while it was sent ({sent} of {size} bytes)");
                    return Err(SendError::Read(why, io::Error::from(io::ErrorKind::UnexpectedEof)));
                }
                Ok(())
            }
            None => {
                let mut chunked = ChunkedWriter::new(&mut *out);
                self.send_parts(&mut chunked)?;
                chunked.finish().map_err(SendError::Net)?;
                Ok(())
            }
        }
    }

    fn send_parts(&self, out: &mut impl Write) -> Result<u64, SendError> {
        let mut buf = Vec::new();
        let mut sent = 0;
        for part in &self.parts {
            sent += match part {
                Part::Bytes(b) => {
                    out.write_all(b).map_err(SendError::Net)?;
                    b.len() as u64
                }
                Part::File(path) => {
                    let shown = path.display().to_string();
                    let file = File::open(path).map_err(|e| SendError::Read(shown.clone(), e))?;
                    pump(file, out, &mut buf, &shown)?
                }
                Part::Stdin => {
                    if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
                        return Err(SendError::Rewind);
                    }
                    let stdin = shared::sys::stdio::stdin_file().map_err(|e| SendError::Read("stdin".into(), e))?;
                    pump(stdin, out, &mut buf, "stdin")?
                }
            };
        }
        Ok(sent)
    }
}

/// The size of a regular file; `None` for anything else.
fn regular_size(file: &File) -> Option<u64> {
    file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len())
}

/// Copies `from` to `out` through `buf`, telling a read failure from a
/// send failure.
fn pump(mut from: impl Read, out: &mut impl Write, buf: &mut Vec<u8>, shown: &str) -> Result<u64, SendError> {
    buf.resize(SEND_BUFFER, 0);
    let mut total = 0u64;
    loop {
        let n = match from.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(SendError::Read(shown.to_string(), e)),
        };
        out.write_all(&buf[..n]).map_err(SendError::Net)?;
        total += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Content-Length when every size is known, exact bytes either way;
    /// chunked otherwise.
    #[test]
    fn send_table() {
        let dir = std::env::temp_dir().join(format!("netkit-body-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("f");
        std::fs::write(&file, "file bytes").unwrap();
        let body = Body {
            parts: vec![Part::Bytes(b"a=".to_vec()), Part::File(file.clone()), Part::Bytes(b"&z".to_vec())],
            content_type: None,
        };
        assert_eq!(body.size(), Some(14));
        let mut out = Vec::new();
        body.send(&mut out, Some(14)).unwrap();
        assert_eq!(out, b"a=file bytes&z");
        let mut out = Vec::new();
        body.send(&mut out, None).unwrap();
        assert_eq!(out, b"2\r\na=\r\na\r\nfile bytes\r\n2\r\n&z\r\n0\r\n\r\n");
        // A size announced that the files no longer have is refused.
        assert!(matches!(body.send(&mut Vec::new(), Some(20)), Err(SendError::Read(..))));
        let missing = Body { parts: vec![Part::File(dir.join("missing"))], content_type: None };
        assert!(missing.check().is_err() && missing.size().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
