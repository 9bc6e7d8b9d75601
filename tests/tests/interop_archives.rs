//! http-serve's folder downloads read by the archivers people use: GNU
//! tar, bsdtar (libarchive), Info-ZIP's unzip, and Python's zipfile and
//! tarfile. Each archive is listed, tested and extracted, and what comes
//! out must be exactly what the server serves: the same names (bytes),
//! the same contents, every folder (empty ones too), and nothing the
//! server would refuse (hidden names, links out, FIFOs). Then an archive
//! past 4 GiB made of sparse files, with ZIP64 and pax where needed.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::{Capture, Running, TempDir, peer, peers};

const LIMIT: Duration = Duration::from_secs(300);

fn serve(dir: &Path, args: &[&str]) -> (Running, SocketAddr) {
    let mut cmd = Command::new(harness::bin("http-serve"));
    cmd.args(["-p", "0", "-q"]).args(args).arg(dir);
    let run = harness::start(cmd, Capture::Both);
    let addr = run.addr_on_stdout(" at ");
    (run, addr)
}

/// Downloads `path` into `dest`, leaving holes where the body is zeros
/// (an archive of sparse files stays sparse on disk). Returns the head
/// and the bytes received; panics if the body is not whole.
fn download(addr: SocketAddr, path: &str, dest: &Path) -> (String, u64) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "head cut");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let len: u64 = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .map(|v| v.trim().parse().unwrap())
        .expect("a Content-Length");
    let mut out = std::fs::File::create(dest).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut got = 0u64;
    while got < len {
        let want = buf.len().min((len - got) as usize);
        let n = s.read(&mut buf[..want]).unwrap();
        assert!(n > 0, "body cut at {got} of {len}");
        if buf[..n].iter().all(|&b| b == 0) {
            out.seek(SeekFrom::Current(n as i64)).unwrap();
        } else {
            out.write_all(&buf[..n]).unwrap();
        }
        got += n as u64;
    }
    out.set_len(len).unwrap();
    assert_eq!(s.read(&mut byte).unwrap_or(0), 0, "nothing past the Content-Length");
    (head, got)
}

/// A tree with what a real folder has: nested and empty folders, names in
/// UTF-8 (and, on Unix, not), a long path, and what must be left out.
fn tree(dir: &TempDir) -> (PathBuf, BTreeMap<Vec<u8>, Option<Vec<u8>>>) {
    let site = dir.join("shared files");
    let mut want: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
    let mut file = |rel: &[u8], body: Vec<u8>| {
        let p = site.join(harness::os_name(rel));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &body).unwrap();
        want.insert(rel.to_vec(), Some(body));
    };
    file(b"a.txt", b"alpha\n".to_vec());
    file(b"sub/b.bin", harness::pseudo_random(7, 1 << 20));
    file(b"sub/deeper/c.txt", b"c".to_vec());
    file("caf\u{e9} \u{2603}.txt".as_bytes(), b"unicode".to_vec());
    let long = format!("long/{}.txt", "n".repeat(120));
    file(long.as_bytes(), b"long".to_vec());
    file(b"zero.bin", Vec::new());
    if cfg!(unix) {
        file(b"raw-\xff.bin", b"latin".to_vec());
    }
    std::fs::create_dir_all(site.join("empty")).unwrap();
    for d in [&b"sub"[..], b"sub/deeper", b"empty", b"long"] {
        want.insert(d.to_vec(), None);
    }
    // Left out: hidden names, and on Unix links out, a link to a folder,
    // a FIFO.
    std::fs::write(site.join(".env"), "secret").unwrap();
    std::fs::create_dir_all(site.join(".git/objects")).unwrap();
    std::fs::write(site.join(".git/objects/x"), "x").unwrap();
    std::fs::write(dir.join("outside.txt"), "outside").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("a.txt", site.join("link-in")).unwrap();
        want.insert(b"link-in".to_vec(), Some(b"alpha\n".to_vec()));
        std::os::unix::fs::symlink(dir.join("outside.txt"), site.join("link-out")).unwrap();
        std::os::unix::fs::symlink("sub", site.join("link-dir")).unwrap();
        let fifo = site.join("pipe");
        assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    }
    (site, want)
}

/// What is under `root`, as the tree fixture describes it.
fn read_tree(root: &Path) -> BTreeMap<Vec<u8>, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(root.to_path_buf(), Vec::new())];
    while let Some((dir, rel)) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let mut name = rel.clone();
            if !name.is_empty() {
                name.push(b'/');
            }
            name.extend_from_slice(e.file_name().as_encoded_bytes());
            if e.file_type().unwrap().is_dir() {
                out.insert(name.clone(), None);
                stack.push((e.path(), name));
            } else {
                out.insert(name, Some(std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out
}

/// A tree's names with each file's length and a hash of its bytes, so a
/// difference prints short.
fn short(tree: BTreeMap<Vec<u8>, Option<Vec<u8>>>) -> BTreeMap<Vec<u8>, Option<(usize, u64)>> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    tree.into_iter()
        .map(|(k, v)| {
            let v = v.map(|b| {
                let mut h = DefaultHasher::new();
                b.hash(&mut h);
                (b.len(), h.finish())
            });
            (k, v)
        })
        .collect()
}

fn run(program: &str, args: &[&str], cwd: &Path) -> harness::Finished {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(cwd);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(0), "{program} {args:?}: {}{}", String::from_utf8_lossy(&out.stdout), out.stderr);
    out
}

fn python_check(kind: &str, archive: &Path) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/archive_check.py");
    let mut cmd = Command::new(peers::python());
    cmd.arg(script).arg(kind).arg(archive);
    let out = harness::run(cmd, None, LIMIT);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.code, Some(0), "{text}{}", out.stderr);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(lines.pop().as_deref(), Some("ok"));
    lines
}

#[test]
fn tar_and_bsdtar_and_unzip_and_python_read_what_is_served() {
    let dir = TempDir::new("archives");
    let (site, want) = tree(&dir);
    let (_server, addr) = serve(&site, &[]);
    let top = b"shared files";
    for (format, readers) in [("tar", &["tar", "bsdtar"][..]), ("zip", &["unzip", "bsdtar"][..])] {
        let archive = dir.join(format!("got.{format}"));
        let (head, len) = download(addr, &format!("/?download={format}"), &archive);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(
            head.contains(&format!(
                "Content-Disposition: attachment; filename=\"shared_files.{format}\"; filename*=UTF-8''shared%20files.{format}\r\n"
            )),
            "{head}"
        );
        assert!(len > 1 << 20);
        for reader in readers {
            if !peer(reader) {
                continue;
            }
            let out_dir = dir.join(format!("out-{format}-{reader}"));
            std::fs::create_dir_all(&out_dir).unwrap();
            let a = archive.to_str().unwrap();
            match *reader {
                "unzip" => {
                    let t = run("unzip", &["-t", a], &out_dir);
                    let text = String::from_utf8_lossy(&t.stdout);
                    assert!(text.contains("No errors detected"), "{text}");
                    run("unzip", &["-q", a], &out_dir);
                }
                other => {
                    run(other, &["-tf", a], &out_dir);
                    run(other, &["-xf", a], &out_dir);
                }
            }
            let mut got = short(read_tree(&out_dir.join(harness::os_name(top))));
            let mut expect = short(want.clone());
            if *reader == "unzip" {
                // Info-ZIP's unzip takes a name without zip's UTF-8 flag
                // as a code page's and rewrites it; only names that are
                // UTF-8 keep their bytes there (Python and bsdtar below
                // and above see the stored bytes).
                let rewritten = expect.keys().filter(|k| std::str::from_utf8(k).is_err()).count();
                expect.retain(|k, _| std::str::from_utf8(k).is_ok());
                let before = got.len();
                got.retain(|k, _| expect.contains_key(k));
                assert_eq!(before - got.len(), rewritten, "only the names that are not UTF-8 differ");
            }
            assert_eq!(got, expect, "{format} read by {reader}");
        }
        if peers::python_has(&["zipfile", "tarfile"]) {
            let members = python_check(format, &archive);
            // Folders too, the top first; names byte for byte.
            let mut names: Vec<Vec<u8>> = members
                .iter()
                .map(|l| {
                    let hex = l.rsplit(' ').next().unwrap();
                    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
                })
                .collect();
            assert_eq!(names[0], b"shared files/");
            names.remove(0);
            let mut expect: Vec<Vec<u8>> = want
                .iter()
                .map(|(k, v)| {
                    let mut n = top.to_vec();
                    n.push(b'/');
                    n.extend_from_slice(k);
                    if v.is_none() {
                        n.push(b'/');
                    }
                    n
                })
                .collect();
            names.sort();
            expect.sort();
            assert_eq!(names, expect, "{format} read by Python");
        }
    }
}

/// An archive past 4 GiB: a sparse file of 4 GiB and a bit (ZIP64 sizes;
/// in tar, a plain ustar size) and a file after it (a ZIP64 offset), read
/// back by unzip, tar and Python. (More than 65,535 entries are in
/// http-serve's own archive tests, read back by Python.)
#[test]
fn an_archive_past_4_gib_of_sparse_files() {
    let dir = TempDir::new("archive-4g");
    let site = dir.join("big");
    std::fs::create_dir_all(&site).unwrap();
    let size: u64 = (4 << 30) + (1 << 20);
    let f = std::fs::File::create(site.join("disk.img")).unwrap();
    f.set_len(size).unwrap();
    {
        let mut f = f;
        f.seek(SeekFrom::Start(size - 6)).unwrap();
        f.write_all(b"marker").unwrap();
    }
    std::fs::write(site.join("zz-after.txt"), "after the big one").unwrap();
    let (_server, addr) = serve(&site, &[]);
    for format in ["zip", "tar"] {
        let archive = dir.join(format!("big.{format}"));
        let (_, len) = download(addr, &format!("/?download={format}"), &archive);
        assert!(len > size, "{format}: {len}");
        let a = archive.to_str().unwrap();
        match format {
            "zip" if peer("unzip") => {
                let t = run("unzip", &["-t", a], dir.path());
                assert!(String::from_utf8_lossy(&t.stdout).contains("No errors detected"));
                let p = run("unzip", &["-p", a, "big/zz-after.txt"], dir.path());
                assert_eq!(p.stdout, b"after the big one");
            }
            "tar" if peer("tar") => {
                let p = run("tar", &["-xOf", a, "big/zz-after.txt"], dir.path());
                assert_eq!(p.stdout, b"after the big one");
            }
            _ => {}
        }
        if peers::python_has(&["zipfile", "tarfile"]) {
            let members = python_check(format, &archive);
            assert!(members.iter().any(|l| l.starts_with(&format!("file {size} "))), "{members:?}");
        }
        let _ = std::fs::remove_file(&archive);
    }
}
