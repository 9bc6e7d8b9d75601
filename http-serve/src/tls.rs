//! `--tls`: the server's certificate, from `--tls-cert`/`--tls-key`, or
//! made now, self-signed and kept only in memory, valid for every name and
//! address the start-up lines print (so a phone that opens any of them
//! sees a certificate for it, and a person can compare the fingerprint
//! printed with the one the browser shows). Built with the `tls` feature;
//! without it `--tls` is refused in one line.

use crate::addresses::Place;
use crate::cli::Cli;
use crate::error::Error;

/// The certificate the server will present, and the line that describes it.
#[derive(Debug)]
pub struct Identity {
    /// What rustls serves with.
    #[cfg(feature = "tls")]
    pub config: std::sync::Arc<rustls::ServerConfig>,
    /// SHA-256 of the certificate, hex pairs joined by colons.
    pub fingerprint: String,
    /// Made now (self-signed), or loaded from files.
    pub self_signed: bool,
}

impl Identity {
    /// The start-up line about the certificate.
    pub fn note(&self) -> String {
        let kind = if self.self_signed { "self-signed, made now, kept in memory only" } else { "from --tls-cert" };
        format!("TLS certificate ({kind}), SHA-256 fingerprint: {}", self.fingerprint)
    }
}

/// The DNS names and addresses in `places`' URLs (with `localhost`).
pub fn names_and_addresses(places: &[Place]) -> (Vec<String>, Vec<std::net::IpAddr>) {
    let mut names = vec!["localhost".to_string()];
    let mut addrs = Vec::new();
    for p in places {
        let host = p.url.split("://").nth(1).unwrap_or("").rsplit_once(':').map_or("", |(h, _)| h);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<std::net::IpAddr>() {
            Ok(ip) if !addrs.contains(&ip) => addrs.push(ip),
            Ok(_) => {}
            Err(_) if !bare.is_empty() && !names.iter().any(|n| n == bare) => names.push(bare.to_string()),
            Err(_) => {}
        }
    }
    (names, addrs)
}

/// The identity `--tls` asks for.
#[cfg(feature = "tls")]
pub fn identity(cli: &Cli, places: &[Place]) -> Result<Identity, Error> {
    let alpn = [b"http/1.1".to_vec()];
    let (id, self_signed) = match (&cli.tls_cert, &cli.tls_key) {
        (Some(cert), Some(key)) => (shared::tls::server::from_files(cert, key, &alpn).map_err(Error::Tls)?, false),
        _ => {
            let (names, addrs) = names_and_addresses(places);
            (shared::tls::server::self_signed(&names, &addrs, &alpn).map_err(Error::Tls)?, true)
        }
    };
    Ok(Identity { config: id.config, fingerprint: id.fingerprint, self_signed })
}

/// `--tls` in a build without TLS.
#[cfg(not(feature = "tls"))]
pub fn identity(_cli: &Cli, _places: &[Place]) -> Result<Identity, Error> {
    Err(Error::NoTls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printed_host_is_in_the_certificate() {
        let place = |url: &str| Place { url: url.into(), note: None, lan: true };
        let places = [
            place("https://[::1]:8443/"),
            place("https://127.0.0.1:8443/"),
            place("https://192.0.2.2:8443/"),
            place("https://[fd00::2]:8443/"),
            place("https://laptop:8443/"),
        ];
        let (names, addrs) = names_and_addresses(&places);
        assert_eq!(names, ["localhost", "laptop"]);
        let want: Vec<std::net::IpAddr> =
            ["::1", "127.0.0.1", "192.0.2.2", "fd00::2"].iter().map(|a| a.parse().unwrap()).collect();
        assert_eq!(addrs, want);
    }
}
