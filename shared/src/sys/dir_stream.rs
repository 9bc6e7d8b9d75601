//! The entries of an open folder one at a time, for walks over trees of
//! any size in constant memory (an archive of a folder): where
//! [`super::dir::entries`] collects a folder's names, this holds one
//! buffer of the system's directory records and gives each name as it
//! comes. Each is described as [`super::dir`] describes it (symlinks not
//! followed); an entry that vanishes while it is read is left out.

use std::fs::File;
use std::io;

use super::dir::Entry;

/// Reads the folder `dir` (taken: the stream owns it).
pub fn stream(dir: File) -> io::Result<Entries> {
    imp::stream(dir)
}

/// The entries still to come of one folder, in the system's order.
#[derive(Debug)]
pub struct Entries(imp::Entries);

impl Iterator for Entries {
    type Item = io::Result<Entry>;

    fn next(&mut self) -> Option<io::Result<Entry>> {
        self.0.next()
    }
}

#[cfg(unix)]
mod imp {
    use super::Entry;
    use crate::sys::os;
    use rustix::fs::{AtFlags, Dir};
    use std::fs::File;
    use std::io;

    #[derive(Debug)]
    pub struct Entries {
        /// The open folder and its buffer of records (at most tens of
        /// kilobytes, however many entries).
        dir: Dir,
    }

    pub fn stream(dir: File) -> io::Result<super::Entries> {
        Ok(super::Entries(Entries { dir: Dir::new(std::os::fd::OwnedFd::from(dir)).map_err(os)? }))
    }

    impl Entries {
        pub fn next(&mut self) -> Option<io::Result<Entry>> {
            loop {
                let item = match self.dir.next()? {
                    Ok(item) => item,
                    Err(e) => return Some(Err(os(e))),
                };
                let name = item.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let Ok(fd) = self.dir.fd() else { return Some(Err(io::Error::other("folder closed"))) };
                let Ok(stat) = rustix::fs::statat(fd, item.file_name(), AtFlags::SYMLINK_NOFOLLOW) else {
                    continue;
                };
                return Some(Ok((name.to_vec(), crate::sys::dir::info(&stat))));
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use super::Entry;
    use crate::sys::dir::Info;
    use std::fs::File;
    use std::io;

    #[derive(Debug)]
    pub struct Entries {
        /// Read by the folder's final path; the open handle keeps it from
        /// being renamed or removed meanwhile.
        items: std::fs::ReadDir,
        _dir: File,
    }

    pub fn stream(dir: File) -> io::Result<super::Entries> {
        let path = crate::sys::beneath::final_path(&dir)?;
        Ok(super::Entries(Entries { items: std::fs::read_dir(path)?, _dir: dir }))
    }

    impl Entries {
        pub fn next(&mut self) -> Option<io::Result<Entry>> {
            loop {
                let item = match self.items.next()? {
                    Ok(item) => item,
                    Err(e) => return Some(Err(e)),
                };
                let Ok(meta) = item.metadata() else { continue };
                return Some(Ok((item.file_name().as_encoded_bytes().to_vec(), Info::from_metadata(&meta))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::dir::Kind;

    #[test]
    fn gives_what_entries_collects() {
        let t = std::env::temp_dir().join(format!("netkit-dir-stream-{}", std::process::id()));
        std::fs::create_dir_all(t.join("sub")).unwrap();
        for i in 0..2000 {
            std::fs::write(t.join(format!("file-{i}")), "x").unwrap();
        }
        let root = crate::sys::beneath::Root::new(&t).unwrap();
        let mut collected = crate::sys::dir::entries(&root.open::<&str>(&[]).unwrap().file).unwrap();
        let mut streamed: Vec<Entry> =
            stream(root.open::<&str>(&[]).unwrap().file).unwrap().collect::<io::Result<_>>().unwrap();
        collected.sort_by(|a, b| a.0.cmp(&b.0));
        streamed.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(streamed, collected);
        assert_eq!(streamed.len(), 2001);
        assert!(streamed.iter().any(|(n, i)| n == b"sub" && i.kind == Kind::Dir));
        let _ = std::fs::remove_dir_all(t);
    }
}
