//! Range headers resolved against file lengths: whatever the header, every
//! range is non-empty, inside the file, sorted and apart from the others.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::http::range::{Selection, parse, resolve};

fuzz_target!(|data: &[u8]| {
    let (len_bytes, header) = data.split_at(data.len().min(8));
    let mut raw = [0u8; 8];
    raw[..len_bytes.len()].copy_from_slice(len_bytes);
    let len = u64::from_le_bytes(raw);
    let Some(specs) = parse(header, 16) else { return };
    assert!(!specs.is_empty() && specs.len() <= 16);
    for len in [len, len % 4096, 0, 1, u64::MAX] {
        if let Selection::Partial(ranges) = resolve(&specs, len) {
            let mut previous_end = None;
            for r in &ranges {
                assert!(r.start < r.end && r.end <= len, "{r:?} outside 0..{len}");
                if let Some(end) = previous_end {
                    assert!(r.start > end, "ranges overlap or touch");
                }
                previous_end = Some(r.end);
            }
        }
    }
});
