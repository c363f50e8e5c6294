#include <algorithm>

#include "ustcp/tcp/config.hpp"
#include "ustcp/tcp/congestion.hpp"

namespace ustcp::tcp {
namespace {

class Reno final : public CongestionControl {
 public:
  const char* name() const override { return "reno"; }

  void init(CongestionState& s, uint32_t mss) const override {
    s.cwnd = kInitCwnd * mss;
    s.ssthresh = UINT32_MAX;
    s.bytes_acked = 0;
  }

  void on_ack(CongestionState& s, uint32_t acked, uint32_t mss, TimePoint) const override {
    if (s.cwnd < s.ssthresh) {
      // RFC 5681 3.1 slow start, RFC 3465 L = 2*SMSS per ACK.
      s.cwnd += std::min(acked, 2 * mss);
      return;
    }
    // Congestion avoidance: one SMSS per window of acknowledged bytes.
    s.bytes_acked += acked;
    if (s.bytes_acked >= s.cwnd) {
      s.bytes_acked -= s.cwnd;
      s.cwnd += mss;
    }
  }

  uint32_t ssthresh_after_loss(const CongestionState&, uint32_t flight,
                               uint32_t mss) const override {
    // RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS).
    return std::max(flight / 2, 2 * mss);
  }
};

const Reno kReno;

}  // namespace

const CongestionControl& reno() { return kReno; }

}  // namespace ustcp::tcp
