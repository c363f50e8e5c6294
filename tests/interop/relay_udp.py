#!/usr/bin/env python3
"""UDP datagrams through `ustcp relay`, for tests/interop/relay.sh (standard library only).

    relay_udp.py recv --bind ADDR --port P --idle S > received   # one index per line, in order
    relay_udp.py send --to ADDR --port P --count N [--size B]    # datagrams 0..N-1
    relay_udp.py predict --seed S --addr A.B.C.D --count N [--loss P] [--reorder P]
                 [--corrupt P] [--duplicate P]                    # one JSON object

`predict` computes, independently of the C++ code, what the relay's link model decides for
the first N datagrams a host at ADDR sends with seed S: the Rng is xoshiro256** seeded
through splitmix64 with link_seed(S, ADDR) = splitmix64(S ^ splitmix64(ADDR)), and every
datagram takes four draws (loss, reorder, corrupt, duplicate), each `uniform() < p` with
uniform() = (next >> 11) * 2^-53, plus one bit draw when corrupted and not lost
(src/ustcp/link/link_model.hpp).
"""
import argparse
import json
import socket
import struct
import sys
import time

M64 = (1 << 64) - 1


def splitmix64(state):
    """One splitmix64 step: (new state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def mix64(x):
    return splitmix64(x)[1]


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Rng:
    def __init__(self, seed):
        self.s = []
        state = seed
        for _ in range(4):
            state, out = splitmix64(state)
            self.s.append(out)

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def chance(self, p):
        return (self.next_u64() >> 11) * 2.0 ** -53 < p

    def below(self, n):
        threshold = ((1 << 64) - n) % n
        while True:
            r = self.next_u64()
            if r >= threshold:
                return r % n


def predict(args):
    a, b, c, d = (int(x) for x in args.addr.split("."))
    addr = (a << 24) | (b << 16) | (c << 8) | d
    rng = Rng(mix64(args.seed ^ mix64(addr)))
    lost, reordered, corrupted, duplicated = [], [], [], []
    for i in range(args.count):
        is_lost = rng.chance(args.loss)
        is_reordered = rng.chance(args.reorder)
        is_corrupted = rng.chance(args.corrupt)
        is_duplicated = rng.chance(args.duplicate)
        if is_lost:
            lost.append(i)
            continue
        if is_reordered:
            reordered.append(i)
        if is_corrupted:
            corrupted.append(i)
            rng.below(args.size * 8)
        if is_duplicated:
            duplicated.append(i)
    print(json.dumps({"lost": lost, "reordered": reordered, "corrupted": corrupted,
                      "duplicated": duplicated}))
    return 0


def send(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = bytes(max(args.size - 28 - 4, 0))  # IPv4 + UDP headers, the index
    for i in range(args.count):
        sock.sendto(struct.pack("!I", i) + payload, (args.to, args.port))
        # Paced in bursts, so the TUN device's ring (txqueuelen) never overflows.
        if i % args.burst == args.burst - 1:
            time.sleep(args.pause)
    return 0


def recv(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((args.bind, args.port))
    print("listening", file=sys.stderr, flush=True)
    sock.settimeout(args.first)
    received = []
    try:
        while True:
            data = sock.recv(65536)
            received.append(struct.unpack("!I", data[:4])[0])
            sock.settimeout(args.idle)
    except socket.timeout:
        pass
    print("\n".join(str(i) for i in received))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--bind", required=True)
    r.add_argument("--port", type=int, default=9000)
    r.add_argument("--first", type=float, default=30, help="wait this long for the first")
    r.add_argument("--idle", type=float, default=1, help="stop after this long without one")
    s = sub.add_parser("send")
    s.add_argument("--to", required=True)
    s.add_argument("--port", type=int, default=9000)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--size", type=int, default=100, help="IPv4 datagram size")
    s.add_argument("--burst", type=int, default=50)
    s.add_argument("--pause", type=float, default=0.005)
    q = sub.add_parser("predict")
    q.add_argument("--seed", type=int, required=True)
    q.add_argument("--addr", required=True)
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--size", type=int, default=100, help="IPv4 datagram size")
    for name in ("loss", "reorder", "corrupt", "duplicate"):
        q.add_argument(f"--{name}", type=float, default=0)
    args = p.parse_args()
    return {"recv": recv, "send": send, "predict": predict}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
