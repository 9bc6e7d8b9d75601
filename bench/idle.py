#!/usr/bin/env python3
"""Holds N idle keep-alive connections open to an HTTP server.

Usage: idle.py HOST PORT N PATH

Opens N connections, sends one GET for PATH on each and reads its whole
response (so the server has accepted the connection, answered, and is now
keeping it alive), then prints `ready N` and holds them all open until it
is killed or 60 s pass. bench/run reads the server's RSS meanwhile.
"""

import socket
import sys
import time


def fetch(sock, request):
    """Sends one request and reads one Content-Length-framed response."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        body += chunk


def main():
    host, port, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (path, host, port)).encode()
    held = []
    for _ in range(count):
        sock = socket.create_connection((host, port), timeout=10)
        fetch(sock, request)
        held.append(sock)
    print("ready %d" % len(held), flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
