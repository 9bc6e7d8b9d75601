//! What the body options say, turned into one [`Body`] (or, with `-G`, a
//! query): `-d`/`--data-binary` (`@FILE` and `@-` streamed, as they
//! are), `--data-raw` (no `@`), `--data-urlencode` (curl's five forms),
//! joined by `&` in command-line order; `--json` (pieces concatenated,
//! JSON's Content-Type and Accept); `-F` (multipart); `-T` (a file or
//! stdin, PUT).

use std::io::Read;
use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::body::{Body, Part};
use crate::error::{Error, Kind};
use crate::form::{self, Field};

/// What `--data-urlencode` leaves as it is: RFC 3986's unreserved
/// characters, as curl does.
const URLENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Most bytes read into memory for `--data-urlencode @FILE` or `-G`
/// (which must encode or place the data before sending).
const IN_MEMORY: u64 = 16 * 1024 * 1024;

/// One data option, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// `-d`, `--data-ascii`, `--data-binary`: `@FILE`, `@-` or bytes.
    Data(String),
    /// `--data-raw`: bytes, `@` included.
    Raw(String),
    /// `--data-urlencode`.
    UrlEncode(String),
}

/// The body options of a command line.
#[derive(Debug, Clone, Default)]
pub struct Given {
    /// The `-d` family, in command-line order.
    pub pieces: Vec<Piece>,
    /// `--json`, in order.
    pub json: Vec<String>,
    /// `-F` and `--form-string` fields, in order.
    pub form: Vec<Field>,
    /// `-T`.
    pub upload: Option<PathBuf>,
    /// `-G`.
    pub get: bool,
}

/// The request body the options make, and what else they imply.
#[derive(Debug, Clone, Default)]
pub struct Made {
    /// The body, if any.
    pub body: Option<Body>,
    /// `-G`: the data as a query to append to each URL.
    pub query: Option<String>,
    /// The method implied: PUT for `-T`, POST for a body, GET for `-G`.
    pub method: Option<&'static str>,
    /// `--json`: also send `Accept: application/json`.
    pub json: bool,
}

impl Given {
    /// Makes the body; a file that cannot be read, or options that do not
    /// go together, are usage errors.
    pub fn make(self) -> Result<Made, Error> {
        let kinds = [!self.pieces.is_empty(), !self.json.is_empty(), !self.form.is_empty(), self.upload.is_some()];
        if kinds.iter().filter(|k| **k).count() > 1 {
            return Err(usage("-d (and its kinds), --json, -F and -T cannot be used together: choose one body"));
        }
        if self.get && (kinds[2] || kinds[3]) {
            return Err(usage("-G puts -d's data in the URL; it does not go with -F or -T"));
        }
        let made = if let Some(path) = self.upload {
            let part = if path.as_os_str() == "-" { Part::Stdin } else { Part::File(path) };
            Made { body: Some(Body { parts: vec![part], content_type: None }), method: Some("PUT"), ..Made::default() }
        } else if !self.form.is_empty() {
            let body = form::body(&self.form, &form::boundary());
            Made { body: Some(body), method: Some("POST"), ..Made::default() }
        } else if !self.json.is_empty() {
            let parts = self.json.iter().map(|j| data_part(j)).collect();
            let body = Body { parts, content_type: Some("application/json".into()) };
            Made { body: Some(body), method: Some("POST"), json: true, ..Made::default() }
        } else if !self.pieces.is_empty() {
            let mut parts = Vec::new();
            for (i, piece) in self.pieces.iter().enumerate() {
                if i > 0 {
                    parts.push(Part::Bytes(b"&".to_vec()));
                }
                parts.push(match piece {
                    Piece::Data(d) => data_part(d),
                    Piece::Raw(r) => Part::Bytes(r.clone().into_bytes()),
                    Piece::UrlEncode(u) => Part::Bytes(urlencode(u)?.into_bytes()),
                });
            }
            let body = Body { parts, content_type: Some("application/x-www-form-urlencoded".into()) };
            if self.get {
                let query = String::from_utf8_lossy(&in_memory(&body)?).into_owned();
                return Ok(Made { query: Some(query), method: Some("GET"), ..Made::default() });
            }
            Made { body: Some(body), method: Some("POST"), ..Made::default() }
        } else {
            Made { method: self.get.then_some("GET"), ..Made::default() }
        };
        if let Some(body) = &made.body {
            body.check().map_err(|(path, e)| Error::usage_io(&format!("reading {}", path.display()), e))?;
        }
        Ok(made)
    }
}

/// `@FILE` and `@-` read as they are sent; anything else as given.
fn data_part(value: &str) -> Part {
    match value.strip_prefix('@') {
        Some("-") => Part::Stdin,
        Some(path) => Part::File(PathBuf::from(path)),
        None => Part::Bytes(value.as_bytes().to_vec()),
    }
}

/// curl's `--data-urlencode` forms: `content`, `=content`, `name=content`,
/// `@file`, `name@file` (the name itself is sent as it is; `-` is stdin).
pub fn urlencode(spec: &str) -> Result<String, Error> {
    let encode = |bytes: &[u8]| percent_encoding::percent_encode(bytes, URLENCODE).to_string();
    // curl's order: an `=` makes `name=content`; only without one does
    // an `@` make `name@file`.
    if let Some(e) = spec.find('=') {
        let content = utf8_percent_encode(&spec[e + 1..], URLENCODE);
        return Ok(if e == 0 { content.to_string() } else { format!("{}={content}", &spec[..e]) });
    }
    if let Some(a) = spec.find('@') {
        let (name, path) = (&spec[..a], &spec[a + 1..]);
        let content = encode(&read_limited(path)?);
        return Ok(if name.is_empty() { content } else { format!("{name}={content}") });
    }
    Ok(utf8_percent_encode(spec, URLENCODE).to_string())
}

/// A file's bytes (`-` is stdin), at most [`IN_MEMORY`].
fn read_limited(path: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let what = if path == "-" { "stdin".to_string() } else { path.to_string() };
    let read = if path == "-" {
        shared::sys::stdio::stdin_file().and_then(|f| f.take(IN_MEMORY + 1).read_to_end(&mut bytes))
    } else {
        std::fs::File::open(Path::new(path)).and_then(|f| f.take(IN_MEMORY + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| Error::usage_io(&format!("reading {what}"), e))?;
    if bytes.len() as u64 > IN_MEMORY {
        return Err(usage(&format!("{what}: more than 16 MiB to put in a URL or encode; send it with -d @FILE")));
    }
    Ok(bytes)
}

/// A body's bytes in memory, for `-G` (at most [`IN_MEMORY`]).
fn in_memory(body: &Body) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    for part in &body.parts {
        match part {
            Part::Bytes(b) => out.extend_from_slice(b),
            Part::File(p) => out.extend(read_limited(&p.to_string_lossy())?),
            Part::Stdin => out.extend(read_limited("-")?),
        }
        if out.len() as u64 > IN_MEMORY {
            return Err(usage("-G: more than 16 MiB of data to put in a URL"));
        }
    }
    Ok(out)
}

fn usage(message: &str) -> Error {
    Error::new(Kind::Usage, message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_table() {
        let dir = std::env::temp_dir().join(format!("netkit-urlencode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("v");
        std::fs::write(&file, "a b&c\n").unwrap();
        let f = file.display().to_string();
        let cases = [
            ("hello world".to_string(), "hello%20world".to_string()),
            ("=a=b c".into(), "a%3Db%20c".into()),
            ("name=a&b é".into(), "name=a%26b%20%C3%A9".into()),
            ("name=".into(), "name=".into()),
            ("-._~*".into(), "-._~%2A".into()),
            (format!("@{f}"), "a%20b%26c%0A".into()),
            (format!("n@{f}"), "n=a%20b%26c%0A".into()),
            ("e=x@y".into(), "e=x%40y".into()),
            ("a@b=c".into(), "a@b=c".into()),
        ];
        for (spec, want) in cases {
            assert_eq!(urlencode(&spec).unwrap(), want, "{spec}");
        }
        assert_eq!(urlencode("@/no/such/file").unwrap_err().kind(), Kind::Usage);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn make_table() {
        let pieces = |p: Vec<Piece>| Given { pieces: p, ..Given::default() };
        let made = pieces(vec![Piece::Data("a=1".into()), Piece::Raw("@b".into()), Piece::UrlEncode("c=d e".into())])
            .make()
            .unwrap();
        let body = made.body.unwrap();
        assert_eq!(in_memory(&body).unwrap(), b"a=1&@b&c=d%20e");
        assert_eq!((made.method, made.json), (Some("POST"), false));
        let made =
            Given { get: true, ..pieces(vec![Piece::Data("q=1".into()), Piece::Data("r=2".into())]) }.make().unwrap();
        assert_eq!((made.query.as_deref(), made.method, made.body.is_none()), (Some("q=1&r=2"), Some("GET"), true));
        let made = Given { json: vec!["{\"a\":".into(), "1}".into()], ..Given::default() }.make().unwrap();
        assert_eq!(in_memory(made.body.as_ref().unwrap()).unwrap(), b"{\"a\":1}");
        assert!(made.json);
        let made = Given { upload: Some("-".into()), ..Given::default() }.make().unwrap();
        assert_eq!((made.method, made.body.unwrap().parts), (Some("PUT"), vec![Part::Stdin]));
        let both = Given { json: vec!["{}".into()], ..pieces(vec![Piece::Data("a".into())]) };
        assert_eq!(both.make().unwrap_err().kind(), Kind::Usage);
        let missing = Given { upload: Some("/no/such/file".into()), ..Given::default() };
        assert_eq!(missing.make().unwrap_err().kind(), Kind::Usage);
        assert_eq!(Given::default().make().unwrap().method, None);
    }
}
