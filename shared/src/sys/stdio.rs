//! Standard input and output as plain files: a duplicate of the handle, so
//! writes are unbuffered, bytes pass unchanged (on Windows std's console
//! `Stdout` would insist on UTF-8; a file handle does not), and the fast
//! paths can see what kind of file it is.

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
}

#[cfg(windows)]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::windows::io::AsHandle;

    pub fn duplicate(handle: &impl AsHandle) -> io::Result<File> {
        handle.as_handle().try_clone_to_owned().map(File::from)
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
