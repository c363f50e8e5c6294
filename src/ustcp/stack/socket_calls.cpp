// The BSD socket calls on a Stack, non-blocking, with the errno results Linux gives
// (net/ipv4/af_inet.c, tcp.c). Blocking is the caller's business (api/, the packetdrill
// interpreter): wait in (virtual) time until poll() says the call can proceed.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "ustcp/stack/stack.hpp"

namespace ustcp::stack {

using tcp::ConnError;
using tcp::State;

namespace {

int to_errno(ConnError e) {
  switch (e) {
    case ConnError::Refused:
      return ECONNREFUSED;
    case ConnError::Reset:
      return ECONNRESET;
    case ConnError::TimedOut:
      return ETIMEDOUT;
    case ConnError::BrokenPipe:
      return EPIPE;
    case ConnError::None:
      return 0;
  }
  return EIO;
}

// SO_RCVBUF / SO_SNDBUF: Linux doubles the value (for bookkeeping overhead) and bounds it
// by net.core.{r,w}mem_max (212992) and SOCK_MIN_{RCV,SND}BUF.
uint32_t sockbuf_value(int v, uint32_t min) {
  int64_t d = std::min<int64_t>(v, 212992) * 2;
  return static_cast<uint32_t>(std::max<int64_t>(d, min));
}

}  // namespace

Stack::SocketSlot* Stack::slot(SocketId s) {
  if (s.index >= slots_.size()) return nullptr;
  SocketSlot& sl = slots_[s.index];
  return sl.kind == Kind::Free || sl.gen != s.gen ? nullptr : &sl;
}

const Stack::SocketSlot* Stack::slot(SocketId s) const { return const_cast<Stack*>(this)->slot(s); }

SocketId Stack::new_slot(Kind kind, uint32_t obj) {
  uint32_t i;
  if (!free_slots_.empty()) {
    i = free_slots_.back();
    free_slots_.pop_back();
  } else {
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  uint32_t gen = slots_[i].gen + 1;
  slots_[i] = SocketSlot{};
  slots_[i].kind = kind;
  slots_[i].gen = gen;
  slots_[i].obj = obj;
  if (kind == Kind::Conn) conn_meta_[obj].notify = SocketId{i, gen};
  return SocketId{i, gen};
}

void Stack::free_slot(SocketId s) {
  SocketSlot& sl = slots_[s.index];
  if (sl.kind == Kind::Conn && conn_meta_[sl.obj].notify == s) conn_meta_[sl.obj].notify = {};
  ready_.unwatch(s.index, s.gen);  // as close() takes a file out of every epoll set
  sl.kind = Kind::Free;
  free_slots_.push_back(s.index);
}

Result<SocketId> Stack::socket() {
  uint32_t ci = new_conn(tcp::FourTuple{}, tcp::SocketOptions{});
  return new_slot(Kind::Conn, ci);
}

Result<void> Stack::bind(SocketId s, Endpoint local) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind != Kind::Conn || sl->bound.port != 0 || sl->connecting) return err(EINVAL);
  if (!local.addr.is_unspecified() && !is_local(local.addr)) return err(EADDRNOTAVAIL);
  if (local.port == 0) {
    // bind(port 0): an ephemeral port of our own (Linux prefers odd ones for bind).
    const int lo = cfg_.ip_local_port_range[0], hi = cfg_.ip_local_port_range[1];
    for (int p = lo | 1; p <= hi; p += 2) {
      if (!ports_.find(static_cast<uint16_t>(p))) {
        local.port = static_cast<uint16_t>(p);
        break;
      }
    }
    if (local.port == 0) return err(EADDRINUSE);
  } else if (ports_.bind_conflict(local.port, sl->reuseaddr)) {
    return err(EADDRINUSE);
  }
  sl->bound = local;
  sl->bound_reuse = sl->reuseaddr;
  ports_.add(local.port, sl->bound_reuse, false, true);
  return {};
}

Result<void> Stack::listen(SocketId s, int backlog) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  // backlog = min(listen argument, somaxconn) (__sys_listen), compared unsigned: a
  // negative argument means somaxconn.
  int b = static_cast<unsigned>(backlog) > static_cast<unsigned>(cfg_.somaxconn) ? cfg_.somaxconn
                                                                                 : backlog;
  if (sl->kind == Kind::Listen) {
    listeners_[sl->obj]->set_backlog(b);
    return {};
  }
  if (sl->connecting) return err(EINVAL);
  tcp::Connection& c = *conns_[sl->obj];
  if (c.state() != State::Close) return err(EINVAL);
  if (sl->bound.port == 0) {
    auto r = bind(s, Endpoint{});  // listen() on an unbound socket picks a port
    if (!r) return r;
  }
  // The listener takes over the port hold from the bound socket, now as a listener.
  ports_.remove(sl->bound.port, sl->bound_reuse, false, true);
  if (ports_.bind_conflict(sl->bound.port, sl->bound_reuse) &&
      ports_.find(sl->bound.port)->listeners > 0) {
    ports_.add(sl->bound.port, sl->bound_reuse, false, true);
    return err(EADDRINUSE);
  }
  ports_.add(sl->bound.port, sl->bound_reuse, true, true);
  auto l = std::make_unique<tcp::Listener>(sl->bound, b, c.options());
  uint32_t li = static_cast<uint32_t>(listeners_.size());
  for (uint32_t i = 0; i < listeners_.size(); ++i) {
    if (!listeners_[i]) {
      li = i;
      break;
    }
  }
  if (li == listeners_.size()) listeners_.emplace_back();
  l->set_reuseaddr(sl->bound_reuse);
  listeners_[li] = std::move(l);
  listeners_by_port_[sl->bound.port].push_back(li);
  free_conn(sl->obj);
  sl->kind = Kind::Listen;
  sl->obj = li;
  if (listener_socket_.size() <= li) listener_socket_.resize(li + 1);
  listener_socket_[li] = s;
  notify(s);
  return {};
}

Result<SocketId> Stack::accept(TimePoint, SocketId s, Endpoint* peer) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind != Kind::Listen) return err(EINVAL);
  auto& q = listeners_[sl->obj]->accept_queue();
  if (q.empty()) return err(EAGAIN);
  uint32_t ci = q.front();
  q.pop_front();
  if (peer) *peer = conns_[ci]->tuple().remote;
  SocketId id = new_slot(Kind::Conn, ci);
  slots_[id.index].connecting = true;
  slots_[id.index].connect_reported = true;
  return id;
}

// tcp_twsk_unique: connect() may take over a 4-tuple in TIME_WAIT when tcp_tw_reuse allows
// it (2: only between loopback addresses), the old connection used timestamps (so PAWS
// protects the new one from its old segments) and TIME_WAIT began over tcp_tw_reuse_delay ago.
// A socket bound to its port before connect() takes over any TIME_WAIT that used
// timestamps, whatever tcp_tw_reuse says (Linux passes no twp for a bound port).
std::optional<uint32_t> Stack::reusable_time_wait(const tcp::FourTuple& t, TimePoint now,
                                                  bool bound) const {
  const std::optional<DemuxRef> e = demux_.find(t, demux_key());
  if (!e || e->kind != DemuxKind::TimeWait) return std::nullopt;
  const tcp::TimeWaitRecord& tw = tws_[e->index];
  if (!tw.ts_ok) return std::nullopt;
  if (bound) return e->index;
  int reuse = cfg_.tcp_tw_reuse;
  if (reuse == 2) reuse = t.local.addr.is_loopback() && t.remote.addr.is_loopback();
  if (!reuse) return std::nullopt;
  // time_after32(now, entered + delay), in milliseconds.
  const uint32_t reusable_from = tw.entered_ms + static_cast<uint32_t>(cfg_.tcp_tw_reuse_delay);
  if (static_cast<int32_t>(tcp::stamp_ms(now) - reusable_from) <= 0) return std::nullopt;
  return e->index;
}

std::optional<uint16_t> Stack::pick_ephemeral(const tcp::FourTuple& partial, TimePoint now) {
  // __inet_hash_connect: start at an offset that depends on the destination, try even
  // ports first, then odd ones; a port is usable if nobody bound it and the 4-tuple is free.
  const uint32_t lo = cfg_.ip_local_port_range[0], hi = cfg_.ip_local_port_range[1];
  if (hi < lo) return std::nullopt;
  const uint32_t range = hi - lo + 1;
  tcp::FourTuple t = partial;
  t.local.port = 0;
  // RFC 6056 3.3.4 (Linux secure_ipv4_port_ephemeral): the offset is a keyed hash of the
  // addresses and the remote port, so an off-path peer cannot guess it.
  const uint64_t words[2] = {(uint64_t{t.local.addr.raw()} << 32) | t.remote.addr.raw(),
                             t.remote.port};
  uint32_t offset = static_cast<uint32_t>(siphash(port_key_, words, 2)) + ephemeral_hint_;
  for (uint32_t parity = 0; parity < 2; ++parity) {
    for (uint32_t i = 0; i < range; i += 1) {
      uint32_t port = lo + (offset + i) % range;
      if ((port & 1) != parity) continue;
      if (!ports_.ephemeral_ok(static_cast<uint16_t>(port))) continue;
      t.local.port = static_cast<uint16_t>(port);
      if (demux_.contains(t, demux_key()) && !reusable_time_wait(t, now, false)) continue;
      ephemeral_hint_ += 2;
      return static_cast<uint16_t>(port);
    }
  }
  return std::nullopt;
}

Result<void> Stack::connect(TimePoint now, SocketId s, Endpoint remote) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind != Kind::Conn) return err(EISCONN);
  tcp::Connection* c = conns_[sl->obj].get();
  if (sl->connecting) {
    switch (c->state()) {
      case State::SynSent:
      case State::SynRecv:
        return err(EALREADY);
      case State::Close:
        // __inet_stream_connect, SS_CONNECTING and TCP_CLOSE (sock_error): the attempt's
        // error, or ECONNABORTED when getsockopt(SO_ERROR) took it already; the socket is
        // unconnected again (disconnect()). Once connect() said 0 (SS_CONNECTED): EISCONN.
        if (!sl->connect_reported) {
          int e = c->error() != ConnError::None ? to_errno(c->take_error()) : ECONNABORTED;
          ConnMeta& m = conn_meta_[sl->obj];
          if (m.holds_port && !m.bound) {
            ports_.remove(c->tuple().local.port, m.reuse, false, false);
            m.holds_port = false;
          }
          tcp::SocketOptions opts = c->options();
          free_conn(sl->obj);
          sl->obj = new_conn(tcp::FourTuple{}, opts);
          conn_meta_[sl->obj].notify = s;
          sl->connecting = false;
          return err(e);
        }
        return err(EISCONN);
      default:
        if (!sl->connect_reported) {
          sl->connect_reported = true;
          return {};
        }
        return err(EISCONN);
    }
  }
  if (remote.port == 0 || remote.addr.is_unspecified()) return err(ECONNREFUSED);

  tcp::FourTuple t;
  t.remote = remote;
  t.local.addr = sl->bound.addr.is_unspecified() ? addrs_.front() : sl->bound.addr;
  if (remote.addr.is_loopback() && sl->bound.addr.is_unspecified()) t.local.addr = remote.addr;
  bool bound = sl->bound.port != 0;
  if (bound) {
    t.local.port = sl->bound.port;
    // __inet_check_established: the 4-tuple must be free, or a reusable TIME_WAIT.
    if (demux_.contains(t, demux_key()) && !reusable_time_wait(t, now, true))
      return err(EADDRNOTAVAIL);
  } else {
    auto port = pick_ephemeral(t, now);
    if (!port) return err(EADDRNOTAVAIL);
    t.local.port = *port;
  }
  // Taking over a TIME_WAIT: the new incarnation starts beyond the old one's sequence
  // space (old snd_nxt + 65537), and the record goes (TWRecycled).
  std::optional<SeqNum> reuse_isn;
  if (auto ti = reusable_time_wait(t, now, bound)) {
    uint32_t v = tws_[*ti].snd_nxt.raw() + 65535 + 2;
    reuse_isn = SeqNum(v == 0 ? 1 : v);
    ++mib_.TWRecycled;
    log_change(now, t, State::TimeWait, State::Close);
    drop_time_wait(*ti);
  }
  tcp::SocketOptions opts = c->options();
  free_conn(sl->obj);
  uint32_t ci = new_conn(t, opts);
  sl->obj = ci;
  sl->connecting = true;
  ConnMeta& m = conn_meta_[ci];
  m.notify = s;
  m.in_demux = true;
  m.holds_port = true;
  m.reuse = bound ? sl->bound_reuse : sl->reuseaddr;
  m.bound = bound;
  if (bound) {
    // The bound socket's hold becomes the connection's.
    ports_.remove(t.local.port, sl->bound_reuse, false, true);
  }
  ports_.add(t.local.port, m.reuse, false, bound);
  demux_.insert_or_assign(t, DemuxRef{DemuxKind::Conn, ci}, demux_key());
  auto cx = ctx(now);
  conns_[ci]->connect(cx, reuse_isn ? *reuse_isn : choose_isn(t, now), isn_.ts_offset(t));
  sync(now, ci);
  return err(EINPROGRESS);
}

Result<size_t> Stack::send(TimePoint now, SocketId s, Bytes data, bool eor) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind != Kind::Conn) return err(ENOTCONN);
  tcp::Connection& c = *conns_[sl->obj];
  // tcp_sendmsg: a pending error first, then EPIPE once writing is over.
  if (c.error() != ConnError::None) return err(to_errno(c.take_error()));
  // sk_stream_wait_connect: a socket that is not connected (or no longer) gets EPIPE.
  if (!sl->connecting) return err(EPIPE);
  if (c.state() == State::SynSent || c.state() == State::SynRecv) return err(EAGAIN);
  if (c.write_shutdown() || c.state() == State::Close) return err(EPIPE);
  if (data.empty()) return size_t{0};
  auto cx = ctx(now);
  size_t n = conns_[sl->obj]->send(cx, data, eor);
  sync(now, sl->obj);
  if (n == 0) return err(EAGAIN);
  return n;
}

Result<size_t> Stack::recv(TimePoint now, SocketId s, MutBytes out, bool peek) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind != Kind::Conn) return err(ENOTCONN);
  tcp::Connection& c = *conns_[sl->obj];
  // Data queued is returned even after shutdown(SHUT_RD): Linux keeps receiving and
  // queueing (tcp_recvmsg copies before it looks at RCV_SHUTDOWN).
  if (c.readable() > 0) {
    auto cx = ctx(now);
    size_t n = c.recv(cx, out, peek);
    sync(now, sl->obj);
    return n;
  }
  // tcp_recvmsg with nothing queued: EOF once the peer's FIN was read (SOCK_DONE, checked
  // before sk_err: a RST in CLOSE_WAIT leaves EPIPE for writers), the error, EOF after
  // shutdown(SHUT_RD), ENOTCONN for a socket never connected, else EAGAIN.
  if (c.read_eof()) {
    c.note_eof_read();
    return size_t{0};
  }
  if (c.error() != ConnError::None) return err(to_errno(c.take_error()));
  if (sl->rd_shutdown) return size_t{0};
  if (c.state() == State::Close) return sl->connecting ? Result<size_t>(size_t{0}) : err(ENOTCONN);
  if (c.state() == State::SynSent || c.state() == State::SynRecv) return err(EAGAIN);
  return err(EAGAIN);
}

Result<void> Stack::shutdown(TimePoint now, SocketId s, int how) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (how < 0 || how > 2) return err(EINVAL);
  if (sl->kind == Kind::Listen) {
    if (how != 1) close_listener(now, sl->obj);
    return {};
  }
  tcp::Connection& c = *conns_[sl->obj];
  if (!sl->connecting || c.state() == State::Close) return err(ENOTCONN);
  if (how == 0 || how == 2) sl->rd_shutdown = true;
  if (how == 1 || how == 2) {
    auto cx = ctx(now);
    c.shutdown_write(cx);
    sync(now, sl->obj);
  }
  return {};
}

void Stack::close_listener(TimePoint now, uint32_t li) {
  // inet_csk_listen_stop: pending requests vanish; connections never accepted are reset.
  for (uint32_t ri = 0; ri < requests_.capacity(); ++ri) {
    if (requests_[ri] && requests_[ri]->listener == li) drop_request(ri);
  }
  auto& q = listeners_[li]->accept_queue();
  while (!q.empty()) {
    uint32_t ci = q.front();
    q.pop_front();
    auto cx = ctx(now);
    // inet_child_forget: tcp_disconnect (a RST where tcp_need_reset says so, never a FIN),
    // then the child is an orphan.
    conns_[ci]->abort(cx);
    conns_[ci]->close(cx);
    ++orphans_;
    sync(now, ci);
  }
}

// tcp_close -> tcp_check_oom: beyond tcp_max_orphans closed-but-alive connections, a newly
// orphaned one is reset at once ("too many orphaned sockets", TCPAbortOnMemory).
void Stack::orphaned(TimePoint now, uint32_t ci) {
  ++orphans_;
  tcp::Connection& c = *conns_[ci];
  if (c.state() != State::Close && orphans_ > static_cast<size_t>(cfg_.tcp_max_orphans)) {
    auto cx = ctx(now);
    ++mib_.TCPAbortOnMemory;
    c.abort(cx);
  }
}

Result<void> Stack::close(TimePoint now, SocketId s, bool linger_wait) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind == Kind::Listen) {
    uint32_t li = sl->obj;
    close_listener(now, li);
    const uint16_t port = listeners_[li]->local().port;
    ports_.remove(port, sl->bound_reuse, true, true);
    auto& on_port = listeners_by_port_[port];
    std::erase(on_port, li);
    if (on_port.empty()) listeners_by_port_.erase(port);
    listeners_[li].reset();
    free_slot(s);
    return {};
  }
  uint32_t ci = sl->obj;
  if (!sl->connecting) {
    if (sl->bound.port) ports_.remove(sl->bound.port, sl->bound_reuse, false, true);
    free_conn(ci);
    free_slot(s);
    return {};
  }
  auto cx = ctx(now);
  tcp::Connection& c = *conns_[ci];
  auto lingers = lingering_.find(s.index);
  if (lingers == lingering_.end()) {
    c.close_begin(cx);
    const tcp::SocketOptions& o = c.options();
    if (linger_wait && o.linger && o.linger_secs > 0 && c.lingering()) {
      lingering_.emplace(s.index, now + std::chrono::seconds(o.linger_secs));
      sync(now, ci);
      return err(EINPROGRESS);
    }
  } else {
    if (c.lingering() && now < lingers->second) return err(EINPROGRESS);
    lingering_.erase(lingers);
  }
  c.close_end(cx);
  orphaned(now, ci);
  free_slot(s);
  sync(now, ci);
  return {};
}

Result<void> Stack::set_linger(TimePoint, SocketId s, bool on, int seconds) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  tcp::SocketOptions& o =
      sl->kind == Kind::Listen ? listeners_[sl->obj]->options() : conns_[sl->obj]->options();
  o.linger = on;
  o.linger_secs = static_cast<uint16_t>(std::clamp(seconds, 0, 65535));
  return {};
}

Result<void> Stack::setsockopt(TimePoint now, SocketId s, int level, int name, int v) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  tcp::Connection* c = sl->kind == Kind::Conn ? conns_[sl->obj].get() : nullptr;
  tcp::SocketOptions& o = c ? c->options() : listeners_[sl->obj]->options();
  auto cx = ctx(now);
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_REUSEADDR:
        sl->reuseaddr = v != 0;
        return {};
      case SO_REUSEPORT:
        return {};
      case SO_KEEPALIVE:
        if (c) {
          c->set_keepalive(cx, v != 0);
          sync(now, sl->obj);
        } else {
          o.keepalive = v != 0;
        }
        return {};
      case SO_RCVBUF:
        o.rcvbuf = sockbuf_value(v, 2304);
        if (c) c->buffer_options_changed();
        return {};
      case SO_SNDBUF:
        o.sndbuf = sockbuf_value(v, 4608);
        if (c) c->buffer_options_changed();
        return {};
      default:
        return err(ENOPROTOOPT);
    }
  }
  if (level == IPPROTO_TCP) {
    switch (name) {
      case TCP_NODELAY:
        if (c) {
          c->set_nodelay(cx, v != 0);
          sync(now, sl->obj);
        } else {
          o.nodelay = v != 0;
        }
        return {};
      case TCP_MAXSEG:
        if (v != 0 && (v < 88 || v > 65535 - 40)) return err(EINVAL);  // TCP_MIN_MSS
        o.user_mss = static_cast<uint16_t>(v);
        return {};
      case TCP_KEEPIDLE:
        if (v < 1 || v > 32767) return err(EINVAL);  // MAX_TCP_KEEPIDLE
        o.keepidle = static_cast<uint32_t>(v);
        if (c) {
          c->keepidle_changed(cx);
          sync(now, sl->obj);
        }
        return {};
      case TCP_KEEPINTVL:
        if (v < 1 || v > 32767) return err(EINVAL);
        o.keepintvl = static_cast<uint32_t>(v);
        return {};
      case TCP_KEEPCNT:
        if (v < 1 || v > 127) return err(EINVAL);  // MAX_TCP_KEEPCNT
        o.keepcnt = static_cast<uint8_t>(v);
        return {};
      case TCP_USER_TIMEOUT:
        if (v < 0) return err(EINVAL);
        o.user_timeout = static_cast<uint32_t>(v);
        return {};
      case TCP_DEFER_ACCEPT:
        o.defer_accept = tcp::defer_accept_retrans(v);
        return {};
      case TCP_QUICKACK:
        if (c) {
          c->set_quickack(cx, v != 0);
          sync(now, sl->obj);
        }
        return {};
      default:
        return err(ENOPROTOOPT);
    }
  }
  return err(ENOPROTOOPT);
}

Result<int> Stack::getsockopt(SocketId s, int level, int name) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  tcp::Connection* c = sl->kind == Kind::Conn ? conns_[sl->obj].get() : nullptr;
  const tcp::SocketOptions& o = c ? c->options() : listeners_[sl->obj]->options();
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_ERROR:
        return c ? to_errno(c->take_error()) : 0;
      case SO_REUSEADDR:
        return sl->reuseaddr ? 1 : 0;
      case SO_KEEPALIVE:
        return o.keepalive ? 1 : 0;
      case SO_TYPE:
        return SOCK_STREAM;
      case SO_RCVBUF:
        return static_cast<int>(o.rcvbuf ? o.rcvbuf : cfg_.tcp_rmem[1]);
      case SO_SNDBUF:
        if (o.sndbuf) return static_cast<int>(o.sndbuf);
        return static_cast<int>(c ? c->send_limit() : size_t(cfg_.tcp_wmem[1]));
      case SO_ACCEPTCONN:
        return sl->kind == Kind::Listen ? 1 : 0;
      default:
        return err(ENOPROTOOPT);
    }
  }
  if (level == IPPROTO_TCP) {
    switch (name) {
      case TCP_NODELAY:
        return o.nodelay ? 1 : 0;
      case TCP_MAXSEG:
        // The MSS in use once connected; before, the user's value or the default (536).
        if (c && tcp::is_synchronized(c->state()) && c->state() != State::Close) return c->mss();
        return o.user_mss ? o.user_mss : static_cast<int>(tcp::kMssDefault);
      case TCP_KEEPIDLE:
        return static_cast<int>(o.keepidle ? o.keepidle : cfg_.tcp_keepalive_time);
      case TCP_KEEPINTVL:
        return static_cast<int>(o.keepintvl ? o.keepintvl : cfg_.tcp_keepalive_intvl);
      case TCP_KEEPCNT:
        return o.keepcnt ? o.keepcnt : cfg_.tcp_keepalive_probes;
      case TCP_USER_TIMEOUT:
        return static_cast<int>(o.user_timeout);
      case TCP_DEFER_ACCEPT:
        return tcp::defer_accept_secs(o.defer_accept);
      case TCP_QUICKACK:
        return c ? c->quickack() : 1;
      default:
        return err(ENOPROTOOPT);
    }
  }
  return err(ENOPROTOOPT);
}

Result<Endpoint> Stack::getsockname(SocketId s) const {
  const SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind == Kind::Listen) return listeners_[sl->obj]->local();
  if (sl->connecting) return conns_[sl->obj]->tuple().local;
  return sl->bound;
}

Result<Endpoint> Stack::getpeername(SocketId s) const {
  const SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind != Kind::Conn || !sl->connecting) return err(ENOTCONN);
  const tcp::Connection& c = *conns_[sl->obj];
  if (c.state() == State::SynSent || c.state() == State::Close) return err(ENOTCONN);
  return c.tuple().remote;
}

// tcp_poll.
int Stack::poll(SocketId s) const {
  const SocketSlot* sl = slot(s);
  if (!sl) return events::ERR;
  if (sl->kind == Kind::Listen) return listeners_[sl->obj]->accept_queue().empty() ? 0 : events::IN;
  // Not const: like tcp_poll, a poll that finds no room sets SOCK_NOSPACE (poll_writeable).
  tcp::Connection& c = *conns_[sl->obj];
  int mask = 0;
  if (c.error() != ConnError::None) mask |= events::ERR;
  const bool closed = c.state() == State::Close;
  // A connection that ended (tcp_done) is shut both ways; a socket never connected, or
  // unconnected again by connect() after a failure (tcp_disconnect), is not shut at all.
  const bool rd_shut = sl->rd_shutdown || c.read_eof() || (closed && sl->connecting);
  if (closed || (rd_shut && c.write_shutdown())) mask |= events::HUP;
  if (rd_shut) mask |= events::IN | events::RDHUP;
  if (c.state() == State::SynSent || c.state() == State::SynRecv) return mask;
  if (c.readable() > 0) mask |= events::IN;
  if (c.write_shutdown() || closed) {
    mask |= events::OUT;
  } else {
    if (c.poll_writeable()) mask |= events::OUT;
  }
  return mask;
}

size_t Stack::readable(SocketId s) const {
  const SocketSlot* sl = slot(s);
  if (!sl || sl->kind != Kind::Conn) return 0;
  return conns_[sl->obj]->readable();
}

const tcp::Connection* Stack::connection(SocketId s) const {
  const SocketSlot* sl = slot(s);
  if (!sl || sl->kind != Kind::Conn) return nullptr;
  return conns_[sl->obj].get();
}

std::vector<SocketRow> Stack::socket_table() const {
  std::vector<SocketRow> rows;
  for (const auto& l : listeners_) {
    if (!l) continue;
    rows.push_back(SocketRow{State::Listen, static_cast<uint32_t>(l->accept_queue().size()),
                             static_cast<uint32_t>(l->backlog()), l->local(), Endpoint{}, false});
  }
  for (const auto& c : conns_) {
    if (!c || c->state() == State::Close) continue;
    rows.push_back(SocketRow{c->state(), static_cast<uint32_t>(c->readable()),
                             static_cast<uint32_t>(c->send_queued()), c->tuple().local,
                             c->tuple().remote, c->orphan()});
  }
  for (const auto& r : requests_) {
    if (!r) continue;
    rows.push_back(
        SocketRow{State::SynRecv, 0, 0, r->open.tuple.local, r->open.tuple.remote, false});
  }
  tws_.for_each([&](const tcp::TimeWaitRecord& tw) {
    rows.push_back(SocketRow{State::TimeWait, 0, 0, tw.tuple.local, tw.tuple.remote, true});
  });
  return rows;
}

const char* errno_name(int e) {
  switch (e) {
    case 0:
      return "0";
    case EAGAIN:
      return "EAGAIN";
    case EINPROGRESS:
      return "EINPROGRESS";
    case EALREADY:
      return "EALREADY";
    case EISCONN:
      return "EISCONN";
    case ENOTCONN:
      return "ENOTCONN";
    case ECONNREFUSED:
      return "ECONNREFUSED";
    case ECONNRESET:
      return "ECONNRESET";
    case ECONNABORTED:
      return "ECONNABORTED";
    case ETIMEDOUT:
      return "ETIMEDOUT";
    case EPIPE:
      return "EPIPE";
    case EADDRINUSE:
      return "EADDRINUSE";
    case EADDRNOTAVAIL:
      return "EADDRNOTAVAIL";
    case EBADF:
      return "EBADF";
    case EINVAL:
      return "EINVAL";
    case ENOPROTOOPT:
      return "ENOPROTOOPT";
    case ENOBUFS:
      return "ENOBUFS";
    case EACCES:
      return "EACCES";
    case EPERM:
      return "EPERM";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    case ENETUNREACH:
      return "ENETUNREACH";
    case EHOSTUNREACH:
      return "EHOSTUNREACH";
    case EMFILE:
      return "EMFILE";
    case EMSGSIZE:
      return "EMSGSIZE";
    default:
      return "E?";
  }
}

}  // namespace ustcp::stack
