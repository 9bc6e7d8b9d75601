//! Which names an upload may take. A name is refused, never reduced: a
//! client that sends `../x` gets an error, not a file called `x`, so what
//! lands is always exactly what was asked for. The same rules hold on
//! every system, so a folder shared from Linux accepts what one shared
//! from Windows would.

/// Longest name, in bytes (what most file systems hold).
pub const MAX_NAME: usize = 255;

/// Why a name is refused, or `None` when it may be taken. `hidden`:
/// names starting with a dot are allowed (`--hidden`).
pub fn refusal(name: &[u8], hidden: bool) -> Option<&'static str> {
    if name.is_empty() {
        return Some("the name is empty");
    }
    if name == b"." || name == b".." {
        return Some("`.` and `..` are not file names");
    }
    if name.contains(&b'/') || name.contains(&b'\\') {
        return Some("a name may not hold `/` or `\\`");
    }
    if name.len() > MAX_NAME {
        return Some("the name is longer than 255 bytes");
    }
    if name.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Some("a name may not hold control characters");
    }
    if name.iter().any(|b| b"<>:\"|?*".contains(b)) {
        return Some("a name may not hold < > : \" | ? *");
    }
    if crate::paths::is_internal(name) {
        return Some("the name is one the server keeps for itself");
    }
    if name[0] == b'.' && !hidden {
        return Some("names starting with a dot are hidden (--hidden allows them)");
    }
    if shared::names::is_reserved_device(name) {
        return Some("Windows reserves the name for a device (CON, NUL, COM1, ...), whatever the extension");
    }
    if shared::names::is_windows_alias(name) {
        return Some("Windows would read the name as another (a trailing dot or space, an 8.3 short name)");
    }
    if std::str::from_utf8(name).is_err() && cfg!(windows) && shared::names::wtf8_to_utf16(name).is_none() {
        return Some("the name is not one this system can hold");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_table() {
        let ok: &[&[u8]] = &[b"photo.jpg", b"r\xc3\xa9sum\xc3\xa9.pdf", b"a b", b"x.tar.gz", b"CONSOLE.txt", b"COM10"];
        for name in ok {
            assert_eq!(refusal(name, false), None, "{}", String::from_utf8_lossy(name));
        }
        let refused: &[&[u8]] = &[
            b"",
            b".",
            b"..",
            b"../x",
            b"a/b",
            b"a\\b",
            b".env",
            b"a\nb",
            b"a\x00b",
            b"a<b",
            b"a>b",
            b"a:b",
            b"a\"b",
            b"a|b",
            b"a?b",
            b"a*b",
            b"CON",
            b"con.txt",
            b"NUL.tar.gz",
            b"com1.log",
            b"LPT9",
            b"trailing.",
            b"trailing ",
            b"PROGRA~1",
            b".http-serve-upload-0123",
        ];
        for name in refused {
            assert!(refusal(name, false).is_some(), "{}", String::from_utf8_lossy(name));
        }
        assert!(refusal(&[b'a'; 256], false).is_some());
        assert_eq!(refusal(b".env", true), None);
        assert!(refusal(b".http-serve-upload-0123", true).is_some());
    }
}
