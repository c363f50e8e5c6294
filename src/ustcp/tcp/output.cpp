// Sending data (Linux tcp_sendmsg, tcp_write_xmit): what the peer's window, the congestion
// window and Nagle allow; retransmission of the oldest segment; probes.
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

SeqNum Connection::data_end() const { return buf_seq_ + sndq_.size(); }

uint32_t Connection::unsent() const {
  SeqNum end = data_end();
  return snd_nxt_.before(end) ? end.since(snd_nxt_).raw() : 0;
}

size_t Connection::send(Context& ctx, Bytes data) {
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
  if (n == 0 || peek || !is_synchronized(state_) || fin_rcvd_) return n;
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

void Connection::arm_rto(Context& ctx) {
  probing_ = false;
  rtx_at_ = ctx.now + rto();
}

// tcp_write_xmit: send new data (or, after an RTO, data again from snd_nxt) while the
// windows allow, then the FIN once all data is out.
void Connection::push(Context& ctx) {
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
  for (;;) {
    const bool fin_pending = fin_queued_ && !snd_nxt_.after(end);
    if (!snd_nxt_.before(end) && !fin_pending) return;
    // Congestion window in whole segments, as Linux counts packets in flight.
    if (flight() >= cc_.cwnd) return;
    const SeqNum wnd_end = snd_una_ + snd_wnd_;
    const uint32_t win_room = wnd_end.after(snd_nxt_) ? wnd_end.since(snd_nxt_).raw() : 0;
    const uint32_t left = unsent();
    const uint32_t len = std::min<uint32_t>(mss_, left);
    // tcp_snd_wnd_test: the next segment (or the FIN) must fit in the window whole; if it
    // does not and nothing is in flight, only a probe can learn when the window opens.
    const uint32_t need = len > 0 ? len : 1;
    if (win_room < need) {
      if (snd_una_ == snd_max_ && rtx_at_ == kNever) {
        probing_ = true;
        rtx_at_ = ctx.now + std::max(rto(), ctx.cfg.rto_min());
      }
      return;
    }
    const bool last = len == left;
    // Nagle (RFC 896) with Minshall's variant (tcp_nagle_check): hold a partial segment
    // while an earlier partial segment is unacknowledged. Never holds the FIN.
    if (len > 0 && len < mss_ && !opts_.nodelay && !(last && fin_queued_) && snd_una_ != snd_max_ &&
        snd_sml_.after(snd_una_) && !snd_sml_.after(snd_nxt_)) {
      return;
    }
    uint8_t flags = ACK;
    if (len > 0 && (last || push_ends_.contains(snd_nxt_ + len))) flags |= PSH;
    if (last && fin_queued_) flags |= FIN;
    const bool retransmission = snd_nxt_.before(snd_max_);
    emit(ctx, snd_nxt_, flags, snd_nxt_.since(buf_seq_).raw(), len);
    if (retransmission) {
      ++ctx.mib.RetransSegs;
      ++total_retrans_;
      if (cc_.cwnd < cc_.ssthresh) ++ctx.mib.TCPSlowStartRetrans;
    } else if (len > 0) {
      ++ctx.mib.TCPOrigDataSent;
      if (rtt_time_ == kNever) {
        rtt_seq_ = snd_nxt_;
        rtt_time_ = ctx.now;
      }
    }
    if (len < mss_) snd_sml_ = snd_nxt_ + len;
    snd_nxt_ += len + ((flags & FIN) ? 1 : 0);
    if (!retransmission && (len > 0 || (flags & FIN))) seg_ends_.push(snd_nxt_);
    snd_max_ = seq_max(snd_max_, snd_nxt_);
    if (rtx_at_ == kNever || probing_) arm_rto(ctx);
    if (flags & FIN) return;
  }
}

// Sends the oldest unacknowledged segment again (fast retransmit, NewReno partial ACK).
void Connection::retransmit_head(Context& ctx) {
  ++ctx.mib.RetransSegs;
  ++total_retrans_;
  if (state_ == State::SynSent || state_ == State::SynRecv || snd_una_ == iss_) {
    send_syn(ctx);  // our SYN is unacknowledged (also after a close in SYN_RECV)
    return;
  }
  const SeqNum end = data_end();
  uint32_t len = snd_una_.before(end) ? std::min<uint32_t>(mss_, end.since(snd_una_).raw()) : 0;
  uint8_t flags = ACK;
  const bool fin_sent = fin_queued_ && snd_max_.after(end);
  if (len > 0 && (snd_una_ + len == end || push_ends_.contains(snd_una_ + len))) flags |= PSH;
  if (snd_una_ + len == end && fin_sent) flags |= FIN;
  emit(ctx, snd_una_, flags, snd_una_.since(buf_seq_).raw(), len);
  // Karn: a retransmitted segment is never timed.
  if (rtt_time_ != kNever && !rtt_seq_.before(snd_una_) && rtt_seq_.before(snd_una_ + len + 1)) {
    rtt_time_ = kNever;
  }
}

// tcp_write_wakeup: new data if the window has room, else a segment the peer must answer
// with an ACK: one already acknowledged, <SEQ=SND.UNA-1>, no data (tcp_xmit_probe_skb).
void Connection::send_probe(Context& ctx) {
  const SeqNum wnd_end = snd_una_ + snd_wnd_;
  if (unsent() > 0 && wnd_end.after(snd_nxt_)) {
    uint32_t len = std::min<uint32_t>({mss_, unsent(), wnd_end.since(snd_nxt_).raw()});
    // A piece cut from the queue to fit the window carries PSH (tcp_write_wakeup).
    uint8_t flags = ACK | (len == unsent() || len < mss_ ? PSH : 0);
    emit(ctx, snd_nxt_, flags, snd_nxt_.since(buf_seq_).raw(), len);
    ++ctx.mib.TCPOrigDataSent;
    snd_nxt_ += len;
    seg_ends_.push(snd_nxt_);
    snd_max_ = seq_max(snd_max_, snd_nxt_);
    return;
  }
  emit(ctx, snd_una_ - 1, ACK, 0, 0);
}

}  // namespace ustcp::tcp
