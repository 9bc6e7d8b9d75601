//! A second loopback address for tests that need a peer from somewhere
//! else (access lists): 127.0.0.2, where the system really sends from it.

use std::net::{IpAddr, UdpSocket};
use std::time::Duration;

/// The second address.
pub const SECOND: &str = "127.0.0.2";

/// True when a socket bound to 127.0.0.2 is seen from there: loopback on
/// Linux; not where 127.0.0.2 is not an address (macOS by default), nor
/// under Wine, which binds it but sends from 127.0.0.1. Prints a
/// `skipped:` line when it is not.
pub fn second_address() -> bool {
    let seen = (|| {
        let to = UdpSocket::bind("127.0.0.1:0").ok()?;
        let from = UdpSocket::bind((SECOND, 0)).ok()?;
        from.send_to(b"?", to.local_addr().ok()?).ok()?;
        to.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        let (_, source) = to.recv_from(&mut [0u8; 4]).ok()?;
        Some(source.ip() == IpAddr::from([127, 0, 0, 2]))
    })();
    if seen != Some(true) {
        eprintln!("skipped: a socket bound to {SECOND} is not seen from there on this system");
    }
    seen == Some(true)
}
