//! The chunked decoder on any bytes, read in small pieces: it ends, errs or
//! yields data, never more payload than input, never a panic.
#![no_main]

use std::io::{BufReader, Read};

use libfuzzer_sys::fuzz_target;
use shared::http::chunked::ChunkedReader;

fuzz_target!(|data: &[u8]| {
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut reader = ChunkedReader::new(BufReader::with_capacity(step, data));
    let mut buf = vec![0u8; step];
    let mut total = 0usize;
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                total += n;
                assert!(total <= data.len());
            }
        }
    }
});
