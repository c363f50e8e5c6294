// Initial sequence numbers (RFC 6528) and timestamp offsets, per stack secret.
//
// ISN = M + F(local, remote, secret): F is SipHash of the 4-tuple, M a clock ticking every
// 64 ns, as Linux's secure_tcp_seq() does (RFC 6528 asks for at most 4 us). The timestamp
// offset (Linux secure_tcp_ts_off) hides the host's uptime and differs per address pair.
#pragma once

#include "ustcp/base/seq.hpp"
#include "ustcp/base/siphash.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/tcp/four_tuple.hpp"

namespace ustcp::tcp {

class IsnGenerator {
 public:
  explicit IsnGenerator(uint64_t seed);
  SeqNum isn(const FourTuple& t, TimePoint now) const;
  uint32_t ts_offset(const FourTuple& t) const;

 private:
  SipKey seq_key_;
  SipKey ts_key_;
};

}  // namespace ustcp::tcp
