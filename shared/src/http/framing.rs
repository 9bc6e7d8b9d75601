//! Message body length (RFC 9112 section 6): whether a message has a body,
//! and how it is delimited: a Content-Length, chunked coding, or the close
//! of the connection. The request side is stricter than the response side,
//! as the RFC asks of servers (anything ambiguous is refused with 400).

use std::fmt;

use crate::http::headers::Headers;

/// How a message body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLength {
    /// No body at all.
    None,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding; ends with the last chunk and trailers.
    Chunked,
    /// Everything until the peer closes (responses only).
    UntilClose,
}

/// A head whose framing cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FramingError {
    /// A Content-Length value that is not a plain decimal number.
    BadContentLength(String),
    /// Several Content-Length values that differ.
    ConflictingContentLength(String),
    /// Both Transfer-Encoding and Content-Length in a request.
    LengthAndTransferEncoding,
    /// A request Transfer-Encoding whose final coding is not chunked.
    UnsupportedTransferEncoding(String),
}

impl fmt::Display for FramingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FramingError::BadContentLength(v) => write!(f, "invalid Content-Length `{v}`"),
            FramingError::ConflictingContentLength(v) => write!(f, "conflicting Content-Length values `{v}`"),
            FramingError::LengthAndTransferEncoding => {
                write!(f, "both Content-Length and Transfer-Encoding are present")
            }
            FramingError::UnsupportedTransferEncoding(v) => {
                write!(f, "unsupported Transfer-Encoding `{v}`")
            }
        }
    }
}

impl std::error::Error for FramingError {}

/// The Content-Length, if any: every value of every field must be digits
/// only, and all must agree (`5, 5` is 5; `5, 6` is an error).
pub fn content_length(headers: &Headers) -> Result<Option<u64>, FramingError> {
    let mut found: Option<u64> = None;
    for value in headers.get_all("content-length") {
        let shown = || String::from_utf8_lossy(value).into_owned();
        for element in value.split(|&b| b == b',') {
            let element = crate::http::headers::trim(element);
            if element.is_empty() || !element.iter().all(u8::is_ascii_digit) {
                return Err(FramingError::BadContentLength(shown()));
            }
            // Digits only, so the only possible failure is overflow.
            let n: u64 = std::str::from_utf8(element)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| FramingError::BadContentLength(shown()))?;
            match found {
                Some(m) if m != n => return Err(FramingError::ConflictingContentLength(shown())),
                _ => found = Some(n),
            }
        }
    }
    Ok(found)
}

/// True when Transfer-Encoding is present and its final coding is chunked.
/// `None` when there is no Transfer-Encoding at all.
fn chunked_is_final(headers: &Headers) -> Option<bool> {
    if !headers.contains("transfer-encoding") {
        return None;
    }
    let last = headers.list("transfer-encoding").last();
    Some(last.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked")))
}

/// How the body of a request is framed (RFC 9112 6.3, items 3 to 7, read
/// strictly: ambiguity is an error and the server answers 400).
pub fn request_body(headers: &Headers) -> Result<BodyLength, FramingError> {
    let length = content_length(headers)?;
    match chunked_is_final(headers) {
        Some(_) if length.is_some() => Err(FramingError::LengthAndTransferEncoding),
        Some(true) => Ok(BodyLength::Chunked),
        Some(false) => Err(FramingError::UnsupportedTransferEncoding(
            headers
                .get_all("transfer-encoding")
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        )),
        None => Ok(match length {
            None | Some(0) => BodyLength::None,
            Some(n) => BodyLength::Length(n),
        }),
    }
}

/// How the body of a response is framed (RFC 9112 6.3): none for a HEAD
/// request and for 1xx, 204 and 304; chunked when Transfer-Encoding ends
/// in chunked (it wins over Content-Length); until close for any other
/// Transfer-Encoding; else Content-Length; else until close.
pub fn response_body(head_request: bool, status: u16, headers: &Headers) -> Result<BodyLength, FramingError> {
    if head_request || (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(BodyLength::None);
    }
    match chunked_is_final(headers) {
        Some(true) => return Ok(BodyLength::Chunked),
        Some(false) => return Ok(BodyLength::UntilClose),
        None => {}
    }
    Ok(match content_length(headers)? {
        Some(0) => BodyLength::None,
        Some(n) => BodyLength::Length(n),
        None => BodyLength::UntilClose,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&str, &str)]) -> Headers {
        fields.iter().copied().collect()
    }

    #[test]
    fn content_length_table() {
        use FramingError::*;
        let cases: &[(&[(&str, &str)], Result<Option<u64>, FramingError>)] = &[
            (&[], Ok(None)),
            (&[("Content-Length", "5")], Ok(Some(5))),
            (&[("Content-Length", " 5 ")], Ok(Some(5))),
            (&[("Content-Length", "5"), ("content-length", "5")], Ok(Some(5))),
            (&[("Content-Length", "5, 5")], Ok(Some(5))),
            (&[("Content-Length", "5"), ("Content-Length", "6")], Err(ConflictingContentLength("6".into()))),
            (&[("Content-Length", "5, 6")], Err(ConflictingContentLength("5, 6".into()))),
            (&[("Content-Length", "+5")], Err(BadContentLength("+5".into()))),
            (&[("Content-Length", "5x")], Err(BadContentLength("5x".into()))),
            (&[("Content-Length", "-1")], Err(BadContentLength("-1".into()))),
            (&[("Content-Length", "")], Err(BadContentLength("".into()))),
            (&[("Content-Length", "0x10")], Err(BadContentLength("0x10".into()))),
            (&[("Content-Length", "18446744073709551615")], Ok(Some(u64::MAX))),
            (&[("Content-Length", "18446744073709551616")], Err(BadContentLength("18446744073709551616".into()))),
        ];
        for (fields, want) in cases {
            assert_eq!(content_length(&headers(fields)), *want, "{fields:?}");
        }
    }

    #[test]
    fn request_body_table() {
        use BodyLength::*;
        use FramingError::*;
        let cases: &[(&[(&str, &str)], Result<BodyLength, FramingError>)] = &[
            (&[], Ok(None)),
            (&[("Content-Length", "0")], Ok(None)),
            (&[("Content-Length", "10")], Ok(Length(10))),
            (&[("Transfer-Encoding", "chunked")], Ok(Chunked)),
            (&[("Transfer-Encoding", "gzip, chunked")], Ok(Chunked)),
            (&[("Transfer-Encoding", "chunked"), ("Content-Length", "3")], Err(LengthAndTransferEncoding)),
            (&[("Transfer-Encoding", "gzip")], Err(UnsupportedTransferEncoding("gzip".into()))),
            (&[("Content-Length", "1"), ("Content-Length", "2")], Err(ConflictingContentLength("2".into()))),
        ];
        for (fields, want) in cases {
            assert_eq!(request_body(&headers(fields)), *want, "{fields:?}");
        }
    }

    #[test]
    fn response_body_table() {
        use BodyLength::*;
        let cl5: &[(&str, &str)] = &[("Content-Length", "5")];
        let chunked: &[(&str, &str)] = &[("Transfer-Encoding", "chunked")];
        let both: &[(&str, &str)] = &[("Content-Length", "5"), ("Transfer-Encoding", "chunked")];
        let gzip: &[(&str, &str)] = &[("Transfer-Encoding", "gzip")];
        let cases: &[(bool, u16, &[(&str, &str)], Result<BodyLength, FramingError>)] = &[
            (false, 200, cl5, Ok(Length(5))),
            (true, 200, cl5, Ok(None)),
            (false, 100, &[], Ok(None)),
            (false, 103, &[], Ok(None)),
            (false, 204, cl5, Ok(None)),
            (false, 304, cl5, Ok(None)),
            (false, 200, chunked, Ok(Chunked)),
            (false, 200, both, Ok(Chunked)),
            (false, 200, gzip, Ok(UntilClose)),
            (false, 200, &[], Ok(UntilClose)),
            (false, 200, &[("Content-Length", "0")], Ok(None)),
            (false, 404, &[("Content-Length", "5"), ("Content-Length", "5")], Ok(Length(5))),
            (
                false,
                200,
                &[("Content-Length", "5"), ("Content-Length", "7")],
                Err(FramingError::ConflictingContentLength("7".into())),
            ),
            (false, 200, &[("Content-Length", "+5")], Err(FramingError::BadContentLength("+5".into()))),
        ];
        for (head, status, fields, want) in cases {
            assert_eq!(response_body(*head, *status, &headers(fields)), *want, "{head} {status} {fields:?}");
        }
    }
}
