//! A response head and the body length it implies (RFC 9112 6.3): any
//! bytes give a decision or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::http::framing::{BodyLength, response_body};
use shared::http::head::Limits;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some((head, used))) = shared::http::response::parse_response(data, &Limits::default()) {
        assert!(used <= data.len());
        for head_request in [false, true] {
            if let Ok(length) = response_body(head_request, head.status, &head.headers) {
                if head_request || head.status == 204 || head.status == 304 || (100..200).contains(&head.status) {
                    assert_eq!(length, BodyLength::None);
                }
            }
        }
        let _ = head.status_line();
    }
});
