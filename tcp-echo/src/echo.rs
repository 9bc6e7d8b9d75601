//! The echo service (RFC 862): every byte a client sends goes back to it.
//! A thread per client, up to a limit; past it a new client is closed at
//! once and a line says so. Runs until interrupted.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Bytes echoed per read.
const CHUNK: usize = 64 * 1024;

/// Serves echo on `listener` forever.
pub fn serve(listener: TcpListener, max_clients: usize, idle: Option<Duration>, verbose: bool) -> io::Result<()> {
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
        let peer = std::net::SocketAddr::new(peer.ip().to_canonical(), peer.port());
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
fn echo(stream: &TcpStream, idle: Option<Duration>) -> io::Result<u64> {
    stream.set_read_timeout(idle)?;
    stream.set_write_timeout(idle)?;
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0;
    let (mut reader, mut writer) = (stream, stream);
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        writer.write_all(&buf[..n])?;
        total += n as u64;
    }
    stream.shutdown(Shutdown::Write)?;
    Ok(total)
}
