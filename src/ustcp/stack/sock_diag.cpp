// inet_diag for a Stack: what inet_sk_diag_fill(), inet_twsk_diag_fill(),
// inet_req_diag_fill() and tcp_diag_get_info() report for each kind of socket, and the
// sums of /proc/net/sockstat (sockstat_seq_show).
#include "ustcp/stack/sock_diag.hpp"

#include <algorithm>

#include "ustcp/tcp/congestion.hpp"

namespace ustcp::stack {

using tcp::State;

// The Stack's friend: the only code outside the stack that reads its socket tables.
struct SockDiagAccess {
  static std::vector<SockDiag> dump(const Stack& s, TimePoint now);
  static SockSummary summary(const Stack& s);
};

namespace {

// idiag_expires: milliseconds until `deadline` (0 when it is due already).
uint32_t ms_until(TimePoint now, TimePoint deadline) {
  if (deadline <= now) return 0;
  return static_cast<uint32_t>(
      std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count());
}

// write_seq - snd_una beyond the queued bytes: an unacknowledged SYN or FIN.
uint32_t unacked_control(State st) {
  switch (st) {
    case State::SynSent:
    case State::SynRecv:
    case State::FinWait1:
    case State::Closing:
    case State::LastAck:
      return 1;
    default:
      return 0;
  }
}

// The peer's FIN has arrived (tcp_fin(): RCV_SHUTDOWN, and rcv_nxt moved past it).
bool fin_received(State st) {
  return st == State::CloseWait || st == State::LastAck || st == State::Closing ||
         st == State::TimeWait;
}

SockDiag connection_diag(const tcp::Connection& c, const tcp::Config& cfg, TimePoint now) {
  SockDiag d;
  d.state = c.state();
  d.local = c.tuple().local;
  d.remote = c.tuple().remote;
  d.orphan = c.orphan();
  d.full = true;
  const bool fin_in = fin_received(d.state);
  // An orphan's receive queue is purged at close(); the FIN stays counted (copied_seq never
  // moves past it). Without an application that read EOF, it counts in CLOSE_WAIT too.
  d.recv_q = static_cast<uint32_t>(c.readable()) + (fin_in ? 1 : 0);
  d.send_q = static_cast<uint32_t>(c.send_queued()) + unacked_control(d.state);
  d.shutdown = static_cast<uint8_t>((fin_in || c.orphan() ? 1 : 0) |
                                    (c.write_shutdown() || c.orphan() ? 2 : 0));

  if (c.rtx_deadline() != kNever) {
    // inet_sk_diag_fill: RTO, loss probe and reordering timers are "on" with the
    // retransmission count; the zero-window probe timer is "persist" with the probe count.
    d.timer = c.probing() ? DiagTimer::Persist : DiagTimer::On;
    d.expires_ms = ms_until(now, c.rtx_deadline());
    d.retrans = c.probing() ? c.probes_out() : c.retransmits();
  } else if (c.sk_deadline() != kNever) {
    d.expires_ms = ms_until(now, c.sk_deadline());
    if (d.state == State::FinWait2 && c.orphan()) {
      // tcp_close()/tcp_rcv_state_process(): with tcp_fin_timeout <= TCP_TIMEWAIT_LEN an
      // orphan in FIN_WAIT_2 lives on as a timewait socket (substate FIN_WAIT2): timer
      // "timewait", no inode, no memory or tcp_info. Longer, it first waits the difference
      // on the keepalive timer.
      const Duration extra = std::chrono::seconds(cfg.tcp_fin_timeout) - tcp::kTimeWaitLen;
      if (extra > Duration::zero() && c.sk_deadline() - now > tcp::kTimeWaitLen) {
        d.timer = DiagTimer::Keepalive;
        d.expires_ms = ms_until(now, c.sk_deadline() - tcp::kTimeWaitLen);
      } else {
        d.timer = DiagTimer::TimeWait;
        d.full = false;
      }
    } else {
      d.timer = DiagTimer::Keepalive;
      d.retrans = c.probes_out();
    }
  }
  if (!d.full) {
    d.recv_q = d.send_q = 0;
    d.shutdown = 0;
    return d;
  }
  d.mem.rmem_alloc = static_cast<uint32_t>(c.readable());
  d.mem.rcvbuf = static_cast<uint32_t>(c.recv_limit());
  d.mem.sndbuf = static_cast<uint32_t>(c.send_limit());
  d.mem.wmem_queued = static_cast<uint32_t>(c.wmem_queued());
  d.info = c.info(now);
  return d;
}

SockDiag listener_diag(const tcp::Listener& l, const tcp::Config& cfg) {
  SockDiag d;
  d.state = State::Listen;
  d.local = l.local();
  d.full = true;
  // tcp_diag_get_info(): a listener's queues are its accept queue and its backlog.
  d.recv_q = static_cast<uint32_t>(l.accept_queue().size());
  d.send_q = static_cast<uint32_t>(l.backlog());
  const tcp::SocketOptions& o = l.options();
  d.mem.rcvbuf = o.rcvbuf ? o.rcvbuf : static_cast<uint32_t>(cfg.tcp_rmem[1]);
  d.mem.sndbuf = o.sndbuf ? o.sndbuf : static_cast<uint32_t>(cfg.tcp_wmem[1]);
  // tcp_get_info() for TCP_LISTEN: the initial cwnd and reordering, then the aliased
  // fields: unacked = connections ready for accept(), sacked = the backlog.
  d.info.state = static_cast<uint8_t>(static_cast<uint8_t>(State::Listen) + 1);
  d.info.snd_cwnd = tcp::kInitCwnd;
  d.info.reordering = 3;
  d.info.unacked = d.recv_q;
  d.info.sacked = d.send_q;
  // tcp_init_sock() -> tcp_assign_congestion_control(): the listener has the default
  // algorithm (net.ipv4.tcp_congestion_control) unless TCP_CONGESTION chose another; ss -i
  // prints it ("cubic cwnd:10").
  d.info.ca_name = (o.congestion ? o.congestion : cfg.congestion_control)->name();
  return d;
}

}  // namespace

std::vector<SockDiag> SockDiagAccess::dump(const Stack& s, TimePoint now) {
  // Descriptors: which socket slot holds each listener and connection.
  std::vector<int> conn_fd(s.conns_.capacity(), -1), listener_fd(s.listeners_.size(), -1);
  for (size_t i = 0; i < s.slots_.size(); ++i) {
    const Stack::SocketSlot& sl = s.slots_[i];
    if (sl.kind == Stack::Kind::Conn && sl.obj < conn_fd.size()) conn_fd[sl.obj] = int(i);
    if (sl.kind == Stack::Kind::Listen && sl.obj < listener_fd.size()) listener_fd[sl.obj] = int(i);
  }
  std::vector<SockDiag> out;
  for (size_t i = 0; i < s.listeners_.size(); ++i) {
    if (!s.listeners_[i]) continue;
    SockDiag d = listener_diag(*s.listeners_[i], s.cfg_);
    d.fd = listener_fd[i];
    out.push_back(d);
  }
  for (uint32_t i = 0; i < s.conns_.capacity(); ++i) {
    const auto& c = s.conns_[i];
    // A socket in CLOSE is in no hash table: inet_diag never sees it.
    if (!c || c->state() == State::Close) continue;
    SockDiag d = connection_diag(*c, s.cfg_, now);
    if (d.full && !d.orphan) d.fd = conn_fd[i];
    d.autobound = !d.full ||
                  (!s.conn_meta_[i].bound && !s.listeners_by_port_.contains(c->tuple().local.port));
    out.push_back(d);
  }
  for (const auto& r : s.requests_) {
    if (!r) continue;
    // inet_req_diag_fill(): SYN_RECV, the SYN-ACK timer "on" with its retransmissions.
    SockDiag d;
    d.state = State::SynRecv;
    d.local = r->open.tuple.local;
    d.remote = r->open.tuple.remote;
    d.timer = DiagTimer::On;
    d.retrans = r->retransmits;
    if (r->timer.linked()) {
      d.expires_ms = ms_until(now, TimePoint{} + r->timer.expires_tick * TimerWheel::kTick);
    }
    out.push_back(d);
  }
  s.tws_.for_each_with_deadline([&](const tcp::TimeWaitRecord& tw, TimePoint deadline) {
    // inet_twsk_diag_fill(): timer "timewait", no retransmissions, no inode.
    SockDiag d;
    d.state = State::TimeWait;
    d.local = tw.tuple.local;
    d.remote = tw.tuple.remote;
    d.timer = DiagTimer::TimeWait;
    d.expires_ms = ms_until(now, deadline);
    d.orphan = true;
    d.autobound = !s.listeners_by_port_.contains(d.local.port);
    out.push_back(d);
  });
  uint64_t cookie = 0;
  for (SockDiag& d : out) {
    d.cookie = ++cookie;
    if (d.fd >= 0) d.ino = static_cast<uint32_t>(d.fd) + 1;
  }
  return out;
}

SockSummary SockDiagAccess::summary(const Stack& s) {
  SockSummary sum;
  for (const auto& sl : s.slots_) sum.sockets_used += sl.kind != Stack::Kind::Free;
  for (const auto& l : s.listeners_) {
    if (!l) continue;
    ++sum.tcp_alloc;
    ++sum.tcp_inuse;
  }
  for (const auto& c : s.conns_) {
    if (!c) continue;
    ++sum.tcp_alloc;
    sum.tcp_inuse += c->state() != State::Close;
  }
  sum.tcp_orphan = static_cast<uint32_t>(s.orphan_count());
  sum.tcp_tw = static_cast<uint32_t>(s.time_wait_count());
  sum.curr_estab = static_cast<uint32_t>(s.curr_estab());
  return sum;
}

std::vector<SockDiag> sock_diag(const Stack& s, TimePoint now) {
  return SockDiagAccess::dump(s, now);
}

SockSummary sock_summary(const Stack& s) { return SockDiagAccess::summary(s); }

}  // namespace ustcp::stack
