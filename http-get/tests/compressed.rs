//! `--compressed`: each coding decoded as it streams (chunked too), never
//! without the option, a body that does not decode (61) leaving nothing
//! behind, a resume asking for the plain bytes, keep-alive after a decoded
//! body. (`--max-filesize` and bombs, which measure memory, are in
//! `max_filesize.rs`, alone in their process.)

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use common::*;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// `body` in chunks of 1000 bytes, with the head's fields.
fn chunked(fields: &[&str], body: &[u8]) -> Vec<u8> {
    let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n".to_vec();
    for f in fields {
        wire.extend_from_slice(format!("{f}\r\n").as_bytes());
    }
    wire.extend_from_slice(b"\r\n");
    for piece in body.chunks(1000) {
        wire.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        wire.extend_from_slice(piece);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

fn names_in(dir: &TempDir) -> Vec<String> {
    std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn each_coding_decoded_and_never_without_the_option() {
    let data = harness::pseudo_random(1, 200_000).iter().map(|b| b % 16 + b'a').collect::<Vec<u8>>();
    let mut raw_deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    raw_deflate.write_all(&data).unwrap();
    let raw_deflate = raw_deflate.finish().unwrap();
    let brotli = [27u8, 34, 0, 248, 37, 65, 208, 210, 162, 155, 32, 64, 13];
    let brotli_text = b"hi hi hi hi hi hi hi hi hi hi hi hi".to_vec();
    let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (response("200 OK", &["Content-Encoding: gzip"], &gzip(&data)), data.clone()),
        (chunked(&["Content-Encoding: gzip"], &gzip(&data)), data.clone()),
        (response("200 OK", &["Content-Encoding: deflate"], &zlib(&data)), data.clone()),
        (response("200 OK", &["Content-Encoding: deflate"], &raw_deflate), data.clone()),
        (response("200 OK", &["Content-Encoding: br"], &brotli), brotli_text),
        (chunked(&["Content-Encoding: zstd"], &zstd(&data)), data.clone()),
        (
            response("200 OK", &["Content-Encoding: deflate", "Content-Encoding: gzip"], &gzip(&zlib(&data))),
            data.clone(),
        ),
        (response("200 OK", &["Content-Encoding: identity"], b"plain"), b"plain".to_vec()),
        (response("200 OK", &[], b"plain"), b"plain".to_vec()),
    ];
    for (i, (wire, want)) in cases.iter().enumerate() {
        let s = Scripted::start(vec![reply(wire.clone()), reply(wire.clone())]);
        let r = http_get(&["--compressed", &s.url("/")]);
        assert_eq!(r.code, Some(0), "case {i}: {}", r.stderr);
        assert!(r.stdout == *want, "case {i}: decoded");
        assert!(s.requests()[0].contains("\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n"));
        // Without --compressed: the bytes as sent, nothing asked.
        let r = http_get(&[&s.url("/")]);
        assert_eq!(r.code, Some(0), "case {i}: {}", r.stderr);
        assert!(!s.requests()[1].contains("Accept-Encoding"));
        let body_start = wire.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        if !wire.starts_with(b"HTTP/1.1 200 OK\r\nTransfer-Encoding") {
            assert!(r.stdout == wire[body_start..], "case {i}: not decoded");
        }
    }
}

/// A body that does not decode, a coding not known, data after the
/// stream: 61, with nothing left behind, even with -c.
#[test]
fn undecodable_bodies_are_61_and_leave_nothing() {
    let data = vec![b'x'; 100_000];
    let mut cut = gzip(&data);
    cut[20] ^= 0xff;
    let mut trailing = zstd(b"zstd body");
    trailing.extend_from_slice(b"garbage");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (response("200 OK", &["Content-Encoding: gzip"], &cut), "the gzip body does not decode"),
        (response("200 OK", &["Content-Encoding: gzip"], b"not gzip"), "the gzip body does not decode"),
        (response("200 OK", &["Content-Encoding: compress"], b"x"), "unknown content coding `compress`"),
        (response("200 OK", &["Content-Encoding: zstd"], &trailing), "zstd"),
    ];
    for (wire, words) in cases {
        for args in [&[][..], &["-c"]] {
            let dir = TempDir::new("undecodable");
            let s = Scripted::start(vec![reply(wire.clone())]);
            let url = s.url("/");
            let mut all = vec!["--compressed", "-o", "f"];
            all.extend_from_slice(args);
            all.push(&url);
            let r = http_get_in(dir.path(), &all);
            assert_eq!(r.code, Some(61), "{words} {args:?}: {}", r.stderr);
            assert!(r.stderr.contains(words), "{}", r.stderr);
            assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
            assert!(names_in(&dir).is_empty(), "{words} {args:?}: {:?}", names_in(&dir));
        }
    }
}

/// A resumed download asks for the plain bytes (its part is decoded), and
/// a decoded body leaves its connection for the next URL.
#[test]
fn resume_asks_for_identity_and_keep_alive_survives_decoding() {
    let dir = TempDir::new("compressed-resume");
    std::fs::write(dir.join("f.part"), b"01234").unwrap();
    let range = "Content-Range: bytes 5-9/10";
    let s = Scripted::start(vec![reply(response("206 Partial Content", &[range], b"56789"))]);
    let r = http_get_in(dir.path(), &["--compressed", "-c", "-o", "f", &s.url("/f")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"0123456789");
    let request = &s.requests()[0];
    assert!(request.contains("\r\nRange: bytes=5-\r\n") && !request.contains("Accept-Encoding"), "{request}");
    let both = Scripted::start(vec![Box::new(|s: &mut std::net::TcpStream, _: &[u8]| {
        let _ = s.write_all(&response("200 OK", &["Content-Encoding: gzip"], &gzip(b"first")));
        if !harness::scripted::read_request(s).is_empty() {
            let _ = s.write_all(&response("200 OK", &["Content-Encoding: gzip"], &gzip(b" second")));
        }
    }) as Script]);
    let r = http_get(&["--compressed", &both.url("/1"), &both.url("/2")]);
    assert_eq!((r.code, r.stdout.as_slice()), (Some(0), &b"first second"[..]), "{}", r.stderr);
}
