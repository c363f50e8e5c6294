// A tiny deterministic PRNG for the simulator: xoshiro256** (Blackman & Vigna), seeded
// through splitmix64. No std:: distributions: their output differs between standard
// libraries, and a simulated run must be reproducible from its seed everywhere. Every
// derived value (uniform double, bounded int) is computed here with a fixed formula.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#include "ustcp/base/siphash.hpp"

namespace ustcp::link {

using ustcp::splitmix64;  // one splitmix64 step (base/siphash.hpp)

// A stateless 64-bit mixer (splitmix64's finalizer): to derive independent seeds, e.g. one
// per link from the network seed and the link's address.
constexpr uint64_t mix64(uint64_t x) { return splitmix64(x); }

class Rng {
 public:
  explicit constexpr Rng(uint64_t seed) {
    // splitmix64 never yields four zero words, so the xoshiro state is never all zero.
    uint64_t sm = seed;
    for (uint64_t& word : s_) word = splitmix64(sm);
  }

  // xoshiro256**: the next 64 random bits.
  constexpr uint64_t next_u64() {
    const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1): the top 53 bits times 2^-53, so every value is exact in a double.
  constexpr double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // True with probability p (p <= 0: never; p >= 1: always). Consumes one draw either way.
  constexpr bool chance(double p) { return uniform() < p; }

  // Uniform in [0, n), without modulo bias (values below 2^64 mod n are rejected, so the
  // loop runs more than once with probability < n / 2^64). below(0) is 0.
  constexpr uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const uint64_t r = next_u64();
      if (r >= threshold) return r % n;
    }
  }

  // Uniform in [lo, hi], both included; lo <= hi.
  constexpr int64_t between(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
    if (span == 0) return static_cast<int64_t>(next_u64());  // the whole int64 range
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + below(span));
  }

 private:
  std::array<uint64_t, 4> s_{};
};

}  // namespace ustcp::link
