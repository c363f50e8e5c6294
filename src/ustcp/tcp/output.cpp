// Sending (Linux tcp_output.c): new data as the peer's window, the congestion window and
// Nagle allow (tcp_write_xmit); retransmissions of what the scoreboard marks lost
// (tcp_xmit_retransmit_queue); the tail loss probe (RFC 8985 7, tcp_send_loss_probe); the
// transmit timer (tcp_rearm_rto); congestion-window validation after idle or
// application-limited periods (RFC 7661's predecessor RFC 2861, tcp_cwnd_validate).
#include <algorithm>

#include "ustcp/tcp/connection.hpp"
#include "ustcp/tcp/wmem.hpp"

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
  Duration r = rtt_.backed_off(probe0_base(), backoff_);
  if (opts_.user_timeout && probes_stamp_set_) {
    const Duration left =
        std::chrono::milliseconds(opts_.user_timeout) - probes_stamp_.elapsed(now);
    r = std::min<Duration>(r, std::max<Duration>(left, kTimeoutMin));
  }
  return r;
}

// tcp_tso_segs with the pacing rate that tcp_update_pacing_rate set at the last ACK,
// computed here from the same inputs (they change with ACKs; an RTO or an idle restart
// shrinks cwnd before Linux would recompute, which moves max_segs only on short paths).
uint32_t Connection::tso_segs(const Config& cfg) const {
  const uint64_t rate =
      tso::pacing_rate(mss_, cc_.cwnd, cc_.ssthresh, rtxq_.packets_out(), rtt_.srtt_us() * 8);
  return tso::max_segs(rate, rtt_.min_rtt_us(), mss_, static_cast<uint32_t>(cfg.tcp_min_tso_segs));
}

size_t Connection::send(Context& ctx, Bytes data, bool eor) {
  // tcp_sendmsg: is the application, not the network, what limits the flow?
  rate_check_app_limited();
  // tcp_skb_entail: data after an idle period.
  slow_start_after_idle_check(ctx);
  // tcp_sendmsg_locked, for the PSH marks and unit sizes of push_policy.hpp: the bytes fill
  // skbs of size_goal, the first ones topping up the last unsent skb. An skb filled while
  // more of the write follows goes out at once: everything sendable if the writes got half
  // the peer's largest window past the last mark (forced_push, which marks it), else one
  // unit if it is the first unsent skb (tcp_push_one). The end of the write is a mark
  // (tcp_push). A new skb needs the charge below sk_sndbuf (sk_stream_memory_free); bytes
  // appended to the last unsent skb need no room, so a write may end past the limit.
  const uint32_t goal = tso::size_goal(max_window_, mss_, ts_ok_ ? 32 : 20);
  const bool had_send_head = has_send_head();
  size_t copied = 0;
  while (copied < data.size()) {
    push_ends_.sync(snd_nxt_, data_end());
    const uint32_t room = push_ends_.tail_room(snd_nxt_, goal);
    if (room == 0 && !wmem::memory_free(wmem_queued(), sndq_.limit())) break;
    const size_t n = std::min<size_t>(room > 0 ? room : goal, data.size() - copied);
    sndq_.append_all(data.subspan(copied, n));
    // tcp_add_write_queue_tail: the first unsent bytes start the busy time.
    if (copied == 0 && !had_send_head) chrono_.start(ctx.now, ChronoType::Busy);
    push_ends_.copied(data_end(), static_cast<uint32_t>(n), room == 0, copied == 0);
    copied += n;
    if (copied == data.size()) break;
    if (push_ends_.forced_push(max_window_)) {
      push_ends_.mark_push();
      push(ctx, PushMode::NagleOff);
    } else if (push_ends_.single()) {
      push(ctx, PushMode::OneUnit);
    }
  }
  // sk_stream_wait_memory / EAGAIN: the application wanted to write more than fits.
  if (copied < data.size()) nospace_ = true;
  if (eor && copied == data.size()) push_ends_.mark_eor();
  if (copied > 0) {
    push_ends_.mark_push();
    push(ctx);
  }
  return copied;
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

void Connection::set_quickack(Context& ctx, bool on) {
  pingpong_ = !on;
  if (!on) return;
  // tcp_cleanup_rbuf(sk, 1) with ICSK_ACK_PUSHED set: an owed ACK goes now if more than one
  // segment is unacknowledged or nothing is left to read.
  if ((state_ == State::Established || state_ == State::CloseWait) && ack_pending_ &&
      (rcv_nxt_.since(rcv_wup_).raw() > rcv_mss_ ||
       (rcvq_.readable() == 0 && !rcvq_.has_out_of_order())))
    send_ack(ctx);
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
  push_ends_.sync(snd_nxt_, end);
  const uint32_t max_segs = tso_segs(ctx.cfg);  // once per call, as tcp_write_xmit
  const bool had_send_head = has_send_head();
  uint32_t sent = 0;
  bool cwnd_limited = false;
  bool rwnd_limited = false;  // the next segment did not fit the peer's window
  for (;;) {
    const bool fin_pending = fin_queued_ && !snd_nxt_.after(end);
    if (!snd_nxt_.before(end) && !fin_pending) break;
    // tcp_cwnd_test: the congestion window counts packets in flight (RFC 6675 pipe), and
    // one unit takes at most half of it. A loss probe may go out past it, once.
    uint32_t quota = tso::cwnd_quota(cc_.cwnd, rtxq_.in_flight());
    if (quota == 0) {
      if (mode != PushMode::LossProbe || sent > 0) {
        cwnd_limited = true;
        break;
      }
      quota = 1;
    }
    quota = std::min(quota, max_segs);
    // The next unit (push_policy.hpp): the first unsent skb grown toward `quota` segments
    // (tcp_grow_skb), cut where the window or Nagle stop it.
    const SeqNum skb_end = push_ends_.grow(snd_nxt_, quota * mss_);
    uint32_t segs = 0;
    uint32_t bytes = 0;
    bool window_closed = false;
    while (segs < quota) {
      const SeqNum at = snd_nxt_ + bytes;
      const uint32_t len =
          std::min<uint32_t>(mss_, skb_end.after(at) ? skb_end.since(at).raw() : 0);
      if (len == 0 && (segs > 0 || !fin_pending || snd_nxt_.before(end))) break;
      const bool last = at + len == end;
      // tcp_snd_wnd_test: the segment (with the FIN riding on it) must fit in the window
      // whole; if the first does not and nothing is in flight, only a probe can learn when
      // the window opens.
      const uint32_t win_room = wnd_end().after(at) ? wnd_end().since(at).raw() : 0;
      if (win_room < len + (last && fin_queued_ ? 1 : 0)) {
        window_closed = segs == 0;
        break;
      }
      // Nagle (RFC 896) with Minshall's variant (tcp_nagle_check, as tcp_mss_split_point
      // and tcp_nagle_test apply it before the unit goes): hold a partial segment at the
      // end of the data while an earlier partial segment is unacknowledged. Never holds
      // the FIN.
      if (mode == PushMode::Normal && len > 0 && len < mss_ && last && !fin_queued_ &&
          !opts_.nodelay && !rtxq_.empty() && snd_sml_.after(snd_una_) &&
          !snd_sml_.after(snd_nxt_)) {
        break;
      }
      ++segs;
      bytes += len;
      if (last || len == 0) break;
    }
    if (segs == 0) {
      rwnd_limited = window_closed;
      if (window_closed) check_probe_timer(ctx);
      break;
    }
    // PSH (push_policy.hpp): on the last segment of a unit of several; on a one-segment
    // unit when it is the whole skb and that carries the flag.
    const SeqNum unit_end = snd_nxt_ + bytes;
    const bool skb_psh = bytes > 0 && push_ends_.sent(unit_end);
    bool fin = false;
    for (uint32_t i = 0; i < segs; ++i) {
      const uint32_t len = std::min<uint32_t>(mss_, unit_end.since(snd_nxt_).raw());
      const bool unit_last = i + 1 == segs;
      uint8_t flags = ACK;
      if (len > 0 && unit_last && (segs > 1 || skb_psh)) flags |= PSH;
      fin = unit_last && fin_queued_ && snd_nxt_ + len == end;
      if (fin) flags |= FIN;
      // tcp_transmit_skb: the first packet into an empty network (CA_EVENT_TX_START).
      if (rtxq_.in_flight() == 0) ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::TxStart);
      // Our SYN still unacknowledged (a FIN sent in SYN_RECV) counts as in flight: its
      // timer stays in charge.
      const bool was_empty = rtxq_.empty() && snd_una_ != iss_;
      TxSegment seg;
      seg.seq = snd_nxt_;
      seg.end = snd_nxt_ + len + (fin ? 1 : 0);
      seg.sent = ctx.now;
      seg.fin = fin;
      if (unit_last) {
        if (skb_psh) seg.skb = skbflag::PSH;
        end_skb(seg);
      }
      rate_skb_sent(ctx, seg);
      emit(ctx, snd_nxt_, flags, snd_nxt_.since(buf_seq_).raw(), len);
      rtxq_.push(seg);
      if (len > 0) ++ctx.mib.TCPOrigDataSent;
      bytes_sent_ += len;
      lsndtime_ = MsStamp(ctx.now);
      if (len < mss_) snd_sml_ = snd_nxt_ + len;
      snd_nxt_ = seg.end;
      // tcp_event_new_data_sent: the RTO starts with the first packet in flight.
      if (was_empty || xmit_timer_ == XmitTimer::LossProbe || xmit_timer_ == XmitTimer::Probe0) {
        rearm_rto(ctx);
      }
      ++sent;
    }
    if (mode == PushMode::LossProbe || mode == PushMode::OneUnit || fin) break;
  }
  // tcp_write_xmit's chronograph: time limited by the receiver's window, or not.
  if (had_send_head) {
    if (rwnd_limited) {
      chrono_.start(ctx.now, ChronoType::RwndLimited);
    } else {
      chrono_.stop(ctx.now, ChronoType::RwndLimited, queues_empty());
    }
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
// segment is beyond a window the receiver shrank (except a head, which then probes). `part`
// places the segment in its retransmission unit (push_policy.hpp).
bool Connection::retransmit_seg(Context& ctx, uint64_t pos, bool count_retrans, RtxPart part) {
  TxSegment& s = rtxq_.at(pos);
  // Part of it may be acknowledged already (a cumulative ACK inside the segment): send the
  // rest (tcp_trim_head).
  if (s.seq.before(snd_una_)) s.seq = snd_una_;
  if (!s.seq.before(wnd_end()) && s.seq != snd_una_) return false;
  const uint32_t len = s.end.since(s.seq).raw() - (s.fin ? 1 : 0);
  // PSH: forced on the last segment of a unit of several (__tcp_transmit_skb); a
  // one-segment unit keeps the flag of its skb, which only the piece holding the skb's
  // end has (tcp_fragment).
  const bool psh = part == RtxPart::Last ||
                   (part == RtxPart::Whole && (s.skb & skbflag::END) && (s.skb & skbflag::PSH));
  uint8_t flags = ACK;
  if (len > 0 && psh) flags |= PSH;
  if (s.fin) flags |= FIN;
  if (rtxq_.in_flight() == 0) ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::TxStart);
  rate_skb_sent(ctx, s);
  emit(ctx, s.seq, flags, s.seq.since(buf_seq_).raw(), len);
  rtxq_.resent(pos, ctx.now);
  s.sacked |= tcpcb::EVER_RETRANS;
  // A unit cut from a longer skb made it two skbs (tcp_fragment): the cut is an end now.
  if (part != RtxPart::Inner) end_skb(s);
  ++ctx.mib.RetransSegs;
  ++total_retrans_;
  bytes_retrans_ += len;
  lsndtime_ = MsStamp(ctx.now);
  if (count_retrans) {
    if (!(s.sacked & tcpcb::SACKED_RETRANS)) ++rtxq_.retrans_out;
    s.sacked |= tcpcb::RETRANS;
    if (!retrans_stamp_set_) {  // the first retransmission
      retrans_stamp_ = MsStamp(ctx.now);
      retrans_stamp_set_ = true;
    }
    undo_retrans_ = std::max(undo_retrans_, 0) + 1;
  }
  return true;
}

// tcp_xmit_retransmit_queue: retransmit what is marked lost, oldest first, while the
// congestion window has room (in recovery PRR has set it). Each skb goes as units of
// min(cwnd - in_flight, max_segs) segments (__tcp_retransmit_skb).
void Connection::xmit_retransmit_queue(Context& ctx) {
  if (rtxq_.empty()) return;
  const uint32_t max_segs = tso_segs(ctx.cfg);
  auto waiting = [&](uint64_t pos) {
    const uint8_t sacked = rtxq_.at(pos).sacked;
    return (sacked & tcpcb::LOST) && !(sacked & (tcpcb::SACKED_ACKED | tcpcb::SACKED_RETRANS));
  };
  bool rearm = false;
  uint64_t pos = std::max(rtx_hint_, rtxq_.first());
  while (pos != rtxq_.end()) {
    if (rtxq_.in_flight() >= cc_.cwnd) break;
    if (rtxq_.retrans_out >= rtxq_.lost_out) {
      pos = rtxq_.end();
      break;
    }
    if (!waiting(pos)) {
      ++pos;
      continue;
    }
    // The unit: this segment and the next ones of its skb that wait too and fit in the
    // window whole (a shorter unit otherwise, as __tcp_retransmit_skb rounds down).
    const uint32_t segs = std::min(cc_.cwnd - rtxq_.in_flight(), max_segs);
    uint32_t n = 1;
    while (n < segs && !(rtxq_.at(pos + n - 1).skb & skbflag::END) && pos + n != rtxq_.end() &&
           waiting(pos + n) && !rtxq_.at(pos + n).end.after(wnd_end())) {
      ++n;
    }
    uint32_t done = 0;
    while (done < n) {
      const RtxPart part =
          n == 1 ? RtxPart::Whole : (done + 1 == n ? RtxPart::Last : RtxPart::Inner);
      if (!retransmit_seg(ctx, pos + done, true, part)) break;
      ++done;
    }
    if (done == 0) break;
    if (ca_state_ != CaState::Loss) {
      ctx.mib.TCPFastRetrans += done;
    } else {
      ctx.mib.TCPSlowStartRetrans += done;
    }
    if (in_cwnd_reduction()) prr_out_ += done;
    if (pos == rtxq_.first() && xmit_timer_ != XmitTimer::ReoTimeout) rearm = true;
    pos += done;
    if (done < n) break;
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
    // The last MSS of the last skb again: tcp_fragment cuts it off, so the skb's end (and
    // its flags) go with it and the rest of the skb ends a segment earlier.
    const uint64_t last = rtxq_.end() - 1;
    if (last != rtxq_.first()) end_skb(rtxq_.at(last - 1));
    sent = retransmit_seg(ctx, last, false);
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
    cwnd_stamp_ = MsStamp(ctx.now);
    return;
  }
  snd_cwnd_used_ = std::max(snd_cwnd_used_, packets_out);
  // tcp_cwnd_application_limited (RFC 2861): after an RTO of application-limited sending,
  // shrink cwnd to halfway between what it was and what was used.
  if (ctx.cfg.tcp_slow_start_after_idle && cwnd_stamp_.elapsed(ctx.now) >= rto()) {
    if (ca_state_ == CaState::Open && !nospace_) {
      const uint32_t win_used = std::max(snd_cwnd_used_, std::min(kInitCwnd, cc_.cwnd_clamp));
      if (win_used < cc_.cwnd) {
        cc_.ssthresh = std::max(cc_.ssthresh, (cc_.cwnd >> 1) + (cc_.cwnd >> 2));
        cc_.cwnd = (cc_.cwnd + win_used) >> 1;
      }
      snd_cwnd_used_ = 0;
    }
    cwnd_stamp_ = MsStamp(ctx.now);
  }
  // Not held back by the network, nothing left unsent, and the application finding the
  // buffer full: the send buffer is what limits the flow.
  if (!has_send_head() && nospace_ &&
      (state_ == State::Established || state_ == State::CloseWait)) {
    chrono_.start(ctx.now, ChronoType::SndbufLimited);
  }
}

// tcp_check_space, after an ACK: a writer that found the buffer full (SOCK_NOSPACE) gets a
// larger one if the congestion window has room, i.e. the buffer, not the network, held the
// data back (tcp_new_space, tcp_should_expand_sndbuf; not after SO_SNDBUF fixed it), and is
// woken once the buffer is writeable (sk_stream_write_space clears SOCK_NOSPACE).
void Connection::check_space(Context& ctx) {
  if (!nospace_) return;
  if (!opts_.sndbuf && rtxq_.in_flight() < cc_.cwnd) {
    sndbuf_expand(ctx);
    cwnd_stamp_ = MsStamp(ctx.now);
  }
  if (!writeable()) return;
  nospace_ = false;
  chrono_.stop(ctx.now, ChronoType::SndbufLimited, queues_empty());
}

// tcp_slow_start_after_idle_check: nothing in flight and nothing sent for longer than the
// RTO: the window restarts (net.ipv4.tcp_slow_start_after_idle).
void Connection::slow_start_after_idle_check(Context& ctx) {
  if (ctx.cfg.tcp_slow_start_after_idle && rtxq_.empty() && is_synchronized(state_) &&
      lsndtime_.elapsed(ctx.now) > rto()) {
    cwnd_restart(ctx);
  }
}

// tcp_cwnd_restart (RFC 5681 4.1): after an idle period longer than the RTO, the window
// halves for every RTO of idleness, down to the initial window.
void Connection::cwnd_restart(Context& ctx) {
  ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::CwndRestart);
  const uint32_t restart_cwnd = std::min(kInitCwnd, cc_.cwnd);
  cc_.ssthresh = std::max(cc_.ssthresh, (cc_.cwnd >> 1) + (cc_.cwnd >> 2));
  Duration delta = lsndtime_.elapsed(ctx.now);
  const Duration r = rto();
  while ((delta -= r) > Duration::zero() && cc_.cwnd > restart_cwnd) cc_.cwnd >>= 1;
  cc_.cwnd = std::max(cc_.cwnd, restart_cwnd);
  cwnd_stamp_ = MsStamp(ctx.now);
  snd_cwnd_used_ = 0;
}

// tcp_sndbuf_expand: sk_sndbuf for two congestion windows of one-MSS skbs (wmem.hpp). Its
// MSS is the larger of mss_clamp (the peer's MSS option; here as far as our own MSS lets it
// show: mss_ with the timestamp option's 12 bytes) and mss_cache.
void Connection::sndbuf_expand(Context& ctx) {
  const uint32_t segs = std::max({kInitCwnd, cc_.cwnd, reordering_ + 1});
  const uint32_t mss_clamp = mss_ + (ts_ok_ ? 12u : 0u);
  sndq_.set_limit(
      wmem::expanded(sndq_.limit(), mss_clamp, segs, static_cast<uint32_t>(ctx.cfg.tcp_wmem[2])));
}

// tcp_write_wakeup: new data if the window has room, else a segment the peer must answer
// with an ACK: one already acknowledged, <SEQ=SND.UNA-1>, no data (tcp_xmit_probe_skb).
void Connection::send_probe(Context& ctx) {
  push_ends_.sync(snd_nxt_, data_end());
  if (unsent() > 0 && wnd_end().after(snd_nxt_)) {
    // What fits of the first unsent skb, one MSS at most, always with PSH: Linux marks the
    // skb before it cuts the probe from it, so the rest keeps PSH too.
    const uint32_t skb_len = push_ends_.head_end(snd_nxt_).since(snd_nxt_).raw();
    const uint32_t len = std::min<uint32_t>({mss_, skb_len, wnd_end().since(snd_nxt_).raw()});
    const bool was_empty = rtxq_.empty();
    TxSegment seg;
    seg.seq = snd_nxt_;
    seg.end = snd_nxt_ + len;
    seg.sent = ctx.now;
    seg.skb = skbflag::PSH;
    end_skb(seg);
    rate_skb_sent(ctx, seg);
    emit(ctx, snd_nxt_, ACK | PSH, snd_nxt_.since(buf_seq_).raw(), len);
    rtxq_.push(seg);
    push_ends_.probe_sent(seg.end, data_end());
    ++ctx.mib.TCPOrigDataSent;
    bytes_sent_ += len;
    lsndtime_ = MsStamp(ctx.now);
    snd_nxt_ = seg.end;
    if (was_empty) rearm_rto(ctx);
    return;
  }
  emit(ctx, snd_una_ - 1, ACK, 0, 0);
}

}  // namespace ustcp::tcp
