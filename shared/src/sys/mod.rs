//! The platform layer: the one place in the workspace that calls into the
//! C library or the kernel, and the only place with `unsafe`.
//!
//! Every function takes a borrowed handle (`AsFd` on Unix, `AsSocket` or
//! `AsHandle` on Windows) and returns owned ones, so no safe function here
//! accepts a bare descriptor number. Where a system has a faster way, it is
//! used; every other system gets a fallback that gives the same bytes, the
//! same errors and the same limits:
//!
//! | module | what it does | Linux | FreeBSD | macOS | Windows |
//! |---|---|---|---|---|---|
//! | [`beneath`] | open a path beneath a folder, never outside it | `openat2(RESOLVE_BENEATH)` | a walk, one `openat(O_NOFOLLOW \| O_RESOLVE_BENEATH)` per name | the same walk, `openat(O_NOFOLLOW)` | open, then check the handle's final path |
//! | [`sendfile`] | a file's bytes to a socket | `sendfile` | `sendfile` | `sendfile` | read and send |
//! | [`splice`] | a socket's bytes to a file or pipe | `splice` through a pipe | read and write | read and write | read and write |
//! | [`socket`] | sending with more to come, corking, descriptor exhaustion | `MSG_MORE`, `TCP_CORK` | `TCP_NOPUSH` | nothing | nothing |
//! | [`dir`] | the entries of an open folder | `getdents` | `getdents` | `readdir` | `FindFirstFile` on the checked path |
//! | [`stdio`] | standard input and output as files, without translation | `dup` | `dup` | `dup` | `DuplicateHandle` |
//! | [`dir_stream`] | the entries of an open folder one at a time | `getdents` | `getdents` | `readdir` | `FindFirstFile` on the checked path |
//! | [`dir_write`] | a new file, a rename that keeps what is there, a removal, in an open folder | `openat(O_EXCL)`, `renameat2(RENAME_NOREPLACE)` | `openat(O_EXCL)`, `linkat` | `openat(O_EXCL)`, `linkat` | `CREATE_NEW`, `MoveFileExW` |
//! | [`hostname`] | this machine's name | `gethostname` | `gethostname` | `gethostname` | WinSock's `gethostname` |
//! | [`interfaces`] | the network interfaces and their addresses | `getifaddrs` | `getifaddrs` | `getifaddrs` | `GetAdaptersAddresses` |
//!
//! The walk is the fallback for every Unix without `openat2` (and for Linux
//! kernels before 5.6, or where a seccomp filter refuses it); on Linux the
//! tests run it beside `openat2` and require the same answers.
//!
//! `NETKIT_PORTABLE=1` in the environment turns every fast path off, so the
//! fallbacks other systems use can be exercised where the fast paths exist;
//! CI runs the attack suites that way too.
//!
//! System calls interrupted by a signal are retried by one idiom,
//! [`retry`], everywhere in this layer.

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod beneath;
pub mod dir;
pub mod dir_stream;
pub mod dir_write;
pub mod hostname;
pub mod interfaces;
pub mod local;
pub mod positional;
pub mod sendfile;
pub mod socket;
pub mod splice;
pub mod spool;
pub mod stdio;

use std::io;
use std::sync::OnceLock;

/// A socket this layer can work on: `AsFd` on Unix, `AsSocket` on Windows.
#[cfg(unix)]
pub trait AsSock: std::os::fd::AsFd {}
#[cfg(unix)]
impl<T: std::os::fd::AsFd + ?Sized> AsSock for T {}

/// A socket this layer can work on: `AsFd` on Unix, `AsSocket` on Windows.
#[cfg(windows)]
pub trait AsSock: std::os::windows::io::AsSocket {}
#[cfg(windows)]
impl<T: std::os::windows::io::AsSocket + ?Sized> AsSock for T {}

/// Calls `call` again for as long as it fails because a signal interrupted
/// it (EINTR): the one retry idiom of the platform layer.
pub fn retry<T>(mut call: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match call() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// True where a file held open leaves other programs free to replace or
/// remove it (Unix), so a server may keep files open between requests. On
/// Windows an open handle makes a rename over the file fail (an editor's
/// save), so nothing may be held there. False under `NETKIT_PORTABLE` too,
/// so the way without kept files is tested on every system.
pub fn may_keep_files_open() -> bool {
    cfg!(unix) && fast_paths()
}

/// True unless `NETKIT_PORTABLE` (set to anything but `0`) asks for the
/// portable fallbacks everywhere. Read once.
pub fn fast_paths() -> bool {
    static FAST: OnceLock<bool> = OnceLock::new();
    *FAST.get_or_init(|| std::env::var_os("NETKIT_PORTABLE").is_none_or(|v| v.is_empty() || v == "0"))
}

/// A Unix system call's error as a std error.
#[cfg(unix)]
fn os(e: rustix::io::Errno) -> io::Error {
    io::Error::from(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_repeats_only_interruptions() {
        let mut calls = 0;
        let got = retry(|| {
            calls += 1;
            if calls < 3 { Err(io::Error::from(io::ErrorKind::Interrupted)) } else { Ok(calls) }
        });
        assert_eq!(got.unwrap(), 3);
        let mut calls = 0;
        let got: io::Result<()> = retry(|| {
            calls += 1;
            Err(io::Error::from(io::ErrorKind::WouldBlock))
        });
        assert_eq!((got.unwrap_err().kind(), calls), (io::ErrorKind::WouldBlock, 1));
    }
}
