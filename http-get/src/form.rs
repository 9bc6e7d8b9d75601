//! `-F`: a multipart/form-data body (RFC 7578) from curl's field syntax:
//! `name=value`, `name=@file` (a file upload, streamed), `name=<file` (a
//! field whose value is the file's bytes), `@-` and `<-` for stdin,
//! `;type=TYPE` and `;filename=NAME` after any of them, `"quoted"` values
//! holding `;`; `--form-string name=value` for a value taken as it is.
//! The body is a list of [`Part`]s: the heads made here, the contents
//! read as they are sent.

use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

use crate::body::{Body, Part};

/// Where a field's content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    /// The value as given.
    Text(String),
    /// A file (`path`, or stdin for `-`): uploaded as a file when `upload`,
    /// else sent as the field's value.
    File {
        /// The file; `-` is stdin.
        path: PathBuf,
        /// `@` (a file upload, with a filename) rather than `<`.
        upload: bool,
    },
}

/// One `-F` field, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field's name.
    name: String,
    /// Its content.
    content: Content,
    /// `;type=`.
    content_type: Option<String>,
    /// `;filename=`.
    filename: Option<String>,
}

impl Field {
    /// Parses `-F`'s `name=content[;type=T][;filename=F]`; `literal` (for
    /// `--form-string`) takes everything after `=` as it is.
    pub fn parse(spec: &str, literal: bool) -> Result<Field, String> {
        let Some((name, rest)) = spec.split_once('=') else {
            return Err(format!("-F `{spec}`: expected NAME=CONTENT"));
        };
        if literal {
            let content = Content::Text(rest.to_string());
            return Ok(Field { name: name.to_string(), content, content_type: None, filename: None });
        }
        let (value, params) = split_value(rest);
        let content = match (value.strip_prefix('@'), value.strip_prefix('<')) {
            (Some(path), _) => Content::File { path: PathBuf::from(path), upload: true },
            (_, Some(path)) => Content::File { path: PathBuf::from(path), upload: false },
            _ => Content::Text(value),
        };
        let mut field = Field { name: name.to_string(), content, content_type: None, filename: None };
        for param in params {
            match param.split_once('=') {
                Some(("type", t)) => field.content_type = Some(t.to_string()),
                Some(("filename", f)) => field.filename = Some(unquote(f)),
                _ => return Err(format!("-F `{spec}`: unknown `;{param}` (type= and filename= are taken)")),
            }
        }
        Ok(field)
    }

    /// The file this field reads, if any (stdin is not a file).
    pub fn file(&self) -> Option<&Path> {
        match &self.content {
            Content::File { path, .. } if path.as_os_str() != "-" => Some(path),
            _ => None,
        }
    }
}

/// A value up to its first unquoted `;`, then the `;`-separated
/// parameters after it.
fn split_value(rest: &str) -> (String, Vec<String>) {
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, next)) = chars.next() {
                        value.push(next);
                    }
                }
                '"' => {
                    let params = quoted[i + 1..].split(';').filter(|p| !p.is_empty()).map(str::to_string);
                    return (value, params.collect());
                }
                c => value.push(c),
            }
        }
        return (value, Vec::new());
    }
    let mut pieces = rest.split(';');
    let value = pieces.next().unwrap_or_default().to_string();
    (value, pieces.filter(|p| !p.is_empty()).map(str::to_string).collect())
}

fn unquote(s: &str) -> String {
    s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s).to_string()
}

/// A name or file name inside a quoted Content-Disposition parameter:
/// `"`, CR and LF percent-encoded, as browsers do (RFC 7578 4.2).
fn quoted(s: &str) -> String {
    s.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

/// A boundary no content is going to contain: 24 dashes and 32 random hex
/// digits (from the standard library's randomly seeded hasher).
pub fn boundary() -> String {
    let random = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt);
        h.finish()
    };
    format!("------------------------{:016x}{:016x}", random(1), random(2))
}

/// The multipart body for `fields`, separated by `boundary`.
pub fn body(fields: &[Field], boundary: &str) -> Body {
    let mut parts = Vec::new();
    let mut head = Vec::new();
    for field in fields {
        head.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", quoted(&field.name));
        let (content, filename) = match &field.content {
            Content::Text(text) => (Part::Bytes(text.clone().into_bytes()), field.filename.clone()),
            Content::File { path, upload } => {
                let part = if path.as_os_str() == "-" { Part::Stdin } else { Part::File(path.clone()) };
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "-".into());
                (part, field.filename.clone().or(upload.then_some(name)))
            }
        };
        let upload = matches!(field.content, Content::File { upload: true, .. });
        if let Some(filename) = &filename {
            disposition.push_str(&format!("; filename=\"{}\"", quoted(filename)));
        }
        head.extend_from_slice(disposition.as_bytes());
        head.extend_from_slice(b"\r\n");
        let content_type = field.content_type.clone().or_else(|| match &field.content {
            Content::File { path, .. } if upload => {
                Some(mime_guess::from_path(path).first_or_octet_stream().essence_str().to_string())
            }
            _ => None,
        });
        if let Some(t) = content_type {
            head.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        match content {
            Part::Bytes(bytes) => head.extend_from_slice(&bytes),
            other => {
                parts.push(Part::Bytes(std::mem::take(&mut head)));
                parts.push(other);
            }
        }
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    parts.push(Part::Bytes(head));
    Body { parts, content_type: Some(format!("multipart/form-data; boundary={boundary}")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a parse should give: name, content, type, filename.
    type Parsed<'a> = (&'a str, Content, Option<&'a str>, Option<&'a str>);

    #[test]
    fn parse_table() {
        let text = |v: &str| Content::Text(v.into());
        let file = |p: &str, upload| Content::File { path: p.into(), upload };
        let cases: &[(&str, bool, Result<Parsed<'_>, ()>)] = &[
            ("a=1", false, Ok(("a", text("1"), None, None))),
            ("a=", false, Ok(("a", text(""), None, None))),
            ("a=x=y", false, Ok(("a", text("x=y"), None, None))),
            ("f=@dir/r.pdf", false, Ok(("f", file("dir/r.pdf", true), None, None))),
            (
                "f=@r.bin;type=image/png;filename=\"x y.png\"",
                false,
                Ok(("f", file("r.bin", true), Some("image/png"), Some("x y.png"))),
            ),
            ("v=<notes.txt", false, Ok(("v", file("notes.txt", false), None, None))),
            ("s=@-", false, Ok(("s", file("-", true), None, None))),
            ("q=\"a;b \\\"c\\\"\";type=text/x", false, Ok(("q", text("a;b \"c\""), Some("text/x"), None))),
            ("t=hi;type=text/plain", false, Ok(("t", text("hi"), Some("text/plain"), None))),
            ("lit=@not-a-file;x", true, Ok(("lit", text("@not-a-file;x"), None, None))),
            ("noequals", false, Err(())),
            ("a=1;bogus=2", false, Err(())),
        ];
        for (spec, literal, want) in cases {
            let got = Field::parse(spec, *literal).map_err(|_| ());
            let want = want.clone().map(|(n, c, t, f)| Field {
                name: n.into(),
                content: c,
                content_type: t.map(str::to_string),
                filename: f.map(str::to_string),
            });
            assert_eq!(got, want, "{spec}");
        }
    }

    /// The exact bytes: text fields inline, file contents as parts of
    /// their own (read as sent), names with quotes encoded.
    #[test]
    fn body_bytes() {
        let fields = [
            Field::parse("name=Jo \"Q\"", false).unwrap(),
            Field::parse("doc=@dir/report.pdf", false).unwrap(),
            Field::parse("raw=@data.unknownext;filename=x", false).unwrap(),
            Field::parse("in=<-", false).unwrap(),
        ];
        let body = body(&fields, "B");
        assert_eq!(body.content_type.as_deref(), Some("multipart/form-data; boundary=B"));
        let want = vec![
            Part::Bytes(
                b"--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nJo \"Q\"\r\n\
                  --B\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                    .to_vec(),
            ),
            Part::File("dir/report.pdf".into()),
            Part::Bytes(
                b"\r\n--B\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"x\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .to_vec(),
            ),
            Part::File("data.unknownext".into()),
            Part::Bytes(b"\r\n--B\r\nContent-Disposition: form-data; name=\"in\"\r\n\r\n".to_vec()),
            Part::Stdin,
            Part::Bytes(b"\r\n--B--\r\n".to_vec()),
        ];
        assert_eq!(body.parts, want);
        assert_eq!(quoted("a\"b\r\nc"), "a%22b%0D%0Ac");
        let (a, b) = (boundary(), boundary());
        assert!(a != b && a.len() == 56 && a.starts_with("------------------------"), "{a} {b}");
    }
}
