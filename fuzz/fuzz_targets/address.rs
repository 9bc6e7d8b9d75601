//! Addresses as users type them: any text parses or gives a typed error
//! whose message can be printed; a parsed address prints back as one that
//! parses to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::net::addr::{HostPort, ListenSpec, parse_host, parse_port};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match HostPort::parse(text) {
        Ok(hp) => {
            let again = HostPort::parse(&hp.to_string()).expect("a printed address parses");
            assert_eq!(again, hp);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let _ = ListenSpec::parse(text).map_err(|e| e.to_string());
    let _ = parse_host(text).map_err(|e| e.to_string());
    let _ = parse_port(text).map_err(|e| e.to_string());
    if let Some((h, p)) = text.split_once(' ') {
        let _ = HostPort::from_parts(h, p).map_err(|e| e.to_string());
    }
});
