// The building blocks shared by the congestion control algorithms, and the registry that
// net.ipv4.tcp_congestion_control and TCP_CONGESTION look names up in (Linux
// tcp_cong.c).
#include "ustcp/tcp/congestion.hpp"

#include <algorithm>

namespace ustcp::tcp {

// tcp_slow_start (RFC 5681 3.1, RFC 3465 with L = the packets acked): grow by what was
// acknowledged, but not past ssthresh; what is left over belongs to congestion avoidance.
uint32_t slow_start(CongestionState& s, uint32_t acked) {
  const uint32_t cwnd = std::min(s.cwnd + acked, s.ssthresh);
  acked -= cwnd - s.cwnd;
  s.cwnd = std::min(cwnd, s.cwnd_clamp);
  return acked;
}

// tcp_cong_avoid_ai: one packet per w packets acknowledged; a large stretch ACK may earn
// several at once.
void cong_avoid_ai(CongestionState& s, uint32_t w, uint32_t acked) {
  w = std::max<uint32_t>(w, 1);
  // If credits accumulated at a higher w, apply them gently now.
  if (s.cwnd_cnt >= w) {
    s.cwnd_cnt = 0;
    ++s.cwnd;
  }
  s.cwnd_cnt += acked;
  if (s.cwnd_cnt >= w) {
    const uint32_t delta = s.cwnd_cnt / w;
    s.cwnd_cnt -= delta * w;
    s.cwnd += delta;
  }
  s.cwnd = std::min(s.cwnd, s.cwnd_clamp);
}

// tcp_reno_undo_cwnd: back to the window before the reduction.
uint32_t CongestionControl::undo_cwnd(const CongestionState& s) const {
  return std::max(s.cwnd, s.prior_cwnd);
}

// Registration order, as tcp_register_congestion_control appends: reno is built in first.
const CongestionControl* find_congestion_control(std::string_view name) {
  for (const CongestionControl* ca : {&reno(), &cubic()}) {
    if (name == ca->name()) return ca;
  }
  return nullptr;
}

const char* available_congestion_control() { return "reno cubic"; }

}  // namespace ustcp::tcp
