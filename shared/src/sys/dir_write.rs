//! Making, renaming and removing files inside a folder that is already
//! open (opened beneath a root by [`super::beneath`]), so an upload lands
//! in the very folder that was checked, never where a path names a moment
//! later: a new file that must not exist yet, a rename into place that
//! does not replace what is there (unless asked), and removal.
//!
//! | what | Unix | Windows |
//! |---|---|---|
//! | create | `openat(O_CREAT \| O_EXCL \| O_NOFOLLOW)` | `CreateFile(CREATE_NEW)` on the folder's final path |
//! | rename, keeping what is there | Linux `renameat2(RENAME_NOREPLACE)`; elsewhere, or where the file system refuses it, `linkat` then `unlinkat` (atomic: the link fails if the name is taken); where hard links are refused too, a look then `renameat` | `MoveFileExW` without replacing |
//! | rename, replacing | `renameat` | `MoveFileExW(MOVEFILE_REPLACE_EXISTING)` |
//! | remove | `unlinkat` | `DeleteFile` on the final path |
//!
//! Names are single names (no separators), as bytes; the caller checks
//! them.

use std::fs::File;
use std::io;

/// Creates the file `name` in the open folder `dir` for writing; fails
/// with `AlreadyExists` if the name is taken (by anything, a symlink too).
pub fn create_new(dir: &File, name: &[u8]) -> io::Result<File> {
    imp::create_new(dir, name)
}

/// Renames `from` to `to` inside the open folder `dir`. Without `replace`
/// an existing `to` is left alone and the answer is `AlreadyExists`.
pub fn rename(dir: &File, from: &[u8], to: &[u8], replace: bool) -> io::Result<()> {
    imp::rename(dir, from, to, replace)
}

/// Removes the file `name` from the open folder `dir`.
pub fn remove(dir: &File, name: &[u8]) -> io::Result<()> {
    imp::remove(dir, name)
}

#[cfg(unix)]
mod imp {
    use crate::sys::os;
    use rustix::fs::{AtFlags, Mode, OFlags};
    use rustix::io::Errno;
    use std::fs::File;
    use std::io;

    pub fn create_new(dir: &File, name: &[u8]) -> io::Result<File> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = crate::sys::retry(|| rustix::fs::openat(dir, name, flags, Mode::from_raw_mode(0o644)).map_err(os))?;
        Ok(File::from(fd))
    }

    pub fn rename(dir: &File, from: &[u8], to: &[u8], replace: bool) -> io::Result<()> {
        if replace {
            return rustix::fs::renameat(dir, from, dir, to).map_err(os);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if crate::sys::fast_paths() {
            match rustix::fs::renameat_with(dir, from, dir, to, rustix::fs::RenameFlags::NOREPLACE) {
                Ok(()) => return Ok(()),
                // Kernels before 3.15 and some file systems lack it.
                Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {}
                Err(e) => return Err(os(e)),
            }
        }
        match rustix::fs::linkat(dir, from, dir, to, AtFlags::empty()) {
            Ok(()) => {
                rustix::fs::unlinkat(dir, from, AtFlags::empty()).map_err(os)?;
                Ok(())
            }
            // File systems without hard links (FAT, some network ones).
            Err(Errno::PERM | Errno::OPNOTSUPP | Errno::MLINK) => {
                if rustix::fs::statat(dir, to, AtFlags::SYMLINK_NOFOLLOW).is_ok() {
                    return Err(io::Error::from(io::ErrorKind::AlreadyExists));
                }
                rustix::fs::renameat(dir, from, dir, to).map_err(os)
            }
            Err(e) => Err(os(e)),
        }
    }

    pub fn remove(dir: &File, name: &[u8]) -> io::Result<()> {
        rustix::fs::unlinkat(dir, name, AtFlags::empty()).map_err(os)
    }
}

#[cfg(windows)]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::windows::ffi::OsStrExt;
    use std::path::PathBuf;
    use windows_sys::Win32::Storage::FileSystem::{MOVEFILE_REPLACE_EXISTING, MoveFileExW};

    /// The path of `name` in the open folder `dir`, by the folder's final
    /// path (the open handle keeps it from being renamed meanwhile).
    fn path_in(dir: &File, name: &[u8]) -> io::Result<PathBuf> {
        let name = crate::sys::beneath::os_name(name)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a name Windows can hold"))?;
        Ok(crate::sys::beneath::final_path(dir)?.join(name))
    }

    pub fn create_new(dir: &File, name: &[u8]) -> io::Result<File> {
        std::fs::OpenOptions::new().write(true).create_new(true).open(path_in(dir, name)?)
    }

    pub fn rename(dir: &File, from: &[u8], to: &[u8], replace: bool) -> io::Result<()> {
        let wide = |p: PathBuf| p.as_os_str().encode_wide().chain(Some(0)).collect::<Vec<u16>>();
        let (from, to) = (wide(path_in(dir, from)?), wide(path_in(dir, to)?));
        let flags = if replace { MOVEFILE_REPLACE_EXISTING } else { 0 };
        // SAFETY: both are NUL-terminated UTF-16 strings that live across
        // the call.
        if unsafe { MoveFileExW(from.as_ptr(), to.as_ptr(), flags) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn remove(dir: &File, name: &[u8]) -> io::Result<()> {
        std::fs::remove_file(path_in(dir, name)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn create_rename_remove() {
        let t = std::env::temp_dir().join(format!("netkit-dir-write-{}", std::process::id()));
        std::fs::create_dir_all(&t).unwrap();
        let dir = crate::sys::beneath::Root::new(&t).unwrap().open::<&str>(&[]).unwrap().file;
        let mut f = create_new(&dir, b".part").unwrap();
        f.write_all(b"one").unwrap();
        drop(f);
        assert_eq!(create_new(&dir, b".part").unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        rename(&dir, b".part", b"final.txt", false).unwrap();
        assert_eq!(std::fs::read(t.join("final.txt")).unwrap(), b"one");
        assert!(!t.join(".part").exists());
        // A second file may not take the name, unless asked to.
        create_new(&dir, b".part2").unwrap().write_all(b"two").unwrap();
        assert_eq!(rename(&dir, b".part2", b"final.txt", false).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(t.join("final.txt")).unwrap(), b"one");
        rename(&dir, b".part2", b"final.txt", true).unwrap();
        assert_eq!(std::fs::read(t.join("final.txt")).unwrap(), b"two");
        remove(&dir, b"final.txt").unwrap();
        assert!(!t.join("final.txt").exists());
        let _ = std::fs::remove_dir_all(t);
    }
}
