//! `multipart/form-data` (RFC 7578) read as it arrives: a browser's
//! upload form sends each chosen file as a part, and the parts are passed
//! on as events (a part begins with its file name, its data in pieces,
//! its end) without ever holding a part whole. What is kept between
//! pieces is bounded: the last few bytes that might begin a delimiter, or
//! a part's header section (at most 8 KiB).

/// Most bytes of one part's header section.
pub const MAX_PART_HEAD: usize = 8 * 1024;

/// What the form says, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A part begins: its field name and, for a file, its file name
    /// (`Some(empty)` when the form's file input was left empty).
    Part {
        /// The form field's name.
        field: Vec<u8>,
        /// The file name, for a file part.
        filename: Option<Vec<u8>>,
    },
    /// Some of the current part's data.
    Data(&'a [u8]),
    /// The current part is complete.
    PartEnd,
}

/// Why a form cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// No boundary in the Content-Type, or one RFC 2046 does not allow.
    Boundary,
    /// A part's header section is longer than allowed.
    HeadTooLong,
    /// A part without `Content-Disposition: form-data`.
    NotFormData,
    /// Bytes after a delimiter that are neither CRLF nor `--`.
    BadDelimiter,
    /// A parameter whose quoted string is not closed, or has more after it.
    BadParameter,
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FormError::Boundary => "the form's boundary is missing or not valid",
            FormError::HeadTooLong => "a part's header section is longer than 8 KiB",
            FormError::NotFormData => "a part has no Content-Disposition: form-data",
            FormError::BadDelimiter => "a delimiter is followed by neither CRLF nor --",
            FormError::BadParameter => "a part's parameter is not a token or one quoted string",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first delimiter.
    Preamble,
    /// Just after a delimiter: CRLF (a part follows) or `--` (the end).
    AfterDelimiter,
    /// In a part's header section.
    Head,
    /// In a part's data.
    Body,
    /// After the close delimiter: the epilogue, ignored.
    End,
}

/// A form being read.
#[derive(Debug)]
pub struct Form {
    /// `CRLF--boundary`.
    delimiter: Vec<u8>,
    state: State,
    /// Bytes not yet dealt with (bounded, see the module docs).
    pending: Vec<u8>,
}

/// The boundary parameter of a `multipart/form-data` Content-Type.
pub fn boundary(content_type: &[u8]) -> Result<Vec<u8>, FormError> {
    let mut params = content_type.split(|&b| b == b';');
    let media = shared::http::headers::trim(params.next().unwrap_or_default());
    if !media.eq_ignore_ascii_case(b"multipart/form-data") {
        return Err(FormError::Boundary);
    }
    for p in params {
        let p = shared::http::headers::trim(p);
        if p.len() > 9 && p[..9].eq_ignore_ascii_case(b"boundary=") {
            let Some(value) = unquote(&p[9..]) else { return Err(FormError::Boundary) };
            // RFC 2046 5.1.1: 1 to 70 characters, not ending in a space.
            let ok = !value.is_empty()
                && value.len() <= 70
                && value.last() != Some(&b' ')
                && value.iter().all(|&b| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b));
            return if ok { Ok(value) } else { Err(FormError::Boundary) };
        }
    }
    Err(FormError::Boundary)
}

/// A parameter value: one quoted string (backslash escapes taken, and
/// nothing after it) or a token as it is; `None` for anything else.
fn unquote(v: &[u8]) -> Option<Vec<u8>> {
    let Some(inner) = v.strip_prefix(b"\"") else {
        return (!v.contains(&b'"')).then(|| v.to_vec());
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut escaped = false;
    for (i, &b) in inner.iter().enumerate() {
        match (escaped, b) {
            (false, b'\\') => escaped = true,
            (false, b'"') => return shared::http::headers::trim(&inner[i + 1..]).is_empty().then_some(out),
            _ => {
                out.push(b);
                escaped = false;
            }
        }
    }
    None
}

/// Splits header parameters at `;` outside quoted strings.
fn params(value: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, &b) in value.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b';' if !quoted => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

/// The field name and file name of a part, from its header section.
fn disposition(head: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), FormError> {
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        if !line[..colon].eq_ignore_ascii_case(b"content-disposition") {
            continue;
        }
        let ps = params(&line[colon + 1..]);
        if !shared::http::headers::trim(ps[0]).eq_ignore_ascii_case(b"form-data") {
            return Err(FormError::NotFormData);
        }
        let (mut field, mut filename, mut extended) = (Vec::new(), None, None);
        for p in &ps[1..] {
            let p = shared::http::headers::trim(p);
            let Some(eq) = p.iter().position(|&b| b == b'=') else { continue };
            let (key, value) = (shared::http::headers::trim(&p[..eq]), shared::http::headers::trim(&p[eq + 1..]));
            if key.eq_ignore_ascii_case(b"name") {
                field = unquote(value).ok_or(FormError::BadParameter)?;
            } else if key.eq_ignore_ascii_case(b"filename") {
                filename = Some(unquote(value).ok_or(FormError::BadParameter)?);
            } else if key.eq_ignore_ascii_case(b"filename*") {
                extended = ext_value(value);
            }
        }
        // RFC 6266 4.3: filename* wins where given.
        return Ok((field, extended.or(filename)));
    }
    Err(FormError::NotFormData)
}

/// An RFC 8187 `UTF-8''percent-encoded` value.
fn ext_value(v: &[u8]) -> Option<Vec<u8>> {
    let rest = v.strip_prefix(b"UTF-8''").or_else(|| v.strip_prefix(b"utf-8''"))?;
    Some(percent_encoding::percent_decode(rest).collect())
}

impl Form {
    /// A form whose parts are separated by `boundary`.
    pub fn new(boundary: &[u8]) -> Form {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary);
        // The body's first delimiter has no CRLF before it: one is assumed.
        Form { delimiter, state: State::Preamble, pending: b"\r\n".to_vec() }
    }

    /// True once the close delimiter has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::End
    }

    /// Reads `input`, passing each event to `on`, which may stop the form
    /// with its own error.
    pub fn feed<E>(&mut self, input: &[u8], on: &mut dyn FnMut(Event<'_>) -> Result<(), E>) -> Result<(), Fed<E>> {
        if self.state == State::End {
            return Ok(());
        }
        self.pending.extend_from_slice(input);
        let mut pos = 0;
        let result = loop {
            let buf = &self.pending[pos..];
            match self.state {
                State::End => break Ok(()),
                State::Preamble | State::Body => match find(buf, &self.delimiter) {
                    Some(at) => {
                        if self.state == State::Body {
                            if at > 0 {
                                on(Event::Data(&buf[..at])).map_err(Fed::Stopped)?;
                            }
                            on(Event::PartEnd).map_err(Fed::Stopped)?;
                        }
                        pos += at + self.delimiter.len();
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        // Keep what could be the start of a delimiter.
                        let keep = (self.delimiter.len() - 1).min(buf.len());
                        let take = buf.len() - keep;
                        if self.state == State::Body && take > 0 {
                            on(Event::Data(&buf[..take])).map_err(Fed::Stopped)?;
                        }
                        pos += take;
                        break Ok(());
                    }
                },
                State::AfterDelimiter => {
                    if buf.len() < 2 {
                        break Ok(());
                    }
                    match &buf[..2] {
                        b"--" => {
                            self.state = State::End;
                            pos = self.pending.len();
                        }
                        b"\r\n" => {
                            pos += 2;
                            self.state = State::Head;
                        }
                        _ => break Err(Fed::Form(FormError::BadDelimiter)),
                    }
                }
                State::Head => match find(buf, b"\r\n\r\n") {
                    Some(at) => {
                        let (field, filename) = disposition(&buf[..at]).map_err(Fed::Form)?;
                        pos += at + 4;
                        self.state = State::Body;
                        on(Event::Part { field, filename }).map_err(Fed::Stopped)?;
                    }
                    None if buf.len() > MAX_PART_HEAD => break Err(Fed::Form(FormError::HeadTooLong)),
                    None => break Ok(()),
                },
            }
        };
        self.pending.drain(..pos.min(self.pending.len()));
        result
    }
}

/// Why feeding a form stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Fed<E> {
    /// The form is malformed.
    Form(FormError),
    /// The event handler stopped it.
    Stopped(E),
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut from = 0;
    while let Some(i) = hay[from..=hay.len() - needle.len()].iter().position(|&b| b == first) {
        let at = from + i;
        if &hay[at..at + needle.len()] == needle {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts as (field, filename, data), from `body` fed in pieces of `split`.
    fn parse(
        body: &[u8],
        boundary: &[u8],
        split: usize,
    ) -> Result<(Vec<(String, Option<String>, Vec<u8>)>, bool), FormError> {
        let mut form = Form::new(boundary);
        let mut parts: Vec<(String, Option<String>, Vec<u8>)> = Vec::new();
        let mut open = false;
        for piece in body.chunks(split.max(1)) {
            let r = form.feed::<()>(piece, &mut |e| {
                match e {
                    Event::Part { field, filename } => {
                        assert!(!open);
                        open = true;
                        parts.push((
                            String::from_utf8_lossy(&field).into_owned(),
                            filename.map(|f| String::from_utf8_lossy(&f).into_owned()),
                            Vec::new(),
                        ));
                    }
                    Event::Data(d) => parts.last_mut().unwrap().2.extend_from_slice(d),
                    Event::PartEnd => open = false,
                }
                Ok(())
            });
            match r {
                Ok(()) => {}
                Err(Fed::Form(e)) => return Err(e),
                Err(Fed::Stopped(())) => unreachable!(),
            }
        }
        Ok((parts, form.is_done()))
    }

    const BODY: &[u8] = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"q\\\" b.txt\"\r\nContent-Type: text/plain\r\n\r\n\
line1\r\n--XyNOT\r\n--Xy\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--XyZ--\r\nepilogue";

    #[test]
    fn parts_come_whole_in_any_split() {
        for split in [1, 2, 3, 5, 16, 1000] {
            let (parts, done) = parse(BODY, b"XyZ", split).unwrap();
            assert!(done, "split {split}");
            assert_eq!(
                parts,
                vec![
                    ("note".to_string(), None, b"hello".to_vec()),
                    ("file".to_string(), Some("a \"q\" b.txt".to_string()), b"line1\r\n--XyNOT\r\n--Xy".to_vec()),
                    ("file".to_string(), Some(String::new()), Vec::new()),
                ],
                "split {split}"
            );
        }
    }

    #[test]
    fn errors_table() {
        let cases: &[(&[u8], FormError)] = &[
            (b"--B\r\nContent-Type: x\r\n\r\ndata\r\n--B--", FormError::NotFormData),
            (b"--B\r\nContent-Disposition: attachment\r\n\r\nx\r\n--B--", FormError::NotFormData),
            (b"--Bxx", FormError::BadDelimiter),
            (
                b"--B\r\nContent-Disposition: form-data; name=f; filename=\"a\" b\r\n\r\nx\r\n--B--",
                FormError::BadParameter,
            ),
            (
                b"--B\r\nContent-Disposition: form-data; name=f; filename=\"open\r\n\r\nx\r\n--B--",
                FormError::BadParameter,
            ),
        ];
        for (body, want) in cases {
            assert_eq!(parse(body, b"B", 4).unwrap_err(), *want, "{}", String::from_utf8_lossy(body));
        }
        let mut long = b"--B\r\nX-Pad: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 10_000));
        assert_eq!(parse(&long, b"B", 512).unwrap_err(), FormError::HeadTooLong);
    }

    #[test]
    fn names_are_refused_not_reduced_later() {
        let body = b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../x\"\r\n\r\nx\r\n--B--";
        let (parts, _) = parse(body, b"B", 7).unwrap();
        assert_eq!(parts[0].1.as_deref(), Some("../x"), "passed on as sent, for the name rules to refuse");
        let ext = b"--B\r\nContent-Disposition: form-data; name=f; filename=\"x\"; filename*=UTF-8''caf%C3%A9\r\n\r\n\r\n--B--";
        assert_eq!(parse(ext, b"B", 3).unwrap().0[0].1.as_deref(), Some("caf\u{e9}"));
    }

    #[test]
    fn boundary_table() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"multipart/form-data; boundary=----WebKitFormBoundaryAbc123", Some(b"----WebKitFormBoundaryAbc123")),
            (b"Multipart/Form-Data;boundary=\"a b\"", Some(b"a b")),
            (b"multipart/form-data", None),
            (b"multipart/mixed; boundary=x", None),
            (b"multipart/form-data; boundary=", None),
            (b"multipart/form-data; boundary=\"a\r\nb\"", None),
        ];
        for (ct, want) in cases {
            assert_eq!(boundary(ct).ok().as_deref(), *want, "{}", String::from_utf8_lossy(ct));
        }
        assert!(boundary(format!("multipart/form-data; boundary={}", "x".repeat(71)).as_bytes()).is_err());
    }
}
