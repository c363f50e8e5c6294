// What `ss` learns about a Stack's sockets, as Linux's inet_diag reports a kernel's
// (net/ipv4/inet_diag.c, tcp_diag.c) and /proc/net/sockstat sums them up. One record per
// socket: listeners, connections (orphans too), SYN_RECV requests and TIME_WAIT records,
// with the timer (ss -o), the socket's identity (ss -e), its memory (ss -m) and its
// tcp_info (ss -i). Pure reading: nothing here changes the stack.
#pragma once

#include <cstdint>
#include <vector>

#include "ustcp/base/time.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/tcp/tcp_info.hpp"

namespace ustcp::stack {

// inet_diag_msg.idiag_timer: which timer is pending (ss -o prints its name).
enum class DiagTimer : uint8_t { Off = 0, On = 1, Keepalive = 2, TimeWait = 3, Persist = 4 };

// SK_MEMINFO_* (ss -m "skmem:(r,rb,t,tb,f,w,o,bl,d)"), bytes. The receive side counts
// payload where Linux counts truesize, so r is what the queue holds; the send side charges
// Linux's skb truesize (tcp/wmem.hpp).
struct SockMem {
  uint32_t rmem_alloc = 0;   // r: bytes in the receive queue
  uint32_t rcvbuf = 0;       // rb: what it may hold
  uint32_t wmem_alloc = 0;   // t: bytes handed to the link and not yet gone (always 0)
  uint32_t sndbuf = 0;       // tb: what the send queue may charge (sk_sndbuf)
  uint32_t fwd_alloc = 0;    // f: memory reserved ahead (none)
  uint32_t wmem_queued = 0;  // w: what its skbs charge (unsent and unacknowledged)
  uint32_t optmem = 0;       // o
  uint32_t backlog = 0;      // bl: segments waiting for a socket lock (none: no locks)
  uint32_t drops = 0;        // d
};

struct SockDiag {
  tcp::State state = tcp::State::Close;
  // idiag_rqueue / idiag_wqueue. Connections: rcv_nxt - copied_seq (unread bytes, plus the
  // peer's FIN until it is read) and write_seq - snd_una (unsent and unacknowledged bytes,
  // plus an unacknowledged SYN or FIN). Listeners: accept queue length and backlog.
  uint32_t recv_q = 0;
  uint32_t send_q = 0;
  Endpoint local;
  Endpoint remote;
  DiagTimer timer = DiagTimer::Off;
  uint32_t expires_ms = 0;  // idiag_expires: until the timer fires
  uint32_t retrans = 0;     // idiag_retrans: retransmissions, or probes for keepalive/persist
  // A full socket has a shutdown state, memory and tcp_info; SYN_RECV requests and
  // TIME_WAIT records (and orphans Linux moved to a timewait socket) have none.
  bool full = false;
  bool orphan = false;
  // The stack chose the local port (connect() without bind()): ss's `autobound`, the
  // kernel's missing SOCK_BINDPORT_LOCK. Accepted connections (and their requests and
  // TIME_WAIT records) inherit their listener's bound port; a TIME_WAIT record whose port
  // no listener holds is taken as autobound.
  bool autobound = false;
  uint32_t ino = 0;      // socket number (SocketId index + 1); 0: no socket (orphan, request)
  int fd = -1;           // the SocketId index, for ss -p; -1: no descriptor
  uint64_t cookie = 0;   // sk: a number of its own for each socket in one report
  uint8_t shutdown = 0;  // INET_DIAG_SHUTDOWN: 1 RCV_SHUTDOWN | 2 SEND_SHUTDOWN
  SockMem mem;
  tcp::TcpInfo info;
};

// /proc/net/sockstat's TCP line and the estab count of `ss -s`.
struct SockSummary {
  uint32_t sockets_used = 0;  // "sockets: used": descriptors open
  uint32_t tcp_inuse = 0;     // hashed sockets: listeners and connections not in CLOSE
  uint32_t tcp_orphan = 0;
  uint32_t tcp_tw = 0;
  uint32_t tcp_alloc = 0;  // full TCP sockets: every connection object and listener
  uint32_t curr_estab = 0;
};

// Every socket of `s`: listeners, then connections, SYN_RECV requests, TIME_WAIT records.
std::vector<SockDiag> sock_diag(const Stack& s, TimePoint now);
SockSummary sock_summary(const Stack& s);

}  // namespace ustcp::stack
