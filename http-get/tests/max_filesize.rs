//! `--max-filesize` and decompression bombs, in a test binary of their
//! own: a child's peak memory, as the system reports it, counts what its
//! parent (this test process) held when it was started, so nothing else
//! runs here beside the measurements.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use common::*;

/// `body` in chunks of 1000 bytes.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for piece in body.chunks(1000) {
        wire.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        wire.extend_from_slice(piece);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

/// The null device.
const NULL: &str = if cfg!(windows) { "NUL" } else { "/dev/null" };

fn names_in(dir: &TempDir) -> Vec<String> {
    std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

/// --max-filesize: by Content-Length before reading, by counting when the
/// length is not known or the body is decoded (a gzip bomb), 63 and
/// nothing left; a bomb decoded in little memory.
#[test]
fn max_filesize_and_bombs() {
    // 64 MiB of zeros, compressed a MiB at a time: the test process never
    // holds them (a child's peak memory counts its parent's at the start).
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    let cases: Vec<(Vec<u8>, Vec<&str>, i32)> = vec![
        (response("200 OK", &[], &[b'a'; 5000]), vec!["--max-filesize", "4k"], 63),
        (response("200 OK", &[], &[b'a'; 4096]), vec!["--max-filesize", "4k"], 0),
        (chunked(&[b'a'; 5000]), vec!["--max-filesize", "4k"], 63),
        (response("200 OK", &["Content-Encoding: gzip"], &bomb), vec!["--compressed", "--max-filesize", "1M"], 63),
        (response("200 OK", &["Content-Encoding: gzip"], &bomb), vec!["--compressed", "-o", NULL], 0),
    ];
    for (wire, args, want) in cases {
        let dir = TempDir::new("max-filesize");
        let s = Scripted::start(vec![reply(wire)]);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_http-get"));
        let out = dir.join("f");
        if !args.contains(&NULL) {
            cmd.arg("-o").arg(&out);
        }
        cmd.args(&args).arg(s.url("/"));
        let (r, peak) = harness::run_measured(cmd, HANG);
        assert_eq!(r.code, Some(want), "{args:?}: {}", r.stderr);
        assert!(harness::memory_within(peak, 16 * 1024), "{args:?}: peak {peak} KiB");
        if want == 63 {
            assert!(r.stderr.contains("larger than --max-filesize"), "{}", r.stderr);
            assert!(names_in(&dir).is_empty(), "{args:?}");
        }
    }
}
