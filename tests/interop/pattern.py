#!/usr/bin/env python3
"""The byte pattern of ustcp's built-in /bytes/N page: 16-byte records, record k is the
15-digit zero-padded decimal of k*16 and a newline, cut at N bytes.

  pattern.py write N FILE    write the first N bytes of the pattern to FILE
  pattern.py check N [FILE]  compare FILE (default stdin) with the pattern: exit 0 when it is
                             exactly N bytes of it, else print the first difference, exit 1
"""
import sys

CHUNK_RECORDS = 1 << 15  # 512 KiB of pattern per piece


def pieces(n):
    """Yields the pattern's first n bytes in pieces."""
    k = 0
    left = n
    while left > 0:
        piece = b"".join(b"%015d\n" % ((k + i) * 16) for i in range(CHUNK_RECORDS))
        piece = piece[:left]
        yield piece
        left -= len(piece)
        k += CHUNK_RECORDS


def check(n, stream):
    offset = 0
    for want in pieces(n):
        got = stream.read(len(want))
        if got != want:
            i = next((j for j in range(min(len(got), len(want))) if got[j] != want[j]),
                     min(len(got), len(want)))
            if i >= len(got):
                print(f"short: {offset + len(got)} bytes, want {n}")
            else:
                print(f"differs at byte {offset + i}: got {got[i:i + 16]!r}, "
                      f"want {want[i:i + 16]!r}")
            return 1
        offset += len(want)
    extra = stream.read(1 << 16)
    if extra:
        print(f"long: more than {n} bytes (next: {extra[:16]!r})")
        return 1
    print(f"{n} bytes match the pattern")
    return 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "write":
        with open(sys.argv[3], "wb") as f:
            for p in pieces(int(sys.argv[2])):
                f.write(p)
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        if len(sys.argv) > 3:
            with open(sys.argv[3], "rb") as f:
                return check(int(sys.argv[2]), f)
        return check(int(sys.argv[2]), sys.stdin.buffer)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
