// Initial sequence numbers (RFC 6528) and timestamp offsets, keyed by the stack's secrets
// (tcp/secrets.hpp: the driver draws them; the engine never reads randomness).
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
  IsnGenerator(const SipKey& seq_key, const SipKey& ts_key) : seq_key_(seq_key), ts_key_(ts_key) {}
  SeqNum isn(const FourTuple& t, TimePoint now) const;
  uint32_t ts_offset(const FourTuple& t) const;

 private:
  SipKey seq_key_;
  SipKey ts_key_;
};

}  // namespace ustcp::tcp
