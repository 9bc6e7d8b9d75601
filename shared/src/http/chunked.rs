//! Chunked transfer coding (RFC 9112 section 7.1): a streaming decoder that
//! accepts chunk extensions and trailers and refuses anything ambiguous, and
//! an encoder.
//!
//! The decoder never buffers chunk data: it reads a chunk's bytes straight
//! into the caller's buffer. Only the size lines and trailers pass through a
//! small, bounded line buffer.

use std::io::{self, BufRead, Read, Write};

use crate::http::body::BodyError;

/// Longest chunk-size line, extensions included.
const MAX_SIZE_LINE: usize = 4096;
/// Most bytes of trailer fields.
const MAX_TRAILERS: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a chunk-size line.
    Size,
    /// Inside chunk data, this many bytes left.
    Data(u64),
    /// After chunk data, expecting its line end.
    DataEnd,
    /// After the last chunk, reading trailer lines.
    Trailers,
    /// The body is complete.
    Done,
}

/// Decodes a chunked body from `inner`, yielding the payload bytes.
#[derive(Debug)]
pub struct ChunkedReader<R> {
    /// Where the coded body comes from.
    inner: R,
    /// Where in the coding we are.
    state: State,
    /// The line being collected (size line or trailer line).
    line: Vec<u8>,
    /// Trailer bytes so far, against [`MAX_TRAILERS`].
    trailer_bytes: usize,
}

impl<R: BufRead> ChunkedReader<R> {
    /// A decoder reading the coded body from `inner`.
    pub fn new(inner: R) -> ChunkedReader<R> {
        ChunkedReader { inner, state: State::Size, line: Vec::new(), trailer_bytes: 0 }
    }

    /// True once the last chunk and trailers have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Gives back the inner reader (positioned after the body when done).
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads one line (without its LF; a CR before it is removed) into
    /// `self.line`, refusing lines longer than `max`.
    fn read_line(&mut self, max: usize, what: &'static str) -> io::Result<()> {
        self.line.clear();
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Err(BodyError::ChunkedCutShort.into_io());
            }
            let (take, found) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if self.line.len() + take > max {
                return Err(BodyError::TooLong(what).into_io());
            }
            self.line.extend_from_slice(&available[..take]);
            self.inner.consume(take);
            if found {
                self.line.pop();
                if self.line.last() == Some(&b'\r') {
                    self.line.pop();
                }
                return Ok(());
            }
        }
    }

    /// Parses `self.line` as `1*HEXDIG [ BWS ; extensions ]`.
    fn parse_size(&self) -> Result<u64, BodyError> {
        let line = &self.line;
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
}

impl<R: BufRead> Read for ChunkedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Size => {
                    self.read_line(MAX_SIZE_LINE, "chunk size line")?;
                    let size = self.parse_size().map_err(BodyError::into_io)?;
                    self.state = if size == 0 { State::Trailers } else { State::Data(size) };
                }
                State::Data(left) => {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = self.inner.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(BodyError::ChunkedCutShort.into_io());
                    }
                    let left = left - n as u64;
                    self.state = if left == 0 { State::DataEnd } else { State::Data(left) };
                    return Ok(n);
                }
                State::DataEnd => {
                    self.read_line(2, "chunk data end").map_err(|e| {
                        if BodyError::find(&e).is_some_and(|b| !b.is_cut_short()) {
                            BodyError::BadChunkEnd.into_io()
                        } else {
                            e
                        }
                    })?;
                    if !self.line.is_empty() {
                        return Err(BodyError::BadChunkEnd.into_io());
                    }
                    self.state = State::Size;
                }
                State::Trailers => {
                    let room = MAX_TRAILERS.saturating_sub(self.trailer_bytes).max(2);
                    self.read_line(room, "trailer section")?;
                    self.trailer_bytes += self.line.len() + 2;
                    if self.line.is_empty() {
                        self.state = State::Done;
                    }
                }
            }
        }
    }
}

/// Encodes everything written to it as chunks; [`ChunkedWriter::finish`]
/// writes the last chunk. Each `write` becomes one chunk, so wrap a source
/// of small writes in a `BufWriter` first.
#[derive(Debug)]
pub struct ChunkedWriter<W: Write> {
    /// Where the coded body goes.
    inner: W,
}

impl<W: Write> ChunkedWriter<W> {
    /// An encoder writing to `inner`.
    pub fn new(inner: W) -> ChunkedWriter<W> {
        ChunkedWriter { inner }
    }

    /// Writes the last chunk (no trailers) and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.inner.write_all(b"0\r\n\r\n")?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for ChunkedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            // An empty chunk would be the last chunk; write nothing.
            return Ok(0);
        }
        write!(self.inner, "{:x}\r\n", buf.len())?;
        self.inner.write_all(buf)?;
        self.inner.write_all(b"\r\n")?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(wire: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        ChunkedReader::new(wire).read_to_end(&mut out).map(|_| out).map_err(|e| match BodyError::find(&e) {
            Some(b) => b.to_string(),
            None => e.to_string(),
        })
    }

    #[test]
    fn decode_table() {
        let ok = |b: &[u8]| Ok(b.to_vec());
        let err = |s: &str| Err(s.to_string());
        let cases: &[(&[u8], Result<Vec<u8>, String>)] = &[
            (b"5\r\nhello\r\n0\r\n\r\n", ok(b"hello")),
            (b"5\nhello\n0\n\n", ok(b"hello")),
            (b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", ok(b"abcde")),
            (b"A\r\n0123456789\r\n0\r\n\r\n", ok(b"0123456789")),
            (b"0003\r\nabc\r\n0\r\n\r\n", ok(b"abc")),
            (b"3;name=value;x\r\nabc\r\n0;last\r\n\r\n", ok(b"abc")),
            (b"3 ;ext\r\nabc\r\n0\r\n\r\n", ok(b"abc")),
            (b"3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n", ok(b"abc")),
            (b"0\r\n\r\n", ok(b"")),
            (b"00000000000000001\r\na\r\n0\r\n\r\n", ok(b"a")),
            (b"\r\nabc\r\n0\r\n\r\n", err("invalid chunk size line ``")),
            (b"0x3\r\nabc\r\n0\r\n\r\n", err("invalid chunk size line `0x3`")),
            (b"-3\r\nabc\r\n", err("invalid chunk size line `-3`")),
            (b"3 4\r\nabc\r\n", err("invalid chunk size line `3 4`")),
            (b"10000000000000000\r\n", err("chunk size too large")),
            (b"ffffffffffffffffff\r\n", err("chunk size too large")),
            (b"3\r\nabcX\r\n0\r\n\r\n", err("chunk data not followed by a line end")),
            (b"3\r\nab", err("chunked body cut short before its last chunk")),
            (b"3\r\nabc\r\n", err("chunked body cut short before its last chunk")),
            (b"3\r\nabc", err("chunked body cut short before its last chunk")),
            (b"3\r\nabc\r\n0\r\n", err("chunked body cut short before its last chunk")),
            (b"", err("chunked body cut short before its last chunk")),
        ];
        for (wire, want) in cases {
            assert_eq!(decode(wire), *want, "wire {:?}", String::from_utf8_lossy(wire));
        }
    }

    #[test]
    fn size_line_and_trailers_are_bounded() {
        let mut long = b"1;".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_SIZE_LINE));
        assert_eq!(decode(&long), Err("chunk size line too long".to_string()));
        let mut trailers = b"0\r\n".to_vec();
        for _ in 0..2000 {
            trailers.extend_from_slice(b"X-Pad: 0123456789\r\n");
        }
        assert_eq!(decode(&trailers), Err("trailer section too long".to_string()));
    }

    #[test]
    fn leaves_what_follows_in_the_stream() {
        let wire: &[u8] = b"2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK";
        let mut r = ChunkedReader::new(wire);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert!(r.is_done());
        assert_eq!(r.into_inner(), b"HTTP/1.1 200 OK");
    }

    #[test]
    fn encode_then_decode_round_trips() {
        let payload: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut w = ChunkedWriter::new(Vec::new());
        for piece in payload.chunks(777) {
            w.write_all(piece).unwrap();
        }
        w.write_all(b"").unwrap();
        let wire = w.finish().unwrap();
        assert!(wire.starts_with(b"309\r\n"));
        assert!(wire.ends_with(b"\r\n0\r\n\r\n"));
        // Decoding works whatever size the reads are.
        for read_size in [1, 2, 3, 64, 4096] {
            let mut r = ChunkedReader::new(io::BufReader::with_capacity(read_size, wire.as_slice()));
            let mut out = Vec::new();
            let mut buf = vec![0; read_size];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, payload, "read size {read_size}");
        }
    }

    /// Hands out its bytes in the sizes it is given, as a network would.
    struct Pieces {
        data: Vec<u8>,
        sizes: Vec<usize>,
        turn: usize,
    }

    impl Read for Pieces {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let size = self.sizes.get(self.turn % self.sizes.len().max(1)).copied().unwrap_or(1).max(1);
            self.turn += 1;
            let n = size.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data.drain(..n);
            Ok(n)
        }
    }

    proptest::proptest! {
        #[test]
        fn encode_then_decode_is_identity_for_any_splits(
            payload in proptest::collection::vec(proptest::num::u8::ANY, 0..5000),
            writes in proptest::collection::vec(1usize..700, 1..20),
            reads in proptest::collection::vec(1usize..300, 1..20),
            buffer in 1usize..64,
        ) {
            let mut w = ChunkedWriter::new(Vec::new());
            let mut rest = payload.as_slice();
            let mut i = 0;
            while !rest.is_empty() {
                let n = writes[i % writes.len()].min(rest.len());
                w.write_all(&rest[..n]).unwrap();
                rest = &rest[n..];
                i += 1;
            }
            let wire = w.finish().unwrap();
            let source = Pieces { data: wire, sizes: reads, turn: 0 };
            let mut r = ChunkedReader::new(io::BufReader::with_capacity(buffer, source));
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            proptest::prop_assert!(r.is_done());
            proptest::prop_assert_eq!(out, payload);
        }
    }
}
