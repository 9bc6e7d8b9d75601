//! Short, lower-case descriptions of I/O errors for one-line messages
//! (`connection refused`, not `Connection refused (os error 111)`).

use std::io;

/// Describes an I/O error the way a person would say it in a sentence.
/// Errors wrapping one of our typed errors show that error's own message.
pub fn describe(e: &io::Error) -> String {
    use io::ErrorKind as K;
    let fixed = match e.kind() {
        K::ConnectionRefused => "connection refused",
        K::ConnectionReset => "connection reset by peer",
        K::ConnectionAborted => "connection aborted",
        K::TimedOut | K::WouldBlock => "timed out",
        K::HostUnreachable => "host unreachable",
        K::NetworkUnreachable => "network unreachable",
        K::AddrInUse => "address in use",
        K::AddrNotAvailable if e.raw_os_error().is_some() => "address not available",
        K::PermissionDenied => "permission denied",
        K::NotFound if e.raw_os_error().is_some() => "no such file or directory",
        K::BrokenPipe => "broken pipe",
        K::UnexpectedEof if e.get_ref().is_none() => "unexpected end of stream",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    let text = e.to_string();
    // Drop the " (os error N)" tail and lower the first letter.
    let text = match text.find(" (os error ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => format!("{:?}", e.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(io::Error, &str)] = &[
            (io::Error::from_raw_os_error(111), "connection refused"),
            (io::Error::from_raw_os_error(104), "connection reset by peer"),
            (io::Error::from_raw_os_error(98), "address in use"),
            (io::Error::from_raw_os_error(110), "timed out"),
            (io::Error::from_raw_os_error(28), "no space left on device"),
            (io::Error::new(io::ErrorKind::InvalidData, "Bad chunk"), "bad chunk"),
            (io::Error::from(io::ErrorKind::UnexpectedEof), "unexpected end of stream"),
        ];
        for (e, want) in cases {
            assert_eq!(describe(e), *want, "{e:?}");
        }
    }
}
