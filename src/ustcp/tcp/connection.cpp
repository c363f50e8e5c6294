// Construction, the one place segments are built (emit), ACKs and RSTs, state changes.
#include "ustcp/tcp/connection.hpp"

#include <algorithm>
#include <bit>

#include "ustcp/tcp/wmem.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

Connection::Connection(const FourTuple& tuple, const SocketOptions& opts)
    : tuple_(tuple), opts_(opts) {}

bool make_reset(const wire::TcpView& seg, wire::TcpRepr& rst) {
  if (seg.has(RST)) return false;
  rst = wire::TcpRepr{};
  rst.src_port = seg.dst_port();
  rst.dst_port = seg.src_port();
  if (seg.has(ACK)) {
    rst.seq = seg.ack();
    rst.flags = RST;
  } else {
    rst.seq = SeqNum(0);
    rst.ack = seg.seq() + seg.seg_len();
    rst.flags = RST | ACK;
  }
  return true;
}

void reset_segment(Context& ctx, const FourTuple& t, const wire::TcpView& seg) {
  wire::TcpRepr rst;
  if (!make_reset(seg, rst)) return;
  ctx.out.send(t, rst, {});
  ++ctx.mib.OutSegs;
  ++ctx.mib.OutRsts;
}

uint32_t Connection::ts_now(TimePoint now) const { return ts_clock(now) + ts_offset_; }

// The backed-off RTO (icsk_rto): the estimator's value doubled per backoff, at most
// tcp_rto_max_ms.
// icsk_rto: the RTO doubled by each retransmission timeout. Zero-window probes count in
// backoff_ too (icsk_backoff) but leave icsk_rto alone, so while probing the RTO is the
// estimator's (slow start after idle, tcpi_rto and the ato bound see that one).
Duration Connection::rto() const {
  if (xmit_timer_ == XmitTimer::Probe0) return rtt_.rto();
  return rtt_.backed_off(rtt_.rto(), backoff_);
}

// TCP_CONGESTION (tcp_set_congestion_control -> tcp_reinit_congestion_control): the new
// algorithm starts from the current window.
void Connection::set_congestion_control(Context& ctx, const CongestionControl& ca) {
  opts_.congestion = &ca;
  if (ca_ == &ca) return;
  ca_ = &ca;
  cc_.priv = {};
  if (is_synchronized(state_)) ca_->init(cc_, ca_ctx(ctx));
}

// Receive buffer and send buffer limits from tcp_rmem/tcp_wmem or SO_RCVBUF/SO_SNDBUF.
// Linux keeps about half of sk_rcvbuf as payload (the rest is skb overhead; tcp_win_from_space
// with the default scaling ratio), so the payload limit is rcvbuf / 2.
void Connection::init_buffers(const Config& cfg) {
  rtt_.set_bounds(cfg.rto_min(), cfg.rto_max());
  ca_ = opts_.congestion         ? opts_.congestion
        : cfg.congestion_control ? cfg.congestion_control
                                 : &cubic();
  reordering_ = static_cast<uint32_t>(cfg.tcp_reordering);
  uint32_t rcvbuf = opts_.rcvbuf ? opts_.rcvbuf : static_cast<uint32_t>(cfg.tcp_rmem[1]);
  rcvq_.set_limit(rcvbuf / 2);
  uint32_t sndbuf = opts_.sndbuf ? opts_.sndbuf : static_cast<uint32_t>(cfg.tcp_wmem[1]);
  sndq_.set_limit(sndbuf);
  // Window scale we offer (tcp_select_initial_window): enough to cover the largest receive
  // buffer this socket could grow to.
  uint32_t space =
      opts_.rcvbuf ? rcvbuf / 2 : static_cast<uint32_t>(std::max(cfg.tcp_rmem[2], 212992));
  int shift = std::bit_width(space) - 1 - 15;
  rcv_wscale_ = static_cast<uint8_t>(std::clamp(shift, 0, int{kMaxWscale}));
}

// MSS we announce: the route's MTU less IP and TCP headers, or TCP_MAXSEG if smaller.
// MSS we send with: the peer's announced MSS (536 when absent, RFC 9293 3.7.1) bounded by
// ours, less the bytes of options every segment carries (timestamps: 12, tcp_current_mss).
void Connection::init_mss(const Config& cfg, uint16_t peer_mss) {
  uint32_t route_mss = cfg.mtu - 40;
  adv_mss_ = static_cast<uint16_t>(opts_.user_mss ? std::min<uint32_t>(opts_.user_mss, route_mss)
                                                  : route_mss);
  uint32_t m = peer_mss ? peer_mss : kMssDefault;
  m = std::min<uint32_t>(m, adv_mss_);
  if (ts_ok_) m -= 12;
  mss_ = static_cast<uint16_t>(std::max<uint32_t>(m, 48));  // tcp_min_snd_mss
  // tcp_initialize_rcv_mss: a guess of the peer's segment size until data shows it.
  uint32_t hint = std::min<uint32_t>(adv_mss_, mss_);
  rcv_mss_ = static_cast<uint16_t>(std::clamp<uint32_t>(hint, kMinMss, kMssDefault));
  // The initial window exists from the start (tcp_init_sock), so that a FIN sent before
  // ESTABLISHED (close in SYN_RECV) may leave; establish() sets it again with the final MSS.
  if (cc_.cwnd == 0) cc_.cwnd = kInitCwnd;
}

// The receive window to announce (tcp_select_window): the free buffer space, rounded to
// the scale's granularity, never below what was already offered (RFC 9293 3.8.6.2.1: do
// not shrink the window), and zero rather than a sliver (receiver SWS avoidance, 3.8.6.2.2).
// __tcp_select_window: the window the buffer allows now. Below half the buffer and one
// segment of room, none (no silly windows). Without window scaling, a multiple of the
// segment size, keeping the current offer while it is within one segment of the room.
uint32_t Connection::window_now() const {
  const uint32_t free_space = rcvq_.space();
  const uint32_t full = rcvq_.limit();
  const uint32_t mss = std::max<uint32_t>(rcv_mss_, 1);
  if (free_space < full / 2 && free_space < mss) return 0;
  if (rcv_wscale_ != 0) return free_space;
  uint32_t w = rcv_wnd_;
  if ((free_space >= mss && w <= free_space - mss) || w > free_space) {
    w = free_space / mss * mss;
  } else if (mss == full && free_space > w + full / 2) {
    w = free_space;
  }
  return w;
}

uint32_t Connection::select_window() {
  int32_t offered = (rcv_wup_ + rcv_wnd_) - rcv_nxt_;
  uint32_t cur = offered > 0 ? static_cast<uint32_t>(offered) : 0;
  uint32_t win = window_now();
  uint32_t max_win = uint32_t{65535} << rcv_wscale_;
  // The field carries win >> scale: round down to what the buffer holds, but never below
  // the edge already offered (rounded up; RecvQueue accepts up to the offered edge).
  uint32_t gran = (uint32_t{1} << rcv_wscale_) - 1;
  win = std::min(win, max_win) & ~gran;
  if (win < cur) win = std::min((cur + gran) & ~gran, max_win);
  rcv_wnd_ = win;
  rcv_wup_ = rcv_nxt_;
  return win;
}

uint16_t Connection::window_field(bool syn) const {
  // RFC 7323 2.2: the window in a SYN or SYN-ACK is never scaled.
  if (syn) return static_cast<uint16_t>(std::min<uint32_t>(rcv_wnd_, 65535));
  return static_cast<uint16_t>(rcv_wnd_ >> rcv_wscale_);
}

void Connection::emit(Context& ctx, SeqNum seq, uint8_t flags, uint32_t data_off, uint32_t len) {
  wire::TcpRepr seg;
  seg.src_port = tuple_.local.port;
  seg.dst_port = tuple_.remote.port;
  seg.seq = seq;
  seg.flags = flags;
  const bool syn = flags & SYN;
  if (flags & ACK) seg.ack = rcv_nxt_;
  if (!syn && !(flags & RST)) select_window();
  seg.window = (flags & RST) && !(flags & ACK) ? 0 : window_field(syn);

  wire::TcpOptions& o = seg.options;
  if (syn) {
    o.mss = adv_mss_;
    o.sack_permitted = sack_ok_;
    if (wscale_ok_) o.wscale = rcv_wscale_;
  }
  // Every segment of a connection that negotiated timestamps carries one, its RST|ACK too
  // (tcp_send_active_reset goes through tcp_transmit_skb's tcp_established_options).
  if (ts_ok_) o.timestamp = wire::TcpTimestamp{ts_now(ctx.now), ts_recent_};
  if (sack_ok_ && !syn && !(flags & RST) && (rcvq_.has_out_of_order() || dsack_pending_)) {
    // RFC 2018 3: at most 3 blocks next to a timestamp option, 4 without. RFC 2883: a
    // D-SACK block goes first, once.
    const size_t max = o.timestamp ? 3 : 4;
    size_t n = 0;
    if (dsack_pending_) {
      o.sack[n++] = wire::SackBlock{dsack_left_, dsack_right_};
      dsack_pending_ = false;
    }
    n += static_cast<size_t>(rcvq_.sack_blocks(o.sack.data() + n, static_cast<int>(max - n)));
    o.sack_count = static_cast<uint8_t>(n);
  }

  Bytes tail;
  if (len > 0) {
    auto [a, b] = sndq_.view(data_off, len);
    seg.payload = a;
    tail = b;
  }
  ctx.out.send(tuple_, seg, tail);
  ++ctx.mib.OutSegs;
  ++segs_out_;
  if (len > 0) ++data_segs_out_;
  if (flags & RST) ++ctx.mib.OutRsts;
  if (flags & ACK) {
    // Any ACK we send settles a pending (delayed) one (inet_csk_clear_xmit_timer DACK).
    // tcp_dec_quickack_mode: only an ACK that was owed (for new data) uses up quick-ack
    // mode; data segments and window updates sent with nothing owed do not.
    // Leaving quick-ack mode deflates ato to its minimum.
    if (ack_pending_ && quickacks_ > 0 && --quickacks_ == 0) set_ato(kDelackMin);
    ack_pending_ = false;
    delack_at_ = kNever;
  }
  // tcp_event_data_sent: data sent within ato of the last data received is an answer: the
  // connection is interactive (pingpong; net.ipv4.tcp_pingpong_thresh = 1), so ACKs of what
  // the peer sends next wait for the answer instead of going at once.
  if (len > 0 && ato_us_ != 0 && last_data_rcv_.elapsed(ctx.now) < ato()) pingpong_ = true;
}

void Connection::send_ack(Context& ctx) { emit(ctx, snd_nxt_, ACK, 0, 0); }

// tcp_send_active_reset: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>.
void Connection::send_reset(Context& ctx) { emit(ctx, snd_nxt_, RST | ACK, 0, 0); }

// RFC 5961 3.2, 4.2, 5.2: an ACK that tells a blind attacker nothing, at most one per
// tcp_invalid_ratelimit per connection (Linux tcp_send_challenge_ack).
void Connection::send_challenge_ack(Context& ctx) {
  Duration limit = std::chrono::milliseconds(ctx.cfg.tcp_invalid_ratelimit);
  if (oow_ack_sent_ && last_oow_ack_.elapsed(ctx.now) < limit) {
    ++ctx.mib.TCPACKSkippedChallenge;
    return;
  }
  oow_ack_sent_ = true;
  last_oow_ack_ = MsStamp(ctx.now);
  // Then the host-wide budget, net.ipv4.tcp_challenge_ack_limit (tcp/challenge_ack.hpp).
  if (ctx.challenge_acks && !ctx.challenge_acks->allow(ctx.cfg.tcp_challenge_ack_limit, ctx.now)) {
    return;
  }
  ++ctx.mib.TCPChallengeACK;
  send_ack(ctx);
}

// tcp_oow_rate_limited: duplicate ACKs for out-of-window segments are rate limited, except
// for segments that carry data (their sender needs the ACK to make progress).
bool Connection::oow_rate_limited(Context& ctx, const wire::TcpView& seg) {
  if (!seg.payload().empty() && !seg.has(SYN)) return false;
  Duration limit = std::chrono::milliseconds(ctx.cfg.tcp_invalid_ratelimit);
  if (oow_ack_sent_ && last_oow_ack_.elapsed(ctx.now) < limit) return true;
  oow_ack_sent_ = true;
  last_oow_ack_ = MsStamp(ctx.now);
  return false;
}

void Connection::set_state(Context& ctx, State s) {
  if (s == State::Close && (state_ == State::Established || state_ == State::CloseWait)) {
    ++ctx.mib.EstabResets;  // tcp_set_state counts any exit from these two to CLOSE
  }
  if (ctx.log && s != state_) ctx.log->push_back(StateChange{ctx.now, tuple_, state_, s});
  state_ = s;
}

// tcp_done: the connection is finished. Received data stays readable (Linux returns data
// queued before a RST, then the error).
void Connection::done(Context& ctx) {
  if (state_ == State::SynSent || state_ == State::SynRecv) ++ctx.mib.AttemptFails;
  set_state(ctx, State::Close);
  rtx_at_ = delack_at_ = sk_at_ = kNever;
  xmit_timer_ = XmitTimer::None;
  drop_send_queues();
  fin_queued_ = true;  // nothing more can be sent
  if (orphan_) rcvq_.clear();
}

// tcp_reset: the peer reset the connection; the error depends on where we were.
void Connection::reset_by_peer(Context& ctx) {
  switch (state_) {
    case State::SynSent:
      error_ = ConnError::Refused;
      break;
    case State::CloseWait:
      error_ = ConnError::BrokenPipe;
      break;
    case State::Close:
      return;
    default:
      error_ = ConnError::Reset;
      break;
  }
  close_reason_ = error_;
  done(ctx);
}

void Connection::write_error(Context& ctx, ConnError e) {
  error_ = e;
  close_reason_ = e;
  done(ctx);
}

void Connection::drop_send_queues() {
  sndq_.consume(sndq_.size());
  push_ends_.clear();
  rtxq_.clear();
  rtx_skbs_ = 0;
  sndq_.release_if_empty(true);
}

// The payload plus the overhead of each skb Linux would hold for it: those sent and not
// yet acknowledged, and the unsent ones of the write queue.
uint64_t Connection::wmem_queued() const {
  return sndq_.size() + uint64_t{wmem::kSkbOverhead} * (rtx_skbs_ + push_ends_.size());
}

bool Connection::writeable() const { return wmem::is_writeable(wmem_queued(), sndq_.limit()); }

void Connection::buffer_options_changed() {
  if (opts_.sndbuf) {
    sndq_.set_limit(opts_.sndbuf);
    // sock_setsockopt calls sk_write_space: a writer waiting for room may go on.
    if (writeable()) nospace_ = false;
  }
  // The receive limit only grows here: data already inside the window we announced must
  // still fit (Linux does not shrink an announced window either). Either option also stops
  // autotuning of that buffer (SOCK_SNDBUF_LOCK / SOCK_RCVBUF_LOCK).
  if (opts_.rcvbuf) rcvq_.set_limit(std::max(rcvq_.limit(), opts_.rcvbuf / 2));
}

}  // namespace ustcp::tcp
