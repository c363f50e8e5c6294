#!/usr/bin/env python3
"""A Linux-side HTTP/1.1 keep-alive client (the kernel's TCP through a Python socket):
one connection, one request, the full response read, then idle for up to IDLE seconds; it
closes the connection itself unless the server closed first.

  ka_client.py HOST PORT PATH IDLE

Prints "port N" (its local port), "status N", "body N" (bytes), then "closer server" (EOF
came while idle) or "closer client" (IDLE passed: we closed), and "idle S" (seconds from the
end of the response to the close). Exit 0 unless something went wrong (then "error ...").
"""
import select
import socket
import sys
import time


def main(argv):
    host, port, path, idle = argv[1], int(argv[2]), argv[3], float(argv[4])
    s = socket.create_connection((host, port), timeout=10)
    print(f"port {s.getsockname()[1]}", flush=True)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: ka_client.py\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        b = s.recv(65536)
        if not b:
            print("error: EOF before the end of the headers")
            return 1
        buf += b
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "-1"))
    if length < 0:
        print("error: no Content-Length")
        return 1
    while len(body) < length:
        b = s.recv(65536)
        if not b:
            print(f"error: EOF after {len(body)} of {length} body bytes")
            return 1
        body += b
    print(f"status {status}")
    print(f"body {len(body)}")
    if len(body) != length:
        print(f"error: {len(body) - length} bytes after the body")
        return 1
    if headers.get("connection", "").lower() == "close":
        print("error: the server answered Connection: close")
        return 1
    start = time.monotonic()
    r, _, _ = select.select([s], [], [], idle)
    elapsed = time.monotonic() - start
    if r:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            print("error: connection reset by the server while idle")
            return 1
        if b:
            print(f"error: {len(b)} unexpected bytes while idle")
            return 1
        print("closer server")
    else:
        print("closer client")
    print(f"idle {elapsed:.2f}")
    s.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv))
