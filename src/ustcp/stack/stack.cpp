// The Stack's driver side: datagrams in and out, demultiplexing, timers, and the glue
// between connections, listeners, SYN_RECV requests and TIME_WAIT records.
#include "ustcp/stack/stack.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>

#include "ustcp/wire/ipv4.hpp"

namespace ustcp::stack {

using namespace wire::tcp_flags;
using tcp::State;

Stack::Stack(Ipv4Addr addr, tcp::Config config, const tcp::Secrets& secrets)
    : addrs_{addr},
      cfg_(config),
      isn_(secrets.isn, secrets.ts_offset),
      cookies_(secrets.syncookie),
      port_key_(secrets.port_offset),
      challenge_acks_(secrets.challenge_ack),
      demux_(tcp::FourTupleHash{secrets.demux[0], secrets.demux[1]}) {
  tw_timer_.kind = kTimerTimeWait;
}

Stack::~Stack() = default;

SeqNum Stack::choose_isn(const tcp::FourTuple& t, TimePoint now) {
  if (next_isn_) {
    SeqNum isn = *next_isn_;
    next_isn_.reset();
    return isn;
  }
  return isn_.isn(t, now);
}

bool Stack::is_local(Ipv4Addr a) const {
  for (Ipv4Addr x : addrs_) {
    if (x == a) return true;
  }
  return false;
}

uint64_t Stack::curr_estab() const {
  uint64_t n = 0;
  for (const auto& c : conns_) {
    if (c && (c->state() == State::Established || c->state() == State::CloseWait)) ++n;
  }
  return n;
}

// ---------------------------------------------------------------- output

void Stack::send(const tcp::FourTuple& t, const wire::TcpRepr& seg, Bytes tail) {
  const size_t hl = seg.header_len();
  const size_t total = wire::kIpv4HeaderLen + hl + seg.payload.size() + tail.size();
  MutBytes out = outbox_.reserve(total);
  wire::Ipv4Repr ip;
  ip.src = t.local.addr;
  ip.dst = t.remote.addr;
  ip.ident = ip_id_++;
  ip.payload_len = static_cast<uint16_t>(total - wire::kIpv4HeaderLen);
  ip.emit(out);
  // Gather the payload (it may come in two pieces from the send ring) right behind the
  // header, then emit the header over it (emit moves a payload already in place no-op).
  std::byte* payload_at = out.data() + wire::kIpv4HeaderLen + hl;
  std::copy(seg.payload.begin(), seg.payload.end(), payload_at);
  std::copy(tail.begin(), tail.end(), payload_at + seg.payload.size());
  wire::TcpRepr whole = seg;
  whole.payload = Bytes(payload_at, seg.payload.size() + tail.size());
  whole.emit(out.subspan(wire::kIpv4HeaderLen), t.local.addr, t.remote.addr, cfg_.checksum_offload);
  count_ip_out(total);
}

std::optional<Bytes> Stack::poll_transmit(TimePoint) { return outbox_.pop(); }

void Stack::send_reset_for(TimePoint now, const tcp::FourTuple& t, const wire::TcpView& seg) {
  auto c = ctx(now);
  tcp::reset_segment(c, t, seg);
}

// ---------------------------------------------------------------- input

void Stack::receive(TimePoint now, Bytes datagram) {
  // ip_rcv_core(): every datagram counts in InReceives and its bytes in InOctets.
  ++mib_.IpInReceives;
  mib_.IpExtInOctets += datagram.size();
  auto ip = wire::Ipv4View::parse(datagram);
  if (!ip) {
    switch (ip.error()) {
      case wire::ParseError::Fragment:
        ++mib_.IpReasmFails;  // we do not reassemble fragments
        break;
      case wire::ParseError::BadIpChecksum:
        ++mib_.IpExtInCsumErrors;  // csum_error: then inhdr_error
        ++mib_.IpInHdrErrors;
        break;
      default:
        ++mib_.IpInHdrErrors;
    }
    return;
  }
  // IpExt InNoECTPkts, InECT1Pkts, InECT0Pkts, InCEPkts: by the ECN bits of the TOS byte.
  uint64_t* const ecn[] = {&mib_.IpExtInNoECTPkts, &mib_.IpExtInECT1Pkts, &mib_.IpExtInECT0Pkts,
                           &mib_.IpExtInCEPkts};
  ++*ecn[ip->tos() & 3];
  if (!is_local(ip->dst())) {
    ++mib_.IpInAddrErrors;
    return;
  }
  if (ip->protocol() == wire::kProtoIcmp) {
    icmp_input(*ip);
    return;
  }
  if (ip->protocol() != wire::kProtoTcp) {
    ++mib_.IpInUnknownProtos;
    return;
  }
  ++mib_.IpInDelivers;
  auto seg = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst(), !cfg_.checksum_offload);
  if (!seg) {
    if (seg.error() == wire::ParseError::BadTcpChecksum) ++mib_.InCsumErrors;
    ++mib_.InErrs;
    return;
  }
  ++mib_.InSegs;
  const tcp::FourTuple t{{ip->dst(), seg->dst_port()}, {ip->src(), seg->src_port()}};

  if (const std::optional<DemuxRef> found = demux_.find(t, demux_key())) {
    const DemuxRef e = *found;
    switch (e.kind) {
      case DemuxKind::Conn: {
        auto c = ctx(now);
        conns_[e.index]->on_segment(c, *seg);
        sync(now, e.index);
        return;
      }
      case DemuxKind::Request:
        request_segment(now, e.index, *seg);
        return;
      case DemuxKind::TimeWait:
        time_wait_segment(now, e.index, t, *seg);
        return;
    }
  }
  uint32_t li = find_listener(t.local);
  if (li != UINT32_MAX) {
    listener_segment(now, li, t, *seg, std::nullopt);
    return;
  }
  // RFC 9293 3.10.7.1: CLOSED. "An incoming segment not containing a RST causes a RST to
  // be sent in response."
  send_reset_for(now, t, *seg);
}

// The listeners on the port only (a SYN flood to a stack with many listeners costs one
// lookup, not a scan): the one bound to this address, else one bound to 0.0.0.0.
uint32_t Stack::find_listener(Endpoint local) const {
  auto on_port = listeners_by_port_.find(local.port);
  if (on_port == listeners_by_port_.end()) return UINT32_MAX;
  uint32_t wildcard = UINT32_MAX;
  for (uint32_t i : on_port->second) {
    const auto& l = listeners_[i];
    if (l->local().addr == local.addr) return i;
    if (l->local().addr.is_unspecified()) wildcard = i;
  }
  return wildcard;
}

// ---------------------------------------------------------------- connections

uint32_t Stack::new_conn(const tcp::FourTuple& t, const tcp::SocketOptions& opts) {
  uint32_t idx = conns_.emplace(t, opts);
  conns_[idx]->timer.owner = idx;
  conns_[idx]->timer.kind = kTimerConn;
  conn_meta_.resize(conns_.capacity());
  conn_meta_[idx] = ConnMeta{};
  return idx;
}

void Stack::free_conn(uint32_t idx) {
  tcp::Connection& c = *conns_[idx];
  ConnMeta& m = conn_meta_[idx];
  wheel_.cancel(c.timer);
  if (m.in_demux) demux_.erase(c.tuple(), demux_key());
  if (m.holds_port) ports_.remove(c.tuple().local.port, m.reuse, false, m.bound);
  if (c.orphan()) --orphans_;
  conns_.erase(idx);
}

void Stack::sync(TimePoint now, uint32_t idx) {
  tcp::Connection& c = *conns_[idx];
  ConnMeta& m = conn_meta_[idx];
  if (c.state() == State::TimeWait) to_time_wait(now, idx);
  if (c.state() == State::Close) {
    if (m.in_demux) {
      demux_.erase(c.tuple(), demux_key());
      m.in_demux = false;
    }
    if (c.orphan()) {
      free_conn(idx);
      return;
    }
  }
  TimePoint d = c.next_deadline();
  if (d == kNever) {
    wheel_.cancel(c.timer);
  } else {
    wheel_.schedule(c.timer, d);
  }
  // Everything that changes a socket's poll mask passes here (segments, timers, socket
  // calls); the ready list looks at watched sockets only.
  notify(m.notify);
}

void Stack::notify(SocketId s) {
  if (!ready_.watching(s.index, s.gen)) return;
  ready_.changed(s.index, s.gen, poll(s), ready_level(slots_[s.index]));
}

// What "more to read" is measured in for edge-triggered IN: connections waiting to be
// accepted, or bytes.
uint64_t Stack::ready_level(const SocketSlot& sl) const {
  return sl.kind == Kind::Listen ? listeners_[sl.obj]->accept_queue().size()
                                 : conns_[sl.obj]->readable();
}

Result<void> Stack::watch(SocketId s, int events, uint64_t data) {
  const SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  ready_.watch(s.index, s.gen, events, data, poll(s), ready_level(*sl));
  return {};
}

Result<void> Stack::unwatch(SocketId s) {
  if (!slot(s)) return err(EBADF);
  if (!ready_.unwatch(s.index, s.gen)) return err(ENOENT);
  return {};
}

size_t Stack::take_ready(std::span<Ready> out) {
  // Taken in pieces of the caller's size through a small buffer of the list's own type.
  size_t n = 0;
  std::array<ReadyEvent, 64> buf;
  while (n < out.size()) {
    const size_t want = std::min(buf.size(), out.size() - n);
    const size_t got = ready_.take(std::span(buf.data(), want), [&](uint32_t index) {
      return poll(SocketId{index, slots_[index].gen});
    });
    for (size_t i = 0; i < got; ++i) {
      out[n++] = Ready{SocketId{buf[i].index, buf[i].gen}, buf[i].events, buf[i].data};
    }
    if (got < want) break;
  }
  return n;
}

// tcp_time_wait: the connection becomes a compact record (unless tcp_max_tw_buckets is
// reached: then it is simply gone, TCPTimeWaitOverflow).
void Stack::to_time_wait(TimePoint now, uint32_t idx) {
  tcp::Connection& c = *conns_[idx];
  ConnMeta& m = conn_meta_[idx];
  TimePoint deadline = c.time_wait_deadline();
  c.end_time_wait();
  if (m.in_demux) {
    demux_.erase(c.tuple(), demux_key());
    m.in_demux = false;
  }
  if (tws_.size() >= static_cast<size_t>(cfg_.tcp_max_tw_buckets)) {
    ++mib_.TCPTimeWaitOverflow;
    log_change(now, c.tuple(), State::TimeWait, State::Close);
    return;
  }
  tcp::TimeWaitRecord tw;
  tw.tuple = c.tuple();
  tw.snd_nxt = c.snd_nxt();
  tw.rcv_nxt = c.rcv_nxt();
  tw.ts_ok = c.ts_ok();
  tw.ts_recent = c.ts_recent();
  tw.ts_offset = c.ts_offset();
  tw.ts_recent_stamp_s = tcp::stamp_seconds(c.ts_recent_stamp());
  tw.rcv_wnd = c.rcv_wnd();
  tw.rcv_wscale = c.rcv_wscale();
  tw.port_reuse = m.reuse;
  tw.entered_ms = tcp::stamp_ms(now);
  const uint32_t ti = tws_.add(tw, deadline == kNever ? now + tcp::kTimeWaitLen : deadline);
  // The table's timer follows its oldest record. It is re-armed when the table was empty;
  // otherwise it is already due no later than this record.
  if (tws_.size() == 1) wheel_.schedule(tw_timer_, *tws_.next_deadline());
  demux_.insert_or_assign(tw.tuple, DemuxRef{DemuxKind::TimeWait, ti}, demux_key());
  // The record keeps the port until it expires; the connection gives up its hold.
  ports_.add(tw.tuple.local.port, m.reuse, false, false);
}

// A record that goes early (killed, reopened, recycled) leaves the table's timer as it was:
// at worst it comes due with nothing expired and is set again (time_wait_timer).
void Stack::drop_time_wait(uint32_t ti) {
  const tcp::TimeWaitRecord& tw = tws_[ti];
  demux_.erase(tw.tuple, demux_key());
  ports_.remove(tw.tuple.local.port, tw.port_reuse, false, false);
  tws_.remove(ti);
}

// TCP_TIMEWAIT_LEN is over for the oldest records (tcp_time_wait's timer: TW counted).
void Stack::time_wait_timer(TimePoint now) {
  for (uint32_t ti; (ti = tws_.expired(now)) != TimeWaitTable::kNone;) {
    ++mib_.TW;
    log_change(now, tws_[ti].tuple, State::TimeWait, State::Close);
    drop_time_wait(ti);
  }
  if (auto d = tws_.next_deadline()) wheel_.schedule(tw_timer_, *d);
}

void Stack::time_wait_segment(TimePoint now, uint32_t ti, const tcp::FourTuple& t,
                              const wire::TcpView& seg) {
  auto c = ctx(now);
  bool restart = false;
  SeqNum isn;
  tcp::TimeWaitRecord& tw = tws_[ti];
  switch (tcp::time_wait_segment(c, tw, seg, restart, isn)) {
    case tcp::TimeWaitAction::Kill:
      ++mib_.TWKilled;
      log_change(now, t, State::TimeWait, State::Close);
      drop_time_wait(ti);
      return;
    case tcp::TimeWaitAction::Reopen: {
      uint32_t li = find_listener(t.local);
      // tcp_v4_rcv, TCP_TW_SYN: with a listener the SYN opens a new connection (Linux
      // counts TWRecycled only for connect(), __inet_check_established); without one it
      // falls through to TCP_TW_ACK.
      if (li != UINT32_MAX) {
        log_change(now, t, State::TimeWait, State::Close);
        drop_time_wait(ti);
        listener_segment(now, li, t, seg, isn);
        return;
      }
      tcp::time_wait_ack(c, tw);
      break;
    }
    case tcp::TimeWaitAction::Keep:
      break;
  }
  if (restart) tws_.restart(ti, now + tcp::kTimeWaitLen);
}

// ---------------------------------------------------------------- listeners

// A segment for a listener with no request or connection of its own (RFC 9293 3.10.7.2;
// Linux tcp_rcv_state_process, TCP_LISTEN, and tcp_conn_request).
void Stack::listener_segment(TimePoint now, uint32_t li, const tcp::FourTuple& t,
                             const wire::TcpView& seg, std::optional<SeqNum> isn) {
  tcp::Listener& l = *listeners_[li];
  if (seg.has(RST)) return;  // "An incoming RST should be ignored."
  if (seg.has(ACK)) {
    // An ACK with no request may complete a SYN-cookie handshake (cookie_v4_check);
    // otherwise: "Any acknowledgment is bad if it arrives on a connection still in the
    // LISTEN state. An acceptable reset segment should be formed for any arriving
    // ACK-bearing segment."
    if (!seg.has(SYN) && cfg_.tcp_syncookies != 0 && l.cookies_recent(now)) {
      if (cookie_ack(now, li, t, seg)) return;
      ++mib_.SyncookiesFailed;
    }
    send_reset_for(now, t, seg);
    return;
  }
  if (!seg.has(SYN)) return;  // "Any other control or text-bearing segment ... drop it"

  // tcp_conn_request. A full SYN queue (or tcp_syncookies = 2) means a cookie when cookies
  // are on (TCPReqQFullDoCookies), a drop when they are off (TCPReqQFullDrop). A SYN reopening
  // a TIME_WAIT 4-tuple (isn given) never gets a cookie.
  bool want_cookie = false;
  if ((cfg_.tcp_syncookies == 2 || l.syn_queue_full()) && !isn) {
    if (cfg_.tcp_syncookies == 0) {
      ++mib_.TCPReqQFullDrop;
      ++mib_.ListenDrops;
      return;
    }
    want_cookie = true;
    ++mib_.TCPReqQFullDoCookies;  // tcp_syn_flood_action counts it in mode 2 as well
  }
  // A SYN that finds the accept queue full is dropped, cookies or not (sk_acceptq_is_full).
  if (l.accept_queue_full()) {
    ++mib_.ListenOverflows;
    ++mib_.ListenDrops;
    return;
  }
  // Without cookies, the last quarter of tcp_max_syn_backlog is kept for peers proven
  // alive; ustcp keeps no per-destination metrics, so no peer is proven (tcp_peer_is_proven).
  const int max_syn_backlog = cfg_.tcp_max_syn_backlog;
  if (!want_cookie && !isn && cfg_.tcp_syncookies == 0 &&
      max_syn_backlog - static_cast<int>(l.syn_queue_len()) < (max_syn_backlog >> 2)) {
    ++mib_.ListenDrops;
    return;
  }
  auto c = ctx(now);
  if (want_cookie) {
    // Answer statelessly: the SYN-ACK's ISN is the cookie, the table MSS in it; without a
    // timestamp only the MSS survives, so only <mss> is offered (cookie_v4_init_sequence).
    tcp::OpenRequest o;
    tcp::Listener::init_request(cfg_, l.options(), t, seg, SeqNum(0), isn_.ts_offset(t), o);
    o.cookie = true;
    if (!o.ts_ok) o.sack_ok = o.wscale_ok = false;
    o.iss = cookies_.make(t, seg.seq(), tcp::Listener::cookie_mss(l.options(), seg), now);
    tcp::Listener::send_synack(c, l.options(), o);
    l.note_cookie_sent(now);
    ++mib_.SyncookiesSent;
    return;
  }

  const uint32_t ri = requests_.emplace();
  tcp::Request* req = requests_[ri].get();
  req->listener = li;
  req->timer.owner = ri;
  req->timer.kind = kTimerRequest;
  tcp::Listener::init_request(cfg_, l.options(), t, seg, isn ? *isn : choose_isn(t, now),
                              isn_.ts_offset(t), req->open);
  req->open.synack_sent = now;
  tcp::Listener::send_synack(c, l.options(), req->open);
  wheel_.schedule(req->timer, now + tcp::kTimeoutInit);
  demux_.insert_or_assign(t, DemuxRef{DemuxKind::Request, ri}, demux_key());
  l.add_request();
  log_change(now, t, State::Close, State::SynRecv);
}

void Stack::drop_request(uint32_t ri) {
  tcp::Request& r = *requests_[ri];
  wheel_.cancel(r.timer);
  demux_.erase(r.open.tuple, demux_key());
  if (listeners_[r.listener]) listeners_[r.listener]->remove_request();
  requests_.erase(ri);
}

// tcp_check_req: a segment for a SYN_RECV request.
void Stack::request_segment(TimePoint now, uint32_t ri, const wire::TcpView& seg) {
  tcp::Request& r = *requests_[ri];
  tcp::OpenRequest& o = r.open;
  const tcp::FourTuple t = o.tuple;
  auto c = ctx(now);

  // A retransmitted SYN: the SYN-ACK again at once, and the request timer restarts.
  if (seg.has(SYN) && !seg.has(ACK) && !seg.has(RST) && seg.seq() == o.irs) {
    tcp::Listener::send_synack(c, listeners_[r.listener]->options(), o);
    ++mib_.RetransSegs;
    o.synack_sent = kNever;
    wheel_.schedule(r.timer,
                    now + std::min<Duration>(
                              tcp::kTimeoutInit * (int64_t{1} << std::min<int>(r.retransmits, 20)),
                              cfg_.rto_max()));
    return;
  }
  // RFC 9293 3.10.7.4 first check for SYN-RECEIVED, with the window our SYN-ACK offered.
  const SeqNum rcv_nxt = o.irs + 1;
  const bool in_window =
      !(seg.seq() + seg.seg_len()).before(rcv_nxt) && !seg.seq().after(rcv_nxt + o.rcv_wnd);
  if (seg.has(RST)) {
    if (in_window) {
      ++mib_.EmbryonicRsts;
      log_change(now, t, State::SynRecv, State::Close);
      drop_request(ri);
    }
    return;
  }
  if (!seg.has(ACK)) return;
  if (seg.ack() != o.iss + 1) {
    send_reset_for(now, t, seg);  // an unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>
    return;
  }
  if (!in_window) return;

  tcp::Listener& l = *listeners_[r.listener];
  // TCP_DEFER_ACCEPT: a bare ACK (nothing past the SYN) is dropped while the request has
  // had fewer timer expiries than the option; the request waits, acked, for data.
  if (r.retransmits < l.options().defer_accept && seg.seq() + seg.seg_len() == o.irs + 1) {
    r.acked = true;
    ++mib_.TCPDeferAcceptDrop;
    return;
  }
  if (l.accept_queue_full()) {
    // tcp_abort_on_overflow = 0: ignore the ACK, keep the request (acked); the SYN-ACK timer
    // will offer the connection again. = 1: reset it.
    ++mib_.ListenOverflows;
    ++mib_.ListenDrops;
    r.acked = true;
    if (cfg_.tcp_abort_on_overflow) {
      log_change(now, t, State::SynRecv, State::Close);
      send_reset_for(now, t, seg);
      ++mib_.EmbryonicRsts;  // tcp_check_req, embryonic_reset
      drop_request(ri);
    }
    return;
  }

  const uint32_t li = r.listener;
  tcp::OpenRequest open = o;
  drop_request(ri);
  complete_open(now, li, open, seg);
}

// A SYN-cookie ACK (cookie_v4_check): rebuild the request from the ACK and the cookie.
// Returns false when the cookie does not validate.
bool Stack::cookie_ack(TimePoint now, uint32_t li, const tcp::FourTuple& t,
                       const wire::TcpView& seg) {
  auto mss = cookies_.check(t, seg.seq(), seg.ack(), now);
  if (!mss) return false;
  tcp::Listener& l = *listeners_[li];
  tcp::OpenRequest o;
  o.tuple = t;
  o.iss = seg.ack() - 1;
  o.irs = seg.seq() - 1;
  o.peer_mss = *mss;
  o.ts_offset = isn_.ts_offset(t);
  const auto& ts = seg.options().timestamp;
  if (ts) {
    // cookie_timestamp_decode: the options are in the low bits of the TS value we sent.
    if (!cfg_.tcp_timestamps) return false;
    auto opts = tcp::SynCookies::decode_ts(ts->ecr - o.ts_offset);
    if (opts.sack_ok && !cfg_.tcp_sack) return false;
    if (opts.snd_wscale && !cfg_.tcp_window_scaling) return false;
    o.ts_ok = true;
    o.ts_recent = ts->val;
    o.sack_ok = opts.sack_ok;
    o.wscale_ok = opts.snd_wscale.has_value();
    o.snd_wscale = opts.snd_wscale.value_or(0);
  }
  // Our window and scale as init_request would have chosen them.
  tcp::OpenRequest ours;
  tcp::Listener::init_request(cfg_, l.options(), t, seg, o.iss, o.ts_offset, ours);
  o.rcv_wnd = ours.rcv_wnd;
  o.rcv_wscale = o.wscale_ok ? tcp::Listener::rcv_wscale_for(cfg_, l.options()) : 0;
  ++mib_.SyncookiesRecv;
  if (l.accept_queue_full()) {
    ++mib_.ListenOverflows;
    ++mib_.ListenDrops;
    return true;  // dropped, not answered: the peer retransmits
  }
  complete_open(now, li, o, seg);
  return true;
}

// The handshake is complete: the connection exists and waits in the accept queue.
void Stack::complete_open(TimePoint now, uint32_t li, const tcp::OpenRequest& open,
                          const wire::TcpView& seg) {
  tcp::Listener& l = *listeners_[li];
  const tcp::FourTuple& t = open.tuple;
  auto c = ctx(now);
  uint32_t ci = new_conn(t, l.options());
  tcp::Connection& conn = *conns_[ci];
  conn.open_from_request(c, open);
  ++mib_.PassiveOpens;
  demux_.insert_or_assign(t, DemuxRef{DemuxKind::Conn, ci}, demux_key());
  conn_meta_[ci].in_demux = true;
  conn_meta_[ci].holds_port = true;
  conn_meta_[ci].reuse = l.reuseaddr();  // accepted connections inherit SO_REUSEADDR
  conn_meta_[ci].bound = false;
  ports_.add(t.local.port, l.reuseaddr(), false, false);
  conn.on_segment(c, seg);
  listeners_[li]->accept_queue().push_back(ci);
  conn_meta_[ci].notify = listener_socket_[li];  // readiness: the listener until accepted
  sync(now, ci);
}

// reqsk_timer_handler: SYN-ACK retransmissions at 1, 3, 7, 15, 31 s (exponential from
// 1 s) and the request dropped after tcp_synack_retries of them (at 63 s by default).
// With TCP_DEFER_ACCEPT (syn_ack_recalc) a request that was acked is not resent to until
// its last deferred expiry, and lives at least until then.
void Stack::request_timer(TimePoint now, uint32_t ri) {
  tcp::Request& r = *requests_[ri];
  const uint8_t defer = listeners_[r.listener]->options().defer_accept;
  const int n = r.retransmits;
  bool expire = n >= cfg_.tcp_synack_retries;
  bool resend = true;
  if (defer) {
    expire = expire && (!r.acked || n >= defer);
    resend = !r.acked || n >= defer - 1;
  }
  if (expire) {
    log_change(now, r.open.tuple, State::SynRecv, State::Close);
    drop_request(ri);
    return;
  }
  if (resend) {
    auto c = ctx(now);
    tcp::Listener::send_synack(c, listeners_[r.listener]->options(), r.open);
    ++mib_.RetransSegs;
    ++mib_.TCPSynRetrans;
    r.open.synack_sent = kNever;  // Karn: no RTT sample from a retransmitted SYN-ACK
  }
  ++r.retransmits;
  wheel_.schedule(
      r.timer,
      now + std::min<Duration>(tcp::kTimeoutInit * (int64_t{1} << std::min<int>(r.retransmits, 20)),
                               cfg_.rto_max()));
}

// ---------------------------------------------------------------- timers

std::optional<TimePoint> Stack::next_deadline() const { return wheel_.next_deadline(); }

void Stack::on_timer(TimePoint now) {
  while (TimerNode* n = wheel_.expire(now)) {
    switch (n->kind) {
      case kTimerConn: {
        uint32_t idx = n->owner;
        auto c = ctx(now);
        conns_[idx]->on_timer(c);
        sync(now, idx);
        break;
      }
      case kTimerRequest:
        request_timer(now, n->owner);
        break;
      case kTimerTimeWait:
        time_wait_timer(now);
        break;
      default:
        assert(false);
    }
  }
}

}  // namespace ustcp::stack
