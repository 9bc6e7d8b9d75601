"""Validates http-serve's responses with h11, a strict HTTP/1.1 parser.

Usage: h11_check.py HOST PORT

Sends a set of requests on one keep-alive connection (GET, HEAD, 206, 304,
404, 301, 416), then three pipelined requests on another, and lets h11 parse
every response; any framing error makes h11 raise and this script exit 1.
Prints one line per response: status and body length.
"""

import socket
import sys

import h11


def read_response(conn, sock):
    """Reads one whole response with h11; returns (status, headers, body)."""
    status, headers, body = None, None, b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = sock.recv(65536)
            conn.receive_data(data)
            continue
        if isinstance(event, h11.Response):
            status, headers = event.status_code, dict(event.headers)
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return status, headers, body
        elif isinstance(event, h11.ConnectionClosed):
            raise RuntimeError("connection closed mid-response")


def request(method, target, extra=()):
    headers = [("Host", "test")] + list(extra)
    return h11.Request(method=method, target=target, headers=headers)


def sequential(host, port):
    sock = socket.create_connection((host, port), timeout=20)
    conn = h11.Connection(h11.CLIENT)
    etag = None
    cases = [
        ("GET", "/a.txt", [], 200),
        ("HEAD", "/a.txt", [], 200),
        ("GET", "/a.txt", [("Range", "bytes=2-5")], 206),
        ("GET", "/a.txt", [("Range", "bytes=0-1,4-5")], 206),
        ("GET", "/a.txt", "etag", 304),
        ("GET", "/missing", [], 404),
        ("GET", "/dir", [], 301),
        ("GET", "/dir/", [], 200),
        ("GET", "/a.txt", [("Range", "bytes=999-")], 416),
        ("OPTIONS", "*", [], 204),
    ]
    for method, target, extra, want in cases:
        if extra == "etag":
            extra = [("If-None-Match", etag)]
        sock.sendall(conn.send(request(method, target, extra)))
        sock.sendall(conn.send(h11.EndOfMessage()))
        status, headers, body = read_response(conn, sock)
        if status != want:
            raise RuntimeError(f"{method} {target}: status {status}, wanted {want}")
        if etag is None:
            etag = headers[b"etag"].decode()
        print(f"{method} {target} {status} {len(body)}")
        conn.start_next_cycle()
    sock.close()


def pipelined(host, port):
    sock = socket.create_connection((host, port), timeout=20)
    targets = ["/a.txt", "/dir/", "/missing"]
    raw = b"".join(b"GET %s HTTP/1.1\r\nHost: test\r\n\r\n" % t.encode() for t in targets)
    sock.sendall(raw)
    leftover = b""
    for target in targets:
        conn = h11.Connection(h11.CLIENT)
        conn.send(request("GET", target))
        conn.send(h11.EndOfMessage())
        if leftover:
            conn.receive_data(leftover)
        status, _, body = read_response(conn, sock)
        leftover = conn.trailing_data[0]
        print(f"pipelined {target} {status} {len(body)}")
    sock.close()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    sequential(host, port)
    pipelined(host, port)
    print("h11: all responses valid")


if __name__ == "__main__":
    main()
