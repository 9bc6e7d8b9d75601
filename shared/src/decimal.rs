//! Numbers written as decimal text straight into a byte buffer: a server
//! writes several per response (Content-Length, a status, a listing's
//! sizes and dates), and going through `core::fmt` for each was a
//! measurable part of answering a small request.

/// Appends `n` in decimal, zero-padded to at least `width` digits.
pub fn push_padded(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i.min(digits.len() - width.min(digits.len()))..]);
}

/// Appends `n` in decimal.
pub fn push(out: &mut Vec<u8>, n: u64) {
    push_padded(out, n, 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_as_format_writes_them() {
        // (number, width)
        let cases = [(0, 1), (7, 1), (7, 2), (10, 2), (1024, 1), (2026, 4), (5, 4), (12345, 4), (u64::MAX, 1), (1, 30)];
        for (n, width) in cases {
            let mut out = b"x".to_vec();
            push_padded(&mut out, n, width);
            let want = format!("x{n:0width$}");
            // Wider than 20 digits is not asked of it; it stops at 20.
            let want = if width > 20 { format!("x{n:020}") } else { want };
            assert_eq!(String::from_utf8(out).unwrap(), want, "{n} {width}");
        }
        let mut out = Vec::new();
        push(&mut out, 4_294_967_296);
        assert_eq!(out, b"4294967296");
    }
}
