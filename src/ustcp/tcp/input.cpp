// Segment arrival in the synchronized states (RFC 9293 3.10.7.4), in the order the RFC
// gives and Linux follows (tcp_validate_incoming, tcp_ack, tcp_data_queue, tcp_fin):
// PAWS, sequence check, RST, SYN, ACK, data, FIN, then what to send.
#include <algorithm>
#include <cassert>

#include "ustcp/tcp/connection.hpp"
#include "ustcp/tcp/time_wait.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

void Connection::on_segment(Context& ctx, const wire::TcpView& seg) {
  ++segs_in_;
  if (!seg.payload().empty()) ++data_segs_in_;
  switch (state_) {
    case State::Close:
    case State::Listen:
      return;  // the stack answers segments for closed connections with RST
    case State::SynSent:
      on_segment_syn_sent(ctx, seg);
      return;
    case State::TimeWait:
      return;  // handled by the stack's TIME_WAIT table
    default:
      on_segment_synchronized(ctx, seg);
  }
}

// RFC 7323 5.3 (tcp_paws_discard): a segment whose timestamp is older than the last one
// accepted is an old duplicate. Linux allows a difference of one (TCP_PAWS_WINDOW) and
// forgets ts_recent after 24 days of silence.
bool Connection::paws_reject(Context& ctx, const wire::TcpView& seg) const {
  const auto& ts = seg.options().timestamp;
  if (!ts_ok_ || !ts) return false;
  if (static_cast<int32_t>(ts_recent_ - ts->val) <= 1) return false;
  // In whole seconds, as Linux (ktime_get_seconds) and the TIME_WAIT record count them.
  constexpr auto kPawsIdleS =
      static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(kPawsIdle).count());
  if (stamp_seconds(ctx.now) - ts_recent_stamp_s_ >= kPawsIdleS) return false;
  return true;
}

// RFC 7323 4.3 (tcp_replace_ts_recent): remember the newest timestamp of a segment that
// covers the left edge of the window. Linux does it in tcp_ack() once the ACK field is
// known to be acceptable (FLAG_UPDATE_TS_RECENT): a segment acknowledging data never sent,
// or an old ACK, leaves ts_recent alone, so the ACKs that follow keep echoing the last
// valid TS val.
void Connection::replace_ts_recent(Context& ctx, const wire::TcpView& seg) {
  const auto& ts = seg.options().timestamp;
  if (!ts_ok_ || !ts || seg.seq().after(rcv_wup_)) return;
  if (static_cast<int32_t>(ts->val - ts_recent_) < 0) return;
  ts_recent_ = ts->val;
  ts_recent_stamp_s_ = stamp_seconds(ctx.now);
}

// tcp_sequence: Linux accepts a segment that ends at or after rcv_wup (where the window was
// last announced) and starts at or before the right edge of the announced window.
bool Connection::sequence_acceptable(SeqNum seq, SeqNum end) const {
  return !end.before(rcv_wup_) && !seq.after(rcv_nxt_ + rcv_wnd_ - (rcv_nxt_ - rcv_wup_));
}

void Connection::on_segment_synchronized(Context& ctx, const wire::TcpView& seg) {
  const SeqNum seq = seg.seq();
  const SeqNum end = seq + seg.seg_len();

  // RFC 7323 5.3: PAWS, before the sequence check. A RST is accepted even if it fails PAWS.
  if (paws_reject(ctx, seg) && !seg.has(RST)) {
    if (seg.has(SYN)) {
      ++ctx.mib.TCPSYNChallenge;
      send_challenge_ack(ctx);
      return;
    }
    ++ctx.mib.PAWSEstab;
    if (!oow_rate_limited(ctx, seg)) send_ack(ctx);
    return;
  }

  // First: check the sequence number. "If a segment's contents straddle the boundary
  // between old and new, only the new parts are processed"; unacceptable ones get an ACK.
  if (!sequence_acceptable(seq, end)) {
    if (seg.has(RST)) return;
    if (seg.has(SYN)) {
      ++ctx.mib.TCPSYNChallenge;
      send_challenge_ack(ctx);
      return;
    }
    if (oow_rate_limited(ctx, seg)) {
      ++ctx.mib.TCPACKSkippedSeq;
    } else {
      // tcp_send_dupack: old data is reported as a D-SACK block (RFC 2883).
      if (seg.payload().size() > 0 && seq.before(rcv_nxt_))
        set_dsack(ctx, seq,
                  seq_min(seq + SeqLen(static_cast<uint32_t>(seg.payload().size())), rcv_nxt_));
      send_ack(ctx);
    }
    return;
  }

  // Second: the RST bit (RFC 5961 3.2). Only an exact match resets; an in-window RST gets
  // a challenge ACK, so that a blind attacker must guess the sequence exactly.
  if (seg.has(RST)) {
    if (seq == rcv_nxt_) {
      reset_by_peer(ctx);
    } else {
      send_challenge_ack(ctx);
    }
    return;
  }

  // Fourth: the SYN bit (RFC 5961 4.2): a challenge ACK, never a reset. Linux lets the
  // peer's SYN-ACK through in a simultaneous open.
  const bool simultaneous_synack = seg.has(SYN) && state_ == State::SynRecv && seg.has(ACK) &&
                                   seq + 1 == rcv_nxt_ && seg.payload().empty() &&
                                   seg.ack() == snd_nxt_;
  if (seg.has(SYN)) {
    if (!simultaneous_synack) {
      ++ctx.mib.TCPSYNChallenge;
      send_challenge_ack(ctx);
      return;
    }
  }

  // Fifth: the ACK field. "If the ACK bit is off drop the segment."
  if (!seg.has(ACK)) return;
  last_rcv_ = MsStamp(ctx.now);
  if (!process_ack(ctx, seg)) return;
  if (state_ == State::Close || state_ == State::TimeWait) return;

  // Seventh and eighth: segment text and FIN.
  if (!seg.payload().empty() || seg.has(FIN)) process_data(ctx, seg);
  if (simultaneous_synack) {
    // Linux >= 6.11 (tcp_data_queue): the SYN-ACK lies below rcv_nxt, a retransmission:
    // quick-ack mode and an immediate (duplicate) ACK, with a D-SACK block for it.
    set_dsack(ctx, seq, seq + 1);
    enter_quickack_mode();
    ack_pending_ = true;
  }
  if (state_ == State::Close || state_ == State::TimeWait) return;

  // Send what the ACK made possible, then the ACK if nothing carried it
  // (tcp_data_snd_check before tcp_ack_snd_check).
  push(ctx);
  check_space(ctx);
  ack_snd_check(ctx);
}

// tcp_may_update_window and tcp_ack_update_window: a newer ACK, a newer segment, or the
// same segment with a larger (or zero) window updates the send window (RFC 9293 3.10.7.4,
// SND.WL1/WL2); snd_una moves to the ACK.
int Connection::update_window(Context& ctx, const wire::TcpView& seg) {
  int flag = 0;
  const SeqNum ack = seg.ack();
  const uint32_t nwin = uint32_t{seg.window()} << snd_wscale_;
  if (ack.after(snd_una_) || seg.seq().after(snd_wl1_) ||
      (seg.seq() == snd_wl1_ && (nwin > snd_wnd_ || nwin == 0))) {
    flag |= kFlagWinUpdate;
    snd_wl1_ = seg.seq();
    if (snd_wnd_ != nwin) {
      snd_wnd_ = nwin;
      max_window_ = std::max(max_window_, nwin);
      // A window that opens after a long wait (zero-window probing) restarts the window
      // before the queued data goes (tcp_ack_update_window).
      if (has_send_head()) slow_start_after_idle_check(ctx);
    }
  }
  bytes_acked_ += ack.since(snd_una_).raw();
  snd_una_ = ack;
  return flag;
}

// Returns false when the segment must be dropped. Linux's tcp_ack.
bool Connection::process_ack(Context& ctx, const wire::TcpView& seg) {
  const SeqNum ack = seg.ack();
  const auto& ts = seg.options().timestamp;
  rx_tsecr_ = ts_ok_ && ts ? ts->ecr : 0;

  if (state_ == State::SynRecv) {
    // "If SND.UNA < SEG.ACK =< SND.NXT then enter ESTABLISHED ... If the segment
    // acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>".
    if (!ack.after(snd_una_) || ack.after(snd_nxt_)) {
      reset_segment(ctx, tuple_, seg);
      return false;
    }
    replace_ts_recent(ctx, seg);
    snd_una_ = ack;
    snd_wnd_ = max_window_ = uint32_t{seg.window()} << snd_wscale_;
    snd_wl1_ = seg.seq();
    // tcp_synack_rtt_meas: the SYN-ACK's RTT unless it was retransmitted (Karn), else the
    // timestamp echo.
    if (rtt_time_ != kNever) {
      const int64_t us = std::max<int64_t>(to_micros(ctx.now - rtt_time_), 0);
      rtt_.update_min(std::chrono::seconds(ctx.cfg.tcp_min_rtt_wlen), ctx.now,
                      static_cast<uint32_t>(us));
      rtt_.sample(us, snd_una_, snd_nxt_);
    } else if (rx_tsecr_ != 0) {
      const uint32_t ms = ts_now(ctx.now) - rx_tsecr_;
      if (ms < INT32_MAX / 1000) {
        const int64_t us = int64_t{std::max<uint32_t>(ms, 1)} * 1000;
        rtt_.update_min(std::chrono::seconds(ctx.cfg.tcp_min_rtt_wlen), ctx.now,
                        static_cast<uint32_t>(us));
        rtt_.sample(us, snd_una_, snd_nxt_);
      }
    }
    establish(ctx);
    if (fin_queued_) set_state(ctx, State::FinWait1);  // shut down while in SYN_RECV
    return true;
  }

  int flag = 0;
  const SeqNum prior_snd_una = snd_una_;
  Rexmit rexmit = Rexmit::None;
  AckState st;
  st.reord = snd_nxt_;
  int num_dupack = 0;

  // RFC 5961 5.2: acceptable ACKs are in [SND.UNA - MAX.SND.WND, SND.NXT]; others get a
  // (rate limited) challenge ACK. RFC 9293: an ACK for something not yet sent gets an ACK.
  if (ack.after(snd_nxt_)) {
    send_challenge_ack(ctx);
    return false;
  }
  if (ack.before(prior_snd_una)) {
    const uint32_t max_win = static_cast<uint32_t>(std::min<uint64_t>(max_window_, bytes_acked_));
    if (ack.before(prior_snd_una - max_win)) {
      send_challenge_ack(ctx);
      return false;
    }
    // An old ACK: its SACK blocks may still tell something (a D-SACK to undo with); the
    // data it carries is processed.
    if (sack_ok_ && seg.options().sack_count > 0) {
      const uint32_t delivered_before = delivered_;
      flag |= sacktag(ctx, seg, prior_snd_una, st);
      fastretrans_alert(ctx, prior_snd_una, num_dupack, flag, rexmit);
      ctx.mib.TCPDelivered += delivered_ - delivered_before;
      xmit_recovery(ctx, rexmit);
    }
    return true;
  }

  if (ack.after(prior_snd_una)) {
    flag |= kFlagSndUnaAdvanced;
    retransmits_ = 0;
  }
  replace_ts_recent(ctx, seg);
  const SeqNum prior_fack = sack_ok_ ? highest_sack_seq() : snd_una_;
  const uint32_t prior_packets = rtxq_.packets_out();
  const uint32_t delivered_before = delivered_;
  const uint32_t lost_before = lost_;

  if (!seg.payload().empty()) {
    flag |= kFlagData;
  } else {
    ++ctx.mib.TCPPureAcks;
  }
  flag |= update_window(ctx, seg);
  if (sack_ok_ && seg.options().sack_count > 0) flag |= sacktag(ctx, seg, prior_snd_una, st);
  if (st.sack_delivered) delivered_ += st.sack_delivered;
  probes_out_ = 0;

  // The bytes the ACK covers leave the send ring (SYN and FIN take sequence space, no
  // buffer).
  const SeqNum data_acked_end = seq_min(snd_una_, data_end());
  if (data_acked_end.after(buf_seq_)) {
    sndq_.consume(data_acked_end.since(buf_seq_).raw());
    buf_seq_ = data_acked_end;
    sndq_.release_if_empty(true);
    push_ends_.pop_through(data_acked_end);  // the oldest write ends are acknowledged
  }

  if (prior_packets == 0) {
    // Nothing was in flight (a window update, or data from the peer).
    if (flag & kFlagDsackingAck) fastretrans_alert(ctx, prior_snd_una, num_dupack, flag, rexmit);
    // tcp_ack_probe: a window that opened ends the zero-window probing.
    if (has_send_head()) {
      if (!send_head_end().after(wnd_end())) {
        backoff_ = 0;
        probes_stamp_set_ = false;
        clear_xmit_timer(XmitTimer::Probe0);
      } else if (xmit_timer_ == XmitTimer::Probe0) {
        // The answer re-arms the probe timer: the next probe follows it by one
        // backed-off interval.
        set_xmit_timer(ctx, XmitTimer::Probe0, probe0_when(ctx.now));
      }
    }
    if (tlp_pending_) process_tlp_ack(ctx, ack, flag);
    ctx.mib.TCPDelivered += delivered_ - delivered_before;
    return ack_fin_state(ctx);
  }

  flag |= clean_rtx_queue(ctx, seg, prior_fack, prior_snd_una, st);
  // Everything sent is acknowledged: busy no longer, unless more waits unsent.
  if (rtxq_.empty()) chrono_.stop(ctx.now, ChronoType::Busy, queues_empty());
  rack_update_reo_wnd(ctx, st);
  if (tlp_pending_) process_tlp_ack(ctx, ack, flag);
  // tcp_ack_is_dubious: a duplicate ACK, SACK or D-SACK information, or not Open.
  if (!(flag & kFlagNotDup) || (flag & kFlagCaAlert) || ca_state_ != CaState::Open) {
    if (!(flag & (kFlagSndUnaAdvanced | kFlagNotDup | kFlagDsackingAck))) num_dupack = 1;
    fastretrans_alert(ctx, prior_snd_una, num_dupack, flag, rexmit);
  }
  // Re-arm the loss probe or the RTO unless RACK's reordering timer took over.
  if (flag & kFlagSetXmitTimer) {
    if (!schedule_loss_probe(ctx, true)) rearm_rto(ctx);
  }
  const uint32_t delivered = delivered_ - delivered_before;
  ctx.mib.TCPDelivered += delivered;  // tcp_newly_delivered
  rate_gen(ctx, delivered, st);
  cong_control(ctx, delivered, static_cast<int>(lost_ - lost_before), flag);
  xmit_recovery(ctx, rexmit);
  // tcp_verify_left_out: the scoreboard's counts stay within what is queued.
  assert(rtxq_.sacked_out + rtxq_.lost_out <= rtxq_.packets_out() || !sack_ok_);
  assert(rtxq_.retrans_out <= rtxq_.packets_out());
  return ack_fin_state(ctx);
}

// Our FIN is acknowledged when SND.UNA passes it: the closing states move on.
bool Connection::ack_fin_state(Context& ctx) {
  const bool fin_acked = fin_queued_ && snd_una_ == data_end() + 1;
  if (!fin_acked) return true;
  switch (state_) {
    case State::FinWait1:
      set_state(ctx, State::FinWait2);
      // tcp_rcv_state_process: an orphan waits tcp_fin_timeout for the peer's FIN
      // (at least 3.5 RTO, tcp_fin_time); a socket the application holds waits forever.
      if (orphan_) {
        Duration fin_time = std::chrono::seconds(ctx.cfg.tcp_fin_timeout);
        fin_time = std::max(fin_time, rto() * 7 / 2);
        sk_at_ = ctx.now + fin_time;
      }
      return true;
    case State::Closing:
      enter_time_wait(ctx, kTimeWaitLen);
      return false;
    case State::LastAck:
      done(ctx);
      return false;
    default:
      return true;
  }
}

// Segment text and FIN (RFC 9293 3.10.7.4 steps 7 and 8; Linux tcp_data_queue, tcp_fin).
void Connection::process_data(Context& ctx, const wire::TcpView& seg) {
  Bytes payload = seg.payload();
  SeqNum seq = seg.seq();
  SeqNum data_end_seq = seq + static_cast<uint32_t>(payload.size());

  switch (state_) {
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
      break;
    default:
      // CLOSE_WAIT, CLOSING, LAST_ACK: the peer's FIN came already; ignore the text.
      return;
  }

  // tcp_rcv_state_process: an orphan (closed by the application) that receives new data
  // aborts with a RST: nobody will ever read it (TCPAbortOnData).
  if (orphan_ && !payload.empty() && data_end_seq.after(rcv_nxt_)) {
    ++ctx.mib.TCPAbortOnData;
    // Linux: tcp_rcv_state_process returns 1 and tcp_v4_do_rcv answers the segment with
    // tcp_v4_send_reset: <SEQ=SEG.ACK><CTL=RST>, not an active RST|ACK.
    reset_segment(ctx, tuple_, seg);
    error_ = close_reason_ = ConnError::Reset;
    done(ctx);
    return;
  }

  if (!payload.empty()) {
    bool had_ooo = rcvq_.has_out_of_order();
    // Accept up to the right edge we announced, even past the buffer's nominal limit.
    int32_t offered = (rcv_wup_ + rcv_wnd_) - rcv_nxt_;
    uint32_t window = std::max<uint32_t>(rcvq_.space(), offered > 0 ? offered : 0);
    const SeqNum data_end_in = seq + SeqLen(static_cast<uint32_t>(payload.size()));
    // tcp_data_queue: bytes below rcv_nxt were received before: a D-SACK block names them.
    if (seq.before(rcv_nxt_)) set_dsack(ctx, seq, seq_min(data_end_in, rcv_nxt_));
    RecvQueue::Insert r = rcvq_.insert(rcv_nxt_, seq, payload, window);
    if (r.duplicate) {
      // RFC 5681 4.2 / tcp_data_queue: old data gets an immediate (duplicate) ACK; Linux
      // also re-enters quick-ack mode (the peer retransmits: our ACKs may be getting lost).
      ack_pending_ = true;
      if (!data_end_seq.after(rcv_nxt_)) {
        enter_quickack_mode();
      } else {
        quickacks_ = std::max<uint8_t>(quickacks_, 1);
      }
    }
    if (r.out_of_order) {
      ++ctx.mib.TCPOFOQueue;
      ack_pending_ = true;
    }
    if (r.dropped) {
      if (rcv_wnd_ == 0) {
        ++ctx.mib.TCPZeroWindowDrop;
      } else {
        ++ctx.mib.TCPRcvQDrop;
      }
      ack_pending_ = true;
      // tcp_data_queue "out_of_window": nothing fitted (a zero window, or data starting at
      // the right edge): ACK at once, in quick-ack mode, so the sender learns the window.
      if (r.advanced == 0 && !r.out_of_order) enter_quickack_mode();
    }
    if (r.advanced > 0) {
      rcv_nxt_ += r.advanced;
      bytes_received_ += r.advanced;
      on_data_received(ctx, seg, static_cast<uint32_t>(payload.size()));
      // RFC 5681 4.2: an ACK at once when a segment fills a hole.
      if (had_ooo) quickacks_ = std::max<uint8_t>(quickacks_, 1);
    }
  }

  // The FIN is processed once everything before it has arrived.
  if (seg.has(FIN)) {
    if (data_end_seq == rcv_nxt_) {
      process_fin(ctx);
    } else if (data_end_seq.after(rcv_nxt_)) {
      fin_ooo_ = true;
      fin_ooo_seq_ = data_end_seq;
      ack_pending_ = true;
    }
  }
  if (fin_ooo_ && !fin_rcvd_ && rcv_nxt_ == fin_ooo_seq_) process_fin(ctx);
}

// tcp_incr_quickack: the next rcv_wnd / (2 * rcv_mss) ACKs go at once (2 when that is 0),
// at most `max`.
void Connection::incr_quickack(uint32_t max) {
  uint32_t q = rcv_wnd_ / (2 * std::max<uint32_t>(rcv_mss_, 1));
  if (q == 0) q = 2;
  q = std::min(q, max);
  if (q > quickacks_) quickacks_ = static_cast<uint8_t>(q);
}

// tcp_enter_quickack_mode: quick ACKs, out of interactive (pingpong) mode, ato at its minimum.
void Connection::enter_quickack_mode() {
  incr_quickack(kMaxQuickAcks);
  pingpong_ = false;
  set_ato(kDelackMin);
}

// tcp_event_data_recv: the first data starts quick-ack mode (ACK at once while the peer's
// slow start is young), and so does data after a silence longer than the RTO (the sender
// apparently restarted from a small window); the peer's segment size is learned from what
// arrives. The gap m since the previous data feeds the delayed-ACK timeout estimate ato:
// m <= 20 ms pulls it towards 40 ms, m < ato gives ato / 2 + m (at most the RTO).
void Connection::on_data_received(Context& ctx, const wire::TcpView& seg, uint32_t len) {
  ack_pending_ = true;
  // tcp_measure_rcv_mss comes first: the quick-ack budget is counted in these segments.
  if (len >= rcv_mss_) rcv_mss_ = static_cast<uint16_t>(std::min<uint32_t>(len, adv_mss_));
  // The receiver's RTT estimate, for buffer autotuning.
  rcv_rtt_measure_ts(ctx, seg, len);
  rcv_rtt_measure(ctx);
  data_seen_ = true;
  if (ato_us_ == 0) {
    incr_quickack(kMaxQuickAcks);
    set_ato(kDelackMin);
  } else {
    const Duration m = last_data_rcv_.elapsed(ctx.now);
    Duration ato = this->ato();
    if (m <= kDelackMin / 2) {
      ato = ato / 2 + kDelackMin / 2;
    } else if (m < ato) {
      ato = std::min(ato / 2 + m, rto());
    } else if (m > rto()) {
      incr_quickack(kMaxQuickAcks);
    }
    set_ato(ato);
  }
  last_data_rcv_ = MsStamp(ctx.now);
}

// tcp_dsack_set: only when SACK was negotiated and net.ipv4.tcp_dsack is on.
void Connection::set_dsack(Context& ctx, SeqNum left, SeqNum right) {
  if (!sack_ok_ || !ctx.cfg.tcp_dsack || !right.after(left)) return;
  ++ctx.mib.TCPDSACKOldSent;
  dsack_pending_ = true;
  dsack_left_ = left;
  dsack_right_ = right;
}

// tcp_fin.
void Connection::process_fin(Context& ctx) {
  rcv_nxt_ += 1;
  fin_rcvd_ = true;
  fin_ooo_ = false;
  ack_pending_ = true;
  switch (state_) {
    case State::Established:
      set_state(ctx, State::CloseWait);
      // Linux enters "pingpong" mode: the ACK of the FIN is delayed, hoping the application
      // closes too and the ACK rides on our FIN.
      pingpong_ = true;
      break;
    case State::FinWait1:
      // Simultaneous close (RFC 9293 figure 13): ACK at once, CLOSING.
      send_ack(ctx);
      set_state(ctx, State::Closing);
      break;
    case State::FinWait2:
      send_ack(ctx);
      enter_time_wait(ctx, kTimeWaitLen);
      break;
    default:
      break;
  }
}

// __tcp_ack_snd_check: ACK now, or arm the delayed-ACK timer.
void Connection::ack_snd_check(Context& ctx) {
  if (!ack_pending_) return;
  // More than one full segment unacknowledged, unless the window would shrink: Linux
  // requires __tcp_select_window() >= rcv_wnd. Its window is held at rcv_ssthresh while
  // the buffer has room, so it shrinks only once free space is below half the buffer;
  // ustcp's window is the free space itself, so the test applies from there on.
  const bool filling = rcvq_.space() < rcvq_.limit() / 2 && window_now() < rcv_wnd_;
  const bool two_segments = rcv_nxt_.since(rcv_wup_).raw() > rcv_mss_ && !filling;
  const bool quick = quickacks_ > 0 && !pingpong_;
  if (two_segments || quick || rcvq_.has_out_of_order() || fin_ooo_) {
    send_ack(ctx);
    return;
  }
  send_delayed_ack(ctx);
}

// tcp_send_delayed_ack: the ACK waits ato (0 before any data: the timer fires at once), at
// most the smoothed RTT (but not below 40 ms), 500 ms, or 200 ms in interactive mode, and
// never past TCP_DELACK_MAX (icsk_delack_max). A timer already set stays, unless it is due
// within a quarter of that: then the ACK goes now.
void Connection::send_delayed_ack(Context& ctx) {
  Duration ato = this->ato();
  if (ato == Duration::zero()) {
    // No data yet (a FIN first): Linux's timer is due at once; so is ours, without waiting
    // for the driver to run timers.
    on_delack(ctx);
    return;
  }
  if (ato > kDelackMin) {
    Duration max_ato = pingpong_ ? kDelackMax : Duration(std::chrono::milliseconds(500));
    if (rtt_.has_sample()) max_ato = std::min(max_ato, std::max(rtt_.srtt(), kDelackMin));
    ato = std::min(ato, max_ato);
  }
  ato = std::min(ato, kDelackMax);
  TimePoint timeout = ctx.now + ato;
  if (delack_at_ != kNever) {
    if (delack_at_ <= ctx.now + ato / 4) {
      send_ack(ctx);
      return;
    }
    timeout = std::min(timeout, delack_at_);
  }
  delack_at_ = timeout;
}

}  // namespace ustcp::tcp
