//! `-e PROGRAM` and `-c 'SHELL COMMAND'`: the connection becomes a
//! program's stdin and stdout (its stderr stays tcp-echo's).
//!
//! Two directions, each a thread's: the peer's bytes go to the program
//! (spliced into its stdin on Linux), and the peer's end closes the
//! program's stdin; the program's bytes go to the peer, and the end of
//! its stdout (it exited, or closed it) half-closes the connection, after
//! every byte it wrote. A program that stops reading has the rest of the
//! peer's bytes read and dropped, so the peer never sees a reset that
//! could cost it what the program wrote. The session ends when both
//! directions have and the program has exited; its status is tcp-echo's
//! for a single connection.
//!
//! `-e` splits its value on whitespace into a program and its arguments
//! and starts it without a shell (as ncat does); `-c` runs `/bin/sh -c`
//! (`cmd.exe /C` on Windows, as ncat there). Whether the program can be
//! started is looked at before any connection is made.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use shared::sys::splice::MoveError;

use crate::cli::Cli;
use crate::error::Error;
use crate::link::{Inbound, Link, Peer};

/// How often a waiting read wakes to look at `-w`.
const TICK: Duration = Duration::from_millis(50);
/// Bytes of the program's output moved per read.
const CHUNK: usize = 64 * 1024;

/// What to run on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// `-e`: a program and its arguments, started without a shell.
    Exec(Vec<String>),
    /// `-c`: a command for the shell.
    Shell(String),
}

impl Program {
    /// The program the command line names, if any.
    pub fn from_cli(cli: &Cli) -> Option<Program> {
        match (&cli.exec, &cli.shell) {
            (Some(words), _) => Some(Program::Exec(words.split_whitespace().map(str::to_string).collect())),
            (None, Some(command)) => Some(Program::Shell(command.clone())),
            (None, None) => None,
        }
    }

    /// As messages name it: `` `sort -r` ``.
    pub fn shown(&self) -> String {
        match self {
            Program::Exec(words) => format!("`{}`", words.join(" ")),
            Program::Shell(command) => format!("`{command}`"),
        }
    }

    /// Looks before any connection is made at whether the program can be
    /// started: an empty `-e`, or a program that is not on PATH or not
    /// executable, is refused with the line tcp-echo would give later.
    pub fn check(&self) -> Result<(), Error> {
        let program = match self {
            Program::Exec(words) => match words.first() {
                Some(p) => p.as_str(),
                None => return Err(Error::NoProgram),
            },
            Program::Shell(command) if command.trim().is_empty() => return Err(Error::NoProgram),
            Program::Shell(_) => SHELL,
        };
        match find(program) {
            Some(_) => Ok(()),
            None => Err(Error::Spawn { program: self.shown(), source: not_found() }),
        }
    }

    fn command(&self) -> Command {
        match self {
            Program::Exec(words) => {
                let mut cmd = Command::new(&words[0]);
                cmd.args(&words[1..]);
                cmd
            }
            Program::Shell(command) => shell(command),
        }
    }
}

/// The shell `-c` runs.
#[cfg(not(windows))]
const SHELL: &str = "/bin/sh";
/// The shell `-c` runs.
#[cfg(windows)]
const SHELL: &str = "cmd.exe";

#[cfg(not(windows))]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new(SHELL);
    cmd.arg("-c").arg(command);
    cmd
}

#[cfg(windows)]
fn shell(command: &str) -> Command {
    use std::os::windows::process::CommandExt;
    let mut cmd = Command::new(SHELL);
    // cmd.exe reads its command line itself: hand it over unquoted.
    cmd.arg("/C").raw_arg(command);
    cmd
}

/// What the look before starting found: nothing to start.
fn not_found() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "not found, or not executable")
}

/// Where `program` would be started from: itself when it names a path,
/// else the first executable of that name on PATH (on Windows also with
/// the extensions PATHEXT lists).
fn find(program: &str) -> Option<PathBuf> {
    let path = Path::new(program);
    if path.components().count() > 1 || path.is_absolute() {
        return candidates(path).into_iter().find(|p| executable(p));
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&dirs).flat_map(|dir| candidates(&dir.join(program))).find(|p| executable(p))
}

/// The names `path` may be started by.
fn candidates(path: &Path) -> Vec<PathBuf> {
    let mut all = vec![path.to_path_buf()];
    if cfg!(windows) {
        let exts = std::env::var("PATHEXT").unwrap_or_else(|_| ".COM;.EXE;.BAT;.CMD".to_string());
        for ext in exts.split(';').filter(|e| !e.is_empty()) {
            let mut name: OsString = path.as_os_str().to_owned();
            name.push(ext);
            all.push(PathBuf::from(name));
        }
    }
    all
}

#[cfg(unix)]
fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// A pipe end of the child's as a plain file: splice and read take it.
#[cfg(unix)]
fn as_file(end: impl Into<std::os::fd::OwnedFd>) -> File {
    File::from(end.into())
}

/// A pipe end of the child's as a plain file.
#[cfg(windows)]
fn as_file(end: impl Into<std::os::windows::io::OwnedHandle>) -> File {
    File::from(end.into())
}

/// How a program's session ended.
#[derive(Debug)]
pub struct Ran {
    /// The program's exit status (128 + the signal for one killed by a
    /// signal, as shells say).
    pub status: u8,
    /// What went wrong with the connection meanwhile, if anything.
    pub trouble: Option<Error>,
}

/// Runs `program` with `link` as its stdin and stdout until both
/// directions are done and it has exited. `idle` (`-w`): no byte either
/// way for that long ends the connection and the program.
pub fn run(link: Link, peer: &Peer, program: &Program, idle: Option<Duration>, verbose: bool) -> Result<Ran, Error> {
    let mut child = program
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|source| Error::Spawn { program: program.shown(), source })?;
    if verbose {
        eprintln!("tcp-echo: started {} (process {}) for {peer}", program.shown(), child.id());
    }
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(Error::Spawn { program: program.shown(), source: io::Error::other("no pipes to the program") });
    };
    let link = Arc::new(link);
    let epoch = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let out = {
        let (link, last) = (link.clone(), last.clone());
        std::thread::spawn(move || program_to_peer(as_file(stdout), &link, &last, epoch))
    };
    let inbound = peer_to_program(&link, peer, as_file(stdin), &mut child, idle, &last, epoch);
    let status = child.wait().map_err(|source| Error::Spawn { program: program.shown(), source })?;
    let outbound = out.join().unwrap_or_else(|_| Err(io::Error::other("the copying thread failed")));
    let trouble = match (inbound, outbound) {
        (Err(e), _) => Some(e),
        (Ok(()), Err(source)) => Some(Error::Connection { peer: peer.clone(), source }),
        (Ok(()), Ok(())) => None,
    };
    let status = exit_status(&status);
    if verbose {
        eprintln!("tcp-echo: {} for {peer} exited with status {status}", program.shown());
    }
    Ok(Ran { status, trouble })
}

/// The program's output to the peer, then the half-close. A peer that
/// cannot take it any more has the pipe closed on the program, which
/// learns it from its next write.
fn program_to_peer(mut from: File, link: &Link, last: &AtomicU64, epoch: Instant) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return link.shutdown_write(),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        link.write_all(&buf[..n])?;
        last.store(epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }
}

/// The peer's bytes to the program until the peer's end, which closes the
/// program's stdin. When the program stops reading, the rest is read and
/// dropped. Watches `idle`: past it the program is stopped.
fn peer_to_program(
    link: &Link,
    peer: &Peer,
    to: File,
    child: &mut Child,
    idle: Option<Duration>,
    last: &AtomicU64,
    epoch: Instant,
) -> Result<(), Error> {
    if idle.is_some() {
        let _ = link.set_read_timeout(Some(TICK));
    }
    let mut inbound = Inbound::new();
    let mut to = Some(to);
    let mut drop_buf = Vec::new();
    loop {
        let step = match &to {
            Some(file) => inbound.move_to(link, file),
            None => {
                drop_buf.resize(CHUNK, 0);
                inbound.read(link, &mut drop_buf).map_err(MoveError::Read)
            }
        };
        let e = match step {
            Ok(0) => return Ok(()),
            Ok(_) => {
                last.store(epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
                continue;
            }
            // The program stopped reading (it closed stdin or exited):
            // what the peer still sends is dropped.
            Err(MoveError::Write(_)) => {
                to = None;
                continue;
            }
            Err(MoveError::Read(e)) => e,
            Err(other) => io::Error::other(other.to_string()),
        };
        let timed_out = matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut);
        if e.kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if e.kind() == io::ErrorKind::UnexpectedEof && link.is_tls() {
            return Err(Error::TlsUnconfirmed { peer: peer.clone() });
        }
        match idle {
            Some(limit) if timed_out => {
                let quiet = Duration::from_nanos(
                    (epoch.elapsed().as_nanos() as u64).saturating_sub(last.load(Ordering::Relaxed)),
                );
                if quiet >= limit {
                    let _ = child.kill();
                    return Err(Error::Idle { peer: peer.clone(), after: limit });
                }
            }
            _ => return Err(Error::Connection { peer: peer.clone(), source: e }),
        }
    }
}

/// A status as a shell would give it: the exit code, or 128 plus the
/// signal that ended the program.
fn exit_status(status: &std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(255);
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_shell() {
        assert_eq!(Program::Exec(vec!["sort".into(), "-r".into()]).shown(), "`sort -r`");
        assert_eq!(Program::Exec(vec![]).check().unwrap_err().to_string(), "-e/-c: no program given");
        assert_eq!(Program::Shell(" ".into()).check().unwrap_err().to_string(), "-e/-c: no program given");
        let missing = Program::Exec(vec!["/no/such/program".into()]).check().unwrap_err();
        assert_eq!(missing.to_string(), "cannot start `/no/such/program`: not found, or not executable");
    }

    #[cfg(unix)]
    #[test]
    fn found_on_path_or_by_path() {
        assert!(find("sh").is_some());
        assert!(find("/bin/sh").is_some());
        assert!(find("no-such-program-anywhere").is_none());
        // A file that is not executable is not a program.
        let dir = std::env::temp_dir().join(format!("netkit-exec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let plain = dir.join("plain");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        assert!(find(plain.to_str().unwrap()).is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
