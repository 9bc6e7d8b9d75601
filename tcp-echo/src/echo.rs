//! The echo service (RFC 862): every byte a client sends goes back to it.
//! A thread per client, up to a limit (the listener's `serve_each`).
//! Runs until interrupted.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

use crate::link::{Inbound, Link};
use crate::listener::Listener;

/// Bytes echoed per read.
const CHUNK: usize = 64 * 1024;

/// Serves echo on `listener` forever, with TLS's handshake first when
/// `tls` is given.
pub fn serve(
    listener: &Listener,
    max_clients: usize,
    idle: Option<Duration>,
    verbose: bool,
    tls: Option<Arc<crate::tls::Server>>,
) -> io::Result<()> {
    listener.serve_each(max_clients, verbose, move |link, peer| {
        let link = match crate::tls::secure(tls.as_deref(), link, peer) {
            Ok(link) => link,
            Err(e) => return eprintln!("tcp-echo: {e}"),
        };
        let echoed = echo(&link, idle);
        let tls = link.is_tls();
        link.close();
        match echoed {
            Ok(n) if verbose => eprintln!("tcp-echo: {peer} done, echoed {n} bytes"),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && tls => {
                eprintln!("tcp-echo: {}", Error::TlsUnconfirmed { peer: peer.clone() });
            }
            Err(e) => eprintln!("tcp-echo: {peer}: {}", shared::io_text::describe(&e)),
        }
    })
}

/// Echoes until the client's FIN, then half-closes back.
fn echo(link: &Link, idle: Option<Duration>) -> io::Result<u64> {
    link.set_read_timeout(idle)?;
    link.set_write_timeout(idle)?;
    link.set_nodelay();
    let mut inbound = Inbound::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0;
    loop {
        let n = match inbound.read(link, &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        link.write_all(&buf[..n])?;
        total += n as u64;
    }
    link.shutdown_write()?;
    Ok(total)
}
