// Timer expiries (Linux tcp_timer.c): retransmission with backoff and the give-up rules
// of tcp_write_timeout, zero-window probes, delayed ACK, keepalive, FIN_WAIT_2.
#include <algorithm>
#include <bit>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

TimePoint Connection::next_deadline() const { return std::min({rtx_at_, delack_at_, sk_at_}); }

void Connection::on_timer(Context& ctx) {
  if (delack_at_ <= ctx.now) on_delack(ctx);
  if (rtx_at_ <= ctx.now) on_xmit_timer(ctx);
  if (sk_at_ <= ctx.now && state_ != State::Close) on_keepalive(ctx);
}

// tcp_write_timer_handler: the transmit timer serves four purposes.
void Connection::on_xmit_timer(Context& ctx) {
  const XmitTimer kind = xmit_timer_;
  xmit_timer_ = XmitTimer::None;
  rtx_at_ = kNever;
  switch (kind) {
    case XmitTimer::ReoTimeout:
      rack_reo_timeout(ctx);
      break;
    case XmitTimer::LossProbe:
      send_loss_probe(ctx);
      break;
    case XmitTimer::Retrans:
      on_rto(ctx);
      break;
    case XmitTimer::Probe0:
      on_probe0(ctx);
      break;
    case XmitTimer::None:
      break;
  }
}

// tcp_delack_timer_handler: the ACK we held back goes now. Outside interactive (pingpong)
// mode a delayed ACK that had to wait for the timer doubles ato (at most the RTO); in that
// mode it means the application did not answer: leave the mode, ato back to 40 ms.
void Connection::on_delack(Context& ctx) {
  delack_at_ = kNever;
  if (!ack_pending_ || !is_synchronized(state_)) return;
  if (!pingpong_) {
    set_ato(std::min(ato() * 2, rto()));
  } else {
    pingpong_ = false;
    set_ato(kDelackMin);
  }
  ++ctx.mib.DelayedACKs;
  send_ack(ctx);
}

namespace {

// tcp_model_timeout: how long `boundary` retransmissions take with exponential backoff
// from rto_base, capped at rto_max; the time budget of tcp_write_timeout.
Duration model_timeout(int boundary, Duration rto_base, Duration rto_max) {
  int thresh = std::bit_width(static_cast<uint64_t>(rto_max / rto_base)) - 1;
  if (boundary <= thresh) return ((int64_t{2} << boundary) - 1) * rto_base;
  return ((int64_t{2} << thresh) - 1) * rto_base + (boundary - thresh) * rto_max;
}

}  // namespace

// tcp_write_timeout: give up when the retry count or the time budget is exhausted.
bool Connection::write_timed_out(Context& ctx) {
  const Config& cfg = ctx.cfg;
  if (state_ == State::SynSent || state_ == State::SynRecv) {
    // Linux 6.x: syn_retries exponential retries plus tcp_syn_linear_timeouts linear ones
    // (SYN_SENT only), or the time syn_retries exponential retries would take from 1 s.
    int retry_until = cfg.tcp_syn_retries;
    int max_retransmits =
        retry_until + (state_ == State::SynSent ? cfg.tcp_syn_linear_timeouts : 0);
    if (retransmits_ >= max_retransmits) return true;
    Duration budget = opts_.user_timeout ? std::chrono::milliseconds(opts_.user_timeout)
                                         : model_timeout(retry_until, kTimeoutInit, cfg.rto_max());
    return retransmits_ > 0 && retrans_stamp_.elapsed(ctx.now) >= budget;
  }
  int retry_until = orphan_ ? cfg.orphan_retries() : cfg.tcp_retries2;
  if (retransmits_ == 0) return false;
  // Linux measures data timeouts from TCP_RTO_MIN (200 ms), not from the sysctl.
  Duration budget = opts_.user_timeout ? std::chrono::milliseconds(opts_.user_timeout)
                                       : model_timeout(retry_until, kRtoMin, cfg.rto_max());
  return retrans_stamp_.elapsed(ctx.now) >= budget;
}

// tcp_probe_timer: the zero-window probe. RFC 1122 4.2.2.17 keeps a sender probing as
// long as the receiver answers (every ACK resets probes_out_); an orphan, or a socket with
// TCP_USER_TIMEOUT, is given up on by count and time instead.
void Connection::on_probe0(Context& ctx) {
  if (!rtxq_.empty() || !has_send_head()) {
    probes_out_ = 0;
    probes_stamp_set_ = false;
    return;
  }
  if (!send_head_end().after(wnd_end())) {
    push(ctx);
    if (!rtxq_.empty()) return;  // it went out: the RTO is in charge
  }
  if (snd_wnd_ != 0 && unsent() > 0) {
    // The window is open but smaller than the next segment: tcp_write_wakeup sends what
    // fits (tcp_send_probe0), and the RTO takes over from the probe timer.
    ++ctx.mib.TCPWinProbe;
    send_probe(ctx);
    backoff_ = 0;
    probes_out_ = 0;
    probes_stamp_set_ = false;
    rearm_rto(ctx);
    return;
  }
  if (!probes_stamp_set_) {
    probes_stamp_ = MsStamp(ctx.now);
    probes_stamp_set_ = true;
  } else if (opts_.user_timeout &&
             probes_stamp_.elapsed(ctx.now) >= std::chrono::milliseconds(opts_.user_timeout)) {
    return abort_probe0(ctx);
  }
  int max_probes = ctx.cfg.tcp_retries2;
  if (orphan_) {
    // An orphan whose backed-off RTO reached the cap is dead (tcp_orphan_retries with
    // alive = false gives 0 unless the sysctl says otherwise), else tcp_orphan_retries.
    const bool alive = rtt_.backed_off(rtt_.rto(), backoff_) < rtt_.rto_max();
    max_probes = ctx.cfg.tcp_orphan_retries != 0 ? ctx.cfg.tcp_orphan_retries : (alive ? 8 : 0);
    if (!alive && backoff_ >= max_probes) return abort_probe0(ctx);
  }
  if (probes_out_ >= max_probes) return abort_probe0(ctx);
  // tcp_send_probe0
  ++probes_out_;
  ++ctx.mib.TCPWinProbe;
  send_probe(ctx);
  if (backoff_ < ctx.cfg.tcp_retries2) ++backoff_;
  set_xmit_timer(ctx, XmitTimer::Probe0, probe0_when(ctx.now));
}

void Connection::abort_probe0(Context& ctx) {
  ++ctx.mib.TCPAbortOnTimeout;
  write_error(ctx, ConnError::TimedOut);
}

// tcp_retransmit_timer: the RTO.
void Connection::on_rto(Context& ctx) {
  // Our SYN still unacknowledged (connecting, or closed while in SYN_RECV): SYN rules.
  const bool handshake = state_ == State::SynSent || state_ == State::SynRecv || snd_una_ == iss_;
  if (handshake) {
    if (!retrans_stamp_set_) {
      retrans_stamp_ = MsStamp(ctx.now - rto());
      retrans_stamp_set_ = true;
    }
    if (write_timed_out(ctx)) {
      write_error(ctx, ConnError::TimedOut);
      return;
    }
    ++ctx.mib.TCPSynRetrans;
    ++ctx.mib.TCPTimeouts;
    retransmit_syn(ctx);
    rtt_time_ = kNever;      // Karn: the handshake's RTT can no longer be timed
    last_rto_at_ = ctx.now;  // the echo of an earlier SYN is no sample (handshake.cpp)
    ++retransmits_;
    ++total_rto_;
    // tcp_retransmit_timer: a SYN_SENT socket keeps a linear 1 s RTO for its first
    // tcp_syn_linear_timeouts retransmissions, then backs off exponentially.
    if (state_ != State::SynSent || total_rto_ > ctx.cfg.tcp_syn_linear_timeouts) ++backoff_;
    set_xmit_timer(ctx, XmitTimer::Retrans, rto());
    return;
  }
  if (rtxq_.empty()) return;  // nothing outstanding
  // A timeout ends any loss-probe episode: the RTO's own recovery takes over
  // (tcp_retransmit_timer clears tlp_high_seq).
  tlp_pending_ = false;

  if (snd_wnd_ == 0 && !orphan_) {
    // The receiver shrank its window to zero under data in flight: the retransmissions
    // serve as probes, and the connection is not timed out while the peer keeps answering
    // (tcp_rtx_probe0_timed_out: 2 x tcp_rto_max_ms of silence, or TCP_USER_TIMEOUT).
    const TimePoint start = retrans_stamp_set_ ? retrans_stamp_.time(ctx.now) : rtxq_.head().sent;
    Duration limit = 2 * rtt_.rto_max();
    bool timed_out = false;
    if (opts_.user_timeout) {
      const Duration user = std::chrono::milliseconds(opts_.user_timeout);
      timed_out = ctx.now - start > user;
      limit = std::min(limit, user);
    }
    if (!timed_out) timed_out = last_rcv_.elapsed(ctx.now) > limit && ctx.now - start > limit;
    if (timed_out) {
      ++ctx.mib.TCPAbortOnTimeout;
      write_error(ctx, ConnError::TimedOut);
      return;
    }
    enter_loss(ctx);
    last_rto_at_ = ctx.now;
    retransmit_seg(ctx, rtxq_.first(), true);
  } else {
    ++ctx.mib.TCPTimeouts;
    if (write_timed_out(ctx)) {
      ++ctx.mib.TCPAbortOnTimeout;
      write_error(ctx, ConnError::TimedOut);
      return;
    }
    if (retransmits_ == 0) {
      // The first timeout of an episode: which recovery failed.
      if (ca_state_ == CaState::Recovery) {
        if (sack_ok_) {
          ++ctx.mib.TCPSackRecoveryFail;
        } else {
          ++ctx.mib.TCPRenoRecoveryFail;
        }
      } else if (ca_state_ == CaState::Loss) {
        ++ctx.mib.TCPLossFailures;
      } else if (ca_state_ == CaState::Disorder || rtxq_.sacked_out) {
        if (sack_ok_) {
          ++ctx.mib.TCPSackFailures;
        } else {
          ++ctx.mib.TCPRenoFailures;
        }
      }
    }
    // RFC 5681 3.1 (4) and RFC 6298 5.5-5.7: everything unSACKed is lost, cwnd restarts
    // from one segment more than in flight, the head goes again, the timer backs off.
    enter_loss(ctx);
    last_rto_at_ = ctx.now;
    if (retransmits_ == 0) ++total_rto_recoveries_;
    ++retransmits_;
    ++total_rto_;
    retransmit_seg(ctx, rtxq_.first(), true);
  }
  if (backoff_ < 31) ++backoff_;
  if (backoff_ >= 2) rtt_.forget();  // RFC 6298 5.7
  Duration next = rto();
  if (opts_.user_timeout && retrans_stamp_set_) {
    // tcp_clamp_rto_to_user_timeout: never sleep past the user timeout (1 ms if passed).
    const Duration left =
        std::chrono::milliseconds(opts_.user_timeout) - retrans_stamp_.elapsed(ctx.now);
    next = std::max<Duration>(std::min<Duration>(next, left), 1ms);
  }
  set_xmit_timer(ctx, XmitTimer::Retrans, next);
}

// Linux's sk_timer: keepalive in synchronized states, the FIN_WAIT_2 timeout of an
// orphan (tcp_keepalive_timer).
void Connection::on_keepalive(Context& ctx) {
  sk_at_ = kNever;
  if (state_ == State::FinWait2 && orphan_) {
    // tcp_fin_timeout expired: the connection goes away without a word; a later segment
    // from the peer gets a RST from the stack.
    done(ctx);
    return;
  }
  if (!opts_.keepalive || state_ == State::SynSent || !is_synchronized(state_)) return;

  const Duration idle =
      std::chrono::seconds(opts_.keepidle ? opts_.keepidle : uint32_t(ctx.cfg.tcp_keepalive_time));
  const Duration intvl = std::chrono::seconds(
      opts_.keepintvl ? opts_.keepintvl : uint32_t(ctx.cfg.tcp_keepalive_intvl));
  const int cnt = opts_.keepcnt ? opts_.keepcnt : ctx.cfg.tcp_keepalive_probes;

  // Data in flight or waiting: the retransmission timer is in charge.
  if (!rtxq_.empty() || has_send_head()) {
    sk_at_ = ctx.now + idle;
    return;
  }
  const Duration elapsed = last_rcv_.elapsed(ctx.now);
  if (elapsed < idle) {
    sk_at_ = ctx.now + (idle - elapsed);
    return;
  }
  const Duration user_timeout = std::chrono::milliseconds(opts_.user_timeout);
  if ((opts_.user_timeout && elapsed >= user_timeout && probes_out_ > 0) ||
      (!opts_.user_timeout && probes_out_ >= cnt)) {
    send_reset(ctx);
    ++ctx.mib.TCPAbortOnTimeout;
    write_error(ctx, ConnError::TimedOut);
    return;
  }
  send_probe(ctx);
  ++probes_out_;
  ++ctx.mib.TCPKeepAlive;
  sk_at_ = ctx.now + intvl;
}

void Connection::arm_keepalive(Context& ctx) {
  if (!opts_.keepalive || !is_synchronized(state_) || state_ == State::TimeWait) return;
  const Duration idle =
      std::chrono::seconds(opts_.keepidle ? opts_.keepidle : uint32_t(ctx.cfg.tcp_keepalive_time));
  sk_at_ = ctx.now + idle;
}

// tcp_sock_set_keepidle_locked: the next probe comes when the connection will have been
// idle for the new TCP_KEEPIDLE, counting from the last segment received (at once if that
// is already past).
void Connection::keepidle_changed(Context& ctx) {
  if (!opts_.keepalive || !is_synchronized(state_) || state_ == State::TimeWait) return;
  if (state_ == State::FinWait2 && orphan_) return;  // the FIN_WAIT_2 timer owns sk_at_
  const Duration idle = std::chrono::seconds(opts_.keepidle);
  const Duration elapsed = last_rcv_.elapsed(ctx.now);
  sk_at_ = ctx.now + (idle > elapsed ? idle - elapsed : Duration{0});
}

void Connection::set_keepalive(Context& ctx, bool on) {
  opts_.keepalive = on;
  if (on) {
    arm_keepalive(ctx);
  } else if (!(state_ == State::FinWait2 && orphan_)) {
    sk_at_ = kNever;
  }
}

// tcp_time_wait: the connection's job is done; the stack keeps a compact TIME_WAIT record
// for `len` and this connection ends (Linux, too, closes the socket and keeps a tw sock).
void Connection::enter_time_wait(Context& ctx, Duration len) {
  set_state(ctx, State::TimeWait);
  rtx_at_ = delack_at_ = kNever;
  xmit_timer_ = XmitTimer::None;
  sk_at_ = ctx.now + len;
  drop_send_queues();
}

}  // namespace ustcp::tcp
