//! The tar format (POSIX ustar, with pax extended headers where ustar
//! cannot say it): one 512-byte header per entry, the file's bytes padded
//! to 512, and two zero blocks at the end. Every length here is known from
//! the name and size alone, so an archive's length is worked out before
//! its first byte.
//!
//! A pax header (`x`) goes before an entry whose path is not plain ASCII
//! or does not fit ustar's 100 + 155 bytes (`path=`, with
//! `hdrcharset=BINARY` when the bytes are not UTF-8, so they are kept as
//! they are), whose size passes ustar's 8 GiB (`size=`), or whose time is
//! before 1970 or past ustar's range (`mtime=`).

/// Bytes in a tar block.
pub const BLOCK: usize = 512;
/// The largest number an 11-digit octal field holds.
const OCTAL_MAX: u64 = 0o777_7777_7777;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A folder (its path ends in `/`).
    Dir,
    /// A regular file.
    File,
}

/// Zero bytes after `size` bytes of data, to the next block.
pub fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

/// The two zero blocks that end an archive.
pub const END: usize = 2 * BLOCK;

/// Appends the header(s) of one entry: `path` (a folder's ending in `/`),
/// its size and modification time (seconds since 1970).
pub fn header(path: &[u8], kind: Kind, size: u64, mtime: i64, out: &mut Vec<u8>) {
    let split = split_ustar(path);
    let plain = path.is_ascii() && split.is_some();
    let mut records = Vec::new();
    if !plain {
        if std::str::from_utf8(path).is_err() {
            record(&mut records, b"hdrcharset", b"BINARY");
        }
        record(&mut records, b"path", path);
    }
    if size > OCTAL_MAX {
        record(&mut records, b"size", size.to_string().as_bytes());
    }
    let time_fits = (0..=OCTAL_MAX as i64).contains(&mtime);
    if !time_fits {
        record(&mut records, b"mtime", mtime.to_string().as_bytes());
    }
    if !records.is_empty() {
        ustar(b"", b"././@PaxHeader", b'x', records.len() as u64, 0, out);
        out.extend_from_slice(&records);
        out.resize(out.len() + padding(records.len() as u64) as usize, 0);
    }
    let (prefix, name) = match (plain, split) {
        (true, Some((prefix, name))) => (prefix.to_vec(), name.to_vec()),
        // Readers without pax see a plain-ASCII stand-in.
        _ => (Vec::new(), stand_in(path, kind)),
    };
    let flag = if kind == Kind::Dir { b'5' } else { b'0' };
    ustar(&prefix, &name, flag, size, mtime.clamp(0, OCTAL_MAX as i64) as u64, out);
}

/// The ustar prefix and name for `path`, if it fits: the name in 100
/// bytes, or split at a `/` into a prefix of at most 155 and a name of at
/// most 100.
fn split_ustar(path: &[u8]) -> Option<(&[u8], &[u8])> {
    if path.len() <= 100 {
        return Some((b"", path));
    }
    // A folder's trailing slash belongs to the name.
    let body = path.strip_suffix(b"/").unwrap_or(path);
    let cut = body
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'/' && i <= 155 && path.len() - i - 1 <= 100)
        .map(|(i, _)| i)
        .next()?;
    let name = &path[cut + 1..];
    (!name.is_empty() && name != b"/").then_some((&path[..cut], name))
}

/// An ASCII name of at most 100 bytes standing in for `path` in the
/// ustar header when a pax record carries the real one.
fn stand_in(path: &[u8], kind: Kind) -> Vec<u8> {
    let mut s: Vec<u8> = path.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b } else { b'_' }).collect();
    if s.len() > 100 {
        let keep = if kind == Kind::Dir { 99 } else { 100 };
        s = s[s.len() - keep..].to_vec();
        if kind == Kind::Dir && !s.ends_with(b"/") {
            s.push(b'/');
        }
    }
    s
}

/// Appends one pax record, `LEN key=value\n`, LEN counting itself.
fn record(out: &mut Vec<u8>, key: &[u8], value: &[u8]) {
    let base = key.len() + value.len() + 3;
    let mut len = base + 1;
    while len != base + len.to_string().len() {
        len = base + len.to_string().len();
    }
    out.extend_from_slice(len.to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(key);
    out.push(b'=');
    out.extend_from_slice(value);
    out.push(b'\n');
}

/// Appends one 512-byte ustar header.
fn ustar(prefix: &[u8], name: &[u8], flag: u8, size: u64, mtime: u64, out: &mut Vec<u8>) {
    let mut h = [0u8; BLOCK];
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    let mode: &[u8] = if flag == b'5' { b"0000755" } else { b"0000644" };
    h[100..107].copy_from_slice(mode);
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    if size <= OCTAL_MAX {
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    } else {
        // GNU's base-256 form, which pax-unaware readers still take.
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    }
    h[136..147].copy_from_slice(format!("{mtime:011o}").as_bytes());
    h[156] = flag;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len().min(155)].copy_from_slice(&prefix[..prefix.len().min(155)]);
    // The checksum is taken with its own field as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    out.extend_from_slice(&h);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(h: &[u8], range: std::ops::Range<usize>) -> String {
        String::from_utf8_lossy(&h[range]).trim_end_matches('\0').to_string()
    }

    #[test]
    fn plain_entry_is_one_ustar_block() {
        let mut out = Vec::new();
        header(b"site/a.txt", Kind::File, 5, 1_700_000_000, &mut out);
        assert_eq!(out.len(), BLOCK);
        assert_eq!(field(&out, 0..100), "site/a.txt");
        assert_eq!(field(&out, 124..136), "00000000005");
        assert_eq!(field(&out, 136..148), format!("{:011o}", 1_700_000_000));
        assert_eq!((out[156], field(&out, 257..263), field(&out, 263..265)), (b'0', "ustar".into(), "00".into()));
        let stored = u32::from_str_radix(field(&out, 148..154).trim(), 8).unwrap();
        let mut copy = out.clone();
        copy[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, copy.iter().map(|&b| u32::from(b)).sum::<u32>());
        let mut dir = Vec::new();
        header(b"site/sub/", Kind::Dir, 0, 0, &mut dir);
        assert_eq!((dir[156], field(&dir, 100..108)), (b'5', "0000755".into()));
    }

    #[test]
    fn when_pax_records_are_needed() {
        let long = format!("site/{}/{}", "d".repeat(120), "f".repeat(90));
        let too_long = format!("site/{}", "x".repeat(120));
        let cases: &[(&[u8], u64, i64, &[&str])] = &[
            (b"site/a.txt", 1, 0, &[]),
            (long.as_bytes(), 1, 0, &[]),
            (too_long.as_bytes(), 1, 0, &["path"]),
            ("site/caf\u{e9}.txt".as_bytes(), 1, 0, &["path"]),
            (b"site/\xff.bin", 1, 0, &["hdrcharset", "path"]),
            (b"site/big", 9 << 30, 0, &["size"]),
            (b"site/old", 1, -86_400, &["mtime"]),
        ];
        for (path, size, mtime, keys) in cases {
            let mut out = Vec::new();
            header(path, Kind::File, *size, *mtime, &mut out);
            let got: Vec<String> = if out[156] == b'x' {
                let len = usize::from_str_radix(field(&out, 124..136).trim(), 8).unwrap();
                let records = &out[BLOCK..BLOCK + len];
                let mut keys = Vec::new();
                let mut rest = records;
                while !rest.is_empty() {
                    let space = rest.iter().position(|&b| b == b' ').unwrap();
                    let n: usize = std::str::from_utf8(&rest[..space]).unwrap().parse().unwrap();
                    let rec = &rest[space + 1..n];
                    let eq = rec.iter().position(|&b| b == b'=').unwrap();
                    keys.push(String::from_utf8_lossy(&rec[..eq]).into_owned());
                    if &rec[..eq] == b"path" {
                        assert_eq!(&rec[eq + 1..rec.len() - 1], *path, "path kept byte for byte");
                    }
                    assert_eq!(rest[n - 1], b'\n');
                    rest = &rest[n..];
                }
                assert_eq!(out.len(), BLOCK + len + padding(len as u64) as usize + BLOCK);
                keys
            } else {
                assert_eq!(out.len(), BLOCK);
                Vec::new()
            };
            assert_eq!(got, *keys, "{}", String::from_utf8_lossy(path));
        }
    }

    #[test]
    fn long_paths_split_into_prefix_and_name() {
        let path = format!("site/{}/{}", "d".repeat(120), "f".repeat(90));
        let mut out = Vec::new();
        header(path.as_bytes(), Kind::File, 1, 0, &mut out);
        assert_eq!(format!("{}/{}", field(&out, 345..500), field(&out, 0..100)), path);
    }

    #[test]
    fn record_lengths_count_themselves() {
        for value_len in [1, 5, 90, 91, 92, 995, 996, 997] {
            let mut out = Vec::new();
            record(&mut out, b"path", &vec![b'a'; value_len]);
            let space = out.iter().position(|&b| b == b' ').unwrap();
            let n: usize = std::str::from_utf8(&out[..space]).unwrap().parse().unwrap();
            assert_eq!(n, out.len(), "{value_len}");
        }
        assert_eq!(padding(0), 0);
        assert_eq!(padding(1), 511);
        assert_eq!(padding(512), 0);
    }

    #[test]
    fn sizes_past_eight_gib_in_base_256() {
        let mut out = Vec::new();
        header(b"site/big", Kind::File, 10 << 30, 0, &mut out);
        let h = &out[out.len() - BLOCK..];
        assert_eq!(h[124], 0x80);
        assert_eq!(u64::from_be_bytes(h[128..136].try_into().unwrap()), 10 << 30);
    }
}
