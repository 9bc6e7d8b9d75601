//! Short, lower-case descriptions of I/O errors for one-line messages
//! (`connection refused`, not `Connection refused (os error 111)`).

use std::io::{self, Write};
use std::path::Path;

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
        K::NotConnected => "not connected",
        K::NetworkDown => "network down",
        K::StorageFull => "no space left on device",
        K::InvalidFilename => "invalid file name",
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
    // Windows' messages are sentences; a one-line message goes on after it.
    let text = text.trim_end().trim_end_matches('.');
    // std's resolver errors say what failed before why; the caller has
    // already said what ("cannot resolve `host`").
    let text = text.strip_prefix("failed to lookup address information: ").unwrap_or(text);
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => format!("{:?}", e.kind()),
    }
}

/// Writes `line` and a newline to stderr in one write, so a program that
/// reads it (a test, a script waiting for `listening on ADDR`) never sees
/// half a line, whatever the system does with a formatted print. A closed
/// stderr is ignored.
pub fn stderr_line(line: &str) {
    let mut whole = String::with_capacity(line.len() + 1);
    whole.push_str(line);
    whole.push('\n');
    let _ = io::stderr().lock().write_all(whole.as_bytes());
}

/// Writes `text` (help, a manual page, a completion script) to stdout and
/// flushes it. A reader that stopped early (`| head`) is not a failure: it
/// has what it wanted; any other error is returned.
pub fn stdout_text(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A path as a person would write it: on Windows without the `\\?\`
/// prefix a canonical path carries (`C:\site`, `\\server\share`).
pub fn path(p: &Path) -> String {
    let text = p.display().to_string();
    if cfg!(windows) {
        if let Some(rest) = text.strip_prefix(r"\\?\UNC\") {
            return format!(r"\\{rest}");
        }
        if let Some(rest) = text.strip_prefix(r"\\?\") {
            return rest.to_string();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system's own error numbers, so the words are checked for what
    /// each system really reports (Windows: WinSock and Win32 numbers).
    #[cfg(unix)]
    const OS: [(i32, &str); 5] = [
        (libc_like::ENOSPC, "no space left on device"),
        (libc_like::ECONNREFUSED, "connection refused"),
        (libc_like::ECONNRESET, "connection reset by peer"),
        (libc_like::EADDRINUSE, "address in use"),
        (libc_like::ETIMEDOUT, "timed out"),
    ];
    #[cfg(windows)]
    const OS: [(i32, &str); 5] = [
        (10061, "connection refused"),
        (10054, "connection reset by peer"),
        (10048, "address in use"),
        (10060, "timed out"),
        (10065, "host unreachable"),
    ];

    #[cfg(unix)]
    mod libc_like {
        use rustix::io::Errno;
        pub const ECONNREFUSED: i32 = Errno::CONNREFUSED.raw_os_error();
        pub const ECONNRESET: i32 = Errno::CONNRESET.raw_os_error();
        pub const EADDRINUSE: i32 = Errno::ADDRINUSE.raw_os_error();
        pub const ETIMEDOUT: i32 = Errno::TIMEDOUT.raw_os_error();
        pub const ENOSPC: i32 = Errno::NOSPC.raw_os_error();
    }

    #[test]
    fn system_errors_in_words() {
        for (code, want) in OS {
            let e = io::Error::from_raw_os_error(code);
            assert_eq!(describe(&e), want, "{e:?}");
            assert!(!describe(&e).contains("os error"), "{e:?}");
        }
    }

    #[test]
    fn table() {
        let cases: &[(io::Error, &str)] = &[
            (io::Error::new(io::ErrorKind::InvalidData, "Bad chunk"), "bad chunk"),
            (io::Error::from(io::ErrorKind::UnexpectedEof), "unexpected end of stream"),
            (
                io::Error::other("failed to lookup address information: Name or service not known"),
                "name or service not known",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(describe(e), *want, "{e:?}");
        }
    }
}
