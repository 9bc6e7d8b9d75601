//! `udpblast ADDR COUNT RATE SIZE`: sends COUNT datagrams of SIZE bytes to
//! ADDR at RATE datagrams per second (0: as fast as the socket takes
//! them), and prints how many it sent and how long that took.
//!
//! Pacing is per millisecond: each tick sends its share, then sleeps to the
//! next tick, so the rate holds without a busy loop.

use std::net::UdpSocket;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, count, rate, size] = args.as_slice() else {
        eprintln!("usage: udpblast ADDR COUNT RATE SIZE");
        return ExitCode::from(2);
    };
    let (Ok(count), Ok(rate), Ok(size)) = (count.parse::<u64>(), rate.parse::<u64>(), size.parse::<usize>()) else {
        eprintln!("udpblast: COUNT, RATE and SIZE are numbers");
        return ExitCode::from(2);
    };
    let socket = match UdpSocket::bind("127.0.0.1:0").and_then(|s| s.connect(addr.as_str()).map(|()| s)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("udpblast: {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut payload = vec![b'x'; size.max(8)];
    payload.truncate(size);
    let start = Instant::now();
    let mut sent: u64 = 0;
    let mut failed: u64 = 0;
    let per_tick = if rate == 0 { u64::MAX } else { rate.div_ceil(1000) };
    let mut tick = 0u64;
    while sent + failed < count {
        let due = if rate == 0 { count } else { ((tick + 1) * rate / 1000).min(count) };
        let mut in_tick = 0;
        while sent + failed < due && in_tick < per_tick {
            let n = (sent + failed).to_le_bytes();
            let k = payload.len().min(8);
            payload[..k].copy_from_slice(&n[..k]);
            match socket.send(&payload) {
                Ok(_) => sent += 1,
                Err(_) => failed += 1,
            }
            in_tick += 1;
        }
        tick += 1;
        if rate != 0 {
            let next = start + Duration::from_millis(tick);
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
    }
    let took = start.elapsed().as_secs_f64();
    println!("{sent} {failed} {took:.3}");
    ExitCode::SUCCESS
}
