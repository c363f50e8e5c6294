#include "ustcp/tcp/rtt_estimator.hpp"

#include <algorithm>

namespace ustcp::tcp {

void RttEstimator::sample(Duration rtt, Duration rto_min, Duration rto_max) {
  int64_t r = std::max<int64_t>(1, to_micros(rtt));  // a 0 us sample still counts
  if (srtt_us_ == 0) {
    srtt_us_ = r;
    rttvar_us_ = r / 2;
  } else {
    int64_t err = r - srtt_us_;
    rttvar_us_ += ((err < 0 ? -err : err) - rttvar_us_) / 4;
    srtt_us_ += err / 8;
  }
  Duration var = std::max<Duration>(std::chrono::microseconds(4 * rttvar_us_), rto_min);
  // Linux accepts tcp_rto_min_us above tcp_rto_max_ms; the maximum wins then.
  rto_ = std::clamp<Duration>(std::chrono::microseconds(srtt_us_) + var, std::min(rto_min, rto_max),
                              rto_max);
}

}  // namespace ustcp::tcp
