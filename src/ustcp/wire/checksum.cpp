// Internet checksum (RFC 1071).
//
// The sum is computed 8 bytes at a time in host byte order with end-around carry, then
// folded to 16 bits and byte-swapped into network order: RFC 1071 2(B) (byte-order
// independence) and 2(C) (parallel summation) say both give the same one's-complement sum.
// Loads go through memcpy so unaligned spans are fine and nothing is type-punned.
#include "ustcp/wire/checksum.hpp"

#include <bit>
#include <cstring>

namespace ustcp::wire {
namespace {

// One's-complement addition in 64 bits: a carry out of bit 63 wraps into bit 0.
inline uint64_t add_carry(uint64_t acc, uint64_t v) {
  acc += v;
  return acc + (acc < v ? 1 : 0);
}

inline uint64_t fold64_to_32(uint64_t s) {
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffffffu) + (s >> 32);
  return s;
}

inline uint16_t fold_to_16(uint64_t s) {
  s = fold64_to_32(s);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return static_cast<uint16_t>(s);
}

inline uint64_t load64(const std::byte* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Host-order one's-complement sum of `data`, folded to 16 bits.
uint16_t native_sum(const std::byte* p, size_t n) {
  // Four accumulators, each its own end-around carry chain: the chains run side by side
  // (one chain is bound by the add's latency, about 4 bytes a cycle; four reach the load
  // ports' limit). Their sums are added at the end, which one's complement allows.
  uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  while (n >= 32) {
    a0 = add_carry(a0, load64(p));
    a1 = add_carry(a1, load64(p + 8));
    a2 = add_carry(a2, load64(p + 16));
    a3 = add_carry(a3, load64(p + 24));
    p += 32;
    n -= 32;
  }
  uint64_t acc = add_carry(add_carry(a0, a1), add_carry(a2, a3));
  while (n >= 8) {
    acc = add_carry(acc, load64(p));
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    // The tail starts at an even offset, so copying it into a zeroed word keeps every byte
    // in its 16-bit lane, and an odd last byte is padded with zero as RFC 1071 says.
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    acc = add_carry(acc, w);
  }
  return fold_to_16(acc);
}

}  // namespace

uint32_t checksum_add(uint32_t sum, Bytes data) {
  uint16_t s = native_sum(data.data(), data.size());
  if constexpr (std::endian::native == std::endian::little) {
    s = static_cast<uint16_t>((s >> 8) | (s << 8));
  }
  // Fold back into 32 bits so a caller can keep adding spans without overflow.
  return static_cast<uint32_t>(fold64_to_32(uint64_t{sum} + s));
}

uint16_t checksum_finish(uint32_t sum) { return static_cast<uint16_t>(~fold_to_16(sum)); }

uint32_t pseudo_header_sum(Ipv4Addr src, Ipv4Addr dst, uint8_t protocol, uint16_t length) {
  // RFC 9293 3.1: source address, destination address, zero, PTCL, TCP length.
  uint32_t s = src.raw() >> 16;
  s += src.raw() & 0xffff;
  s += dst.raw() >> 16;
  s += dst.raw() & 0xffff;
  s += protocol;
  s += length;
  return s;
}

}  // namespace ustcp::wire
