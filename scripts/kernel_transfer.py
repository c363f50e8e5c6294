#!/usr/bin/env python3
"""A bulk transfer over the Linux kernel's own TCP, for scripts/kernel-path.sh.

    kernel_transfer.py recv --bind ADDR --port PORT     # prints "listening", then one JSON line
    kernel_transfer.py send --to ADDR --port PORT --bytes N [--timeout S]   # one JSON line
    kernel_transfer.py report --dir DIR ...             # kernel-path.sh's summary of a run

The sender connects, writes N bytes, shuts down writing and waits for the receiver's FIN;
the receiver reads to EOF and closes. Plain sockets with the kernel's defaults, so the
namespace's sysctls decide everything, but for --cc: the congestion control, set with
TCP_CONGESTION on the socket (a namespace other than the first can only default to an
algorithm in the host's tcp_allowed_congestion_control; the socket option takes any, as root). Times are CLOCK_MONOTONIC, which
every network namespace shares, so the sender's connect time and the receiver's EOF time can
be subtracted: `seconds` in the script is receiver EOF minus the sender's connect() call;
`closed` is when the sender read the receiver's FIN (where `ustcp transfer`'s virtual time
ends). The sender also reports its socket's tcp_info (struct tcp_info, linux/tcp.h) before
closing.
"""
import argparse
import json
import signal
import socket
import struct
import sys
import time

CHUNK = 1 << 20

# struct tcp_info up to tcpi_total_retrans: 8 u8 fields, then 24 u32 fields.
TCP_INFO_FMT = "8B24I"
TCP_INFO_U32 = ["rto", "ato", "snd_mss", "rcv_mss", "unacked", "sacked", "lost", "retrans",
                "fackets", "last_data_sent", "last_ack_sent", "last_data_recv", "last_ack_recv",
                "pmtu", "rcv_ssthresh", "rtt", "rttvar", "snd_ssthresh", "snd_cwnd", "advmss",
                "reordering", "rcv_rtt", "rcv_space", "total_retrans"]


def tcp_info(sock):
    raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    size = struct.calcsize(TCP_INFO_FMT)
    if len(raw) < size:
        return {}
    fields = struct.unpack(TCP_INFO_FMT, raw[:size])
    info = dict(zip(TCP_INFO_U32, fields[8:]))
    info["ca_state"] = fields[1]
    info["backoff"] = fields[4]
    return info


def congestion(sock):
    raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16)
    return raw.split(b"\0", 1)[0].decode()


def set_congestion(sock, name):
    if name:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, name.encode())


class Terminated(Exception):
    """SIGTERM (the script's timeout): report what arrived so far."""


def on_sigterm(signum, frame):
    raise Terminated()


def recv(args):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    set_congestion(lsock, args.cc)  # accepted sockets inherit it
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.bind, args.port))
    lsock.listen(1)
    lsock.settimeout(args.timeout)
    print("listening", flush=True)
    conn, peer = lsock.accept()
    conn.settimeout(args.timeout)
    t_accept = time.monotonic()
    buf = bytearray(CHUNK)
    total = 0
    t_last = t_accept
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            total += n
            t_last = time.monotonic()
    except (Terminated, socket.timeout) as e:
        print(json.dumps({"bytes": total, "t_accept": t_accept, "t_last_data": t_last,
                          "error": f"recv: {'terminated' if isinstance(e, Terminated) else e} "
                                   f"after {total} bytes"}), flush=True)
        return 1
    t_eof = time.monotonic()
    conn.close()
    lsock.close()
    print(json.dumps({"bytes": total, "t_accept": t_accept, "t_eof": t_eof, "peer": peer[0]}),
          flush=True)
    return 0


def send(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    set_congestion(sock, args.cc)
    sock.settimeout(args.timeout)
    payload = bytes(range(256)) * (CHUNK // 256)
    t_connect = time.monotonic()
    sock.connect((args.to, args.port))
    t_established = time.monotonic()
    left = args.bytes
    while left > 0:
        n = min(left, len(payload))
        sock.sendall(memoryview(payload)[:n])
        left -= n
    t_written = time.monotonic()
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(65536):
        pass  # the receiver sends nothing: this waits for its FIN
    t_closed = time.monotonic()
    out = {"bytes": args.bytes, "t_connect": t_connect, "t_established": t_established,
           "t_written": t_written, "t_closed": t_closed, "congestion": congestion(sock),
           "tcp_info": tcp_info(sock)}
    sock.close()
    print(json.dumps(out), flush=True)
    return 0


# The sender's counters the summary shows (nstat names), retransmissions first.
COUNTERS = ["TcpRetransSegs", "TcpExtTCPSackRecovery", "TcpExtTCPTimeouts",
            "TcpExtTCPLossProbes", "TcpExtTCPLossProbeRecovery", "TcpExtTCPFastRetrans",
            "TcpExtTCPSlowStartRetrans", "TcpExtTCPLostRetransmit", "TcpExtTCPSACKReorder",
            "TcpExtTCPDSACKUndo", "TcpExtTCPLossUndo", "TcpExtTCPSpuriousRTOs",
            "TcpExtTCPSynRetrans", "TcpOutSegs", "TcpExtTCPOrigDataSent"]


def last_json(path):
    """The last line of a file that parses as a JSON object ({} if none)."""
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return {}
    for line in reversed(lines):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def nstat_counters(path):
    counters = {}
    try:
        for line in open(path, errors="replace"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                counters[parts[0]] = int(parts[1])
    except OSError:
        pass
    return counters


def tx_dropped(path):
    """The TX "dropped" count of `ip -s link show` (datagrams the device's ring refused)."""
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return None
    for i, line in enumerate(lines):
        head = line.split()
        if head[:1] == ["TX:"] and "dropped" in head and i + 1 < len(lines):
            values = lines[i + 1].split()
            col = head.index("dropped") - 1
            if col < len(values) and values[col].isdigit():
                return int(values[col])
    return None


def report(args):
    d = args.dir
    snd, rcv = last_json(f"{d}/send.json"), last_json(f"{d}/recv.json")
    relay = last_json(f"{d}/relay.out")
    nstat = nstat_counters(f"{d}/nstat-a")
    timed_out = 124 in (args.send_rc, args.recv_rc)
    received = rcv.get("bytes", 0)
    ok = args.send_rc == 0 and args.recv_rc == 0 and received == args.bytes
    seconds = rcv["t_eof"] - snd["t_connect"] if ok else None
    closed = snd["t_closed"] - snd["t_connect"] if ok else None
    errors = [e for e in (snd.get("error"), rcv.get("error")) if e]
    if timed_out:
        errors.insert(0, f"timed out after {args.timeout} s")
    if args.relay_rc != 0:
        errors.append(f"relay exited {args.relay_rc}")
    drops = {"a": tx_dropped(f"{d}/link-a"), "b": tx_dropped(f"{d}/link-b")}
    sysctls = {}
    for line in open(f"{d}/sysctl-a", errors="replace"):
        name, _, value = line.partition(" = ")
        if value:
            sysctls[name.strip()] = " ".join(value.split())
    out = {"ok": ok, "bytes": args.bytes, "bytes_received": received, "seconds": seconds,
           "seconds_to_close": closed,
           "goodput_mbit": received * 8 / seconds / 1e6 if seconds else None,
           "path": " ".join(args.relay_args), "congestion": snd.get("congestion", args.cc),
           "counters": {k: nstat.get(k, 0) for k in COUNTERS},
           "tcp_info": snd.get("tcp_info", {}), "tun_tx_dropped": drops,
           "relay": relay, "sysctl_a": sysctls}
    if errors:
        out["error"] = "; ".join(errors)
    if args.json:
        print(json.dumps(out))
        return 0 if ok else 1
    print(f"path             {out['path'] or 'no impairment'}, {out['congestion']}")
    print(f"bytes received   {received} of {args.bytes}")
    if ok:
        print(f"time             {seconds:.3f} s from connect() to the receiver's EOF "
              f"({closed:.3f} s to the sender's close, where ustcp transfer stops)")
        print(f"goodput          {out['goodput_mbit']:.2f} Mbit/s")
    c = out["counters"]
    print("retransmissions  " + ", ".join(f"{k.replace('TcpExt', '')} {v}" for k, v in c.items()))
    for key, name in (("a_to_b", "A->B"), ("b_to_a", "B->A")):
        r = relay.get(key, {})
        print(f"relay {name}       read {r.get('read')}, lost {r.get('lost')}, queue drops "
              f"{r.get('queue_dropped')}, reordered {r.get('reordered')}, duplicated "
              f"{r.get('duplicated')}, written {r.get('written')}, write errors "
              f"{r.get('write_errors')}")
    late = relay.get("lateness_us", {})
    print(f"relay lateness   {late.get('releases')} releases: median {late.get('p50', 0):.0f} us, "
          f"p99 {late.get('p99', 0):.0f} us, p99.9 {late.get('p999', 0):.0f} us, max "
          f"{late.get('max', 0):.0f} us, {late.get('over_1ms')} over 1 ms")
    print(f"tun drops        A {drops['a']}, B {drops['b']} (the devices' TX dropped: not modelled)")
    print("sysctl (A)       " + "; ".join(f"{k} = {v}" for k, v in sysctls.items()))
    if errors:
        print(f"error            {out['error']}")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--bind", required=True)
    r.add_argument("--port", type=int, default=5001)
    r.add_argument("--timeout", type=float, default=900)
    r.add_argument("--cc", default="", help="congestion control (TCP_CONGESTION)")
    s = sub.add_parser("send")
    s.add_argument("--to", required=True)
    s.add_argument("--port", type=int, default=5001)
    s.add_argument("--bytes", type=int, required=True)
    s.add_argument("--timeout", type=float, default=900)
    s.add_argument("--cc", default="", help="congestion control (TCP_CONGESTION)")
    rp = sub.add_parser("report")
    rp.add_argument("--dir", required=True)
    rp.add_argument("--send-rc", type=int, required=True)
    rp.add_argument("--recv-rc", type=int, required=True)
    rp.add_argument("--relay-rc", type=int, required=True)
    rp.add_argument("--timeout", type=int, required=True)
    rp.add_argument("--bytes", type=int, required=True)
    rp.add_argument("--cc", default="")
    rp.add_argument("--json", action="store_true")
    rp.add_argument("relay_args", nargs=argparse.REMAINDER)
    args = p.parse_args()
    if args.mode == "report":
        if args.relay_args[:1] == ["--"]:
            args.relay_args = args.relay_args[1:]
        return report(args)
    try:
        return recv(args) if args.mode == "recv" else send(args)
    except (OSError, socket.timeout) as e:
        print(json.dumps({"error": f"{args.mode}: {e}"}), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
