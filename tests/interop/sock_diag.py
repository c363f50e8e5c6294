#!/usr/bin/env python3
"""The kernel's IPv4 TCP sockets, read over NETLINK_SOCK_DIAG as ss reads them, written as
ustcp's socket JSON (what `ustcp ss --input FILE` and a ustcp daemon's control socket give).

With it, `ustcp ss --input` renders the kernel's own sockets and its output can be compared
byte for byte with iproute2's ss on the same sockets. Usage: sock_diag.py > sockets.json
"""
import json
import socket
import struct
import sys

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
INET_DIAG_MEMINFO, INET_DIAG_INFO, INET_DIAG_CONG = 1, 2, 4
INET_DIAG_SKMEMINFO, INET_DIAG_SHUTDOWN = 7, 8

# ss's sstate_name, by the kernel's TCP state number.
STATES = {1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
          6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN",
          11: "CLOSING"}
TIMERS = {1: "on", 2: "keepalive", 3: "timewait", 4: "persist"}

# struct tcp_info (include/uapi/linux/tcp.h) from tcpi_rto on: (name, struct format).
TCPI = [("rto", "I"), ("ato", "I"), ("snd_mss", "I"), ("rcv_mss", "I"), ("unacked", "I"),
        ("sacked", "I"), ("lost", "I"), ("retrans", "I"), ("fackets", "I"),
        ("last_data_sent", "I"), ("last_ack_sent", "I"), ("last_data_recv", "I"),
        ("last_ack_recv", "I"), ("pmtu", "I"), ("rcv_ssthresh", "I"), ("rtt", "I"),
        ("rttvar", "I"), ("snd_ssthresh", "I"), ("snd_cwnd", "I"), ("advmss", "I"),
        ("reordering", "I"), ("rcv_rtt", "I"), ("rcv_space", "I"), ("total_retrans", "I"),
        ("pacing_rate", "Q"), ("max_pacing_rate", "Q"), ("bytes_acked", "Q"),
        ("bytes_received", "Q"), ("segs_out", "I"), ("segs_in", "I"), ("notsent_bytes", "I"),
        ("min_rtt", "I"), ("data_segs_in", "I"), ("data_segs_out", "I"),
        ("delivery_rate", "Q"), ("busy_time", "Q"), ("rwnd_limited", "Q"),
        ("sndbuf_limited", "Q"), ("delivered", "I"), ("delivered_ce", "I"),
        ("bytes_sent", "Q"), ("bytes_retrans", "Q"), ("dsack_dups", "I"), ("reord_seen", "I"),
        ("rcv_ooopack", "I"), ("snd_wnd", "I"), ("rcv_wnd", "I"), ("rehash", "I"),
        ("total_rto", "H"), ("total_rto_recoveries", "H"), ("total_rto_time", "I")]
SKMEM = ["r", "rb", "t", "tb", "f", "w", "o", "bl", "d"]


def tcp_info(b):
    b = b + bytes(max(0, 256 - len(b)))
    state, ca_state, retransmits, probes, backoff, options, wscale, app_limited = \
        struct.unpack_from("8B", b, 0)
    info = {"state": state, "ca_state": ca_state, "retransmits": retransmits,
            "probes": probes, "backoff": backoff, "options": options,
            "snd_wscale": wscale & 15, "rcv_wscale": wscale >> 4,
            "delivery_rate_app_limited": bool(app_limited & 1)}
    fmt = "=" + "".join(f for _, f in TCPI)
    for (name, _), value in zip(TCPI, struct.unpack_from(fmt, b, 8)):
        info[name] = value
    return info


def dump(ephemeral):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    ext = (1 << (INET_DIAG_MEMINFO - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1)) | \
          (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1))
    # inet_diag_req_v2: family, protocol, ext, pad, states; inet_diag_sockid (48 bytes).
    req = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, ext, 0, 0xffffffff)
    req += bytes(48)
    hdr = struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY,
                      NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    s.send(hdr + req)
    out = []
    while True:
        data = s.recv(1 << 20)
        off = 0
        while off < len(data):
            length, kind, _, _, _ = struct.unpack_from("=IHHII", data, off)
            if kind == NLMSG_DONE:
                return out
            if kind == NLMSG_ERROR:
                sys.exit("sock_diag: netlink error")
            out.append(message(data[off + 16:off + length], ephemeral))
            off += (length + 3) & ~3


def message(m, ephemeral):
    family, state, timer, retrans = struct.unpack_from("=BBBB", m, 0)
    sport, dport = struct.unpack_from("!HH", m, 4)
    src = socket.inet_ntoa(m[8:12])
    dst = socket.inet_ntoa(m[24:28])
    cookie_lo, cookie_hi = struct.unpack_from("=II", m, 44)
    expires, rqueue, wqueue, uid, inode = struct.unpack_from("=IIIII", m, 52)
    rec = {"state": STATES[state], "recv_q": rqueue, "send_q": wqueue,
           "local": {"addr": src, "port": sport}, "peer": {"addr": dst, "port": dport},
           "orphan": False, "ino": inode, "sk": (cookie_hi << 32) | cookie_lo}
    if timer:
        rec["timer"] = {"name": TIMERS.get(timer, "on"), "expires_ms": expires,
                        "retrans": retrans}
    attrs, off = {}, 72
    while off + 4 <= len(m):
        alen, atype = struct.unpack_from("=HH", m, off)
        if alen < 4:
            break
        attrs[atype] = m[off + 4:off + alen]
        off += (alen + 3) & ~3
    # ss's autobound is the kernel's missing SOCK_BINDPORT_LOCK, which inet_diag does not
    # report: taken as "a port from the ephemeral range" (tests bind outside it).
    rec["autobound"] = ephemeral[0] <= sport <= ephemeral[1]
    if INET_DIAG_INFO in attrs:
        info = tcp_info(attrs[INET_DIAG_INFO])
        info["ca_name"] = attrs.get(INET_DIAG_CONG, b"").split(b"\0")[0].decode()
        rec["tcp_info"] = info
        rec["shutdown"] = attrs.get(INET_DIAG_SHUTDOWN, b"\0")[0]
        mem = struct.unpack_from("=9I", attrs[INET_DIAG_SKMEMINFO] + bytes(36))
        rec["skmem"] = dict(zip(SKMEM, mem))
    return rec


def main():
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = (int(x) for x in f.read().split())
    socks = dump((lo, hi))
    print(json.dumps({"sockets": socks,
                      "summary": {"sockets_used": 0, "tcp_inuse": 0, "tcp_orphan": 0,
                                  "tcp_tw": 0, "tcp_alloc": 0, "curr_estab": 0},
                      "ip_local_port_range": [lo, hi], "pid": 0, "comm": "python3"}))


if __name__ == "__main__":
    main()
