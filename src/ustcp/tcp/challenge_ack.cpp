#include "ustcp/tcp/challenge_ack.hpp"

#include <climits>

namespace ustcp::tcp {

bool ChallengeAckLimit::allow(int limit, TimePoint now) {
  if (limit == INT_MAX) return true;
  // Linux holds the limit in a u32 (a negative sysctl is a huge limit) and counts whole
  // seconds of jiffies.
  const auto ack_limit = static_cast<uint32_t>(limit);
  const int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second != second_) {
    second_ = second;
    const uint32_t half = (ack_limit + 1) >> 1;
    const uint64_t word = static_cast<uint64_t>(second);
    const auto r = static_cast<uint32_t>(siphash(key_, &word, 1));
    // Uniform in [half, ack_limit + half - 1]: ack_limit values (all 2^32 when it wraps).
    budget_ = ack_limit == 0 ? r : half + r % ack_limit;
  }
  if (budget_ == 0) return false;
  --budget_;
  return true;
}

}  // namespace ustcp::tcp
