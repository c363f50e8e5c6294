// Round-trip time estimation and the retransmission timeout as Linux computes them
// (tcp_rtt_estimator, tcp_set_rto, tcp_update_rtt_min): RFC 6298's smoothed RTT and mean
// deviation (alpha 1/8, beta 1/4), but the variance term that enters the RTO (rttvar) is
// floored at rto_min and is allowed to fall only once per round trip, by a quarter of its
// excess over the largest deviation seen in that round. RTO = SRTT + rttvar, so a 100 ms
// path gets 300 ms, and the RTO never drops below rto_min. Also the windowed minimum RTT
// (net.ipv4.tcp_min_rtt_wlen) that RACK and HyStart use.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ustcp/base/minmax.hpp"
#include "ustcp/base/seq.hpp"
#include "ustcp/base/time.hpp"

namespace ustcp::tcp {

class RttEstimator {
 public:
  void set_bounds(Duration rto_min, Duration rto_max) {
    rto_min_us_ = static_cast<int32_t>(to_micros(rto_min));
    rto_max_us_ = static_cast<uint32_t>(to_micros(rto_max));
  }
  // One measurement of m_us microseconds. snd_una/snd_nxt mark rounds: rttvar may decay
  // once snd_una has passed the snd_nxt noted at the last decay (tp->rtt_seq).
  void sample(int64_t m_us, SeqNum snd_una, SeqNum snd_nxt);
  // RFC 6298 5.7 (tcp_init_metrics): the handshake gave no sample (its SYN was
  // retransmitted and nothing could be timed): RTO 3 s (TCP_TIMEOUT_FALLBACK).
  void fallback();
  // RFC 6298 5.7: after the timer backed off several times SRTT and RTTVAR are likely
  // bogus; the next measurement starts them anew (2.2) instead of being averaged in (2.3).
  // The RTO keeps its value until then.
  void forget() { forget_ = true; }
  // The windowed minimum (tcp_update_rtt_min), in microseconds; UINT32_MAX before a sample.
  void update_min(Duration win, TimePoint now, uint32_t rtt_us) {
    min_rtt_.update(win, now, rtt_us ? rtt_us : 1);
  }
  uint32_t min_rtt_us() const { return min_rtt_.get(); }

  bool has_sample() const { return srtt_us8_ != 0; }
  int64_t srtt_us() const { return srtt_us8_ >> 3; }
  Duration srtt() const { return std::chrono::microseconds(srtt_us8_ >> 3); }
  // What tcpi_rttvar reports: the mean deviation (mdev_us / 4).
  Duration rttvar() const { return std::chrono::microseconds(mdev_us4_ >> 2); }
  // The un-backed-off timeout: 1 s before any sample (RFC 6298 2.1, TCP_TIMEOUT_INIT).
  Duration rto() const { return std::chrono::microseconds(rto_us_); }
  Duration rto_max() const { return std::chrono::microseconds(rto_max_us_); }
  // inet_csk_rto_backoff: `base` doubled `backoff` times, at most tcp_rto_max_ms.
  Duration backed_off(Duration base, int backoff) const {
    return std::min<Duration>(base * (int64_t{1} << std::min(backoff, 20)), rto_max());
  }

 private:
  // Microseconds in 32 bits, as Linux keeps them (u32 srtt_us ...): RTTs up to 268 s.
  int32_t srtt_us8_ = 0;     // srtt_us: smoothed RTT << 3
  int32_t mdev_us4_ = 0;     // mdev_us: mean deviation << 2
  int32_t mdev_max_us_ = 0;  // largest mdev in the current round
  int32_t rttvar_us_ = 0;    // the variance term of the RTO
  SeqNum rtt_seq_;           // snd_nxt at the last rttvar update
  int32_t rto_min_us_ = 200000;
  uint32_t rto_max_us_ = 120000000;
  uint32_t rto_us_ = 1000000;
  bool forget_ = false;
  WindowedMin min_rtt_;
};

}  // namespace ustcp::tcp
