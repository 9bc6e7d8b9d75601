//! A reader for a Content-Length delimited body: it yields exactly that many
//! bytes and reports an early end as an error, never as a short body.

use std::io::{self, Read};

use crate::http::body::BodyError;

/// Reads exactly `expected` bytes from `inner`, then reports end of body.
#[derive(Debug)]
pub struct LengthReader<R> {
    /// The connection (or whatever holds the body).
    inner: R,
    /// Bytes announced.
    expected: u64,
    /// Bytes still to come.
    remaining: u64,
}

impl<R> LengthReader<R> {
    /// A reader for a body of `expected` bytes.
    pub fn new(inner: R, expected: u64) -> LengthReader<R> {
        LengthReader { inner, expected, remaining: expected }
    }

    /// Gives back the inner reader.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for LengthReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            let received = self.expected - self.remaining;
            return Err(BodyError::CutShort { expected: self.expected, received }.into_io());
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_table() {
        let cases: &[(&[u8], u64, Result<&[u8], (u64, u64)>)] = &[
            (b"hello", 5, Ok(b"hello")),
            (b"hello world", 5, Ok(b"hello")),
            (b"", 0, Ok(b"")),
            (b"hel", 5, Err((5, 3))),
            (b"", 1, Err((1, 0))),
        ];
        for (wire, len, want) in cases {
            let mut out = Vec::new();
            let got = LengthReader::new(*wire, *len).read_to_end(&mut out);
            match want {
                Ok(bytes) => assert_eq!((got.is_ok(), out.as_slice()), (true, *bytes)),
                Err((expected, received)) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
                    assert_eq!(
                        BodyError::find(&e),
                        Some(&BodyError::CutShort { expected: *expected, received: *received })
                    );
                }
            }
        }
    }
}
