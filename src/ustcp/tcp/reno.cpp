// Reno (RFC 5681) in packets, as Linux's tcp_reno_* functions: slow start up to ssthresh,
// then one packet per window; ssthresh is half the window at a loss. With the sender's
// RFC 6582 partial-ACK handling this is NewReno.
#include <algorithm>

#include "ustcp/tcp/congestion.hpp"

namespace ustcp::tcp {
namespace {

class Reno final : public CongestionControl {
 public:
  const char* name() const override { return "reno"; }

  void init(CongestionState&, const CaContext&) const override {}

  // tcp_reno_ssthresh: RFC 5681 (4), max(FlightSize / 2, 2), with Linux's use of cwnd.
  uint32_t ssthresh(CongestionState& s, const CaContext&) const override {
    return std::max(s.cwnd >> 1, 2u);
  }

  // tcp_reno_cong_avoid.
  void cong_avoid(CongestionState& s, const CaContext&, uint32_t acked,
                  bool cwnd_limited) const override {
    if (!cwnd_limited) return;
    if (s.in_slow_start()) {
      acked = slow_start(s, acked);
      if (acked == 0) return;
    }
    cong_avoid_ai(s, s.cwnd, acked);
  }
};

const Reno kReno;

}  // namespace

const CongestionControl& reno() { return kReno; }

}  // namespace ustcp::tcp
