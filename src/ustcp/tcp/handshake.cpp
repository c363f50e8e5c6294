// Opening a connection: the active open (SYN_SENT), simultaneous open, the passive open
// handed over by a listener (SYN_RECV), and option negotiation (RFC 9293 3.5, RFC 7323,
// RFC 2018). Linux: tcp_connect, tcp_rcv_synsent_state_process, tcp_create_openreq_child.
#include <algorithm>

#include "ustcp/tcp/connection.hpp"
#include "ustcp/tcp/time_wait.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

namespace {
// Linux's TCP_TIMEOUT_MIN (2 jiffies; 8 ms at Debian's HZ=250): how soon the SYN is sent
// again after we answered a SYN-ACK with a bad ACK by a RST.
constexpr Duration kTimeoutMin = 8ms;
}  // namespace

void Connection::connect(Context& ctx, SeqNum iss, uint32_t ts_offset) {
  init_buffers(ctx.cfg);
  init_mss(ctx.cfg, 0);
  // What we offer; negotiation keeps what the peer offers too.
  ts_ok_ = ctx.cfg.tcp_timestamps != 0;
  sack_ok_ = ctx.cfg.tcp_sack != 0;
  wscale_ok_ = ctx.cfg.tcp_window_scaling != 0;
  if (!wscale_ok_) rcv_wscale_ = 0;
  ts_offset_ = ts_offset;
  iss_ = iss;
  snd_una_ = iss;
  snd_nxt_ = buf_seq_ = iss + 1;
  // tcp_select_initial_window: the free space rounded down to whole segments, at most
  // 65535 since the SYN's window is not scaled (64240 with a 1460-byte MSS).
  uint32_t space = rcvq_.space();
  rcv_wnd_ = std::min<uint32_t>(space - space % adv_mss_, 65535);
  set_state(ctx, State::SynSent);
  ++ctx.mib.ActiveOpens;
  send_syn(ctx);
  rtt_time_ = ctx.now;
  retrans_stamp_ = MsStamp(ctx.now);
  retrans_stamp_set_ = true;
  set_xmit_timer(ctx, XmitTimer::Retrans, kTimeoutInit);
}

void Connection::send_syn(Context& ctx) {
  if (state_ == State::SynSent) {
    emit(ctx, iss_, SYN, 0, 0);
  } else {
    emit(ctx, iss_, SYN | ACK, 0, 0);
  }
}

void Connection::open_from_request(Context& ctx, const OpenRequest& req) {
  init_buffers(ctx.cfg);
  ts_ok_ = req.ts_ok;
  sack_ok_ = req.sack_ok;
  wscale_ok_ = req.wscale_ok;
  snd_wscale_ = req.snd_wscale;
  rcv_wscale_ = req.rcv_wscale;
  init_mss(ctx.cfg, req.peer_mss);
  ts_recent_ = req.ts_recent;
  ts_recent_stamp_s_ = stamp_seconds(ctx.now);
  ts_offset_ = req.ts_offset;
  iss_ = req.iss;
  snd_una_ = iss_;
  snd_nxt_ = buf_seq_ = iss_ + 1;
  rcv_nxt_ = rcv_wup_ = req.irs + 1;
  rcv_wnd_ = req.rcv_wnd;
  snd_wl1_ = req.irs;
  if (req.synack_sent != kNever) {
    rtt_time_ = req.synack_sent;
  }
  last_rcv_ = MsStamp(ctx.now);
  state_ = State::SynRecv;  // the request was SYN_RECV already: no transition to report
}

// RFC 9293 3.10.7.3, SYN-SENT, as Linux's tcp_rcv_synsent_state_process does it.
void Connection::on_segment_syn_sent(Context& ctx, const wire::TcpView& seg) {
  const bool ack_ok = seg.has(ACK) && seg.ack().after(snd_una_) && !seg.ack().after(snd_nxt_);
  if (seg.has(ACK) && !ack_ok) {
    // Linux: the peer may have missed our FIN or RST of an older incarnation ("Previous
    // FIN/ACK or RST/ACK might be ignored"); resend the SYN soon rather than after the full
    // RTO. This holds for a RST+ACK with the wrong ACK, too.
    if (retransmits_ == 0) set_xmit_timer(ctx, XmitTimer::Retrans, kTimeoutMin);
    // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set)".
    if (!seg.has(RST)) reset_segment(ctx, tuple_, seg);
    return;
  }
  if (seg.has(RST)) {
    // "If the ACK was acceptable, signal 'connection reset', drop the segment, enter CLOSED";
    // a RST without an ACK is dropped.
    if (ack_ok) reset_by_peer(ctx);
    return;
  }
  if (!seg.has(SYN)) return;

  rcv_nxt_ = rcv_wup_ = seg.seq() + 1;
  if (!ack_ok) {
    // Simultaneous open (RFC 9293 3.5, figure 8): SYN-RECEIVED, and our SYN again with an
    // ACK. Linux resends its SYN (tcp_send_synack), whose options come from the sysctls as
    // in the first SYN (tcp_syn_options), not from what the peer offered; the TS ecr
    // echoes the peer's SYN.
    if (const auto& ts = seg.options().timestamp; ts && ts_ok_) ts_recent_ = ts->val;
    set_state(ctx, State::SynRecv);
    send_syn(ctx);
  }
  // Keeps the options both sides offered (RFC 7323 1.3 and 2.2, RFC 2018 2).
  const wire::TcpOptions& o = seg.options();
  sack_ok_ = sack_ok_ && o.sack_permitted;
  ts_ok_ = ts_ok_ && o.timestamp.has_value();
  if (wscale_ok_ && o.wscale) {
    // RFC 7323 2.3: a shift above 14 is used as 14.
    snd_wscale_ = std::min<uint8_t>(*o.wscale, kMaxWscale);
  } else {
    wscale_ok_ = false;
    snd_wscale_ = rcv_wscale_ = 0;
  }
  init_mss(ctx.cfg, seg.options().mss.value_or(0));
  if (ts_ok_) {
    ts_recent_ = seg.options().timestamp->val;
    ts_recent_stamp_s_ = stamp_seconds(ctx.now);
  }
  // RFC 7323 2.2: the window of a SYN is not scaled.
  snd_wnd_ = max_window_ = seg.window();
  snd_wl1_ = seg.seq();
  last_rcv_ = MsStamp(ctx.now);

  if (ack_ok) {
    // Our SYN is acknowledged: ESTABLISHED. Linux does not queue data carried by a SYN-ACK
    // (without Fast Open) nor act on its FIN; the peer will send them again.
    snd_una_ = seg.ack();
    // The SYN's RTT (Karn: not if it was retransmitted), else the timestamp echo of the
    // SYN that got through (tcp_ack_update_rtt). Unlike Linux, not an echo older than our
    // last SYN: a Linux listener keeps TS.Recent from the first SYN (tcp_check_req), so
    // the SYN-ACK answering a retransmission echoes the first, and "now - echo" counts the
    // retransmission timeouts, not a round trip (6 s of RTO after two lost SYN-ACKs). As
    // for data (ack_update_rtt's stale echo), no sample: RFC 6298 5.7's 3 s fallback.
    const auto& ts = seg.options().timestamp;
    int64_t rtt_us = -1;
    if (rtt_time_ != kNever) {
      rtt_us = std::max<int64_t>(to_micros(ctx.now - rtt_time_), 0);
    } else if (ts_ok_ && ts && ts->ecr != 0 && ts_now(ctx.now) - ts->ecr < INT32_MAX / 1000 &&
               !echo_predates_last_rto(ts->ecr)) {
      rtt_us = int64_t{std::max<uint32_t>(ts_now(ctx.now) - ts->ecr, 1)} * 1000;
    }
    if (rtt_us >= 0) {
      rtt_.update_min(std::chrono::seconds(ctx.cfg.tcp_min_rtt_wlen), ctx.now,
                      static_cast<uint32_t>(rtt_us));
      rtt_.sample(rtt_us, snd_una_, snd_nxt_);
    }
    establish(ctx);
    // tcp_rcv_synsent_state_process: with TCP_DEFER_ACCEPT, or in interactive mode
    // (TCP_QUICKACK 0), the ACK waits up to TCP_DELACK_MAX for data to carry it.
    if (opts_.defer_accept || pingpong_) {
      ack_pending_ = true;
      enter_quickack_mode();
      delack_at_ = ctx.now + kDelackMax;
    } else {
      send_ack(ctx);
    }
    push(ctx);
    return;
  }
}

// Both SYNs are acknowledged (from SYN_SENT, or from SYN_RECV in input.cpp).
void Connection::establish(Context& ctx) {
  set_state(ctx, State::Established);
  // Sender variables that must start at the first data sequence, not at 0, or sequence
  // comparisons against them break for half of all ISNs: Minshall's snd_sml
  // (tcp_connect_init, tcp_create_openreq_child) and the recovery markers.
  snd_sml_ = snd_una_;
  high_seq_ = cwnd_usage_seq_ = snd_una_;
  // tcp_init_transfer: the initial window (RFC 6928), but one segment after more than one
  // SYN retransmission (RFC 5681 3.1).
  cc_.cwnd = total_retrans_ > 1 ? 1 : std::min(kInitCwnd, cc_.cwnd_clamp);
  cc_.cwnd_cnt = 0;
  ca_->init(cc_, ca_ctx(ctx));
  // RFC 6298 5.7 (tcp_init_metrics): no RTT sample from the handshake: a 3 s RTO.
  if (!rtt_.has_sample()) rtt_.fallback();
  // tcp_init_buffer_space: a send buffer for two congestion windows (unless SO_SNDBUF set
  // it); the autotuning measurement starts with the initial window.
  if (!opts_.sndbuf) sndbuf_expand(ctx);
  rcvq_space_ = std::min<uint32_t>(rcv_wnd_, kInitCwnd * adv_mss_);
  rcvq_space_time_ = ctx.now;
  rcvq_space_copied_ = copied_;
  lsndtime_ = cwnd_stamp_ = MsStamp(ctx.now);  // no idle restart before the first data
  // tcp_finish_connect / tcp_create_openreq_child: tcpi_last_data_recv counts from here.
  last_data_rcv_ = MsStamp(ctx.now);
  retransmits_ = 0;
  backoff_ = 0;
  rtt_time_ = kNever;
  retrans_stamp_set_ = false;
  rtx_at_ = kNever;
  xmit_timer_ = XmitTimer::None;
  arm_keepalive(ctx);
}

}  // namespace ustcp::tcp
