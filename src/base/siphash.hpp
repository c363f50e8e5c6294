// SipHash-2-4 (Aumasson & Bernstein), the keyed hash Linux uses for ISNs and timestamp
// offsets (RFC 6528 asks for a keyed hash of the 4-tuple).
#pragma once

#include <array>
#include <cstdint>

namespace ustcp {

using SipKey = std::array<uint64_t, 2>;

// Hashes n 64-bit words (enough for any 4-tuple).
uint64_t siphash(const SipKey& key, const uint64_t* words, int n);

}  // namespace ustcp
