// Receive-buffer autotuning (Linux tcp_rcv_space_adjust, after Dynamic Right-Sizing by Wu
// Feng and Mike Fisk): the receiver estimates the round-trip time from timestamps or from
// how long a window takes to fill, counts what the application read in that time, and
// grows the buffer (and with it the window it offers) to twice that plus room for the
// sender's slow start, up to tcp_rmem[2]. net.ipv4.tcp_moderate_rcvbuf turns it off;
// SO_RCVBUF pins the buffer, as in Linux.
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

// tcp_rcv_rtt_update: with timestamps a smoothed estimate; from window fills a minimum
// (they overestimate when the sender is slow).
void Connection::rcv_rtt_update(uint32_t sample, bool win_dep) {
  int64_t est = rcv_rtt_us8_;
  int64_t m = sample;
  if (est != 0) {
    if (!win_dep) {
      m -= est >> 3;
      est += m;
    } else {
      m <<= 3;
      if (m < est) est = m;
    }
  } else {
    est = m << 3;
  }
  rcv_rtt_us8_ = static_cast<uint32_t>(std::clamp<int64_t>(est, 1, UINT32_MAX));
}

// tcp_rcv_rtt_measure: the time to receive one window's worth of data.
void Connection::rcv_rtt_measure(Context& ctx) {
  if (rcv_rtt_time_ != TimePoint{}) {
    if (rcv_nxt_.before(rcv_rtt_seq_)) return;
    const int64_t delta = std::max<int64_t>(to_micros(ctx.now - rcv_rtt_time_), 1);
    rcv_rtt_update(static_cast<uint32_t>(std::min<int64_t>(delta, UINT32_MAX >> 4)), true);
  }
  rcv_rtt_seq_ = rcv_nxt_ + rcv_wnd_;
  rcv_rtt_time_ = ctx.now;
}

// tcp_rcv_rtt_measure_ts: a full-sized segment's timestamp echo.
void Connection::rcv_rtt_measure_ts(Context& ctx, const wire::TcpView& seg, uint32_t len) {
  if (!ts_ok_ || !seg.options().timestamp) return;
  const uint32_t tsecr = seg.options().timestamp->ecr;
  if (tsecr == 0 || tsecr == rcv_rtt_last_tsecr_) return;
  rcv_rtt_last_tsecr_ = tsecr;
  if (len < rcv_mss_) return;
  const uint32_t delta_ms = ts_now(ctx.now) - tsecr;
  if (delta_ms >= INT32_MAX / 1000) return;
  rcv_rtt_update(std::max<uint32_t>(delta_ms, 1) * 1000, false);
}

// tcp_rcv_space_adjust: after the application read.
void Connection::rcv_space_adjust(Context& ctx) {
  const int64_t time = to_micros(ctx.now - rcvq_space_time_);
  if (rcv_rtt_us8_ == 0 || time < (rcv_rtt_us8_ >> 3)) return;
  // Bytes read in the last RTT.
  const uint64_t copied = copied_ - rcvq_space_copied_;
  if (copied > rcvq_space_) {
    if (ctx.cfg.tcp_moderate_rcvbuf && opts_.rcvbuf == 0) {
      // Twice what was read (to ride out losses) plus 16 segments of cushion, then more in
      // proportion to the growth, as the sender's slow start doubles per round trip and
      // the window we announce now serves the next round.
      uint64_t rcvwin = (copied << 1) + 16ull * adv_mss_;
      const uint64_t grow = rcvwin * (copied - rcvq_space_) / std::max<uint32_t>(rcvq_space_, 1);
      rcvwin += grow << 1;
      // tcp_space_from_win: the buffer holds twice the window (half is overhead).
      const uint64_t rcvbuf = std::min<uint64_t>(rcvwin * 2, ctx.cfg.tcp_rmem[2]);
      if (rcvbuf / 2 > rcvq_.limit()) rcvq_.set_limit(static_cast<uint32_t>(rcvbuf / 2));
    }
    rcvq_space_ = static_cast<uint32_t>(std::min<uint64_t>(copied, UINT32_MAX));
  }
  rcvq_space_copied_ = copied_;
  rcvq_space_time_ = ctx.now;
}

}  // namespace ustcp::tcp
