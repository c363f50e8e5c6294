#!/usr/bin/env python3
"""Linux-side clients (kernel TCP through Python sockets) for ustcp's echo server.

  echo_client.py HOST PORT roundtrip SIZE...  one connection per SIZE: send SIZE random bytes
                                             while reading, the echo must come back byte exact
                                             (then the client closes)
  echo_client.py HOST PORT halfclose SIZE     send SIZE bytes, shutdown(SHUT_WR), read back
                                             everything, then EOF must follow
  echo_client.py HOST PORT unread SIZE        send SIZE bytes, wait until the echo has arrived,
                                             close without reading it (Linux sends RST);
                                             prints "port N"
  echo_client.py HOST PORT many COUNT SECONDS COUNT short connections in a row (connect, send,
                                             read the echo, close), at most SECONDS in all

Every socket operation has a timeout. Prints one line per check; exit 0 when all passed.
"""
import os
import select
import socket
import sys
import time

TIMEOUT = 10.0


def connect(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def exchange(s, data, deadline):
    """Sends data while reading the echo; returns what came back once len(data) bytes have
    (or EOF, or the deadline)."""
    s.setblocking(False)
    sent = 0
    got = bytearray()
    while len(got) < len(data) and time.monotonic() < deadline:
        want_w = [s] if sent < len(data) else []
        r, w, _ = select.select([s], want_w, [], max(0.0, deadline - time.monotonic()))
        if w:
            try:
                sent += s.send(data[sent:sent + 65536])
            except BlockingIOError:
                pass
        if r:
            try:
                b = s.recv(1 << 20)
            except BlockingIOError:
                continue
            if not b:
                break
            got += b
    s.setblocking(True)
    s.settimeout(TIMEOUT)
    return bytes(got)


def read_to_eof(s, deadline):
    """Reads until EOF; returns (bytes, saw_eof)."""
    got = bytearray()
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            b = s.recv(1 << 20)
        except socket.timeout:
            break
        if not b:
            return bytes(got), True
        got += b
    return bytes(got), False


def first_diff(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


def roundtrip(host, port, sizes):
    ok = True
    for size in sizes:
        data = os.urandom(size)
        s = connect(host, port)
        got = exchange(s, data, time.monotonic() + 30)
        s.close()
        if got == data:
            print(f"ok   - round trip of {size} bytes: byte exact")
        else:
            print(f"FAIL - round trip of {size} bytes: got {len(got)} bytes, "
                  f"first difference at {first_diff(got, data)}")
            ok = False
    return ok


def halfclose(host, port, size):
    data = os.urandom(size)
    s = connect(host, port)
    deadline = time.monotonic() + 30
    # Send everything first (the server echoes while we send: read as we go so neither side
    # blocks), then half-close and read the rest.
    s.setblocking(False)
    sent = 0
    got = bytearray()
    while sent < len(data) and time.monotonic() < deadline:
        r, w, _ = select.select([s], [s], [], 1.0)
        if w:
            try:
                sent += s.send(data[sent:sent + 65536])
            except BlockingIOError:
                pass
        if r:
            try:
                b = s.recv(1 << 20)
                if not b:
                    print(f"FAIL - half-close: EOF after {len(got)} bytes, before we half-closed")
                    return False
                got += b
            except BlockingIOError:
                pass
    s.setblocking(True)
    s.shutdown(socket.SHUT_WR)
    rest, eof = read_to_eof(s, deadline)
    got += rest
    s.close()
    ok = True
    if bytes(got) == data:
        print(f"ok   - half-close: all {size} bytes came back after shutdown(SHUT_WR)")
    else:
        print(f"FAIL - half-close: got {len(got)} of {size} bytes, first difference at "
              f"{first_diff(got, data)}")
        ok = False
    if eof:
        print("ok   - half-close: then EOF (the server closed its side)")
    else:
        print("FAIL - half-close: no EOF within the deadline")
        ok = False
    return ok


def unread(host, port, size):
    data = os.urandom(size)
    s = connect(host, port)
    print(f"port {s.getsockname()[1]}")
    s.sendall(data)
    # Wait until the whole echo sits unread in our receive queue (bounded).
    deadline = time.monotonic() + 10
    have = 0
    while time.monotonic() < deadline:
        select.select([s], [], [], 0.2)
        try:
            have = len(s.recv(size + 1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except BlockingIOError:
            pass
        if have >= size:
            break
    s.close()  # unread data: Linux answers the close with RST (tcp_close: data_was_unread)
    if have >= size:
        print(f"ok   - unread: {have} echoed bytes unread in the receive queue at close()")
        return True
    print(f"FAIL - unread: only {have} of {size} echoed bytes arrived within 10 s")
    return False


def many(host, port, count, seconds):
    deadline = time.monotonic() + seconds
    start = time.monotonic()
    done = 0
    errors = []
    for i in range(count):
        if time.monotonic() >= deadline:
            errors.append(f"deadline of {seconds} s passed after {done} connections")
            break
        msg = b"connection %06d\n" % i
        try:
            s = connect(host, port)
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                b = s.recv(4096)
                if not b:
                    break
                got += b
            s.close()
        except OSError as e:
            errors.append(f"connection {i}: {e}")
            continue
        if got == msg:
            done += 1
        else:
            errors.append(f"connection {i}: got {got!r}, want {msg!r}")
        if len(errors) > 5:
            break
    elapsed = time.monotonic() - start
    if done == count:
        print(f"ok   - {count} short connections in a row, all echoed ({elapsed:.1f} s)")
        return True
    print(f"FAIL - {done} of {count} short connections succeeded ({elapsed:.1f} s)")
    for e in errors:
        print(f"     | {e}")
    return False


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, cmd, args = argv[1], int(argv[2]), argv[3], argv[4:]
    if cmd == "roundtrip":
        ok = roundtrip(host, port, [int(a) for a in args])
    elif cmd == "halfclose":
        ok = halfclose(host, port, int(args[0]))
    elif cmd == "unread":
        ok = unread(host, port, int(args[0]))
    elif cmd == "many":
        ok = many(host, port, int(args[0]), float(args[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
