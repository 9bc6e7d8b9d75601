//! `multipart/byteranges` (RFC 9110 14.6): several ranges of one file in
//! one 206 response, each part with its own Content-Type and Content-Range.
//! The layout is made before sending, so the response has a Content-Length.

use std::collections::VecDeque;
use std::ops::Range;

use crate::response::Piece;

/// Lays out the body for `ranges` of a `total`-byte file: delimiter and part
/// head, file range, ..., closing delimiter. Returns the pieces and the
/// exact body length.
pub fn layout(content_type: &str, total: u64, ranges: &[Range<u64>], boundary: &str) -> (VecDeque<Piece>, u64) {
    let mut pieces = VecDeque::with_capacity(ranges.len() * 2 + 1);
    let mut len = 0;
    for (i, r) in ranges.iter().enumerate() {
        // The first delimiter needs no CRLF before it: the body starts there.
        let lead = if i == 0 { "" } else { "\r\n" };
        let head = format!(
            "{lead}--{boundary}\r\nContent-Type: {content_type}\r\nContent-Range: bytes {}-{}/{total}\r\n\r\n",
            r.start,
            r.end - 1
        );
        len += head.len() as u64 + (r.end - r.start);
        pieces.push_back(Piece::Bytes(head.into_bytes()));
        pieces.push_back(Piece::File { start: r.start, end: r.end });
    }
    let tail = format!("\r\n--{boundary}--\r\n");
    len += tail.len() as u64;
    pieces.push_back(Piece::Bytes(tail.into_bytes()));
    (pieces, len)
}

/// A boundary that is unlikely to occur in the file: derived from the
/// file's tag and the clock.
pub fn boundary(tag: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.bytes().chain(nanos.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("netkit-{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_length_matches_pieces() {
        let (pieces, len) = layout("text/plain", 100, &[0..2, 10..15], "B");
        let mut body = Vec::new();
        let file: Vec<u8> = (0..100u8).collect();
        for p in &pieces {
            match p {
                Piece::Bytes(b) => body.extend_from_slice(b),
                Piece::File { start, end } => body.extend_from_slice(&file[*start as usize..*end as usize]),
            }
        }
        assert_eq!(body.len() as u64, len);
        let want_head = b"--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/100\r\n\r\n\x00\x01\r\n--B\r\n";
        assert!(body.starts_with(want_head));
        assert!(body.ends_with(b"\x0e\r\n--B--\r\n"));
    }
}
