//! A request head, its target and its framing: any bytes give a head, "need
//! more", or a typed error; never a panic, and the head never claims more
//! bytes than it was given.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::http::head::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(Some((head, used))) = shared::http::request::parse_request(data, &limits) {
        assert!(used <= data.len());
        assert!(used <= limits.max_head);
        let _ = head.keep_alive();
        let _ = shared::http::framing::request_body(&head.headers);
        if let Ok(target) = shared::http::target::parse_target(&head.target) {
            let _ = target.path();
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = shared::http::target::parse_target(text);
    }
});
