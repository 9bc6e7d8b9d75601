//! Message bodies: one reader for each way a body can be delimited
//! ([`crate::http::framing::BodyLength`]), and the error a reader reports when the
//! body is broken. Every reader streams through the caller's buffer; memory
//! does not grow with the body.
//!
//! A broken body is an `io::Error` (so the readers work with `io::copy`)
//! whose inner error is a [`BodyError`]: `UnexpectedEof` when the body was
//! cut short, `InvalidData` when its framing was bad.

use std::fmt;
use std::io::{self, BufRead, Read};

use crate::http::chunked::ChunkedReader;
use crate::http::framing::BodyLength;
use crate::http::length::LengthReader;

/// What was wrong with a body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyError {
    /// The connection ended after `received` of `expected` bytes.
    CutShort {
        /// Bytes announced by Content-Length.
        expected: u64,
        /// Bytes that arrived.
        received: u64,
    },
    /// The connection ended inside a chunked body, before its last chunk.
    ChunkedCutShort,
    /// A chunk-size line that is not hex digits (and optional extensions).
    BadChunkSize(String),
    /// A chunk size that does not fit in 64 bits.
    ChunkSizeOverflow,
    /// Chunk data not followed by a line end.
    BadChunkEnd,
    /// A chunk-size line or the trailer section is longer than allowed.
    TooLong(&'static str),
}

impl BodyError {
    /// True when the body was cut short rather than malformed.
    pub fn is_cut_short(&self) -> bool {
        matches!(self, BodyError::CutShort { .. } | BodyError::ChunkedCutShort)
    }

    /// Wraps the error for the `Read` interface.
    pub fn into_io(self) -> io::Error {
        let kind = if self.is_cut_short() { io::ErrorKind::UnexpectedEof } else { io::ErrorKind::InvalidData };
        io::Error::new(kind, self)
    }

    /// Finds a `BodyError` inside an `io::Error`, if there is one.
    pub fn find(e: &io::Error) -> Option<&BodyError> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<BodyError>())
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::CutShort { expected, received } => {
                write!(f, "body cut short: {received} of {expected} bytes arrived")
            }
            BodyError::ChunkedCutShort => write!(f, "chunked body cut short before its last chunk"),
            BodyError::BadChunkSize(line) => write!(f, "invalid chunk size line `{line}`"),
            BodyError::ChunkSizeOverflow => write!(f, "chunk size too large"),
            BodyError::BadChunkEnd => write!(f, "chunk data not followed by a line end"),
            BodyError::TooLong(what) => write!(f, "{what} too long"),
        }
    }
}

impl std::error::Error for BodyError {}

/// A body reader for any framing.
#[derive(Debug)]
pub enum Body<R> {
    /// No body: reads return 0 at once.
    Empty,
    /// Content-Length delimited.
    Fixed(LengthReader<R>),
    /// Chunked.
    Chunked(ChunkedReader<R>),
    /// Until the connection closes.
    UntilClose(R),
}

impl<R: BufRead> Body<R> {
    /// The reader for `length` over `inner`.
    pub fn new(length: BodyLength, inner: R) -> Body<R> {
        match length {
            BodyLength::None => Body::Empty,
            BodyLength::Length(n) => Body::Fixed(LengthReader::new(inner, n)),
            BodyLength::Chunked => Body::Chunked(ChunkedReader::new(inner)),
            BodyLength::UntilClose => Body::UntilClose(inner),
        }
    }
}

impl<R: BufRead> Read for Body<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Body::Empty => Ok(0),
            Body::Fixed(r) => r.read(buf),
            Body::Chunked(r) => r.read(buf),
            Body::UntilClose(r) => r.read(buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_table() {
        let cases: &[(BodyLength, &[u8], Result<&[u8], &str>)] = &[
            (BodyLength::None, b"ignored", Ok(b"")),
            (BodyLength::Length(3), b"abcdef", Ok(b"abc")),
            (BodyLength::Length(5), b"abc", Err("body cut short: 3 of 5 bytes arrived")),
            (BodyLength::Chunked, b"3\r\nabc\r\n0\r\n\r\nextra", Ok(b"abc")),
            (BodyLength::Chunked, b"3\r\nabc\r\n", Err("chunked body cut short before its last chunk")),
            (BodyLength::UntilClose, b"all of it", Ok(b"all of it")),
        ];
        for (length, wire, want) in cases {
            let mut out = Vec::new();
            let got = Body::new(*length, *wire).read_to_end(&mut out);
            match want {
                Ok(bytes) => {
                    assert!(got.is_ok(), "{length:?}: {got:?}");
                    assert_eq!(out, *bytes, "{length:?}");
                }
                Err(text) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
                    assert_eq!(BodyError::find(&e).unwrap().to_string(), *text);
                }
            }
        }
    }
}
