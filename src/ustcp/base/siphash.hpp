// SipHash-2-4 (Aumasson & Bernstein), the keyed hash Linux uses for ISNs and timestamp
// offsets (RFC 6528 asks for a keyed hash of the 4-tuple).
#pragma once

#include <array>
#include <cstdint>

namespace ustcp {

using SipKey = std::array<uint64_t, 2>;

// Hashes n 64-bit words (enough for any 4-tuple).
uint64_t siphash(const SipKey& key, const uint64_t* words, int n);

// splitmix64 (Steele, Lea, Flood): derives independent keys from one seed.
constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace ustcp
