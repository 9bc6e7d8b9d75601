//! `--trace`: the simple server's steps for each kind of request (a file,
//! a listing, a 404, HEAD, a kept connection, one that closes), between
//! the socket primitives that carry them. Only the sequence is checked:
//! numbers read `N`.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use harness::http::Conn;
use harness::trace::{assert_in_order, count, shapes};

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn each_request_kind_shows_the_servers_steps() {
    let dir = TempDir::new("trace-serve");
    std::fs::write(dir.join("index.html"), "<h1>hi</h1>\n").unwrap();
    std::fs::create_dir(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/big.bin"), vec![7u8; 2 << 20]).unwrap();
    let server = Server::start(dir.path(), &["--trace"]);
    let mut conn = Conn::open(server.addr);
    assert_eq!(conn.request(&request("GET", "/index.html", &[])).status, 200);
    assert_eq!(conn.request(&request("GET", "/docs/", &[])).status, 200);
    assert_eq!(conn.request(&request("GET", "/missing.html", &[])).status, 404);
    conn.send(&request("HEAD", "/index.html", &[]));
    assert_eq!(conn.read(true).status, 200);
    let last = conn.request(&request("GET", "/docs/big.bin", &["Connection: close"]));
    assert_eq!(last.body.len(), 2 << 20);
    assert!(conn.closed_by_peer());
    // The server drains until the client closes too; then it closes.
    drop(conn);
    let stderr = server.run.stderr.as_ref().unwrap();
    stderr.wait_for(WAIT, |l| l.starts_with("close(").then_some(()));
    let lines = stderr.all();
    assert_in_order(
        &lines,
        &[
            // Ready before any client: socket, bind, listen.
            "socket(AF_INET, SOCK_STREAM) = fd N",
            "bind(fd N, N.N.N.N:N) = port N",
            "listen(fd N, backlog N)",
            // 1. accept; 2. read the head; 3. fetch the file; 4. build the
            // response; 5. send it; 6. keep the connection.
            "accept(fd N) = fd N, peer N.N.N.N:N",
            "recv(fd N) = N bytes",
            "read head: GET /index.html HTTP/N.N",
            "open /index.html beneath the root = a file of N bytes",
            "build response: status N, body N bytes, then keep the connection",
            "send(fd N) = N bytes",
            "sent body: N bytes by copy",
            "response sent: keep it for the next request",
            // A folder: its listing is made here.
            "read head: GET /docs/ HTTP/N.N",
            "open /docs/ beneath the root = a folder",
            "build response: status N, body N bytes, then keep the connection",
            "sent body: N bytes by copy (made while sent)",
            // Nothing there: a 404 page, the connection kept.
            "read head: GET /missing.html HTTP/N.N",
            "open /missing.html beneath the root = refused: nothing there",
            "build response: status N, body N bytes, then keep the connection",
            "response sent: keep it for the next request",
            // HEAD: the head alone.
            "read head: HEAD /index.html HTTP/N.N",
            "build response: status N, body N bytes, then keep the connection",
            "sent body: N bytes by nothing (HEAD: the head alone)",
            // The client asked to close: the last response, FIN, close.
            "read head: GET /docs/big.bin HTTP/N.N",
            "open /docs/big.bin beneath the root = a file of N MiB",
            "build response: status N, body N MiB, then close",
            "sent body: N MiB by ",
            "response sent: close it",
            "shutdown(fd N, write)",
            "close(fd N)",
        ],
    );
    let shapes = shapes(&lines);
    // One connection carried all five requests.
    assert_eq!(count(&lines, "accept("), 1, "{shapes:?}");
    assert_eq!(count(&lines, "read head: "), 5, "{shapes:?}");
    // The big file went by sendfile where the kernel does it, else by copy.
    let by = if cfg!(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))
        && std::env::var_os("NETKIT_PORTABLE").is_none_or(|v| v == "0")
    {
        "sendfile"
    } else {
        "copy (read and send)"
    };
    assert!(shapes.iter().any(|l| l.starts_with("sent body: N MiB by ") && l.ends_with(by)), "{shapes:?}");
}
