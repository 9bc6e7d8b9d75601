//! Standard input and output as plain files: a duplicate of the handle, so
//! writes are unbuffered, bytes pass unchanged (on Windows std's console
//! `Stdout` would insist on UTF-8; a file handle does not), and the fast
//! paths can see what kind of file it is. And ending standard output
//! early, so its reader sees the end while the process goes on.

use std::fs::File;
use std::io;

/// A duplicate of standard output, as a file.
pub fn stdout_file() -> io::Result<File> {
    imp::duplicate(&io::stdout())
}

/// A duplicate of standard input, as a file.
pub fn stdin_file() -> io::Result<File> {
    imp::duplicate(&io::stdin())
}

/// Ends standard output: its reader sees the end of the stream, while
/// this process goes on (a tool whose peer has finished, still sending
/// the rest of its input). Whatever is written to standard output after
/// this goes nowhere. Every duplicate of it (`stdout_file`) must be
/// dropped first, or the reader sees no end.
pub fn end_stdout() -> io::Result<()> {
    use std::io::Write;
    io::stdout().flush()?;
    imp::end_stdout()
}

/// True when standard input is a regular file (it can be sent with
/// sendfile, from any offset).
pub fn stdin_is_regular_file() -> bool {
    stdin_file().and_then(|f| f.metadata()).is_ok_and(|m| m.is_file())
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsFd;

    pub fn duplicate(handle: &impl AsFd) -> io::Result<File> {
        handle.as_fd().try_clone_to_owned().map(File::from)
    }

    pub fn end_stdout() -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let null = File::options().write(true).open("/dev/null")?;
        // SAFETY: dup2 takes two open descriptors (the null device's, owned
        // here, and 1); it closes what 1 was and makes 1 the null device,
        // so the descriptor std's stdout uses stays valid.
        let rc = unsafe { libc::dup2(null.as_raw_fd(), 1) };
        if rc < 0 { Err(io::Error::last_os_error()) } else { Ok(()) }
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::windows::io::AsHandle;

    pub fn duplicate(handle: &impl AsHandle) -> io::Result<File> {
        handle.as_handle().try_clone_to_owned().map(File::from)
    }

    pub fn end_stdout() -> io::Result<()> {
        use std::os::windows::io::{AsRawHandle, IntoRawHandle};
        use windows_sys::Win32::Foundation::CloseHandle;
        use windows_sys::Win32::System::Console::{STD_OUTPUT_HANDLE, SetStdHandle};
        let old = io::stdout().as_raw_handle();
        let null = File::options().write(true).open("NUL")?;
        // SAFETY: SetStdHandle stores a handle this process owns (the null
        // device's, given up to it for good); std's stdout asks for the
        // handle anew at every write, so it writes there from now on.
        if unsafe { SetStdHandle(STD_OUTPUT_HANDLE, null.into_raw_handle()) } == 0 {
            return Err(io::Error::last_os_error());
        }
        if !old.is_null() {
            // SAFETY: `old` was standard output's handle, which nothing
            // else here holds or closes now that it is no longer standard
            // output.
            unsafe { CloseHandle(old) };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdout_duplicates() {
        // Under the test harness stdout exists; the duplicate is a new handle.
        assert!(stdout_file().is_ok());
    }
}
