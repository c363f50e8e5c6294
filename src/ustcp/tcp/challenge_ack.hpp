// The host-wide limit on challenge ACKs, net.ipv4.tcp_challenge_ack_limit (RFC 5961 7), as
// Linux 6.x's tcp_send_challenge_ack applies it after the per-socket tcp_invalid_ratelimit:
//
//   - limit = INT_MAX (the default since Linux 6.0): no host-wide limit;
//   - otherwise each second gets a budget drawn uniformly from [limit/2, limit + limit/2)
//     (get_random_u32_inclusive(half, limit + half - 1)); challenge ACKs beyond it that
//     second are not sent (nor counted as TCPChallengeACK).
//
// The budget is random because a fixed one was a side channel (CVE-2016-5696): an off-path
// attacker counted the challenge ACKs it could still provoke to infer a connection's 4-tuple
// and sequence numbers. The engine draws no randomness: the budget is a keyed hash of the
// second, with a key from the stack's secrets (tcp::Secrets::challenge_ack).
#pragma once

#include <cstdint>

#include "ustcp/base/siphash.hpp"
#include "ustcp/base/time.hpp"

namespace ustcp::tcp {

class ChallengeAckLimit {
 public:
  explicit ChallengeAckLimit(const SipKey& key) : key_(key) {}
  // Whether one more challenge ACK may go at `now` under `limit`; takes it from the budget.
  bool allow(int limit, TimePoint now);

 private:
  SipKey key_;
  int64_t second_ = -1;  // the second the budget is for
  uint32_t budget_ = 0;
};

}  // namespace ustcp::tcp
