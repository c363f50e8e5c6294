// Congestion control behind an interface (Linux's tcp_congestion_ops): the algorithm
// decides how the window grows on ACKs and what ssthresh becomes after a loss. Loss
// recovery itself (fast retransmit, NewReno partial ACKs, RTO) belongs to the sender, as
// in Linux, so CUBIC can be added by implementing this interface alone.
#pragma once

#include <array>
#include <cstdint>

#include "ustcp/base/time.hpp"

namespace ustcp::tcp {

// Per-connection state, in bytes. `priv` is the algorithm's own scratch space (Linux's
// icsk_ca_priv) so that no algorithm needs an allocation per connection.
struct CongestionState {
  uint32_t cwnd = 0;
  uint32_t ssthresh = UINT32_MAX;  // "infinite" until the first loss (RFC 5681 3.1)
  uint32_t bytes_acked = 0;        // congestion-avoidance accumulator
  std::array<uint32_t, 6> priv{};
};

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  virtual const char* name() const = 0;
  virtual void init(CongestionState& s, uint32_t mss) const = 0;
  // New data acknowledged outside loss recovery.
  virtual void on_ack(CongestionState& s, uint32_t acked, uint32_t mss, TimePoint now) const = 0;
  // ssthresh after a loss, given the bytes in flight when it was detected.
  virtual uint32_t ssthresh_after_loss(const CongestionState& s, uint32_t flight,
                                       uint32_t mss) const = 0;
};

// RFC 5681 slow start and congestion avoidance (with appropriate byte counting, RFC 3465,
// L = 2 SMSS), initial window of 10 segments (RFC 6928, Linux TCP_INIT_CWND).
const CongestionControl& reno();

}  // namespace ustcp::tcp
