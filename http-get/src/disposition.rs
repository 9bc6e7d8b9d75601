//! `-J`: the file name a response's `Content-Disposition` suggests
//! (RFC 6266: `filename*` in RFC 8187's `UTF-8''...` form first, else
//! `filename`, quoted or not), made safe exactly as `-O`'s: only its last
//! path component, leading dots removed, NUL and separators dropped, and
//! mended so every system can hold it. Nothing usable: `None`, and the
//! final URL's name is used instead.

use std::ffi::OsString;

use percent_encoding::percent_decode_str;

/// The safe file name in a `Content-Disposition` value, if any.
pub fn file_name(value: &[u8]) -> Option<OsString> {
    let value = String::from_utf8_lossy(value);
    let params = params(&value);
    let extended = params.iter().find(|(k, _)| k == "filename*").and_then(|(_, v)| decode_extended(v));
    let plain = || params.iter().find(|(k, _)| k == "filename").map(|(_, v)| v.clone());
    let name = extended.or_else(plain)?;
    // Only the last component: a server never chooses the folder.
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: Vec<u8> = last.bytes().filter(|b| *b != 0).collect();
    let start = cleaned.iter().position(|&b| b != b'.').unwrap_or(cleaned.len());
    let mended = shared::names::mend(&cleaned[start..]);
    (!mended.is_empty()).then(|| String::from_utf8_lossy(&mended).into_owned().into())
}

/// The `name=value` parameters after the disposition type, names lower
/// case, values unquoted (`\` escapes honoured).
fn params(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value.split_once(';').map_or("", |(_, r)| r);
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        let Some((name, after)) = rest.split_once('=') else { break };
        let name = name.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            v.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => v.push(c),
                }
            }
            (v, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.push((name, value));
        rest = next;
    }
    out
}

/// RFC 8187's `charset'language'percent-encoded` (UTF-8 or ISO-8859-1).
fn decode_extended(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let (charset, _language, encoded) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    match charset.to_ascii_lowercase().as_str() {
        "utf-8" => String::from_utf8(bytes).ok(),
        "iso-8859-1" => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("attachment; filename=\"report.pdf\"", Some("report.pdf")),
            ("attachment; filename=report.pdf", Some("report.pdf")),
            ("attachment;filename=plain.txt;size=3", Some("plain.txt")),
            ("inline; filename=\"a \\\"quoted\\\" name.txt\"", Some("a _quoted_ name.txt")),
            ("attachment; filename=\"x.txt\"; filename*=UTF-8''na%C3%AFve%20caf%C3%A9.txt", Some("naïve café.txt")),
            ("attachment; filename*=iso-8859-1'en'%E9t%E9.txt", Some("été.txt")),
            ("attachment; filename=\"../../etc/passwd\"", Some("passwd")),
            ("attachment; filename=\"..\\\\..\\\\boot.ini\"", Some("boot.ini")),
            ("attachment; filename=\".bashrc\"", Some("bashrc")),
            ("attachment; filename=\"con\"", Some("con_")),
            ("attachment; filename=\"a:b.txt\"", Some("a_b.txt")),
            ("attachment; filename=\"...\"", None),
            ("attachment; filename=\"dir/\"", None),
            ("attachment", None),
            ("attachment; filename*=bogus''x", None),
            ("", None),
        ];
        for (value, want) in cases {
            assert_eq!(file_name(value.as_bytes()), want.map(OsString::from), "{value}");
        }
    }
}
