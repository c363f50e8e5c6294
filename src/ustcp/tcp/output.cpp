// Sending (Linux tcp_output.c): new data as the peer's window, the congestion window and
// Nagle allow (tcp_write_xmit); retransmissions of what the scoreboard marks lost
// (tcp_xmit_retransmit_queue); the tail loss probe (RFC 8985 7, tcp_send_loss_probe); the
// transmit timer (tcp_rearm_rto); congestion-window validation after idle or
// application-limited periods (RFC 7661's predecessor RFC 2861, tcp_cwnd_validate).
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

namespace {
constexpr Duration kTimeoutMin = 2ms;  // TCP_TIMEOUT_MIN_US
}  // namespace

SeqNum Connection::data_end() const { return buf_seq_ + sndq_.size(); }

uint32_t Connection::unsent() const {
  SeqNum end = data_end();
  return snd_nxt_.before(end) ? end.since(snd_nxt_).raw() : 0;
}

bool Connection::has_send_head() const {
  return unsent() > 0 || (fin_queued_ && !snd_nxt_.after(data_end()));
}

SeqNum Connection::send_head_end() const {
  const uint32_t left = unsent();
  const uint32_t len = std::min<uint32_t>(mss_, left);
  return snd_nxt_ + len + (len == left && fin_queued_ ? 1 : 0);
}

// TCP_RTO_MIN, not the tcp_rto_min_us sysctl: Linux's probe timer uses the constant.
Duration Connection::probe0_base() const { return std::max<Duration>(rtt_.rto(), kRtoMin); }

// tcp_probe0_when, clamped so that TCP_USER_TIMEOUT ends the probing on time
// (tcp_clamp_probe0_to_user_timeout).
Duration Connection::probe0_when(TimePoint now) const {
  Duration r = probe0_base() * (int64_t{1} << std::min<int>(backoff_, 20));
  r = std::min<Duration>(r, rtt_.rto_max());
  if (opts_.user_timeout && probes_stamp_ != kNever) {
    const Duration left = std::chrono::milliseconds(opts_.user_timeout) - (now - probes_stamp_);
    r = std::min<Duration>(r, std::max<Duration>(left, kTimeoutMin));
  }
  return r;
}

size_t Connection::send(Context& ctx, Bytes data) {
  // tcp_sendmsg: is the application, not the network, what limits the flow?
  rate_check_app_limited();
  // tcp_skb_entail -> tcp_slow_start_after_idle_check: data after an idle period.
  if (ctx.cfg.tcp_slow_start_after_idle && rtxq_.empty() && is_synchronized(state_) &&
      ctx.now - lsndtime_ > rto()) {
    cwnd_restart(ctx);
  }
  size_t n = sndq_.append(data);
  if (n > 0) {
    push_ends_.push(data_end());
    push(ctx);
  }
  return n;
}

size_t Connection::recv(Context& ctx, MutBytes out, bool peek) {
  uint32_t before = rcvq_.space();
  size_t n = rcvq_.read(out, peek);
  if (n == 0 || peek) return n;
  copied_ += n;
  if (!is_synchronized(state_)) return n;
  rcv_space_adjust(ctx);
  if (fin_rcvd_) return n;
  // tcp_cleanup_rbuf: ACK now if an ACK for more than one segment is owed, or if reading
  // at least doubled the window we can offer (a window update the sender may be waiting
  // for, e.g. after a zero window).
  int32_t offered = (rcv_wup_ + rcv_wnd_) - rcv_nxt_;
  uint32_t now_win = offered > 0 ? static_cast<uint32_t>(offered) : 0;
  bool owed = ack_pending_ && rcv_nxt_.since(rcv_wup_).raw() > rcv_mss_;
  // The window we would announce now, against the one still open: an update only when it
  // at least doubles it and the old one was at most half the largest window we can offer
  // (tcp_cleanup_rbuf: 2 * rcv_window_now <= window_clamp).
  const uint32_t max_win = uint32_t{65535} << rcv_wscale_;
  const uint32_t new_win = std::min(window_now(), max_win);
  bool doubled =
      rcvq_.space() > before && 2 * now_win <= max_win && new_win > 0 && new_win >= 2 * now_win;
  if (owed || doubled) send_ack(ctx);
  return n;
}

void Connection::set_nodelay(Context& ctx, bool on) {
  opts_.nodelay = on;
  if (on) push(ctx);  // Linux pushes pending data when TCP_NODELAY is set
}

// ---- the transmit timer (icsk_retransmit_timer and icsk_pending) ----

void Connection::set_xmit_timer(Context& ctx, XmitTimer kind, Duration after) {
  xmit_timer_ = kind;
  rtx_at_ = ctx.now + std::min(after, rtt_.rto_max());
}

void Connection::clear_xmit_timer(XmitTimer kind) {
  if (xmit_timer_ != kind) return;
  xmit_timer_ = XmitTimer::None;
  rtx_at_ = kNever;
}

// tcp_rto_delta_us: how far in the future the RTO of the head lies, counted from its last
// transmission.
Duration Connection::rto_delta(Context& ctx) const {
  if (rtxq_.empty()) return rto();
  return rtxq_.head().sent + rto() - ctx.now;
}

// tcp_rearm_rto: after progress, the RTO runs from now; after a loss probe or a reordering
// timer, from the head's transmission.
void Connection::rearm_rto(Context& ctx) {
  if (rtxq_.empty()) {
    if (xmit_timer_ != XmitTimer::Probe0) clear_xmit_timer(xmit_timer_);
    return;
  }
  Duration r = rto();
  if (xmit_timer_ == XmitTimer::ReoTimeout || xmit_timer_ == XmitTimer::LossProbe) {
    r = std::max<Duration>(rto_delta(ctx), 1us);
  }
  set_xmit_timer(ctx, XmitTimer::Retrans, r);
}

// tcp_check_probe_timer: nothing in flight, data waiting behind a closed window.
void Connection::check_probe_timer(Context& ctx) {
  if (rtxq_.empty() && xmit_timer_ == XmitTimer::None) {
    set_xmit_timer(ctx, XmitTimer::Probe0, probe0_base());
  }
}

// ---- new data (tcp_write_xmit) ----

void Connection::push(Context& ctx, PushMode mode) {
  switch (state_) {
    case State::Established:
    case State::CloseWait:
    case State::FinWait1:
    case State::Closing:
    case State::LastAck:
      break;
    default:
      return;
  }
  const SeqNum end = data_end();
  uint32_t sent = 0;
  bool cwnd_limited = false;
  for (;;) {
    const bool fin_pending = fin_queued_ && !snd_nxt_.after(end);
    if (!snd_nxt_.before(end) && !fin_pending) break;
    // tcp_cwnd_test: the congestion window counts packets in flight (RFC 6675 pipe). A
    // loss probe may go out past it, once.
    if (rtxq_.in_flight() >= cc_.cwnd && !(mode == PushMode::LossProbe && sent == 0)) {
      cwnd_limited = true;
      break;
    }
    const uint32_t left = unsent();
    const uint32_t len = std::min<uint32_t>(mss_, left);
    // tcp_snd_wnd_test: the next segment (with the FIN riding on it) must fit in the window
    // whole; if it does not and nothing is in flight, only a probe can learn when the
    // window opens.
    if (send_head_end().after(wnd_end())) {
      check_probe_timer(ctx);
      break;
    }
    const bool last = len == left;
    // Nagle (RFC 896) with Minshall's variant (tcp_nagle_check): hold a partial segment
    // while an earlier partial segment is unacknowledged. Never holds the FIN.
    if (mode == PushMode::Normal && len > 0 && len < mss_ && !opts_.nodelay &&
        !(last && fin_queued_) && !rtxq_.empty() && snd_sml_.after(snd_una_) &&
        !snd_sml_.after(snd_nxt_)) {
      break;
    }
    uint8_t flags = ACK;
    if (len > 0 && (last || push_ends_.contains(snd_nxt_ + len))) flags |= PSH;
    const bool fin = last && fin_queued_;
    if (fin) flags |= FIN;
    // tcp_transmit_skb: the first packet into an empty network (CA_EVENT_TX_START).
    if (rtxq_.in_flight() == 0) ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::TxStart);
    // Our SYN still unacknowledged (a FIN sent in SYN_RECV) counts as in flight: its timer
    // stays in charge.
    const bool was_empty = rtxq_.empty() && snd_una_ != iss_;
    TxSegment seg;
    seg.seq = snd_nxt_;
    seg.end = snd_nxt_ + len + (fin ? 1 : 0);
    seg.sent = ctx.now;
    seg.fin = fin;
    rate_skb_sent(ctx, seg);
    emit(ctx, snd_nxt_, flags, snd_nxt_.since(buf_seq_).raw(), len);
    rtxq_.push(seg);
    if (len > 0) ++ctx.mib.TCPOrigDataSent;
    bytes_sent_ += len;
    lsndtime_ = ctx.now;
    if (len < mss_) snd_sml_ = snd_nxt_ + len;
    snd_nxt_ = seg.end;
    // tcp_event_new_data_sent: the RTO starts with the first packet in flight.
    if (was_empty || xmit_timer_ == XmitTimer::LossProbe || xmit_timer_ == XmitTimer::Probe0) {
      rearm_rto(ctx);
    }
    ++sent;
    if (mode == PushMode::LossProbe || fin) break;
  }
  cwnd_limited = cwnd_limited || rtxq_.in_flight() >= cc_.cwnd;
  if (sent > 0 || cwnd_limited) cwnd_validate(ctx, cwnd_limited);
  if (sent > 0) {
    if (in_cwnd_reduction()) prr_out_ += sent;
    // One loss probe per tail loss episode (tcp_schedule_loss_probe).
    if (mode != PushMode::LossProbe) schedule_loss_probe(ctx, false);
  }
}

// ---- retransmission ----

// tcp_retransmit_skb (count_retrans) or __tcp_retransmit_skb (a loss probe: not counted in
// retrans_out, no RETRANS tag, so the probe does not disturb recovery). False when the
// segment is beyond a window the receiver shrank (except a head, which then probes).
bool Connection::retransmit_seg(Context& ctx, uint64_t pos, bool count_retrans) {
  TxSegment& s = rtxq_.at(pos);
  // Part of it may be acknowledged already (a cumulative ACK inside the segment): send the
  // rest (tcp_trim_head).
  if (s.seq.before(snd_una_)) s.seq = snd_una_;
  if (!s.seq.before(wnd_end()) && s.seq != snd_una_) return false;
  const uint32_t len = s.end.since(s.seq).raw() - (s.fin ? 1 : 0);
  uint8_t flags = ACK;
  const SeqNum data_end_seq = s.seq + len;
  if (len > 0 && (data_end_seq == data_end() || push_ends_.contains(data_end_seq))) flags |= PSH;
  if (s.fin) flags |= FIN;
  if (rtxq_.in_flight() == 0) ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::TxStart);
  rate_skb_sent(ctx, s);
  emit(ctx, s.seq, flags, s.seq.since(buf_seq_).raw(), len);
  rtxq_.resent(pos, ctx.now);
  s.sacked |= tcpcb::EVER_RETRANS;
  ++ctx.mib.RetransSegs;
  ++total_retrans_;
  bytes_retrans_ += len;
  lsndtime_ = ctx.now;
  if (count_retrans) {
    if (!(s.sacked & tcpcb::SACKED_RETRANS)) ++rtxq_.retrans_out;
    s.sacked |= tcpcb::RETRANS;
    if (retrans_stamp_ == kNever) retrans_stamp_ = ctx.now;  // the first retransmission
    undo_retrans_ = std::max(undo_retrans_, 0) + 1;
  }
  return true;
}

// tcp_xmit_retransmit_queue: retransmit what is marked lost, oldest first, while the
// congestion window has room (in recovery PRR has set it).
void Connection::xmit_retransmit_queue(Context& ctx) {
  if (rtxq_.empty()) return;
  bool rearm = false;
  uint64_t pos = std::max(rtx_hint_, rtxq_.first());
  for (; pos != rtxq_.end(); ++pos) {
    if (rtxq_.in_flight() >= cc_.cwnd) break;
    if (rtxq_.retrans_out >= rtxq_.lost_out) {
      pos = rtxq_.end();
      break;
    }
    const uint8_t sacked = rtxq_.at(pos).sacked;
    if (!(sacked & tcpcb::LOST) || (sacked & (tcpcb::SACKED_ACKED | tcpcb::SACKED_RETRANS))) {
      continue;
    }
    if (!retransmit_seg(ctx, pos, true)) break;
    if (ca_state_ != CaState::Loss) {
      ++ctx.mib.TCPFastRetrans;
    } else {
      ++ctx.mib.TCPSlowStartRetrans;
    }
    if (in_cwnd_reduction()) ++prr_out_;
    if (pos == rtxq_.first() && xmit_timer_ != XmitTimer::ReoTimeout) rearm = true;
  }
  rtx_hint_ = pos;
  if (rearm) set_xmit_timer(ctx, XmitTimer::Retrans, rto());
}

// The SYN or SYN-ACK again (its own timer rules, in timers.cpp).
void Connection::retransmit_syn(Context& ctx) {
  ++ctx.mib.RetransSegs;
  ++total_retrans_;
  send_syn(ctx);
}

// ---- tail loss probe (RFC 8985 7; tcp_schedule_loss_probe, tcp_send_loss_probe) ----

bool Connection::schedule_loss_probe(Context& ctx, bool advancing_rto) {
  const int early_retrans = ctx.cfg.tcp_early_retrans;
  if ((early_retrans != 3 && early_retrans != 4) || rtxq_.empty() || !sack_ok_ ||
      (ca_state_ != CaState::Open && ca_state_ != CaState::Cwr)) {
    return false;
  }
  // PTO = 2 SRTT, plus room for a delayed ACK when only one packet is out.
  Duration timeout = kTimeoutInit;
  if (rtt_.has_sample()) {
    timeout = 2 * rtt_.srtt() + (rtxq_.packets_out() == 1 ? ctx.cfg.rto_min() : kTimeoutMin);
  }
  // Never later than the RTO would fire.
  const Duration rto_left = advancing_rto ? rto() : rto_delta(ctx);
  if (rto_left > Duration::zero()) timeout = std::min(timeout, rto_left);
  set_xmit_timer(ctx, XmitTimer::LossProbe, timeout);
  return true;
}

void Connection::send_loss_probe(Context& ctx) {
  if (tlp_pending_) {  // at most one probe outstanding
    rearm_rto(ctx);
    return;
  }
  tlp_retrans_ = false;
  bool sent = false;
  // New data if the window allows it, else the last segment again.
  if (has_send_head() && !send_head_end().after(wnd_end())) {
    const uint32_t before = rtxq_.packets_out();
    push(ctx, PushMode::LossProbe);
    sent = rtxq_.packets_out() > before;
  } else if (!rtxq_.empty()) {
    sent = retransmit_seg(ctx, rtxq_.end() - 1, false);
    tlp_retrans_ = sent;
  }
  if (sent) {
    tlp_high_seq_ = snd_nxt_;
    tlp_pending_ = true;
    ++ctx.mib.TCPLossProbes;
    xmit_timer_ = XmitTimer::None;  // so the RTO restarts from now
  }
  rearm_rto(ctx);
}

// ---- congestion window validation (tcp_cwnd_validate, tcp_cwnd_restart) ----

// tcp_is_cwnd_limited: did the window, not the application, limit the last round? In slow
// start, keep growing while cwnd is below twice what was in flight.
bool Connection::is_cwnd_limited() const {
  if (is_cwnd_limited_) return true;
  if (cc_.in_slow_start()) return cc_.cwnd < 2 * max_packets_out_;
  return false;
}

void Connection::cwnd_validate(Context& ctx, bool cwnd_limited) {
  const uint32_t packets_out = rtxq_.packets_out();
  if (!snd_una_.before(cwnd_usage_seq_) || cwnd_limited ||
      (!is_cwnd_limited_ && packets_out > max_packets_out_)) {
    is_cwnd_limited_ = cwnd_limited;
    max_packets_out_ = packets_out;
    cwnd_usage_seq_ = snd_nxt_;
  }
  if (is_cwnd_limited()) {
    snd_cwnd_used_ = 0;  // the network is fed fully
    cwnd_stamp_ = ctx.now;
    return;
  }
  snd_cwnd_used_ = std::max(snd_cwnd_used_, packets_out);
  // tcp_cwnd_application_limited (RFC 2861): after an RTO of application-limited sending,
  // shrink cwnd to halfway between what it was and what was used.
  if (ctx.cfg.tcp_slow_start_after_idle && ctx.now - cwnd_stamp_ >= rto()) {
    if (ca_state_ == CaState::Open && sndq_.free_space() > 0) {
      const uint32_t win_used = std::max(snd_cwnd_used_, std::min(kInitCwnd, cc_.cwnd_clamp));
      if (win_used < cc_.cwnd) {
        cc_.ssthresh = std::max(cc_.ssthresh, (cc_.cwnd >> 1) + (cc_.cwnd >> 2));
        cc_.cwnd = (cc_.cwnd + win_used) >> 1;
      }
      snd_cwnd_used_ = 0;
    }
    cwnd_stamp_ = ctx.now;
  }
}

// tcp_cwnd_restart (RFC 5681 4.1): after an idle period longer than the RTO, the window
// halves for every RTO of idleness, down to the initial window.
void Connection::cwnd_restart(Context& ctx) {
  ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::CwndRestart);
  const uint32_t restart_cwnd = std::min(kInitCwnd, cc_.cwnd);
  cc_.ssthresh = std::max(cc_.ssthresh, (cc_.cwnd >> 1) + (cc_.cwnd >> 2));
  Duration delta = ctx.now - lsndtime_;
  const Duration r = rto();
  while ((delta -= r) > Duration::zero() && cc_.cwnd > restart_cwnd) cc_.cwnd >>= 1;
  cc_.cwnd = std::max(cc_.cwnd, restart_cwnd);
  cwnd_stamp_ = ctx.now;
  snd_cwnd_used_ = 0;
}

// tcp_sndbuf_expand: room for two congestion windows of data (at least the initial window,
// and the reordering degree), up to tcp_wmem[2]; not when SO_SNDBUF fixed it.
void Connection::sndbuf_expand(Context& ctx) {
  if (opts_.sndbuf) return;
  const uint32_t segs = std::max({kInitCwnd, cc_.cwnd, reordering_ + 1});
  const uint64_t want = uint64_t{2} * segs * mss_;
  const uint32_t limit = static_cast<uint32_t>(std::min<uint64_t>(want, ctx.cfg.tcp_wmem[2]));
  if (limit > sndq_.limit()) sndq_.set_limit(limit);
}

// tcp_write_wakeup: new data if the window has room, else a segment the peer must answer
// with an ACK: one already acknowledged, <SEQ=SND.UNA-1>, no data (tcp_xmit_probe_skb).
void Connection::send_probe(Context& ctx) {
  if (unsent() > 0 && wnd_end().after(snd_nxt_)) {
    uint32_t len = std::min<uint32_t>({mss_, unsent(), wnd_end().since(snd_nxt_).raw()});
    // A piece cut from the queue to fit the window carries PSH (tcp_write_wakeup).
    uint8_t flags = ACK | (len == unsent() || len < mss_ ? PSH : 0);
    const bool was_empty = rtxq_.empty();
    TxSegment seg;
    seg.seq = snd_nxt_;
    seg.end = snd_nxt_ + len;
    seg.sent = ctx.now;
    rate_skb_sent(ctx, seg);
    emit(ctx, snd_nxt_, flags, snd_nxt_.since(buf_seq_).raw(), len);
    rtxq_.push(seg);
    ++ctx.mib.TCPOrigDataSent;
    bytes_sent_ += len;
    lsndtime_ = ctx.now;
    snd_nxt_ = seg.end;
    if (was_empty) rearm_rto(ctx);
    return;
  }
  emit(ctx, snd_una_ - 1, ACK, 0, 0);
}

}  // namespace ustcp::tcp
