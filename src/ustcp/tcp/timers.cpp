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
  if (rtx_at_ <= ctx.now) on_rto(ctx);
  if (sk_at_ <= ctx.now && state_ != State::Close) on_keepalive(ctx);
}

// tcp_delack_timer_handler: the ACK we held back goes now. In interactive (pingpong) mode a
// missed delayed ACK means the application did not answer: leave that mode.
void Connection::on_delack(Context& ctx) {
  delack_at_ = kNever;
  if (!ack_pending_ || !is_synchronized(state_)) return;
  pingpong_ = false;
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
    return retransmits_ > 0 && ctx.now - retrans_stamp_ >= budget;
  }
  int retry_until = orphan_ ? cfg.orphan_retries() : cfg.tcp_retries2;
  if (retransmits_ == 0) return false;
  // Linux measures data timeouts from TCP_RTO_MIN (200 ms), not from the sysctl.
  Duration budget = opts_.user_timeout ? std::chrono::milliseconds(opts_.user_timeout)
                                       : model_timeout(retry_until, 200ms, cfg.rto_max());
  return ctx.now - retrans_stamp_ >= budget;
}

// tcp_retransmit_timer (and tcp_probe_timer for the zero-window probe).
void Connection::on_rto(Context& ctx) {
  rtx_at_ = kNever;
  if (probing_) {
    // tcp_probe_timer: give up after tcp_retries2 unanswered probes (orphans: orphan
    // retries); otherwise probe and back off.
    int max_probes = orphan_ ? ctx.cfg.orphan_retries() : ctx.cfg.tcp_retries2;
    if (unsent() == 0) {
      probing_ = false;
      return;
    }
    if (snd_wnd_ != 0) {
      probing_ = false;
      push(ctx);
      if (snd_una_ != snd_max_) return;  // data went out: the RTO is in charge
      // The window is open but smaller than the next segment: tcp_write_wakeup sends what
      // fits (tcp_send_probe0), and the RTO takes over from the probe timer.
      ++ctx.mib.TCPWinProbe;
      send_probe(ctx);
      backoff_ = 0;
      probes_out_ = 0;
      arm_rto(ctx);
      return;
    }
    if (probes_out_ >= max_probes) {
      ++ctx.mib.TCPAbortOnTimeout;
      write_error(ctx, ConnError::TimedOut);
      return;
    }
    ++probes_out_;
    ++ctx.mib.TCPWinProbe;
    send_probe(ctx);
    if (backoff_ < 31) ++backoff_;
    probing_ = true;
    rtx_at_ = ctx.now + std::min(std::max(rto(), ctx.cfg.rto_min()), ctx.cfg.rto_max());
    return;
  }

  // Our SYN still unacknowledged (connecting, or closed while in SYN_RECV): SYN rules.
  const bool handshake = state_ == State::SynSent || state_ == State::SynRecv || snd_una_ == iss_;
  if (!handshake && snd_una_ == snd_max_) return;  // nothing outstanding

  // Data: tcp_retransmit_skb stamps the first retransmission (the head's timestamp after it
  // went again), so timeouts count from now; a SYN's stamp is its first send.
  if (retrans_stamp_ == kNever) retrans_stamp_ = handshake ? ctx.now - rto() : ctx.now;
  if (write_timed_out(ctx)) {
    if (!handshake) ++ctx.mib.TCPAbortOnTimeout;
    write_error(ctx, ConnError::TimedOut);
    return;
  }

  if (handshake) {
    ++ctx.mib.TCPSynRetrans;
    ++ctx.mib.TCPTimeouts;
    retransmit_head(ctx);
    rtt_time_ = kNever;
    ++retransmits_;
    ++total_rto_;
    // tcp_retransmit_timer: a SYN_SENT socket keeps a linear 1 s RTO for its first
    // tcp_syn_linear_timeouts retransmissions, then backs off exponentially.
    if (state_ != State::SynSent || total_rto_ > ctx.cfg.tcp_syn_linear_timeouts) ++backoff_;
    rtx_at_ = ctx.now + rto();
    return;
  }

  // RFC 5681 3.1 (4) and RFC 6298 5.5-5.7: collapse the window to one segment, halve
  // ssthresh, back off the timer, and send again from the oldest unacknowledged byte.
  ++ctx.mib.TCPTimeouts;
  if (!in_recovery_ || retransmits_ == 0) {
    cc_.ssthresh = ca_->ssthresh_after_loss(cc_, flight(), mss_);
  }
  cc_.cwnd = mss_;
  cc_.bytes_acked = 0;
  in_recovery_ = false;
  dupacks_ = 0;
  recover_ = snd_max_;  // RFC 6582 4.1: no fast retransmit for losses before the timeout
  rtt_time_ = kNever;
  snd_nxt_ = snd_una_;
  ++retransmits_;
  ++total_rto_;
  if (backoff_ < 31) ++backoff_;
  push(ctx);
  rtx_at_ = ctx.now + rto();
  if (opts_.user_timeout) {
    // tcp_clamp_rto_to_user_timeout: never sleep past the user timeout (1 tick if passed).
    const Duration left =
        std::chrono::milliseconds(opts_.user_timeout) - (ctx.now - retrans_stamp_);
    rtx_at_ = ctx.now + std::max<Duration>(std::min<Duration>(rto(), left), 1ms);
  }
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
  if (snd_una_ != snd_max_ || unsent() > 0) {
    sk_at_ = ctx.now + idle;
    return;
  }
  const Duration elapsed = ctx.now - last_rcv_;
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
  const Duration elapsed = ctx.now - last_rcv_;
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
  probing_ = false;
  sk_at_ = ctx.now + len;
  sndq_.consume(sndq_.size());
  push_ends_.clear();
  seg_ends_.clear();
  sndq_.release_if_empty(true);
}

}  // namespace ustcp::tcp
