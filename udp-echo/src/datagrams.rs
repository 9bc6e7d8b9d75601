//! Cutting stdin into datagrams without ever splitting or truncating one:
//! a line (with its newline) or a fixed-size chunk each, and a refusal for
//! a line too long for one datagram.

use std::io::{self, BufRead, Read};

/// Largest UDP payload over IPv4 (65,535 - 8 UDP - 20 IP header bytes).
pub const MAX_V4: usize = 65_507;
/// Largest UDP payload over IPv6 (65,535 - 8 UDP bytes; the IPv6 header is
/// not counted in its payload length).
pub const MAX_V6: usize = 65_527;

/// The next datagram from a reader.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// A datagram's bytes are in the buffer.
    Datagram,
    /// The input has ended.
    End,
    /// A line longer than the maximum (its length so far, at least max+1).
    TooLong(usize),
}

/// Reads one line, newline included, into `buf` (cleared first), refusing
/// lines longer than `max` without buffering more than `max + 1` bytes.
pub fn next_line(input: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Next> {
    buf.clear();
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if buf.is_empty() { Next::End } else { Next::Datagram });
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if buf.len() + take > max {
            let total = buf.len() + take;
            input.consume(take);
            return Ok(Next::TooLong(total));
        }
        buf.extend_from_slice(&available[..take]);
        input.consume(take);
        if done {
            return Ok(Next::Datagram);
        }
    }
}

/// Reads up to `size` bytes (fewer only at the end of input) into `buf`.
pub fn next_chunk(input: &mut impl Read, buf: &mut Vec<u8>, size: usize) -> io::Result<Next> {
    buf.resize(size, 0);
    let mut filled = 0;
    while filled < size {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(if filled == 0 { Next::End } else { Next::Datagram })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<Vec<u8>, usize>> {
        let mut r = io::BufReader::with_capacity(3, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match next_line(&mut r, &mut buf, max).unwrap() {
                Next::Datagram => out.push(Ok(buf.clone())),
                Next::TooLong(n) => out.push(Err(n)),
                Next::End => return out,
            }
        }
    }

    #[test]
    fn line_table() {
        let ok = |s: &[u8]| Ok(s.to_vec());
        let cases: Vec<(&[u8], usize, Vec<Result<Vec<u8>, usize>>)> = vec![
            (b"a\nbb\n", 10, vec![ok(b"a\n"), ok(b"bb\n")]),
            (b"no newline", 20, vec![ok(b"no newline")]),
            (b"\n\n", 10, vec![ok(b"\n"), ok(b"\n")]),
            (b"", 10, vec![]),
            (b"12345\n", 6, vec![ok(b"12345\n")]),
            (b"123456\n", 6, vec![Err(7)]),
        ];
        for (input, max, want) in cases {
            assert_eq!(lines(input, max), want, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn chunk_table() {
        let mut r: &[u8] = b"abcdefg";
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while next_chunk(&mut r, &mut buf, 3).unwrap() == Next::Datagram {
            got.push(buf.clone());
        }
        assert_eq!(got, vec![b"abc".to_vec(), b"def".to_vec(), b"g".to_vec()]);
    }
}
