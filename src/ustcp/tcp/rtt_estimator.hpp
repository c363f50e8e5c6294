// Round-trip time estimation and the retransmission timeout (RFC 6298), with Linux's
// bounds: RTO = SRTT + max(4 * RTTVAR, rto_min), clamped to [rto_min, rto_max]. Linux
// floors the variance term at rto_min (tcp_rtt_estimator / tcp_set_rto) rather than the
// RFC's clock granularity G, which is why a 100 ms path gets a 300 ms RTO.
#pragma once

#include <cstdint>

#include "ustcp/base/time.hpp"

namespace ustcp::tcp {

class RttEstimator {
 public:
  // RFC 6298 2.2 and 2.3: the first measurement sets SRTT = R, RTTVAR = R/2; later ones
  // use alpha = 1/8, beta = 1/4.
  void sample(Duration rtt, Duration rto_min, Duration rto_max);

  bool has_sample() const { return srtt_us_ != 0; }
  Duration srtt() const { return std::chrono::microseconds(srtt_us_); }
  Duration rttvar() const { return std::chrono::microseconds(rttvar_us_); }
  // The un-backed-off timeout: 1 s before any sample (RFC 6298 2.1, TCP_TIMEOUT_INIT).
  Duration rto() const { return rto_; }

 private:
  int64_t srtt_us_ = 0;
  int64_t rttvar_us_ = 0;
  Duration rto_ = std::chrono::seconds(1);
};

}  // namespace ustcp::tcp
