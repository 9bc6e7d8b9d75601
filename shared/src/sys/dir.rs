//! The entries of a folder that is already open (opened beneath a root by
//! [`super::beneath`]), so a listing reads the very folder that was
//! checked, not whatever its path names a moment later.
//!
//! On Unix the names come from the open descriptor and each is looked at
//! relative to it (`fstatat`, symlinks not followed). On Windows the folder
//! is read by its final path, which the open handle keeps from being
//! renamed or removed while it is read.

use std::fs::File;
use std::io;
use std::time::SystemTime;

/// What kind of thing a name is (a symlink is reported as itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link (or, on Windows, a junction).
    Symlink,
    /// A FIFO, a socket, a device.
    Other,
}

/// What a listing shows of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    /// What it is.
    pub kind: Kind,
    /// Its size in bytes (files).
    pub len: u64,
    /// When it last changed.
    pub modified: SystemTime,
}

impl Info {
    /// The same facts from std's metadata.
    pub fn from_metadata(meta: &std::fs::Metadata) -> Info {
        let t = meta.file_type();
        let kind = if t.is_symlink() {
            Kind::Symlink
        } else if t.is_dir() {
            Kind::Dir
        } else if t.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        Info { kind, len: meta.len(), modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH) }
    }
}

/// One entry: its name's bytes (as the system stores them; WTF-8 on
/// Windows) and what it is, symlinks not followed.
pub type Entry = (Vec<u8>, Info);

/// Reads every entry of the open folder `dir` except `.` and `..`, in the
/// system's order. An entry that vanishes while it is read is left out.
pub fn entries(dir: &File) -> io::Result<Vec<Entry>> {
    imp::entries(dir)
}

// A folder read one entry at a time describes each name the same way.
#[cfg(unix)]
pub(crate) use imp::info;

#[cfg(unix)]
mod imp {
    use super::{Entry, Info, Kind};
    use crate::sys::os;
    use rustix::fs::{AtFlags, Dir, FileType};
    use std::fs::File;
    use std::io;
    use std::time::{Duration, SystemTime};

    pub fn entries(dir: &File) -> io::Result<Vec<Entry>> {
        let mut out = Vec::new();
        for item in Dir::read_from(dir).map_err(os)? {
            let item = item.map_err(os)?;
            let name = item.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let Ok(stat) = rustix::fs::statat(dir, item.file_name(), AtFlags::SYMLINK_NOFOLLOW) else {
                continue;
            };
            out.push((name.to_vec(), info(&stat)));
        }
        Ok(out)
    }

    // The field types differ between systems (and between 32- and 64-bit).
    #[allow(clippy::unnecessary_cast)]
    pub(crate) fn info(st: &rustix::fs::Stat) -> Info {
        let kind = match FileType::from_raw_mode(st.st_mode) {
            FileType::RegularFile => Kind::File,
            FileType::Directory => Kind::Dir,
            FileType::Symlink => Kind::Symlink,
            _ => Kind::Other,
        };
        let secs = st.st_mtime as i64;
        let nanos = (st.st_mtime_nsec as i64).clamp(0, 999_999_999) as u32;
        let modified = if secs >= 0 {
            SystemTime::UNIX_EPOCH + Duration::new(secs as u64, nanos)
        } else {
            SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + Duration::from_nanos(u64::from(nanos))
        };
        Info { kind, len: u64::try_from(st.st_size).unwrap_or(0), modified }
    }
}

#[cfg(windows)]
mod imp {
    use super::{Entry, Info};
    use std::fs::File;
    use std::io;

    pub fn entries(dir: &File) -> io::Result<Vec<Entry>> {
        let path = crate::sys::beneath::final_path(dir)?;
        let mut out = Vec::new();
        for item in std::fs::read_dir(path)? {
            let Ok(item) = item else { continue };
            // On Windows the entry's metadata comes with the listing and
            // describes a link itself, not its target.
            let Ok(meta) = item.metadata() else { continue };
            out.push((item.file_name().as_encoded_bytes().to_vec(), Info::from_metadata(&meta)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_names_and_kinds() {
        let t = std::env::temp_dir().join(format!("netkit-dir-{}", std::process::id()));
        std::fs::create_dir_all(t.join("sub")).unwrap();
        std::fs::write(t.join("a.txt"), "abc").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("a.txt", t.join("link")).unwrap();
        let dir = crate::sys::beneath::Root::new(&t).unwrap().open::<&str>(&[]).unwrap().file;
        let mut got: Vec<(String, Kind, u64)> = entries(&dir)
            .unwrap()
            .into_iter()
            .map(|(n, i)| (String::from_utf8(n).unwrap(), i.kind, if i.kind == Kind::File { i.len } else { 0 }))
            .collect();
        let by_name = |a: &(String, Kind, u64), b: &(String, Kind, u64)| a.0.cmp(&b.0);
        got.sort_by(by_name);
        let mut want = vec![("a.txt".to_string(), Kind::File, 3), ("sub".to_string(), Kind::Dir, 0)];
        if cfg!(unix) {
            want.push(("link".to_string(), Kind::Symlink, 0));
        }
        want.sort_by(by_name);
        assert_eq!(got, want);
        let _ = std::fs::remove_dir_all(t);
    }
}
