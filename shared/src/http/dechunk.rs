//! Chunked transfer coding (RFC 9112 section 7.1) decoded as bytes are
//! pushed in, for a server that reads request bodies from a non-blocking
//! socket: whatever arrives is fed to [`Dechunker::feed`], which hands out
//! the payload it can and keeps its place, however the coding is split
//! across reads. The same rules and limits as [`super::chunked`]: chunk
//! extensions and trailers are accepted and dropped, anything ambiguous is
//! refused, size lines stop at 4 KiB and trailers at 16 KiB. Only those
//! lines are buffered; chunk data is passed through as it comes.
//!
//! ```
//! use shared::http::dechunk::Dechunker;
//!
//! let mut d = Dechunker::new();
//! let mut body = Vec::new();
//! let used = d.feed(b"5\r\nhel", &mut |b| body.extend_from_slice(b)).unwrap();
//! assert_eq!((used, d.is_done()), (6, false));
//! d.feed(b"lo\r\n0\r\n\r\nNEXT", &mut |b| body.extend_from_slice(b)).unwrap();
//! assert_eq!((body.as_slice(), d.is_done()), (&b"hello"[..], true));
//! ```

use crate::http::body::BodyError;

/// Longest chunk-size line, extensions included.
const MAX_SIZE_LINE: usize = 4096;
/// Most bytes of trailer fields.
const MAX_TRAILERS: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Collecting a chunk-size line.
    Size,
    /// Inside chunk data, this many bytes left.
    Data(u64),
    /// After chunk data, expecting CRLF (or LF).
    DataEnd,
    /// After the last chunk, collecting trailer lines.
    Trailers,
    /// The body is complete.
    Done,
}

/// A chunked-body decoder that is fed bytes as they arrive.
#[derive(Debug)]
pub struct Dechunker {
    /// Where in the coding it is.
    state: State,
    /// The line being collected (size line, data end, trailer line).
    line: Vec<u8>,
    /// Trailer bytes so far.
    trailer_bytes: usize,
    /// Payload bytes handed out so far.
    payload: u64,
}

impl Default for Dechunker {
    fn default() -> Dechunker {
        Dechunker::new()
    }
}

impl Dechunker {
    /// A decoder at the start of a body.
    pub fn new() -> Dechunker {
        Dechunker { state: State::Size, line: Vec::new(), trailer_bytes: 0, payload: 0 }
    }

    /// True once the last chunk and the trailers have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Payload bytes handed out so far.
    pub fn payload(&self) -> u64 {
        self.payload
    }

    /// Decodes what it can of `input`, handing payload to `out` as it
    /// goes. Returns how many bytes of `input` belong to the body: all of
    /// them until the body ends, then only up to its end (what follows is
    /// the next message).
    pub fn feed(&mut self, input: &[u8], out: &mut dyn FnMut(&[u8])) -> Result<usize, BodyError> {
        let mut pos = 0;
        while pos < input.len() && self.state != State::Done {
            match self.state {
                State::Data(left) => {
                    let take = (input.len() - pos).min(usize::try_from(left).unwrap_or(usize::MAX));
                    out(&input[pos..pos + take]);
                    self.payload += take as u64;
                    pos += take;
                    let left = left - take as u64;
                    self.state = if left == 0 { State::DataEnd } else { State::Data(left) };
                }
                State::Size | State::DataEnd | State::Trailers => {
                    let (max, what) = match self.state {
                        State::Size => (MAX_SIZE_LINE, "chunk size line"),
                        State::DataEnd => (2, "chunk data end"),
                        _ => (MAX_TRAILERS.saturating_sub(self.trailer_bytes).max(2), "trailer section"),
                    };
                    let rest = &input[pos..];
                    let (take, found) = match rest.iter().position(|&b| b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (rest.len(), false),
                    };
                    if self.line.len() + take > max {
                        return Err(if self.state == State::DataEnd {
                            BodyError::BadChunkEnd
                        } else {
                            BodyError::TooLong(what)
                        });
                    }
                    self.line.extend_from_slice(&rest[..take]);
                    pos += take;
                    if found {
                        self.line_done()?;
                    }
                }
                State::Done => {}
            }
        }
        Ok(pos)
    }

    /// A whole line is in `self.line` (its LF included): act on it.
    fn line_done(&mut self) -> Result<(), BodyError> {
        self.line.pop();
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        match self.state {
            State::Size => {
                let size = parse_size(&self.line)?;
                self.state = if size == 0 { State::Trailers } else { State::Data(size) };
            }
            State::DataEnd => {
                if !self.line.is_empty() {
                    return Err(BodyError::BadChunkEnd);
                }
                self.state = State::Size;
            }
            State::Trailers => {
                self.trailer_bytes += self.line.len() + 2;
                if self.line.is_empty() {
                    self.state = State::Done;
                }
            }
            State::Data(_) | State::Done => {}
        }
        self.line.clear();
        Ok(())
    }
}

/// Parses `1*HEXDIG [ BWS ; extensions ]`.
fn parse_size(line: &[u8]) -> Result<u64, BodyError> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let bad = || BodyError::BadChunkSize(String::from_utf8_lossy(line).into_owned());
    if digits == 0 {
        return Err(bad());
    }
    let mut size: u64 = 0;
    for &b in &line[..digits] {
        let d = (b as char).to_digit(16).map_or(0, u64::from);
        size = size.checked_mul(16).and_then(|s| s.checked_add(d)).ok_or(BodyError::ChunkSizeOverflow)?;
    }
    let rest = crate::http::headers::trim(&line[digits..]);
    if !rest.is_empty() && rest[0] != b';' {
        return Err(bad());
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(input: &[u8], split: usize) -> Result<(Vec<u8>, usize, bool), BodyError> {
        let mut d = Dechunker::new();
        let mut out = Vec::new();
        let mut used = 0;
        for piece in input.chunks(split.max(1)) {
            let n = d.feed(piece, &mut |b| out.extend_from_slice(b))?;
            used += n;
            if n < piece.len() {
                break;
            }
        }
        Ok((out, used, d.is_done()))
    }

    #[test]
    fn decode_table() {
        let cases: &[(&[u8], Result<(&[u8], usize, bool), BodyError>)] = &[
            (b"5\r\nhello\r\n0\r\n\r\n", Ok((b"hello", 15, true))),
            (b"5\nhello\n0\n\n", Ok((b"hello", 11, true))),
            (b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\nGET", Ok((b"abcde", 34, true))),
            (b"A\r\n0123456789\r\n0\r\n\r\n", Ok((b"0123456789", 20, true))),
            (b"5\r\nhel", Ok((b"hel", 6, false))),
            (b"zz\r\n", Err(BodyError::BadChunkSize("zz".into()))),
            (b"5 x\r\n", Err(BodyError::BadChunkSize("5 x".into()))),
            (b"ffffffffffffffffff\r\n", Err(BodyError::ChunkSizeOverflow)),
            (b"1\r\naXY\r\n", Err(BodyError::BadChunkEnd)),
        ];
        for (input, want) in cases {
            for split in [1, 2, 3, 7, 1000] {
                let got = decode_all(input, split);
                let want = want.clone().map(|(b, n, d)| (b.to_vec(), n, d));
                assert_eq!(got, want, "{} split {split}", String::from_utf8_lossy(input));
            }
        }
    }

    #[test]
    fn lines_and_trailers_are_bounded() {
        let long = [b"1".repeat(5000), b"\r\n".to_vec()].concat();
        assert_eq!(decode_all(&long, 100), Err(BodyError::TooLong("chunk size line")));
        let mut trailers = b"0\r\n".to_vec();
        for _ in 0..2000 {
            trailers.extend_from_slice(b"X-Pad: aaaaaaaaaa\r\n");
        }
        assert_eq!(decode_all(&trailers, 512), Err(BodyError::TooLong("trailer section")));
    }

    proptest::proptest! {
        #[test]
        fn any_split_gives_the_payload(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2000), sizes in proptest::collection::vec(1usize..300, 1..20), split in 1usize..64) {
            let mut coded = Vec::new();
            let mut rest = data.as_slice();
            let mut i = 0;
            while !rest.is_empty() {
                let n = sizes[i % sizes.len()].min(rest.len());
                coded.extend_from_slice(format!("{n:x}\r\n").as_bytes());
                coded.extend_from_slice(&rest[..n]);
                coded.extend_from_slice(b"\r\n");
                rest = &rest[n..];
                i += 1;
            }
            coded.extend_from_slice(b"0\r\n\r\n");
            let (out, used, done) = decode_all(&coded, split).unwrap();
            proptest::prop_assert_eq!(out, data);
            proptest::prop_assert_eq!(used, coded.len());
            proptest::prop_assert!(done);
        }
    }
}
