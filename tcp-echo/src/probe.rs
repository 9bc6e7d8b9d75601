//! `-z`: which ports accept a TCP connection. Nothing is sent; each
//! connection is closed as soon as it is made. Ports are probed several at
//! a time and reported in order.

use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use shared::net::addr::{AddrError, Family};

/// Probes in flight at once.
const PARALLEL: usize = 32;

/// An inclusive port range from `80` or `20-25`.
pub fn parse_ports(s: &str) -> Result<(u16, u16), AddrError> {
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (shared::net::addr::parse_port(a)?, shared::net::addr::parse_port(b)?),
        None => {
            let p = shared::net::addr::parse_port(s)?;
            (p, p)
        }
    };
    if lo > hi {
        return Err(AddrError::BadPort(s.to_string()));
    }
    Ok((lo, hi))
}

/// The outcome for one port.
#[derive(Debug)]
pub struct Probe {
    /// The port.
    pub port: u16,
    /// `Ok` when some address accepted; else why the last one did not.
    pub result: Result<SocketAddr, String>,
}

/// Probes `ports` on `host`, each address under `timeout`; calls `report`
/// in port order.
pub fn probe(
    host: &str,
    ports: (u16, u16),
    family: Family,
    timeout: Duration,
    mut report: impl FnMut(&Probe),
) -> Result<usize, AddrError> {
    let ips: Vec<std::net::IpAddr> = shared::net::addr::resolve(host, 0, family)?.into_iter().map(|a| a.ip()).collect();
    let all: Vec<u16> = (ports.0..=ports.1).collect();
    let mut open = 0;
    for batch in all.chunks(PARALLEL) {
        let (tx, rx) = mpsc::channel();
        for &port in batch {
            let tx = tx.clone();
            let ips = ips.clone();
            std::thread::spawn(move || {
                let mut last = String::from("no address");
                for ip in ips {
                    match TcpStream::connect_timeout(&SocketAddr::new(ip, port), timeout) {
                        Ok(_) => {
                            let _ = tx.send(Probe { port, result: Ok(SocketAddr::new(ip, port)) });
                            return;
                        }
                        Err(e) => last = shared::io_text::describe(&e),
                    }
                }
                let _ = tx.send(Probe { port, result: Err(last) });
            });
        }
        drop(tx);
        let mut results: Vec<Probe> = rx.iter().collect();
        results.sort_by_key(|p| p.port);
        for p in &results {
            if p.result.is_ok() {
                open += 1;
            }
            report(p);
        }
    }
    Ok(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_table() {
        let cases: &[(&str, Option<(u16, u16)>)] = &[
            ("80", Some((80, 80))),
            ("20-25", Some((20, 25))),
            ("0-65535", Some((0, 65535))),
            ("25-20", None),
            ("1-", None),
            ("-5", None),
            ("65536", None),
            ("a-b", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_ports(input).ok(), *want, "{input}");
        }
    }
}
