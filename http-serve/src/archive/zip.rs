//! The zip format (PKWARE APPNOTE 6.3), as a stream: every entry stored
//! (no compression, so its length is its size), each file's CRC-32 and
//! sizes in a data descriptor after its bytes (the CRC is known only once
//! they are read), the central directory and its end at the close. ZIP64
//! fields appear exactly where a number passes what 32 or 16 bits hold: a
//! file of 4 GiB or more, an entry starting past 4 GiB, more than 65,534
//! entries, a central directory past 4 GiB. Names are their bytes, with
//! the UTF-8 flag set when they are UTF-8. Every length here follows from
//! names, sizes and offsets alone, so an archive's length is worked out
//! before its first byte.

/// Where 32 bits stop: a field this large or larger is in the ZIP64 extra.
const MAX32: u64 = 0xFFFF_FFFF;
/// Where 16 bits stop, for entry counts.
const MAX16: u64 = 0xFFFF;
/// Bit 3: CRC and sizes follow the data, in a descriptor.
const DESCRIPTOR: u16 = 1 << 3;
/// Bit 11: the name is UTF-8.
const UTF8: u16 = 1 << 11;
/// Version 4.5: ZIP64; 2.0: folders and stored files.
const V_ZIP64: u16 = 45;
const V_BASE: u16 = 20;
/// Made by: Unix (3), so the external attributes are Unix modes.
const MADE_BY: u16 = (3 << 8) | V_ZIP64;

/// One entry as the format needs to know it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The path in the archive (a folder's ends in `/`).
    pub name: &'a [u8],
    /// A folder.
    pub dir: bool,
    /// The file's size (0 for a folder).
    pub size: u64,
    /// Modification time, seconds since 1970.
    pub mtime: i64,
}

impl Entry<'_> {
    /// The file is 4 GiB or more: sizes go in ZIP64 fields.
    fn big(&self) -> bool {
        self.size >= MAX32
    }

    fn flags(&self) -> u16 {
        let utf8 = if std::str::from_utf8(self.name).is_ok() && !self.name.is_ascii() { UTF8 } else { 0 };
        let descriptor = if self.dir { 0 } else { DESCRIPTOR };
        utf8 | descriptor
    }
}

/// Little-endian writers.
fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u64le(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn low32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// MS-DOS time and date (UTC; the format has no zone), clamped to what
/// it can say: 1980 to 2107.
fn dos_time(mtime: i64) -> (u16, u16) {
    const Y1980: i64 = 315_532_800;
    const Y2107_END: i64 = 4_354_819_199;
    let t = mtime.clamp(Y1980, Y2107_END);
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let time = ((secs / 3600) << 11) | (((secs % 3600) / 60) << 5) | ((secs % 60) / 2);
    let date = ((y - 1980) << 9) | (m << 5) | d;
    (time as u16, date as u16)
}

/// Appends an entry's local header.
pub fn local(e: &Entry<'_>, out: &mut Vec<u8>) {
    let (time, date) = dos_time(e.mtime);
    u32le(out, 0x0403_4b50);
    u16le(out, if e.big() { V_ZIP64 } else { V_BASE });
    u16le(out, e.flags());
    u16le(out, 0); // stored
    u16le(out, time);
    u16le(out, date);
    u32le(out, 0); // CRC: in the descriptor
    let sizes = if e.big() { u32::MAX } else { 0 };
    u32le(out, sizes);
    u32le(out, sizes);
    u16le(out, e.name.len() as u16);
    u16le(out, if e.big() { 20 } else { 0 });
    out.extend_from_slice(e.name);
    if e.big() {
        // Says the descriptor's sizes are 64-bit; the sizes come there.
        u16le(out, 0x0001);
        u16le(out, 16);
        u64le(out, 0);
        u64le(out, 0);
    }
}

/// The length of [`local`]'s output.
pub fn local_len(e: &Entry<'_>) -> u64 {
    30 + e.name.len() as u64 + if e.big() { 20 } else { 0 }
}

/// Appends a file's data descriptor (nothing for a folder).
pub fn descriptor(e: &Entry<'_>, crc: u32, out: &mut Vec<u8>) {
    if e.dir {
        return;
    }
    u32le(out, 0x0807_4b50);
    u32le(out, crc);
    if e.big() {
        u64le(out, e.size);
        u64le(out, e.size);
    } else {
        u32le(out, e.size as u32);
        u32le(out, e.size as u32);
    }
}

/// The length of [`descriptor`]'s output.
pub fn descriptor_len(e: &Entry<'_>) -> u64 {
    match (e.dir, e.big()) {
        (true, _) => 0,
        (false, true) => 24,
        (false, false) => 16,
    }
}

/// Appends an entry's central directory header; `offset` is where its
/// local header starts.
pub fn central(e: &Entry<'_>, crc: u32, offset: u64, out: &mut Vec<u8>) {
    let (time, date) = dos_time(e.mtime);
    let far = offset >= MAX32;
    let extra = extra_len(e, offset);
    u32le(out, 0x0201_4b50);
    u16le(out, MADE_BY);
    u16le(out, if extra > 0 { V_ZIP64 } else { V_BASE });
    u16le(out, e.flags());
    u16le(out, 0);
    u16le(out, time);
    u16le(out, date);
    u32le(out, if e.dir { 0 } else { crc });
    let size = if e.big() { u32::MAX } else { e.size as u32 };
    u32le(out, size);
    u32le(out, size);
    u16le(out, e.name.len() as u16);
    u16le(out, extra as u16);
    u16le(out, 0); // comment
    u16le(out, 0); // disk
    u16le(out, 0); // internal attributes
    let (mode, dos) = if e.dir { (0o40755u32, 0x10u32) } else { (0o100644, 0) };
    u32le(out, (mode << 16) | dos);
    u32le(out, if far { u32::MAX } else { offset as u32 });
    out.extend_from_slice(e.name);
    if extra > 0 {
        u16le(out, 0x0001);
        u16le(out, (extra - 4) as u16);
        if e.big() {
            u64le(out, e.size);
            u64le(out, e.size);
        }
        if far {
            u64le(out, offset);
        }
    }
}

/// The ZIP64 extra field's length in a central header (0: none).
fn extra_len(e: &Entry<'_>, offset: u64) -> u64 {
    let fields = if e.big() { 2 } else { 0 } + u64::from(offset >= MAX32);
    if fields == 0 { 0 } else { 4 + 8 * fields }
}

/// The length of [`central`]'s output.
pub fn central_len(e: &Entry<'_>, offset: u64) -> u64 {
    46 + e.name.len() as u64 + extra_len(e, offset)
}

/// Whether the end needs the ZIP64 records.
fn end64(count: u64, cd_start: u64, cd_size: u64) -> bool {
    count >= MAX16 || cd_start >= MAX32 || cd_size >= MAX32
}

/// Appends the end of the archive: `count` entries whose central
/// directory of `cd_size` bytes starts at `cd_start`.
pub fn end(count: u64, cd_start: u64, cd_size: u64, out: &mut Vec<u8>) {
    if end64(count, cd_start, cd_size) {
        let record_at = cd_start + cd_size;
        u32le(out, 0x0606_4b50);
        u64le(out, 44);
        u16le(out, MADE_BY);
        u16le(out, V_ZIP64);
        u32le(out, 0);
        u32le(out, 0);
        u64le(out, count);
        u64le(out, count);
        u64le(out, cd_size);
        u64le(out, cd_start);
        u32le(out, 0x0706_4b50);
        u32le(out, 0);
        u64le(out, record_at);
        u32le(out, 1);
    }
    let count16 = if count >= MAX16 { u16::MAX } else { count as u16 };
    u32le(out, 0x0605_4b50);
    u16le(out, 0);
    u16le(out, 0);
    u16le(out, count16);
    u16le(out, count16);
    u32le(out, low32(if cd_size >= MAX32 { MAX32 } else { cd_size }));
    u32le(out, low32(if cd_start >= MAX32 { MAX32 } else { cd_start }));
    u16le(out, 0);
}

/// The length of [`end`]'s output.
pub fn end_len(count: u64, cd_start: u64, cd_size: u64) -> u64 {
    22 + if end64(count, cd_start, cd_size) { 56 + 20 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(name: &str, dir: bool, size: u64) -> Entry<'_> {
        Entry { name: name.as_bytes(), dir, size, mtime: 1_700_000_000 }
    }

    #[test]
    fn lengths_match_what_is_written() {
        let entries =
            [e("a/", true, 0), e("a/b.txt", false, 5), e("a/big", false, 5 << 30), e("a/caf\u{e9}", false, MAX32)];
        for entry in &entries {
            for offset in [0, 100, MAX32 - 1, MAX32, 6 << 30] {
                let mut out = Vec::new();
                local(entry, &mut out);
                assert_eq!(out.len() as u64, local_len(entry));
                out.clear();
                descriptor(entry, 7, &mut out);
                assert_eq!(out.len() as u64, descriptor_len(entry));
                out.clear();
                central(entry, 7, offset, &mut out);
                assert_eq!(out.len() as u64, central_len(entry, offset), "{entry:?} at {offset}");
            }
        }
        for (count, start, size) in [(1, 10, 10), (70_000, 10, 10), (1, 5 << 30, 10), (MAX16 - 1, 0, 0), (MAX16, 0, 0)]
        {
            let mut out = Vec::new();
            end(count, start, size, &mut out);
            assert_eq!(out.len() as u64, end_len(count, start, size), "{count} {start} {size}");
        }
    }

    #[test]
    fn zip64_only_where_a_number_does_not_fit() {
        let mut out = Vec::new();
        central(&e("f", false, 10), 1, 10, &mut out);
        assert_eq!(u16::from_le_bytes([out[30], out[31]]), 0, "no extra");
        assert_eq!(u32::from_le_bytes(out[20..24].try_into().unwrap()), 10);
        out.clear();
        central(&e("f", false, 5 << 30), 1, 6 << 30, &mut out);
        assert_eq!(u16::from_le_bytes([out[30], out[31]]), 28, "sizes and offset");
        assert_eq!(u32::from_le_bytes(out[20..24].try_into().unwrap()), u32::MAX);
        assert_eq!(u32::from_le_bytes(out[42..46].try_into().unwrap()), u32::MAX);
        let extra = &out[47..];
        assert_eq!(u64::from_le_bytes(extra[4..12].try_into().unwrap()), 5 << 30);
        assert_eq!(u64::from_le_bytes(extra[20..28].try_into().unwrap()), 6 << 30);
    }

    #[test]
    fn flags_say_descriptor_and_utf8() {
        assert_eq!(e("a.txt", false, 1).flags(), DESCRIPTOR);
        assert_eq!(e("caf\u{e9}", false, 1).flags(), DESCRIPTOR | UTF8);
        assert_eq!(e("d/", true, 0).flags(), 0);
        assert_eq!(Entry { name: b"\xff", dir: false, size: 1, mtime: 0 }.flags(), DESCRIPTOR);
    }

    #[test]
    fn dos_time_table() {
        let cases: &[(i64, (u16, u16))] = &[
            // 2023-11-14 22:13:20 UTC
            (1_700_000_000, ((22 << 11) | (13 << 5) | 10, ((2023 - 1980) << 9) | (11 << 5) | 14)),
            (0, (0, (1 << 5) | 1)),
            // 2000-02-29 12:00:01: odd seconds round down
            (951_825_601, ((12 << 11), ((2000 - 1980) << 9) | (2 << 5) | 29)),
        ];
        for (t, want) in cases {
            assert_eq!(dos_time(*t), *want, "{t}");
        }
    }
}
