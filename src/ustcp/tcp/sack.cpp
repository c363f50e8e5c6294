// What an ACK tells the sender about its retransmission queue (Linux
// tcp_sacktag_write_queue, tcp_clean_rtx_queue, tcp_ack_update_rtt): SACK blocks tag
// records as delivered out of order (RFC 2018, RFC 6675), D-SACK blocks report
// retransmissions that were not needed (RFC 2883, RFC 3708), the cumulative ACK removes
// records, and both give RTT samples and show reordering.
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

namespace {
int64_t usecs(Duration d) { return to_micros(d); }

}  // namespace

// tcp_highest_sack_seq: the end of the highest SACKed record ("forward ACK"), snd_una when
// nothing is SACKed.
SeqNum Connection::highest_sack_seq() const {
  if (rtxq_.sacked_out == 0 || !has_highest_sack_) return snd_una_;
  return highest_sack_;
}

// tcp_is_sackblock_valid: a block must lie within [snd_una, snd_nxt); a D-SACK may lie
// below snd_una, down to where the current undo episode began.
bool Connection::sack_block_valid(bool dsack, SeqNum start, SeqNum end) const {
  if (end.after(snd_nxt_) || !start.before(end)) return false;
  if (!start.before(snd_nxt_)) return false;
  if (start.after(snd_una_)) return true;
  if (!dsack || !undo_pending_) return false;
  if (end.after(snd_una_)) return false;
  if (!start.before(undo_marker_)) return true;
  if (!end.after(undo_marker_)) return false;
  return !start.before(end - max_window_);
}

// tcp_check_dsack (RFC 2883 4): the first block is a D-SACK if it lies below the
// cumulative ACK, or inside the second block.
bool Connection::check_dsack(Context& ctx, const wire::TcpView& seg, SeqNum prior_snd_una,
                             AckState& st) {
  const auto& o = seg.options();
  if (o.sack_count == 0) return false;
  const SeqNum start = o.sack[0].left, end = o.sack[0].right;
  if (start.before(seg.ack())) {
    ++ctx.mib.TCPDSACKRecv;
  } else if (o.sack_count > 1) {
    if (end.after(o.sack[1].right) || start.before(o.sack[1].left)) return false;
    ++ctx.mib.TCPDSACKOfoRecv;
  } else {
    return false;
  }
  // tcp_dsack_seen: ignore D-SACKs the sender cannot have caused (larger than any window,
  // or more duplicates than retransmissions).
  uint32_t dup_segs = 0;
  if (start.before(end)) {
    const uint32_t len = end.since(start).raw();
    if (len <= max_window_) {
      dup_segs = 1;
      if (len > mss_) {
        dup_segs = (len + mss_ - 1) / mss_;
      } else if (tlp_pending_ && tlp_high_seq_ == end) {
        st.flag |= kFlagDsackTlp;
      }
      dsack_dups_ += dup_segs;
      if (dsack_dups_ > total_retrans_) dup_segs = 0;
    }
  }
  if (dup_segs == 0) {
    ++ctx.mib.TCPDSACKIgnoredDubious;
    return false;
  }
  // A D-SACK names the duplicate that made the receiver send this ACK at once. If that is
  // one retransmitted segment still queued, last sent after the latest timeout, its last
  // transmission is what arrived twice: a round trip of now - sent (unless shorter than
  // min_rtt: then an earlier copy arrived late, as RACK reasons in tcp_rack_advance).
  if (const uint64_t pos = rtxq_.find(start); pos != rtxq_.end()) {
    const TxSegment& s = rtxq_.at(pos);
    const int64_t rtt = to_micros(ctx.now - s.sent);
    if ((s.sacked & tcpcb::EVER_RETRANS) && s.seq == start && !end.after(s.end) &&
        s.sent >= last_rto_at_ && rtt >= static_cast<int64_t>(rtt_.min_rtt_us())) {
      st.dsack_rtt_us = rtt;
    }
  }
  // RACK widens its reordering window after D-SACKs that reordering may have caused, not
  // those that answer a loss probe (tcp_dsack_seen).
  if (reord_seen_ && !(st.flag & kFlagDsackTlp)) rack_dsack_seen_ = true;
  st.flag |= kFlagDsackingAck;
  st.sack_delivered += dup_segs;  // a spurious retransmission was delivered
  ctx.mib.TCPDSACKRecvSegs += dup_segs;
  // A D-SACK for data already acknowledged: one retransmission fewer to prove spurious.
  if (undo_pending_ && undo_retrans_ > 0 && !end.after(prior_snd_una) && end.after(undo_marker_)) {
    undo_retrans_ = std::max<int32_t>(0, undo_retrans_ - static_cast<int32_t>(dup_segs));
  }
  return true;
}

// tcp_check_sack_reordering: data below the highest SACK arrived late without having been
// retransmitted: the path reorders by at least that distance.
void Connection::check_sack_reordering(Context& ctx, SeqNum low_seq, bool ts) {
  const SeqNum fack = highest_sack_seq();
  if (!low_seq.before(fack)) return;
  const uint32_t metric = fack.since(low_seq).raw();
  if (mss_ && metric > reordering_ * mss_) {
    reordering_ = std::min<uint32_t>((metric + mss_ - 1) / mss_,
                                     static_cast<uint32_t>(ctx.cfg.tcp_max_reordering));
  }
  ++reord_seen_;
  if (ts) {
    ++ctx.mib.TCPTSReorder;
  } else {
    ++ctx.mib.TCPSACKReorder;
  }
}

// tcp_sacktag_one: the record at pos is SACKed (or D-SACKed).
uint8_t Connection::sacktag_one(Context& ctx, AckState& st, uint64_t pos, bool dup) {
  TxSegment& s = rtxq_.at(pos);
  uint8_t sacked = s.sacked;
  // A D-SACK for a retransmitted record: that retransmission was not needed.
  if (dup && (sacked & tcpcb::RETRANS)) {
    if (undo_pending_ && undo_retrans_ > 0 && s.end.after(undo_marker_)) --undo_retrans_;
    if ((sacked & tcpcb::SACKED_ACKED) && s.seq.before(st.reord)) st.reord = s.seq;
  }
  if (!s.end.after(snd_una_)) return sacked;
  if (!(sacked & tcpcb::SACKED_ACKED)) {
    rack_advance(ctx, sacked, s);
    if (sacked & tcpcb::SACKED_RETRANS) {
      // A retransmission still believed in flight keeps RETRANS unless the original was
      // marked lost: then it is the retransmission that arrived.
      if (sacked & tcpcb::LOST) {
        sacked &= static_cast<uint8_t>(~(tcpcb::LOST | tcpcb::SACKED_RETRANS));
        --rtxq_.lost_out;
        --rtxq_.retrans_out;
      }
    } else {
      if (!(sacked & tcpcb::RETRANS)) {
        // A never-retransmitted record in a hole below the highest SACK: reordering.
        if (s.seq.before(highest_sack_seq()) && s.seq.before(st.reord)) st.reord = s.seq;
        if (!s.end.after(high_seq_)) st.flag |= kFlagOrigSackAcked;
        if (s.sent >= last_rto_at_) {  // see ack_update_rtt
          if (st.first_sackt == kNever) st.first_sackt = s.sent;
          st.last_sackt = s.sent;
        }
      }
      if (sacked & tcpcb::LOST) {
        sacked &= static_cast<uint8_t>(~tcpcb::LOST);
        --rtxq_.lost_out;
      }
    }
    sacked |= tcpcb::SACKED_ACKED;
    st.flag |= kFlagDataSacked;
    ++rtxq_.sacked_out;
    ++st.sack_delivered;
  }
  // D-SACK: a retransmission that was not needed is no longer in flight.
  if (dup && (sacked & tcpcb::SACKED_RETRANS)) {
    sacked &= static_cast<uint8_t>(~tcpcb::SACKED_RETRANS);
    --rtxq_.retrans_out;
  }
  return sacked;
}

// tcp_sacktag_walk: tag every record that lies wholly inside [start, end).
void Connection::sacktag_range(Context& ctx, SeqNum start, SeqNum end, bool dup, AckState& st) {
  // Records below the new snd_una are still queued (the cumulative ACK removes them after
  // the SACK blocks are read): a D-SACK for one of them is counted for undo.
  uint64_t pos = rtxq_.empty() ? rtxq_.end() : rtxq_.find(seq_max(start, rtxq_.head().seq));
  for (; pos != rtxq_.end(); ++pos) {
    TxSegment& s = rtxq_.at(pos);
    if (!s.seq.before(end)) break;
    if (start.after(s.seq) || end.before(s.end)) continue;  // partly covered: not SACKed
    s.sacked = sacktag_one(ctx, st, pos, dup);
    rate_skb_delivered(s, st);
    if ((s.sacked & tcpcb::SACKED_ACKED) && !s.seq.before(highest_sack_seq())) {
      highest_sack_ = s.end;  // tcp_advance_highest_sack
      has_highest_sack_ = true;
    }
  }
}

int Connection::sacktag(Context& ctx, const wire::TcpView& seg, SeqNum prior_snd_una,
                        AckState& st) {
  const auto& o = seg.options();
  st.reord = snd_nxt_;
  if (rtxq_.sacked_out == 0) has_highest_sack_ = false;  // tcp_highest_sack_reset
  const bool found_dup = check_dsack(ctx, seg, prior_snd_una, st);

  // Too old an ACK to trust its blocks.
  if (seg.ack().before(prior_snd_una - max_window_)) return st.flag;
  if (rtxq_.empty()) return st.flag;

  struct Block {
    SeqNum start, end;
    bool dup;
  };
  Block used[4];
  int n = 0;
  for (int i = 0; i < o.sack_count && i < 4; ++i) {
    const bool dup = i == 0 && found_dup;
    const SeqNum start = o.sack[i].left, end = o.sack[i].right;
    if (!sack_block_valid(dup, start, end)) {
      if (dup) {
        if (!undo_pending_) {
          ++ctx.mib.TCPDSACKIgnoredNoUndo;
        } else {
          ++ctx.mib.TCPDSACKIgnoredOld;
        }
      } else if (!(seg.ack() != snd_una_ && !end.after(snd_una_))) {
        // Blocks made old by ACK reordering are not worth counting.
        ++ctx.mib.TCPSACKDiscard;
      }
      continue;
    }
    if (!end.after(prior_snd_una)) continue;  // very old
    used[n++] = Block{start, end, dup};
  }
  // In sequence order, so one walk of the queue serves all blocks (at most four: an
  // insertion sort).
  for (int i = 1; i < n; ++i) {
    for (int j = i; j > 0 && used[j].start.before(used[j - 1].start); --j) {
      std::swap(used[j], used[j - 1]);
    }
  }

  // Parts of blocks the previous ACK reported were tagged then (recv_sack_cache); skip
  // them, so a block that grows costs only its growth.
  const bool use_cache = rtxq_.sacked_out > 0;
  for (int i = 0; i < n; ++i) {
    const Block& b = used[i];
    if (b.dup || !use_cache) {
      sacktag_range(ctx, b.start, b.end, b.dup, st);
      continue;
    }
    SeqNum from = b.start;
    const RtxQueue::SackCache* cache = rtxq_.sack_cache();
    for (int c = 0; cache && c < cache->n && from.before(b.end); ++c) {
      const wire::SackBlock& k = cache->blocks[c];
      if (!k.right.after(from) || !k.left.before(b.end)) continue;  // no overlap
      if (from.before(k.left)) sacktag_range(ctx, from, k.left, false, st);
      from = seq_max(from, k.right);
    }
    if (from.before(b.end)) sacktag_range(ctx, from, b.end, false, st);
  }
  wire::SackBlock tagged[4];
  int cached = 0;
  for (int i = 0; i < n; ++i) {
    if (!used[i].dup) tagged[cached++] = wire::SackBlock{used[i].start, used[i].end};
  }
  rtxq_.set_sack_cache(tagged, cached);

  if (ca_state_ != CaState::Loss || undo_pending_) check_sack_reordering(ctx, st.reord, false);
  return st.flag;
}

// tcp_clean_rtx_queue: drop what the cumulative ACK covers; count deliveries; take an RTT
// sample from never-retransmitted data (Karn), else from SACKed data, else from the
// timestamp echo.
int Connection::clean_rtx_queue(Context& ctx, const wire::TcpView& seg, SeqNum prior_fack,
                                SeqNum prior_snd_una, AckState& st) {
  int flag = 0;
  const uint32_t prior_sacked = rtxq_.sacked_out;
  SeqNum reord = snd_nxt_;  // lowest never-retransmitted, not-SACKed sequence acked
  TimePoint first_ackt = kNever, last_ackt = kNever;
  uint32_t pkts_acked = 0;
  while (!rtxq_.empty()) {
    TxSegment& s = rtxq_.head();
    if (s.end.after(snd_una_)) break;  // not wholly acknowledged
    const uint8_t sacked = s.sacked;
    // The echo predates this retransmission: the original arrived (tcp_skb_spurious_retrans).
    const bool spurious =
        (sacked & tcpcb::RETRANS) && rx_tsecr_ != 0 && echo_before(rx_tsecr_, s.sent);
    if (sacked & tcpcb::RETRANS) {
      flag |= kFlagRetransDataAcked;
      if (spurious) st.stale_echo = true;
    } else if (!(sacked & tcpcb::SACKED_ACKED)) {
      if (s.sent >= last_rto_at_) {  // see ack_update_rtt
        last_ackt = s.sent;
        if (first_ackt == kNever) first_ackt = last_ackt;
      }
      if (s.seq.before(reord)) reord = s.seq;
      if (!s.end.after(high_seq_)) flag |= kFlagOrigSackAcked;
    }
    if (!(sacked & tcpcb::SACKED_ACKED) && sack_ok_) {
      ++delivered_;  // tcp_count_delivered
      // RACK must not take the time of a retransmission whose original arrived.
      if (!spurious) rack_advance(ctx, sacked, s);
    }
    ++pkts_acked;
    rate_skb_delivered(s, st);
    flag |= kFlagDataAcked;
    if (rtx_hint_ == rtxq_.first()) ++rtx_hint_;
    if (s.skb & skbflag::END) --rtx_skbs_;  // tcp_wmem_free_skb: the whole skb is acknowledged
    rtxq_.pop_head();
  }
  // snd_una stopped at data the peer had SACKed: it reneged (dropped out-of-order data).
  if (!rtxq_.empty() && (rtxq_.head().sacked & tcpcb::SACKED_ACKED)) flag |= kFlagSackReneging;

  int64_t seq_rtt = -1, sack_rtt = -1, ca_rtt = -1;
  if (first_ackt != kNever && !(flag & kFlagRetransDataAcked)) {
    seq_rtt = usecs(ctx.now - first_ackt);
    ca_rtt = usecs(ctx.now - last_ackt);
    // A lone small segment acknowledged alone was probably held by a delayed ACK: do not
    // let it raise min_rtt.
    if (pkts_acked == 1 && prior_sacked == 0 && snd_una_.since(prior_snd_una).raw() < mss_ &&
        st.prior_delivered + 1 == delivered_ && !(flag & (kFlagCaAlert | kFlagSynAcked))) {
      flag |= kFlagAckMaybeDelayed;
    }
  }
  if (st.first_sackt != kNever) {
    sack_rtt = usecs(ctx.now - st.first_sackt);
    ca_rtt = usecs(ctx.now - st.last_sackt);
  }
  const bool rtt_update = ack_update_rtt(ctx, seg, flag, seq_rtt, sack_rtt, ca_rtt, st);

  if (flag & kFlagAcked) {
    flag |= kFlagSetXmitTimer;  // TLP or RTO
    if (!sack_ok_) {
      remove_reno_sacks(ctx, static_cast<int>(pkts_acked));
      // Without SACK nobody can tell whether an original or a retransmission arrived.
      if (flag & kFlagRetransDataAcked) flag &= ~kFlagOrigSackAcked;
    } else if (reord.before(prior_fack)) {
      check_sack_reordering(ctx, reord, false);  // a never-retransmitted hole was filled
    }
  } else if (!rtxq_.empty() && rtt_update && sack_rtt >= 0 &&
             sack_rtt > usecs(ctx.now - rtxq_.head().sent)) {
    // A SACK RTT measured from data sent before the head's last transmission: re-arm, so
    // the timeout does not keep extending in recovery.
    flag |= kFlagSetXmitTimer;
  }
  AckSample sample;
  sample.pkts_acked = pkts_acked;
  sample.rtt_us = st.rtt_us;
  sample.in_flight = delivered_ - st.prior_delivered;
  ca_->pkts_acked(cc_, ca_ctx(ctx), sample);
  return flag;
}

// tcp_ack_update_rtt.
bool Connection::ack_update_rtt(Context& ctx, const wire::TcpView& seg, int flag, int64_t seq_rtt,
                                int64_t sack_rtt, int64_t ca_rtt, AckState& st) {
  (void)seg;
  // RFC 7323 4.1 (RTTM): the timestamp echo times an ACK that acknowledges new data, even
  // retransmitted data, since the echo names the transmission that arrived.
  int64_t ts_rtt = -1;
  if (rx_tsecr_ != 0 && echo_predates_last_rto(rx_tsecr_)) st.stale_echo = true;
  if (ts_ok_ && rx_tsecr_ != 0 && (flag & kFlagAcked) && !st.stale_echo) {
    const uint32_t delta_ms = ts_now(ctx.now) - rx_tsecr_;
    if (delta_ms < INT32_MAX / 1000) ts_rtt = int64_t{std::max<uint32_t>(delta_ms, 1)} * 1000;
  }
  if (seq_rtt < 0) seq_rtt = sack_rtt;
  if (seq_rtt < 0 && st.dsack_rtt_us >= 0) {
    seq_rtt = st.dsack_rtt_us;
    if (ca_rtt < 0) ca_rtt = seq_rtt;
  }
  // Linux prefers the ACK's own timing to the echo and falls back on the echo. Both are
  // upper bounds of a round trip, and ACK loss inflates them differently:
  //  - a segment first reported (S)ACKed now may have arrived long ago, its ACKs lost: its
  //    sample then counts the losses; the echo of a fresh transmission shows it, so when
  //    the echo is smaller by more than its 1 ms granularity, it wins;
  //  - an echo older than the last retransmission of the data this ACK covers
  //    (st.stale_echo) belongs to a segment that advanced the receiver's window before
  //    the retransmissions, which were duplicates (RFC 7323 5.3 R2/R3: no TS.Recent
  //    update from an unacceptable segment): "now - echo" then measures how long the ACKs
  //    kept getting lost. It is not used, as Karn's rule does without timestamps.
  //  - Karn's rule extended to timeouts: a segment sent before the last RTO and first
  //    reported only now had its reports lost or delayed past a timeout; neither it nor an
  //    echo that old times a round trip. Segments sent after the timeout measure the path.
  // Linux takes all these samples; under heavy two-way loss a single one of minutes pins
  // the RTO at tcp_rto_max_ms and the transfer crawls at one segment per 120 s.
  if (ts_rtt >= 0 && (seq_rtt < 0 || ts_rtt + 1000 < seq_rtt)) {
    seq_rtt = ts_rtt;
    if (ca_rtt < 0 || ts_rtt < ca_rtt) ca_rtt = ts_rtt;
  }
  st.rtt_us = ca_rtt;
  if (seq_rtt < 0) return false;
  if (!((flag & kFlagAckMaybeDelayed) && static_cast<uint32_t>(ca_rtt) > rtt_.min_rtt_us())) {
    rtt_.update_min(std::chrono::seconds(ctx.cfg.tcp_min_rtt_wlen), ctx.now,
                    static_cast<uint32_t>(ca_rtt));
  }
  rtt_.sample(seq_rtt, snd_una_, snd_nxt_);
  backoff_ = 0;  // RFC 6298 5.7: only a valid measurement resets the backoff
  return true;
}

}  // namespace ustcp::tcp
