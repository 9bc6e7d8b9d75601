//! The echo service (RFC 862): every byte a client sends goes back to it.
//! A thread per client, up to a limit; past it a new client is closed at
//! once and a line says so. Runs until interrupted.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::link::{Inbound, Link};
use crate::listener::Listener;

/// Bytes echoed per read.
const CHUNK: usize = 64 * 1024;

/// Serves echo on `listener` forever.
pub fn serve(listener: &Listener, max_clients: usize, idle: Option<Duration>, verbose: bool) -> io::Result<()> {
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(pair) => pair,
            Err(e) if e.kind() == io::ErrorKind::Interrupted || e.kind() == io::ErrorKind::ConnectionAborted => {
                continue;
            }
            Err(e) if shared::sys::socket::out_of_descriptors(&e) => {
                // Out of descriptors: wait for clients to leave.
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(e) => return Err(e),
        };
        if active.load(Ordering::SeqCst) >= max_clients {
            eprintln!("tcp-echo: refusing {peer}: {max_clients} clients already connected");
            drop(stream);
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        if verbose {
            eprintln!("tcp-echo: connection from {peer}");
        }
        let count = active.clone();
        std::thread::spawn(move || {
            let result = echo(&stream, idle);
            count.fetch_sub(1, Ordering::SeqCst);
            match result {
                Ok(n) if verbose => eprintln!("tcp-echo: {peer} done, echoed {n} bytes"),
                Ok(_) => {}
                Err(e) => eprintln!("tcp-echo: {peer}: {}", shared::io_text::describe(&e)),
            }
        });
    }
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
