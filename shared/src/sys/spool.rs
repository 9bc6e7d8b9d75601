//! A temporary file with no name: somewhere to hold bytes that must wait
//! their turn (http-get's `-Z` keeps each body bound for stdout here until
//! the ones before it are out), which nothing can leave behind. On Linux
//! it is made without a name at all (`O_TMPFILE`); elsewhere on Unix it
//! is made under a unique name and unlinked at once; on Windows it is
//! opened to be deleted when closed (`FILE_FLAG_DELETE_ON_CLOSE`).

use std::fs::File;
use std::io;
use std::path::Path;

/// A new, empty, nameless file for reading and writing, in the system's
/// temporary folder.
pub fn anonymous() -> io::Result<File> {
    anonymous_in(&std::env::temp_dir())
}

/// [`anonymous`] in the folder `dir`.
pub fn anonymous_in(dir: &Path) -> io::Result<File> {
    #[cfg(target_os = "linux")]
    if super::fast_paths()
        && let Ok(file) = linux::tmpfile(dir)
    {
        return Ok(file);
    }
    named_then_gone(dir)
}

/// Makes a file under a name nobody else uses, then takes the name away
/// (Unix), or has the system delete it on close (Windows).
fn named_then_gone(dir: &Path) -> io::Result<File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    for _ in 0..100 {
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".netkit-spool-{}-{n}", std::process::id()));
        match open_new(&path) {
            Ok(file) => {
                #[cfg(unix)]
                std::fs::remove_file(&path)?;
                return Ok(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free name for a temporary file"))
}

#[cfg(unix)]
fn open_new(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(windows)]
fn open_new(path: &Path) -> io::Result<File> {
    use std::os::windows::fs::OpenOptionsExt;
    use windows_sys::Win32::Storage::FileSystem::{
        FILE_ATTRIBUTE_TEMPORARY, FILE_FLAG_DELETE_ON_CLOSE, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
    };
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
        .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
        .attributes(FILE_ATTRIBUTE_TEMPORARY)
        .open(path)
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    use rustix::fs::{CWD, Mode, OFlags, openat};

    /// A file with no name in `dir` (Linux 3.11 and later, on file
    /// systems that support it).
    pub fn tmpfile(dir: &Path) -> io::Result<File> {
        let fd = openat(CWD, dir, OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC, Mode::from_raw_mode(0o600))
            .map_err(super::super::os)?;
        Ok(File::from(fd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, SeekFrom, Write};

    /// Both ways hold bytes and leave no name behind.
    #[test]
    fn holds_bytes_and_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("netkit-spool-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut files = vec![named_then_gone(&dir).unwrap()];
        #[cfg(target_os = "linux")]
        files.extend(linux::tmpfile(&dir).ok());
        files.push(anonymous_in(&dir).unwrap());
        for mut file in files {
            file.write_all(b"held bytes").unwrap();
            file.seek(SeekFrom::Start(0)).unwrap();
            let mut back = String::new();
            file.read_to_string(&mut back).unwrap();
            assert_eq!(back, "held bytes");
            #[cfg(unix)]
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no name while open");
            drop(file);
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no name after closing");
        std::fs::remove_dir(&dir).unwrap();
    }
}
