"""Holds connections open to `ustcp serve`, then reports how each one ended.

usage: shutdown.py ADDR ECHO_PORT HTTP_PORT READY_FILE

Opens an echo connection (one round trip, then idle) and an HTTP keep-alive connection
(one request, full response, then idle), writes READY_FILE, and waits (at most 20 s) for
the server to end both. Prints one line per connection: "echo: eof" when the server closed
with a FIN (recv returned b''), "echo: reset" for a RST, "echo: open" if nothing came.
Exit 0 when both ended with a FIN.
"""
import socket
import sys
import time

addr, echo_port, http_port, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

echo = socket.create_connection((addr, echo_port), timeout=5)
echo.sendall(b"ping\n")
assert echo.recv(100) == b"ping\n"

http = socket.create_connection((addr, http_port), timeout=5)
http.sendall(b"GET / HTTP/1.1\r\nHost: " + addr.encode() + b"\r\n\r\n")
data = b""
while b"\r\n\r\n" not in data:
    data += http.recv(4096)
head, body = data.split(b"\r\n\r\n", 1)
length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
while len(body) < length:
    body += http.recv(4096)

open(ready, "w").close()
result = {}
deadline = time.time() + 20
for name, s in (("echo", echo), ("http", http)):
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        result[name] = "eof" if s.recv(100) == b"" else "data"
    except ConnectionResetError:
        result[name] = "reset"
    except socket.timeout:
        result[name] = "open"
    s.close()
for name in ("echo", "http"):
    print(f"{name}: {result[name]}")
sys.exit(0 if all(v == "eof" for v in result.values()) else 1)
