// Loss detection and recovery, as Linux 6.x does it (tcp_fastretrans_alert and the
// functions around it in tcp_input.c, tcp_recovery.c):
//
//  - RACK (RFC 8985; net.ipv4.tcp_recovery bit 1): a segment is lost when one sent after it
//    has been delivered and a reordering window (min_rtt/4, widened by D-SACKs) has passed
//    since it was sent; a timer covers the window. Without RACK, RFC 6675's count of
//    SACKed segments above it (tcp_reordering); without SACK, NewReno (RFC 6582).
//  - Recovery cuts the window by PRR (RFC 6937), to ssthresh from the congestion control.
//  - Undo (RFC 3708, RFC 5682 F-RTO, Eifel timestamps): when D-SACKs or timestamps prove
//    the retransmissions were not needed, the window is restored.
//
// The congestion states are Linux's: Open, Disorder (SACKs or dupacks seen), CWR (window
// reduced without loss), Recovery (fast recovery), Loss (after an RTO).
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

namespace {
constexpr uint32_t kRackRecoveryThresh = 16;  // TCP_RACK_RECOVERY_THRESH
constexpr int kRackLossDetection = 1;         // tcp_recovery bits: TCP_RACK_LOSS_DETECTION
constexpr int kRackStaticReoWnd = 2;          // TCP_RACK_STATIC_REO_WND
constexpr int kRackNoDupthresh = 4;           // TCP_RACK_NO_DUPTHRESH
constexpr Duration kTimeoutMin = 2ms;         // TCP_TIMEOUT_MIN_US

int64_t usecs(Duration d) { return to_micros(d); }

// tcp_skb_sent_after, but for how a tie of send times breaks. Linux's clock moves between two
// ACKs it handles, so equal times only come from one burst, where the higher sequence left
// later, and Linux compares sequences. ustcp's virtual clock stands still through everything
// due at one instant: new data sent for one ACK and a retransmission sent for a later ACK
// share a time, and by sequence the retransmission would look older than the data before
// it (on an unlimited simulated link: ~120 spurious retransmissions per 16 MiB at 2% loss).
// The order of transmission breaks ties, which gives what a moving clock gives.
bool sent_after(TimePoint t1, TimePoint t2, uint32_t order1, uint32_t order2) {
  return t1 > t2 || (t1 == t2 && static_cast<int32_t>(order1 - order2) > 0);
}

bool at_least(CaState a, CaState b) { return static_cast<uint8_t>(a) >= static_cast<uint8_t>(b); }
}  // namespace

CaContext Connection::ca_ctx(Context& ctx) {
  return CaContext{ctx.now, snd_una_, snd_nxt_, lsndtime_.time(ctx.now), &ctx.mib};
}

void Connection::set_ca_state(Context& ctx, CaState s) {
  ca_->set_state(cc_, ca_ctx(ctx), s);
  ca_state_ = s;
}

// ---- marking ----

// tcp_mark_skb_lost.
void Connection::mark_lost(Context& ctx, uint64_t pos) {
  TxSegment& s = rtxq_.at(pos);
  if (s.sacked & tcpcb::SACKED_ACKED) return;
  rtx_hint_ = std::min(rtx_hint_, pos);
  if (s.sacked & tcpcb::LOST) {
    if (s.sacked & tcpcb::SACKED_RETRANS) {
      // The retransmission was lost too.
      s.sacked &= static_cast<uint8_t>(~tcpcb::SACKED_RETRANS);
      --rtxq_.retrans_out;
      ++ctx.mib.TCPLostRetransmit;
      ++lost_;
    }
  } else {
    ++rtxq_.lost_out;
    s.sacked |= tcpcb::LOST;
    ++lost_;
  }
}

// ---- RACK (tcp_recovery.c) ----

void Connection::rack_detect_loss(Context& ctx, int64_t& reo_timeout) {
  reo_timeout = 0;
  // tcp_rack_reo_wnd: with no reordering seen, be aggressive in recovery or once dupthresh
  // SACKs are in; otherwise min_rtt/4 per step, at most SRTT.
  int64_t reo_wnd = 0;
  const bool aggressive =
      !reord_seen_ &&
      (at_least(ca_state_, CaState::Recovery) ||
       (rtxq_.sacked_out >= reordering_ && !(ctx.cfg.tcp_recovery & kRackNoDupthresh)));
  if (!aggressive) {
    const uint64_t min_rtt = rtt_.min_rtt_us();
    reo_wnd = static_cast<int64_t>(std::min<uint64_t>((min_rtt >> 2) * rack_reo_wnd_steps_,
                                                      static_cast<uint64_t>(rtt_.srtt_us())));
  }
  rtxq_.for_each_by_send_time([&](uint64_t pos, TxSegment& s) {
    if (!sent_after(rack_mstamp_, s.sent, rack_tx_order_, s.tx_order)) return false;
    // Lost if not (S)ACKed within the latest RTT plus the reordering window.
    const int64_t remaining = rack_rtt_us_ + reo_wnd - usecs(ctx.now - s.sent);
    if (remaining <= 0) {
      mark_lost(ctx, pos);
    } else {
      reo_timeout = std::max(reo_timeout, remaining);
    }
    return true;
  });
}

// tcp_rack_mark_lost: after an ACK that delivered something newer.
bool Connection::rack_mark_lost(Context& ctx) {
  if (!rack_advanced_) return false;
  rack_advanced_ = false;
  int64_t timeout = 0;
  rack_detect_loss(ctx, timeout);
  if (timeout > 0) {
    set_xmit_timer(ctx, XmitTimer::ReoTimeout,
                   std::min<Duration>(std::chrono::microseconds(timeout) + kTimeoutMin, rto()));
  }
  return timeout > 0;
}

// tcp_rack_advance: remember the most recently sent of the records this ACK delivered.
void Connection::rack_advance(Context& ctx, uint8_t sacked, const TxSegment& s) {
  const int64_t rtt_us = usecs(ctx.now - s.sent);
  // A retransmission delivered sooner than min_rtt after it left: the original arrived.
  if ((sacked & tcpcb::RETRANS) && rtt_us < static_cast<int64_t>(rtt_.min_rtt_us())) return;
  rack_advanced_ = true;
  rack_rtt_us_ = static_cast<uint32_t>(rtt_us);
  if (!rack_set_ || sent_after(s.sent, rack_mstamp_, s.tx_order, rack_tx_order_)) {
    rack_mstamp_ = s.sent;
    rack_tx_order_ = s.tx_order;
    rack_set_ = true;
  }
}

// tcp_rack_reo_timeout: the reordering window passed; what is still missing is lost.
void Connection::rack_reo_timeout(Context& ctx) {
  const uint32_t prior_inflight = rtxq_.in_flight();
  const uint32_t lost_before = lost_;
  int64_t timeout = 0;
  rack_detect_loss(ctx, timeout);
  if (prior_inflight != rtxq_.in_flight()) {
    if (ca_state_ != CaState::Recovery) {
      enter_recovery(ctx);
      cwnd_reduction(ctx, 1, static_cast<int>(lost_ - lost_before), 0);
    }
    xmit_retransmit_queue(ctx);
  }
  if (xmit_timer_ != XmitTimer::Retrans) rearm_rto(ctx);
}

// tcp_rack_update_reo_wnd: D-SACKs after reordering widen the window by a step per round
// trip; it shrinks back after 16 recoveries without them.
void Connection::rack_update_reo_wnd(Context& ctx, const AckState& st) {
  if ((ctx.cfg.tcp_recovery & kRackStaticReoWnd) || !st.prior_set || st.prior_delivered == 0) {
    return;
  }
  if (static_cast<int32_t>(st.prior_delivered - rack_last_delivered_) < 0) rack_dsack_seen_ = false;
  if (rack_dsack_seen_) {
    rack_reo_wnd_steps_ = static_cast<uint8_t>(std::min(0xff, rack_reo_wnd_steps_ + 1));
    rack_dsack_seen_ = false;
    rack_last_delivered_ = delivered_;
    rack_reo_wnd_persist_ = kRackRecoveryThresh;
  } else if (rack_reo_wnd_persist_ == 0) {
    rack_reo_wnd_steps_ = 1;
  }
}

// ---- without SACK: NewReno (tcp_newreno_mark_lost, tcp_add_reno_sack ...) ----

void Connection::newreno_mark_lost(Context& ctx, bool snd_una_advanced) {
  if ((!at_least(ca_state_, CaState::Recovery) && rtxq_.sacked_out >= reordering_) ||
      (ca_state_ == CaState::Recovery && snd_una_advanced)) {
    if (rtxq_.head().sacked & tcpcb::LOST) return;
    mark_lost(ctx, rtxq_.first());
  }
}

// Without SACK, duplicate ACKs stand for segments that left the network.
void Connection::add_reno_sack(Context& ctx, int num_dupack) {
  if (num_dupack == 0) return;
  const uint32_t prior = rtxq_.sacked_out;
  rtxq_.sacked_out += static_cast<uint32_t>(num_dupack);
  check_reno_reordering(ctx, 0);
  if (rtxq_.sacked_out > prior) delivered_ += rtxq_.sacked_out - prior;
}

void Connection::remove_reno_sacks(Context& ctx, int acked) {
  if (acked > 0) {
    const int sacked = static_cast<int>(rtxq_.sacked_out);
    delivered_ += static_cast<uint32_t>(std::max(acked - sacked, 1));
    rtxq_.sacked_out = acked - 1 >= sacked ? 0 : static_cast<uint32_t>(sacked - (acked - 1));
  }
  check_reno_reordering(ctx, acked);
}

// tcp_limit_reno_sacked: more dupacks than segments out means reordering (or a peer bug).
bool Connection::limit_reno_sacked() {
  uint32_t holes = std::max<uint32_t>(rtxq_.lost_out, 1);
  holes = std::min(holes, rtxq_.packets_out());
  if (rtxq_.sacked_out + holes > rtxq_.packets_out()) {
    rtxq_.sacked_out = rtxq_.packets_out() - holes;
    return true;
  }
  return false;
}

void Connection::check_reno_reordering(Context& ctx, int addend) {
  if (!limit_reno_sacked()) return;
  reordering_ = std::min<uint32_t>(rtxq_.packets_out() + static_cast<uint32_t>(addend),
                                   static_cast<uint32_t>(ctx.cfg.tcp_max_reordering));
  ++reord_seen_;
  ++ctx.mib.TCPRenoReorder;
}

// tcp_identify_packet_loss.
void Connection::identify_packet_loss(Context& ctx, int& flag) {
  if (rtxq_.empty()) return;
  if (!sack_ok_) {
    newreno_mark_lost(ctx, flag & kFlagSndUnaAdvanced);
  } else if (ctx.cfg.tcp_recovery & kRackLossDetection) {
    const uint32_t prior_retrans = rtxq_.retrans_out;
    if (rack_mark_lost(ctx)) flag &= ~kFlagSetXmitTimer;
    if (prior_retrans > rtxq_.retrans_out) flag |= kFlagLostRetrans;
  }
}

// tcp_time_to_recover: a loss is proven, or (without RACK) more than tcp_reordering
// segments arrived above a hole.
bool Connection::time_to_recover(Context& ctx) const {
  if (rtxq_.lost_out) return true;
  return !(ctx.cfg.tcp_recovery & kRackLossDetection) && rtxq_.sacked_out + 1 > reordering_;
}

// ---- window reduction: PRR (RFC 6937) ----

void Connection::init_cwnd_reduction(Context& ctx) {
  high_seq_ = snd_nxt_;
  tlp_pending_ = false;
  cc_.cwnd_cnt = 0;
  cc_.prior_cwnd = cc_.cwnd;
  prr_delivered_ = 0;
  prr_out_ = 0;
  cc_.ssthresh = ca_->ssthresh(cc_, ca_ctx(ctx));
}

// tcp_cwnd_reduction: while in flight exceeds ssthresh, send in proportion to what is
// delivered (ssthresh / prior_cwnd of it), spreading the reduction over a round trip;
// below ssthresh, send what is delivered plus one per ACK that advances snd_una (slow
// start back up to ssthresh), never more than ssthresh - in flight.
void Connection::cwnd_reduction(Context& ctx, int newly_acked_sacked, int newly_lost, int flag) {
  (void)ctx;
  if (newly_acked_sacked <= 0 || cc_.prior_cwnd == 0) return;
  const int in_flight = static_cast<int>(rtxq_.in_flight());
  const int delta = static_cast<int>(cc_.ssthresh) - in_flight;
  prr_delivered_ += static_cast<uint32_t>(newly_acked_sacked);
  int sndcnt;
  if (delta < 0) {
    const uint64_t dividend = uint64_t{cc_.ssthresh} * prr_delivered_ + cc_.prior_cwnd - 1;
    sndcnt = static_cast<int>(dividend / cc_.prior_cwnd) - static_cast<int>(prr_out_);
  } else {
    sndcnt =
        std::max(static_cast<int>(prr_delivered_) - static_cast<int>(prr_out_), newly_acked_sacked);
    if ((flag & kFlagSndUnaAdvanced) && newly_lost == 0) ++sndcnt;
    sndcnt = std::min(delta, sndcnt);
  }
  // The fast retransmit goes out on entering recovery, whatever the arithmetic says.
  sndcnt = std::max(sndcnt, prr_out_ ? 0 : 1);
  cc_.cwnd = static_cast<uint32_t>(std::max(in_flight + sndcnt, 0));
}

// tcp_end_cwnd_reduction: recovery (or CWR) is over: cwnd = ssthresh, unless undone.
void Connection::end_cwnd_reduction(Context& ctx) {
  if (cc_.ssthresh < kInfiniteSsthresh && (ca_state_ == CaState::Cwr || undo_pending_)) {
    cc_.cwnd = cc_.ssthresh;
    cwnd_stamp_ = MsStamp(ctx.now);
  }
  ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::CompleteCwr);
}

// tcp_enter_recovery.
void Connection::enter_recovery(Context& ctx) {
  if (!sack_ok_) {
    ++ctx.mib.TCPRenoRecovery;
  } else {
    ++ctx.mib.TCPSackRecovery;
  }
  prior_ssthresh_ = 0;
  init_undo();
  if (!in_cwnd_reduction()) {
    prior_ssthresh_ = std::max(cc_.ssthresh, (cc_.cwnd >> 1) + (cc_.cwnd >> 2));
    init_cwnd_reduction(ctx);
  }
  set_ca_state(ctx, CaState::Recovery);
}

void Connection::init_undo() {
  undo_marker_ = snd_una_;
  undo_pending_ = true;
  // Retransmissions still in flight may bring D-SACKs later.
  undo_retrans_ = rtxq_.retrans_out ? static_cast<int32_t>(rtxq_.retrans_out) : -1;
}

// tcp_enter_loss: after an RTO every unSACKed segment is lost (RACK spares those sent too
// recently to judge), cwnd restarts from what is in flight plus one, and F-RTO may prove
// the timeout spurious.
void Connection::enter_loss(Context& ctx) {
  const bool new_recovery = !at_least(ca_state_, CaState::Recovery);
  // tcp_timeout_mark_lost: if the head was SACKed the receiver reneged: forget the SACKs.
  const bool is_reneg = !rtxq_.empty() && (rtxq_.head().sacked & tcpcb::SACKED_ACKED);
  if (is_reneg) {
    ++ctx.mib.TCPSACKReneging;
    rtxq_.sacked_out = 0;
    is_sack_reneg_ = true;
  } else if (!sack_ok_) {
    rtxq_.sacked_out = 0;
  }
  const bool rack = ctx.cfg.tcp_recovery & kRackLossDetection;
  for (uint64_t pos = rtxq_.first(); pos != rtxq_.end(); ++pos) {
    TxSegment& s = rtxq_.at(pos);
    if (is_reneg) {
      s.sacked &= static_cast<uint8_t>(~tcpcb::SACKED_ACKED);
    } else if (rack && pos != rtxq_.first() && rack_rtt_us_ - usecs(ctx.now - s.sent) > 0) {
      continue;  // sent too recently to be judged lost yet
    }
    mark_lost(ctx, pos);
  }
  // Reduce ssthresh only if not done yet in this window.
  if (!at_least(ca_state_, CaState::Cwr) || !high_seq_.after(snd_una_) ||
      (ca_state_ == CaState::Loss && retransmits_ == 0)) {
    prior_ssthresh_ = in_cwnd_reduction()
                          ? cc_.ssthresh
                          : std::max(cc_.ssthresh, (cc_.cwnd >> 1) + (cc_.cwnd >> 2));
    cc_.prior_cwnd = cc_.cwnd;
    cc_.ssthresh = ca_->ssthresh(cc_, ca_ctx(ctx));
    ca_->cwnd_event(cc_, ca_ctx(ctx), CaEvent::Loss);
    init_undo();
  }
  cc_.cwnd = rtxq_.in_flight() + 1;
  cc_.cwnd_cnt = 0;
  cwnd_stamp_ = MsStamp(ctx.now);
  // A timeout after many dupacks says the reordering estimate was too high.
  const uint32_t sysctl_reordering = static_cast<uint32_t>(ctx.cfg.tcp_reordering);
  if (!at_least(ca_state_, CaState::Cwr) && rtxq_.sacked_out >= sysctl_reordering) {
    reordering_ = std::min(reordering_, sysctl_reordering);
  }
  set_ca_state(ctx, CaState::Loss);
  high_seq_ = snd_nxt_;
  // RFC 5682 3.1 step 1: F-RTO, unless an earlier recovery is still under way (except
  // repeated timeouts of the same snd_una).
  frto_ = ctx.cfg.tcp_frto != 0 && (new_recovery || retransmits_ > 0);
}

// ---- undo ----

// tcp_packet_delayed: the echo predates our first retransmission: the original got there.
bool Connection::packet_delayed(Context& ctx) const {
  (void)ctx;
  return retrans_stamp_set_ && rx_tsecr_ != 0 &&
         static_cast<int32_t>(rx_tsecr_ - (retrans_stamp_.ms() + ts_offset_)) < 0;
}

bool Connection::may_undo(Context& ctx) const {
  return undo_pending_ && (undo_retrans_ == 0 || packet_delayed(ctx));
}

bool Connection::any_retrans_done() const {
  if (rtxq_.retrans_out) return true;
  return !rtxq_.empty() && (rtxq_.head().sacked & tcpcb::EVER_RETRANS);
}

void Connection::undo_cwnd_reduction(Context& ctx, bool unmark_loss) {
  if (unmark_loss) {
    for (uint64_t pos = rtxq_.first(); pos != rtxq_.end(); ++pos) {
      rtxq_.at(pos).sacked &= static_cast<uint8_t>(~tcpcb::LOST);
    }
    rtxq_.lost_out = 0;
    rtx_hint_ = rtxq_.first();
  }
  if (prior_ssthresh_) {
    cc_.cwnd = ca_->undo_cwnd(cc_);
    if (prior_ssthresh_ > cc_.ssthresh) cc_.ssthresh = prior_ssthresh_;
  }
  cwnd_stamp_ = MsStamp(ctx.now);
  undo_pending_ = false;
  rack_advanced_ = true;  // re-examine losses
}

// Without SACK, stay in recovery until something above high_seq is acknowledged (RFC
// 6582), so that a dupack cannot start a false fast retransmit.
static bool non_sack_preventing_reopen_check(bool sack_ok, SeqNum snd_una, SeqNum high_seq) {
  return snd_una == high_seq && !sack_ok;
}

bool Connection::try_undo_recovery(Context& ctx) {
  if (may_undo(ctx)) {
    // Nothing was retransmitted, or the original transmissions got there.
    undo_cwnd_reduction(ctx, false);
    if (ca_state_ == CaState::Loss) {
      ++ctx.mib.TCPLossUndo;
    } else {
      ++ctx.mib.TCPFullUndo;
    }
  } else if (rack_reo_wnd_persist_) {
    --rack_reo_wnd_persist_;
  }
  if (non_sack_preventing_reopen_check(sack_ok_, snd_una_, high_seq_)) {
    if (!any_retrans_done()) retrans_stamp_set_ = false;
    return true;
  }
  set_ca_state(ctx, CaState::Open);
  is_sack_reneg_ = false;
  return false;
}

// D-SACKs have covered every retransmission: the recovery was spurious.
bool Connection::try_undo_dsack(Context& ctx) {
  if (undo_pending_ && undo_retrans_ == 0) {
    rack_reo_wnd_persist_ =
        static_cast<uint8_t>(std::min<uint32_t>(kRackRecoveryThresh, rack_reo_wnd_persist_ + 1u));
    undo_cwnd_reduction(ctx, false);
    ++ctx.mib.TCPDSACKUndo;
    return true;
  }
  return false;
}

bool Connection::try_undo_loss(Context& ctx, bool frto_undo) {
  if (!frto_undo && !may_undo(ctx)) return false;
  undo_cwnd_reduction(ctx, true);
  ++ctx.mib.TCPLossUndo;
  if (frto_undo) ++ctx.mib.TCPSpuriousRTOs;
  retransmits_ = 0;
  if (non_sack_preventing_reopen_check(sack_ok_, snd_una_, high_seq_)) {
    if (!any_retrans_done()) retrans_stamp_set_ = false;
    return true;
  }
  if (frto_undo || sack_ok_) {
    set_ca_state(ctx, CaState::Open);
    is_sack_reneg_ = false;
  }
  return true;
}

// A partial ACK in recovery: the hole was filled by a delayed original (timestamps tell),
// or more must be retransmitted.
bool Connection::try_undo_partial(Context& ctx, SeqNum prior_snd_una, bool& do_lost) {
  if (undo_pending_ && packet_delayed(ctx)) {
    check_sack_reordering(ctx, prior_snd_una, true);
    if (rtxq_.retrans_out) return true;
    if (!any_retrans_done()) retrans_stamp_set_ = false;
    undo_cwnd_reduction(ctx, true);
    ++ctx.mib.TCPPartialUndo;
    try_keep_open(ctx);
  } else {
    do_lost = highest_sack_seq().after(snd_una_ + reordering_ * mss_);  // force fast rexmit
  }
  return false;
}

void Connection::try_keep_open(Context& ctx) {
  const CaState s = rtxq_.left_out() || any_retrans_done() ? CaState::Disorder : CaState::Open;
  if (ca_state_ != s) {
    set_ca_state(ctx, s);
    high_seq_ = snd_nxt_;
  }
}

void Connection::try_to_open(Context& ctx, int flag) {
  (void)flag;
  if (!any_retrans_done()) retrans_stamp_set_ = false;
  if (ca_state_ != CaState::Cwr) try_keep_open(ctx);
}

// tcp_process_loss: an ACK in the Loss state (after an RTO).
void Connection::process_loss(Context& ctx, int flag, int num_dupack, Rexmit& rexmit) {
  const bool recovered = !snd_una_.before(high_seq_);
  if ((flag & kFlagSndUnaAdvanced) && try_undo_loss(ctx, false)) return;
  if (frto_) {
    // RFC 5682 3.1 step 3.b: never-retransmitted data (S)ACKed: the timeout was spurious.
    if ((flag & kFlagOrigSackAcked) && try_undo_loss(ctx, true)) return;
    if (snd_nxt_.after(high_seq_)) {
      if ((flag & kFlagDataSacked) || num_dupack) frto_ = false;  // step 3.a: the loss was real
    } else if ((flag & kFlagSndUnaAdvanced) && !recovered) {
      high_seq_ = snd_nxt_;
      // Step 2.b: send new data (after cwnd is updated); else conventional recovery.
      if (unsent() > 0 && wnd_end().after(snd_nxt_)) {
        rexmit = Rexmit::New;
        return;
      }
      frto_ = false;
    }
  }
  if (recovered) {
    try_undo_recovery(ctx);  // step 2.a and the first part of 3.a
    return;
  }
  if (!sack_ok_) {
    // A dupack means the new data of step 2.b arrived: lower in flight to clock out more.
    if (snd_nxt_.after(high_seq_) && num_dupack) {
      add_reno_sack(ctx, num_dupack);
    } else if (flag & kFlagSndUnaAdvanced) {
      rtxq_.sacked_out = 0;
    }
  }
  rexmit = Rexmit::Lost;
}

// tcp_fastretrans_alert: called for ACKs that are duplicates, carry SACK or D-SACK
// information, or arrive while not Open.
void Connection::fastretrans_alert(Context& ctx, SeqNum prior_snd_una, int num_dupack, int& flag,
                                   Rexmit& rexmit) {
  bool fast_rexmit = false;
  bool do_lost = num_dupack || ((flag & kFlagDataSacked) &&
                                highest_sack_seq().after(snd_una_ + reordering_ * mss_));
  if (rtxq_.empty() && rtxq_.sacked_out) rtxq_.sacked_out = 0;

  // B. Reneging: give the receiver a little time to send saner SACKs before the RTO.
  if ((flag & kFlagSackReneging) && (flag & kFlagSndUnaAdvanced)) {
    const Duration delay = std::max<Duration>(rtt_.srtt() / 2, 10ms);
    set_xmit_timer(ctx, XmitTimer::Retrans, delay);
    flag &= ~kFlagSetXmitTimer;
    return;
  }

  // D. Exits: the state ends when high_seq is acknowledged.
  if (ca_state_ == CaState::Open) {
    retrans_stamp_set_ = false;
  } else if (!snd_una_.before(high_seq_)) {
    switch (ca_state_) {
      case CaState::Cwr:
        // Held until something above high_seq is acknowledged.
        if (snd_una_ != high_seq_) {
          end_cwnd_reduction(ctx);
          set_ca_state(ctx, CaState::Open);
        }
        break;
      case CaState::Recovery:
        if (!sack_ok_) rtxq_.sacked_out = 0;
        if (try_undo_recovery(ctx)) return;
        end_cwnd_reduction(ctx);
        break;
      default:
        break;
    }
  }

  // E. The state's own processing.
  switch (ca_state_) {
    case CaState::Recovery:
      if (!(flag & kFlagSndUnaAdvanced)) {
        if (!sack_ok_) add_reno_sack(ctx, num_dupack);
      } else if (try_undo_partial(ctx, prior_snd_una, do_lost)) {
        return;
      }
      if (try_undo_dsack(ctx)) try_keep_open(ctx);
      identify_packet_loss(ctx, flag);
      if (ca_state_ != CaState::Recovery) {
        if (!time_to_recover(ctx)) return;
        // Undo reverted the recovery; loss is evident: a new one (reordering, then loss).
        enter_recovery(ctx);
      }
      break;
    case CaState::Loss:
      process_loss(ctx, flag, num_dupack, rexmit);
      identify_packet_loss(ctx, flag);
      if (!(ca_state_ == CaState::Open || (flag & kFlagLostRetrans))) return;
      // The window was undone, or retransmissions were lost: change state.
      [[fallthrough]];
    default:
      if (!sack_ok_) {
        if (flag & kFlagSndUnaAdvanced) rtxq_.sacked_out = 0;
        add_reno_sack(ctx, num_dupack);
      }
      if (!at_least(ca_state_, CaState::Cwr)) try_undo_dsack(ctx);
      identify_packet_loss(ctx, flag);
      if (!time_to_recover(ctx)) {
        try_to_open(ctx, flag);
        return;
      }
      enter_recovery(ctx);
      fast_rexmit = true;
  }
  if (!(ctx.cfg.tcp_recovery & kRackLossDetection) && do_lost && sack_ok_) {
    // RFC 6675 without RACK (tcp_update_scoreboard).
    const int sacked_upto = static_cast<int>(rtxq_.sacked_out) - static_cast<int>(reordering_);
    if (sacked_upto >= 0) {
      mark_head_lost(ctx, sacked_upto, false);
    } else if (fast_rexmit) {
      mark_head_lost(ctx, 1, true);
    }
  }
  rexmit = Rexmit::Lost;
}

// tcp_mark_head_lost (RFC 6675, when RACK is off): a segment with tp->reordering SACKed
// segments above it is lost.
void Connection::mark_head_lost(Context& ctx, int packets, bool mark_head) {
  int cnt = 0;
  for (uint64_t pos = rtxq_.first(); pos != rtxq_.end(); ++pos) {
    const TxSegment& s = rtxq_.at(pos);
    if (s.end.after(snd_nxt_)) break;
    if (s.sacked & tcpcb::SACKED_ACKED) ++cnt;
    if (cnt > packets) break;
    if (!(s.sacked & tcpcb::LOST)) mark_lost(ctx, pos);
    if (mark_head) break;
  }
}

// tcp_process_tlp_ack: did the tail loss probe repair a loss?
void Connection::process_tlp_ack(Context& ctx, SeqNum ack, int flag) {
  if (ack.before(tlp_high_seq_)) return;
  if (!tlp_retrans_) {
    tlp_pending_ = false;  // new data was the probe, and it is acknowledged
  } else if (flag & kFlagDsackTlp) {
    tlp_pending_ = false;  // the original and the probe both arrived: no loss
  } else if (ack.after(tlp_high_seq_)) {
    // The probe repaired a loss: reduce the window as for one loss.
    init_cwnd_reduction(ctx);
    set_ca_state(ctx, CaState::Cwr);
    end_cwnd_reduction(ctx);
    try_keep_open(ctx);
    ++ctx.mib.TCPLossProbeRecovery;
  } else if (!(flag & (kFlagSndUnaAdvanced | kFlagNotDup | kFlagDataSacked))) {
    tlp_pending_ = false;  // a pure dupack: both arrived
  }
}

// tcp_cong_control: PRR while the window is being reduced, else the algorithm's growth.
void Connection::cong_control(Context& ctx, uint32_t acked_sacked, int newly_lost, int flag) {
  if (in_cwnd_reduction()) {
    cwnd_reduction(ctx, static_cast<int>(acked_sacked), newly_lost, flag);
    return;
  }
  // tcp_may_raise_cwnd: with heavy reordering grow on any forward progress, else only on
  // in-order delivery (RFC 5681).
  const bool may_raise = reordering_ > static_cast<uint32_t>(ctx.cfg.tcp_reordering)
                             ? (flag & kFlagForwardProgress) != 0
                             : (flag & kFlagDataAcked) != 0;
  if (may_raise) {
    ca_->cong_avoid(cc_, ca_ctx(ctx), acked_sacked, is_cwnd_limited());
    cwnd_stamp_ = MsStamp(ctx.now);
  }
}

// tcp_xmit_recovery: after the window is updated, send F-RTO's new data or retransmit.
void Connection::xmit_recovery(Context& ctx, Rexmit rexmit) {
  if (rexmit == Rexmit::None || state_ == State::SynSent) return;
  if (rexmit == Rexmit::New) {
    push(ctx, PushMode::NagleOff);
    if (snd_nxt_.after(high_seq_)) return;
    frto_ = false;
  }
  xmit_retransmit_queue(ctx);
}

}  // namespace ustcp::tcp
