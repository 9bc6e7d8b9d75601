//! Opening a path beneath a folder, never outside it, in as few system
//! calls as the system allows, with the check and the open done together
//! so nothing can be swapped in between.
//!
//! - **Linux** (5.6 and later): one `openat2(RESOLVE_BENEATH)` call. The
//!   kernel refuses any `..`, absolute symlink or symlink that would leave
//!   the folder. A path without symlinks is opened with
//!   `RESOLVE_NO_SYMLINKS`; one with a symlink is opened again allowing
//!   them, and where it really leads is read from `/proc/self/fd`.
//! - **Every other Unix** (macOS, FreeBSD, and Linux without `openat2`): a
//!   walk that opens one name at a time with `openat(O_NOFOLLOW)` relative
//!   to the folder opened before it, and resolves symlinks itself by the
//!   same rules: an absolute target or a `..` above the folder is outside,
//!   more than 40 links is a loop. FreeBSD adds `O_RESOLVE_BENEATH` to each
//!   step as a second guard.
//! - **Windows**: the path is opened (as a verbatim `\\?\` path, so Windows
//!   strips no trailing dots and maps no device names), then the opened
//!   handle's final path (`GetFinalPathNameByHandleW`: links, junctions and
//!   8.3 short names all resolved) must lie inside the folder's own. A name
//!   found only because Windows ignores case is not found, as on a system
//!   that does not.
//!
//! Either way the caller learns the names of what was really opened when a
//! link made them differ from the names asked for, so rules about names
//! (hidden files) apply to where a link leads too.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Most symlinks followed in one path (Linux's own limit).
#[cfg(unix)]
const MAX_LINKS: usize = 40;

/// How a [`Root`] opens paths beneath itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// One `openat2(RESOLVE_BENEATH)` call (Linux).
    Openat2,
    /// One `openat(O_NOFOLLOW)` per name, symlinks resolved here (Unix).
    Walk,
    /// Open, then check the handle's final path (Windows).
    FinalPath,
}

/// Why a path could not be opened beneath the root.
#[derive(Debug)]
#[non_exhaustive]
pub enum BeneathError {
    /// A name that cannot be one step of a path here: empty, `.`, `..`,
    /// containing a separator or NUL (on Windows also `\`, `:`, or not
    /// Unicode).
    BadName,
    /// The path leads outside the root (a symlink out, an absolute
    /// symlink, a `..` above the root).
    Outside,
    /// More symlinks than allowed, or a loop of them.
    Loop,
    /// The system refused: nothing there, permission denied, not a folder.
    Io(io::Error),
}

impl fmt::Display for BeneathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BeneathError::BadName => f.write_str("not a valid file name"),
            BeneathError::Outside => f.write_str("leads outside the folder"),
            BeneathError::Loop => f.write_str("too many symbolic links"),
            BeneathError::Io(e) => f.write_str(&crate::io_text::describe(e)),
        }
    }
}

impl std::error::Error for BeneathError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BeneathError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// A path opened beneath the root.
#[derive(Debug)]
pub struct Opened {
    /// The file or folder, opened for reading without blocking (a FIFO
    /// cannot stall the caller).
    pub file: File,
    /// The names below the root of what was really opened, when symlinks
    /// made them differ from the names asked for (`None`: as asked).
    pub real: Option<Vec<Vec<u8>>>,
}

/// A folder that paths are opened beneath.
#[derive(Debug)]
pub struct Root {
    /// The folder, absolute, symlinks resolved.
    path: PathBuf,
    /// The system's handle on it and how it opens beneath it.
    imp: imp::Root,
}

impl Root {
    /// Opens `path` (made absolute, symlinks resolved) with the best
    /// method this system has.
    pub fn new(path: &Path) -> io::Result<Root> {
        let path = std::fs::canonicalize(path)?;
        let imp = imp::Root::new(&path, None)?;
        Ok(Root { path, imp })
    }

    /// Opens `path` with the given method; `Unsupported` where this system
    /// lacks it. Tests use it to run the fallback beside the fast path.
    pub fn with_method(path: &Path, method: Method) -> io::Result<Root> {
        let path = std::fs::canonicalize(path)?;
        let imp = imp::Root::new(&path, Some(method))?;
        Ok(Root { path, imp })
    }

    /// The folder: absolute, symlinks resolved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How paths are opened beneath this root.
    pub fn method(&self) -> Method {
        self.imp.method()
    }

    /// Opens the path made of `names` (each one step: not empty, not `.`
    /// or `..`, no separator) beneath the root; no names opens the root.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("netkit-doc-beneath-{}", std::process::id()));
    /// # std::fs::create_dir_all(dir.join("sub")).unwrap();
    /// # std::fs::write(dir.join("sub/a.txt"), "a").unwrap();
    /// use shared::sys::beneath::{BeneathError, Root};
    ///
    /// let root = Root::new(&dir).unwrap();
    /// let opened = root.open(&["sub", "a.txt"]).unwrap();
    /// assert_eq!(std::io::read_to_string(opened.file).unwrap(), "a");
    /// assert!(matches!(root.open(&[".."]), Err(BeneathError::BadName)));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn open<S: AsRef<[u8]>>(&self, names: &[S]) -> Result<Opened, BeneathError> {
        for name in names {
            if !valid_name(name.as_ref()) {
                return Err(BeneathError::BadName);
            }
        }
        self.imp.open(&self.path, names)
    }
}

/// One step of a path: not empty, not `.` or `..`, no `/` or NUL; on
/// Windows also no `\` or `:` (which Windows reads as separators, drives
/// and streams).
fn valid_name(name: &[u8]) -> bool {
    let special: &[u8] = if cfg!(windows) { b"/\0\\:" } else { b"/\0" };
    !name.is_empty() && name != b"." && name != b".." && !name.iter().any(|b| special.contains(b))
}

/// A name's bytes (as a URL or a listing carries them) as an OS string:
/// any bytes on Unix; on Windows, WTF-8 (UTF-8, or the encoded form of a
/// name that is not valid UTF-16), `None` otherwise.
pub fn os_name(name: &[u8]) -> Option<Cow<'_, OsStr>> {
    #[cfg(unix)]
    {
        Some(Cow::Borrowed(std::os::unix::ffi::OsStrExt::from_bytes(name)))
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStringExt;
        match std::str::from_utf8(name) {
            Ok(s) => Some(Cow::Borrowed(OsStr::new(s))),
            Err(_) => crate::names::wtf8_to_utf16(name).map(|w| Cow::Owned(std::ffi::OsString::from_wide(&w))),
        }
    }
}

impl Root {
    /// Opens the path made of `names` below the root, following symlinks
    /// wherever they lead (the caller chose to: `--follow-symlinks`),
    /// without blocking on a FIFO. The same names are refused as by
    /// [`Root::open`]; on Windows a name found only because Windows
    /// ignores case is not found either.
    pub fn open_following<S: AsRef<[u8]>>(&self, names: &[S]) -> Result<Opened, BeneathError> {
        let mut full = self.path.clone();
        for name in names {
            let name = name.as_ref();
            if !valid_name(name) {
                return Err(BeneathError::BadName);
            }
            full.push(os_name(name).ok_or(BeneathError::BadName)?);
        }
        let real = std::fs::canonicalize(&full).map_err(BeneathError::Io)?;
        if cfg!(windows)
            && let Ok(below) = real.strip_prefix(&self.path)
            && case_alias(&names_of(below), names)
        {
            return Err(BeneathError::Io(io::Error::from(io::ErrorKind::NotFound)));
        }
        let file = imp::open_anywhere(&real).map_err(BeneathError::Io)?;
        Ok(Opened { file, real: None })
    }
}

/// True when `real` names the same path as `asked` except for case: what
/// a case-insensitive system finds and a case-sensitive one does not.
fn case_alias<S: AsRef<[u8]>>(real: &[Vec<u8>], asked: &[S]) -> bool {
    let fold = |n: &[u8]| String::from_utf8_lossy(n).to_lowercase();
    real.len() == asked.len()
        && real.iter().zip(asked).any(|(r, a)| r.as_slice() != a.as_ref())
        && real.iter().zip(asked).all(|(r, a)| fold(r) == fold(a.as_ref()))
}

/// Splits a path below the root into its names' bytes.
fn names_of(path: &Path) -> Vec<Vec<u8>> {
    path.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.as_encoded_bytes().to_vec()),
            _ => None,
        })
        .collect()
}

#[cfg(unix)]
mod imp {
    use super::{BeneathError, MAX_LINKS, Method, Opened};
    use crate::sys::{os, retry};
    use rustix::fs::{Mode, OFlags};
    use rustix::io::Errno;
    use std::collections::VecDeque;
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsFd, OwnedFd};
    use std::path::Path;

    #[derive(Debug)]
    pub struct Root {
        /// The root folder, opened once.
        dir: OwnedFd,
        /// How to open beneath it.
        method: Method,
    }

    /// Flags of the file finally opened: read-only, and non-blocking so a
    /// FIFO or a device cannot stall the caller (who checks the type on
    /// the returned handle, so what is checked is what is read).
    fn final_flags() -> OFlags {
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
    }

    impl Root {
        pub fn new(path: &Path, method: Option<Method>) -> io::Result<Root> {
            let dir = rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
                .map_err(os)?;
            let method = match method {
                Some(Method::Openat2) if openat2_works(&dir) => Method::Openat2,
                Some(Method::Walk) => Method::Walk,
                Some(_) => return Err(io::Error::from(io::ErrorKind::Unsupported)),
                None if crate::sys::fast_paths() && openat2_works(&dir) => Method::Openat2,
                None => Method::Walk,
            };
            Ok(Root { dir, method })
        }

        pub fn method(&self) -> Method {
            self.method
        }

        pub fn open<S: AsRef<[u8]>>(&self, root: &Path, names: &[S]) -> Result<Opened, BeneathError> {
            match self.method {
                Method::Openat2 => self.openat2(root, names),
                _ => self.walk(names),
            }
        }

        fn openat2<S: AsRef<[u8]>>(&self, root: &Path, names: &[S]) -> Result<Opened, BeneathError> {
            let mut rel = Vec::new();
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    rel.push(b'/');
                }
                rel.extend_from_slice(n.as_ref());
            }
            if rel.is_empty() {
                rel.push(b'.');
            }
            match openat2(&self.dir, &rel, false) {
                Ok(fd) => return Ok(Opened { file: File::from(fd), real: None }),
                Err(e) if Errno::from_io_error(&e) != Some(Errno::LOOP) => return Err(refusal(e)),
                Err(_) => {}
            }
            // A symlink on the way: allowed where it stays beneath the
            // root (the kernel checks); where it leads is read back.
            let fd = openat2(&self.dir, &rel, true).map_err(refusal)?;
            let real = std::fs::read_link(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd)))
                .map_err(BeneathError::Io)?;
            let below = real.strip_prefix(root).map_err(|_| BeneathError::Outside)?;
            Ok(Opened { file: File::from(fd), real: Some(super::names_of(below)) })
        }

        fn walk<S: AsRef<[u8]>>(&self, names: &[S]) -> Result<Opened, BeneathError> {
            // The folders opened so far below the root, with their names.
            let mut opened: Vec<(OwnedFd, Vec<u8>)> = Vec::new();
            let mut todo: VecDeque<Vec<u8>> = names.iter().map(|n| n.as_ref().to_vec()).collect();
            let mut links = 0;
            while let Some(name) = todo.pop_front() {
                match name.as_slice() {
                    b"" | b"." => continue,
                    b".." => {
                        if opened.pop().is_none() {
                            return Err(BeneathError::Outside);
                        }
                        continue;
                    }
                    _ => {}
                }
                let last = todo.iter().all(|n| n.is_empty() || n == b".");
                let base = opened.last().map_or(self.dir.as_fd(), |(fd, _)| fd.as_fd());
                let mut flags = OFlags::NOFOLLOW | step_guard();
                flags |= if last { final_flags() } else { OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC };
                let err = match retry(|| rustix::fs::openat(base, name.as_slice(), flags, Mode::empty()).map_err(os)) {
                    Ok(fd) => {
                        opened.push((fd, name));
                        continue;
                    }
                    Err(e) => e,
                };
                // O_NOFOLLOW refuses a symlink with ELOOP (EMLINK on
                // FreeBSD; ENOTDIR on Linux when O_DIRECTORY is asked for
                // too); anything else is the answer.
                if !matches!(Errno::from_io_error(&err), Some(Errno::LOOP | Errno::MLINK | Errno::NOTDIR)) {
                    return Err(refusal(err));
                }
                let target = match rustix::fs::readlinkat(base, name.as_slice(), Vec::new()) {
                    Ok(t) => t.into_bytes(),
                    // Not a symlink after all: the first error stands.
                    Err(Errno::INVAL) => return Err(refusal(err)),
                    Err(e) => return Err(refusal(os(e))),
                };
                links += 1;
                if links > MAX_LINKS {
                    return Err(BeneathError::Loop);
                }
                if target.first() == Some(&b'/') {
                    return Err(BeneathError::Outside);
                }
                for step in target.split(|&b| b == b'/').rev() {
                    todo.push_front(step.to_vec());
                }
            }
            let real = (links > 0).then(|| opened.iter().map(|(_, n)| n.clone()).collect());
            let file = match opened.pop() {
                Some((fd, _)) => File::from(fd),
                None => File::from(
                    retry(|| rustix::fs::openat(&self.dir, ".", final_flags(), Mode::empty()).map_err(os))
                        .map_err(refusal)?,
                ),
            };
            Ok(Opened { file, real })
        }
    }

    pub fn open_anywhere(path: &Path) -> io::Result<File> {
        retry(|| rustix::fs::open(path, final_flags(), Mode::empty()).map_err(os)).map(File::from)
    }

    /// FreeBSD's kernel check that one step stays beneath its folder.
    #[cfg(target_os = "freebsd")]
    fn step_guard() -> OFlags {
        OFlags::RESOLVE_BENEATH
    }

    #[cfg(not(target_os = "freebsd"))]
    fn step_guard() -> OFlags {
        OFlags::empty()
    }

    /// Leaving the root (EXDEV) and symlink loops get their own answers;
    /// everything else is the system's.
    fn refusal(e: io::Error) -> BeneathError {
        match Errno::from_io_error(&e) {
            Some(Errno::XDEV) => BeneathError::Outside,
            Some(Errno::LOOP) => BeneathError::Loop,
            _ => BeneathError::Io(e),
        }
    }

    #[cfg(target_os = "linux")]
    fn openat2(dir: &OwnedFd, rel: &[u8], symlinks: bool) -> io::Result<OwnedFd> {
        use rustix::fs::ResolveFlags;
        let mut resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
        if !symlinks {
            resolve |= ResolveFlags::NO_SYMLINKS;
        }
        retry(|| rustix::fs::openat2(dir, rel, final_flags(), Mode::empty(), resolve).map_err(os))
    }

    #[cfg(not(target_os = "linux"))]
    fn openat2(_dir: &OwnedFd, _rel: &[u8], _symlinks: bool) -> io::Result<OwnedFd> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    /// True when openat2 works here (Linux 5.6 and later, no filter in the
    /// way).
    fn openat2_works(dir: &OwnedFd) -> bool {
        openat2(dir, b".", false).is_ok()
    }
}

#[cfg(windows)]
mod imp {
    use super::{BeneathError, Method, Opened};
    use std::ffi::OsString;
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::windows::ffi::OsStringExt;
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::path::{Path, PathBuf};
    use windows_sys::Win32::Storage::FileSystem::{
        FILE_FLAG_BACKUP_SEMANTICS, FILE_NAME_NORMALIZED, GetFinalPathNameByHandleW, VOLUME_NAME_DOS,
    };

    #[derive(Debug)]
    pub struct Root {
        /// The root's own final path, as the system names it.
        final_path: PathBuf,
    }

    impl Root {
        pub fn new(path: &Path, method: Option<Method>) -> io::Result<Root> {
            if method.is_some_and(|m| m != Method::FinalPath) {
                return Err(io::Error::from(io::ErrorKind::Unsupported));
            }
            let dir = open(path)?;
            Ok(Root { final_path: final_path(&dir)? })
        }

        pub fn method(&self) -> Method {
            Method::FinalPath
        }

        pub fn open<S: AsRef<[u8]>>(&self, root: &Path, names: &[S]) -> Result<Opened, BeneathError> {
            let mut path = root.to_path_buf();
            for n in names {
                path.push(super::os_name(n.as_ref()).ok_or(BeneathError::BadName)?);
            }
            let file = open(&path).map_err(BeneathError::Io)?;
            let real = final_path(&file).map_err(BeneathError::Io)?;
            let below = real.strip_prefix(&self.final_path).map_err(|_| BeneathError::Outside)?;
            let real = super::names_of(below);
            // Windows found the name in another case (`INDEX.HTML` for
            // `index.html`); a case-sensitive system would not, so neither
            // does this.
            if super::case_alias(&real, names) {
                return Err(BeneathError::Io(io::Error::from(io::ErrorKind::NotFound)));
            }
            let same = real.len() == names.len() && real.iter().zip(names).all(|(r, n)| r.as_slice() == n.as_ref());
            Ok(Opened { file, real: (!same).then_some(real) })
        }
    }

    pub fn open_anywhere(path: &Path) -> io::Result<File> {
        open(path)
    }

    /// Opens a file or a folder for reading (folders need backup
    /// semantics to be opened at all).
    fn open(path: &Path) -> io::Result<File> {
        OpenOptions::new().read(true).custom_flags(FILE_FLAG_BACKUP_SEMANTICS).open(path)
    }

    /// Where an open file really is: its final path, every link, junction
    /// and short name resolved.
    pub fn final_path(file: &File) -> io::Result<PathBuf> {
        let mut buf: Vec<u16> = vec![0; 512];
        loop {
            let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
            // SAFETY: the handle is open for the call (borrowed from
            // `file`); `buf` is valid for writes of `len` UTF-16 units.
            let n = unsafe {
                GetFinalPathNameByHandleW(
                    file.as_raw_handle(),
                    buf.as_mut_ptr(),
                    len,
                    FILE_NAME_NORMALIZED | VOLUME_NAME_DOS,
                )
            } as usize;
            if n == 0 {
                return Err(io::Error::last_os_error());
            }
            if n < buf.len() {
                buf.truncate(n);
                return Ok(PathBuf::from(OsString::from_wide(&buf)));
            }
            // Too small: `n` is the size needed, terminating NUL included.
            buf.resize(n + 1, 0);
        }
    }
}

/// Where an open file really is (Windows: its final path), for the folder
/// reader.
#[cfg(windows)]
pub(crate) use imp::final_path;

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree with files, a dot-file, and symlinks out of the root, into
    /// it, to a hidden name, in a loop, absolute, and to the folder above.
    #[cfg(unix)]
    fn tree() -> (PathBuf, PathBuf) {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::env::temp_dir().join(format!("netkit-beneath-{}-{n}", std::process::id()));
        let root = t.join("root");
        std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();
        std::fs::write(root.join(".env"), "secret").unwrap();
        std::fs::write(t.join("secret.txt"), "outside").unwrap();
        let link = |to: &str, at: PathBuf| std::os::unix::fs::symlink(to, at);
        std::os::unix::fs::symlink(t.join("secret.txt"), root.join("abs-out")).unwrap();
        std::os::unix::fs::symlink(root.join("sub/a.txt"), root.join("abs-in")).unwrap();
        link("../secret.txt", root.join("rel-out")).unwrap();
        link("sub/a.txt", root.join("in")).unwrap();
        link("../a.txt", root.join("sub/deeper/up")).unwrap();
        link("deeper/../../.env", root.join("sub/to-hidden")).unwrap();
        link("loop2", root.join("loop1")).unwrap();
        link("loop1", root.join("loop2")).unwrap();
        link("..", root.join("updir")).unwrap();
        link("sub", root.join("subdir-link")).unwrap();
        (t, root)
    }

    /// The outcome as text: the real names (or "as asked"), or the error.
    #[cfg(unix)]
    fn outcome(root: &Root, path: &str) -> String {
        let names: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match root.open(&names) {
            Ok(o) => match o.real {
                None => "ok".to_string(),
                Some(real) => {
                    real.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect::<Vec<_>>().join("/")
                }
            },
            Err(BeneathError::Io(e)) => format!("io {:?}", e.kind()),
            Err(e) => format!("{e:?}"),
        }
    }

    /// Every method this system has gives the same answer for every path.
    #[cfg(unix)]
    #[test]
    fn methods_agree() {
        let (t, root) = tree();
        let cases: &[(&str, &str)] = &[
            ("", "ok"),
            ("sub/a.txt", "ok"),
            ("sub/deeper", "ok"),
            (".env", "ok"),
            ("in", "sub/a.txt"),
            ("sub/deeper/up", "sub/a.txt"),
            ("sub/to-hidden", ".env"),
            ("subdir-link/a.txt", "sub/a.txt"),
            ("abs-out", "Outside"),
            ("abs-in", "Outside"),
            ("rel-out", "Outside"),
            ("updir", "Outside"),
            ("updir/secret.txt", "Outside"),
            ("loop1", "Loop"),
            ("missing", "io NotFound"),
            ("sub/a.txt/x", "io NotADirectory"),
            ("..", "BadName"),
            ("sub/../a", "BadName"),
        ];
        let mut methods = vec![Root::with_method(&root, Method::Walk).unwrap()];
        if let Ok(r) = Root::with_method(&root, Method::Openat2) {
            methods.push(r);
        }
        for r in &methods {
            for (path, want) in cases {
                assert_eq!(outcome(r, path), *want, "{path:?} by {:?}", r.method());
            }
        }
        let _ = std::fs::remove_dir_all(t);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_opens_without_blocking() {
        let (t, root) = tree();
        let fifo = root.join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        for method in [Method::Walk, Method::Openat2] {
            if let Ok(r) = Root::with_method(&root, method) {
                let opened = r.open(&["fifo"]).unwrap();
                assert!(!opened.file.metadata().unwrap().is_file());
            }
        }
        let _ = std::fs::remove_dir_all(t);
    }

    #[test]
    fn case_alias_table() {
        let v = |names: &[&str]| names.iter().map(|n| n.as_bytes().to_vec()).collect::<Vec<_>>();
        let cases: &[(&[&str], &[&str], bool)] = &[
            (&["index.html"], &["index.html"], false),
            (&["index.html"], &["INDEX.HTML"], true),
            (&["Docs", "a.txt"], &["docs", "a.txt"], true),
            (&["caf\u{e9}"], &["CAF\u{c9}"], true),
            (&["sub", "a.txt"], &["in"], false),
            (&["target.txt"], &["link.txt"], false),
        ];
        for (real, asked, want) in cases {
            assert_eq!(case_alias(&v(real), &v(asked)), *want, "{real:?} for {asked:?}");
        }
    }

    #[test]
    fn name_table() {
        let cases: &[(&[u8], bool)] = &[
            (b"a.txt", true),
            (b".env", true),
            (b"", false),
            (b".", false),
            (b"..", false),
            (b"a/b", false),
            (b"a\0b", false),
            (b"a\\b", cfg!(unix)),
            (b"c:x", cfg!(unix)),
        ];
        for (name, want) in cases {
            assert_eq!(valid_name(name), *want, "{}", String::from_utf8_lossy(name));
        }
    }
}
