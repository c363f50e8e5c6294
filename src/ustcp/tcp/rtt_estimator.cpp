#include "ustcp/tcp/rtt_estimator.hpp"

#include <algorithm>

namespace ustcp::tcp {

void RttEstimator::sample(int64_t m, SeqNum snd_una, SeqNum snd_nxt) {
  // Samples beyond the 32-bit scaled range (268 s) count as that: the RTO is capped at
  // tcp_rto_max_ms long before.
  m = std::clamp<int64_t>(m, 0, INT32_MAX / 8);
  int64_t srtt = forget_ ? 0 : srtt_us8_;
  forget_ = false;
  if (srtt != 0) {
    m -= srtt >> 3;  // the error of the estimate
    srtt += m;       // srtt = 7/8 srtt + 1/8 m
    if (m < 0) {
      // The RTT fell: a smaller gain for the deviation (as in Eifel), so a sudden drop does
      // not make the RTO grow.
      m = -m - (mdev_us4_ >> 2);
      if (m > 0) m >>= 3;
    } else {
      m -= mdev_us4_ >> 2;
    }
    mdev_us4_ = static_cast<int32_t>(mdev_us4_ + m);  // mdev = 3/4 mdev + 1/4 |error|
    if (mdev_us4_ > mdev_max_us_) {
      mdev_max_us_ = mdev_us4_;
      rttvar_us_ = std::max(rttvar_us_, mdev_max_us_);
    }
    if (snd_una.after(rtt_seq_)) {
      // A round has passed: let rttvar fall toward the round's largest deviation.
      if (mdev_max_us_ < rttvar_us_) rttvar_us_ -= (rttvar_us_ - mdev_max_us_) >> 2;
      rtt_seq_ = snd_nxt;
      mdev_max_us_ = rto_min_us_;
    }
  } else {
    srtt = m << 3;                             // the first measurement is the RTT
    mdev_us4_ = static_cast<int32_t>(m << 1);  // and RTO = 3 * RTT
    rttvar_us_ = std::max(mdev_us4_, rto_min_us_);
    mdev_max_us_ = rttvar_us_;
    rtt_seq_ = snd_nxt;
  }
  srtt_us8_ = static_cast<int32_t>(std::clamp<int64_t>(srtt, 1, INT32_MAX));
  // __tcp_set_rto and tcp_bound_rto.
  rto_us_ =
      static_cast<uint32_t>(std::min<int64_t>(int64_t{srtt_us8_ >> 3} + rttvar_us_, rto_max_us_));
}

void RttEstimator::fallback() {
  rttvar_us_ = mdev_max_us_ = 3'000'000;
  rto_us_ = std::min<uint32_t>(3'000'000, rto_max_us_);
}

}  // namespace ustcp::tcp
