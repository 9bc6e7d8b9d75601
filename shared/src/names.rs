//! File names every system can hold. Windows reads some names as other
//! names (a device, a stream, a shorter or longer name, a path); the tools
//! refuse such names, or mend them, on every system alike, so a rule does
//! not depend on where a tool runs.

/// Device names Windows reserves in every folder, whatever the extension.
const RESERVED: [&[u8]; 6] = [b"CON", b"PRN", b"AUX", b"NUL", b"CONIN$", b"CONOUT$"];

/// True when Windows would read `name` as something other than the file
/// of that name: a separator (`\`), a drive or a stream (`:`), a reserved
/// device (`CON`, `nul.txt`, `COM1`, `LPT9.log`, in any case), trailing dots
/// or spaces (which Windows strips), or an 8.3 short name (`PROGRA~1`,
/// `GIT~1`, which can reach a hidden or long name). Such names are refused
/// on every system, so one rule holds wherever a tool runs.
pub fn is_windows_alias(name: &[u8]) -> bool {
    if name.iter().any(|&b| b == b'\\' || b == b':') || matches!(name.last(), Some(b'.' | b' ')) {
        return true;
    }
    is_reserved_device(name) || short_name(name)
}

/// True for a device name Windows reserves in every folder: `CON`, `PRN`,
/// `AUX`, `NUL`, `COM0`-`COM9`, `LPT0`-`LPT9` (and `COM¹`...), `CONIN$`,
/// `CONOUT$`, in any case and with any extension (`nul.txt`).
pub fn is_reserved_device(name: &[u8]) -> bool {
    // The part before the first dot, as Windows compares device names.
    let stem = name.split(|&b| b == b'.').next().unwrap_or(name);
    let upper = stem.trim_ascii_end().to_ascii_uppercase();
    if RESERVED.contains(&upper.as_slice()) {
        return true;
    }
    upper
        .strip_prefix(b"COM")
        .or_else(|| upper.strip_prefix(b"LPT"))
        .is_some_and(|n| matches!(n, [b'0'..=b'9']) || matches!(n, b"\xc2\xb9" | b"\xc2\xb2" | b"\xc2\xb3"))
}

/// The same name made safe to create on any system: characters Windows
/// refuses or reads specially (`<>:"|?*\\`, control characters) become
/// `_`, trailing dots and spaces become `_`, and a reserved device name
/// gets `_` after its stem (`con` → `con_`, `nul.txt` → `nul_.txt`,
/// `a:b` → `a_b`). Any other name comes back unchanged.
///
/// ```
/// assert_eq!(shared::names::mend(b"report.pdf"), b"report.pdf");
/// assert_eq!(shared::names::mend(b"con"), b"con_");
/// assert_eq!(shared::names::mend(b"a:b"), b"a_b");
/// ```
pub fn mend(name: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> =
        name.iter().map(|&b| if b < 0x20 || b"<>:\"|?*\\".contains(&b) { b'_' } else { b }).collect();
    if let Some(last @ (b'.' | b' ')) = out.last_mut() {
        *last = b'_';
    }
    if is_windows_alias(&out) {
        let stem = out.iter().position(|&b| b == b'.').unwrap_or(out.len());
        out.insert(stem, b'_');
    }
    out
}

/// Decodes WTF-8 to UTF-16 units: UTF-8 that may also hold lone
/// surrogates, which is how Rust carries a Windows name that is not valid
/// UTF-16 as bytes (`OsStr::as_encoded_bytes`). `None` for anything else,
/// such as Latin-1 bytes or a surrogate pair written as two halves.
///
/// ```
/// assert_eq!(shared::names::wtf8_to_utf16(b"a\xc3\xa9"), Some(vec![0x61, 0xe9]));
/// assert_eq!(shared::names::wtf8_to_utf16(b"\xed\xa0\x80"), Some(vec![0xd800]));
/// assert_eq!(shared::names::wtf8_to_utf16(b"\xff"), None);
/// ```
pub fn wtf8_to_utf16(bytes: &[u8]) -> Option<Vec<u16>> {
    let mut out: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b0 = bytes[i];
        let (len, min, first) = match b0 {
            0x00..=0x7f => (1, 0, u32::from(b0)),
            0xc2..=0xdf => (2, 0x80, u32::from(b0 & 0x1f)),
            0xe0..=0xef => (3, 0x800, u32::from(b0 & 0x0f)),
            0xf0..=0xf4 => (4, 0x1_0000, u32::from(b0 & 0x07)),
            _ => return None,
        };
        let rest = bytes.get(i + 1..i + len)?;
        let mut cp = first;
        for &b in rest {
            if b & 0xc0 != 0x80 {
                return None;
            }
            cp = (cp << 6) | u32::from(b & 0x3f);
        }
        if cp < min || cp > 0x10_ffff {
            return None;
        }
        if cp >= 0x1_0000 {
            let v = cp - 0x1_0000;
            out.push(0xd800 | (v >> 10) as u16);
            out.push(0xdc00 | (v & 0x3ff) as u16);
        } else {
            let unit = cp as u16;
            // A pair must be written as one 4-byte sequence, not halves.
            if (0xdc00..0xe000).contains(&unit) && out.last().is_some_and(|u| (0xd800..0xdc00).contains(u)) && len == 3
            {
                return None;
            }
            out.push(unit);
        }
        i += len;
    }
    Some(out)
}

/// An 8.3 short name: a base of at most eight characters ending in `~`
/// and digits, and an extension of at most three.
fn short_name(name: &[u8]) -> bool {
    let (base, ext) = match name.iter().rposition(|&b| b == b'.') {
        Some(i) if i > 0 => (&name[..i], &name[i + 1..]),
        _ => (name, &b""[..]),
    };
    let Some(tilde) = base.iter().rposition(|&b| b == b'~') else { return false };
    let digits = &base[tilde + 1..];
    base.len() <= 8 && ext.len() <= 3 && tilde > 0 && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wtf8_table() {
        let cases: &[(&[u8], Option<&[u16]>)] = &[
            (b"", Some(&[])),
            (b"plain", Some(&[0x70, 0x6c, 0x61, 0x69, 0x6e])),
            ("\u{2603}".as_bytes(), Some(&[0x2603])),
            ("\u{1f600}".as_bytes(), Some(&[0xd83d, 0xde00])),
            (b"\xed\xa0\x80x", Some(&[0xd800, 0x78])),
            (b"\xed\xbf\xbf", Some(&[0xdfff])),
            (b"\xed\xa0\xbd\xed\xb8\x80", None),
            (b"\xe9", None),
            (b"\xc0\xaf", None),
            (b"\xe0\x80\xaf", None),
            (b"\xf4\x90\x80\x80", None),
            (b"\xe2\x98", None),
        ];
        for (bytes, want) in cases {
            assert_eq!(wtf8_to_utf16(bytes).as_deref(), *want, "{bytes:x?}");
        }
        // What Rust's own encoding gives back decodes to the same units.
        let s = "caf\u{e9} \u{1f600}";
        assert_eq!(wtf8_to_utf16(s.as_bytes()), Some(s.encode_utf16().collect()));
    }

    #[test]
    fn mend_table() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"index.html", b"index.html"),
            (b"con", b"con_"),
            (b"CON.txt", b"CON_.txt"),
            (b"nul.tar.gz", b"nul_.tar.gz"),
            (b"com1", b"com1_"),
            (b"a:b", b"a_b"),
            (b"file.txt::$DATA", b"file.txt__$DATA"),
            (b"what?.txt", b"what_.txt"),
            (b"a<b>c|d\"e*f", b"a_b_c_d_e_f"),
            (b"tab\there", b"tab_here"),
            (b"name.", b"name_"),
            (b"name ", b"name_"),
            (b"PROGRA~1", b"PROGRA~1_"),
            (b"caf\xc3\xa9.txt", b"caf\xc3\xa9.txt"),
        ];
        for (name, want) in cases {
            let got = mend(name);
            assert_eq!(got, *want, "{}", String::from_utf8_lossy(name));
            assert!(!is_windows_alias(&got), "{}", String::from_utf8_lossy(&got));
        }
    }

    #[test]
    fn windows_alias_table() {
        let cases: &[(&[u8], bool)] = &[
            (b"index.html", false),
            (b"file.txt", false),
            (b"a~b.txt", false),
            (b"report~final.txt", false),
            (b"longname~1.txt", false),
            (b"console.log", false),
            (b"nullify", false),
            (b"com10", false),
            (b"COM", false),
            (b"x.con", false),
            (b"back\\slash", true),
            (b"c:", true),
            (b"file.txt::$DATA", true),
            (b"dir:stream", true),
            (b"secret.txt.", true),
            (b"secret.txt ", true),
            (b"CON", true),
            (b"con", true),
            (b"Con.txt", true),
            (b"nul.html", true),
            (b"NUL .txt", true),
            (b"aux.tar.gz", true),
            (b"PRN", true),
            (b"com1", true),
            (b"COM9.log", true),
            (b"lpt1", true),
            (b"LPT0", true),
            (b"com\xc2\xb9", true),
            (b"CONIN$", true),
            (b"conout$.txt", true),
            (b"PROGRA~1", true),
            (b"GIT~1", true),
            (b"LONGNA~1.TXT", true),
            (b"longn~12.htm", true),
            (b"longname~12.htm", false),
            (b"a~1", true),
        ];
        for (name, want) in cases {
            assert_eq!(is_windows_alias(name), *want, "{}", String::from_utf8_lossy(name));
        }
    }
}
