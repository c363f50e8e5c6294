// A connection's identity: local and remote address and port.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ustcp/base/ipv4_addr.hpp"

namespace ustcp::tcp {

struct FourTuple {
  Endpoint local;
  Endpoint remote;
  bool operator==(const FourTuple&) const = default;
};

struct FourTupleHash {
  // A per-stack secret: a peer that cannot guess it cannot choose 4-tuples that collide
  // (the demux table probes linearly, so crafted collisions would make long runs).
  // 128 bits: seed for the addresses, seed2 for the ports.
  uint64_t seed = 0;
  uint64_t seed2 = 0;

  size_t operator()(const FourTuple& t) const {
    // Mixes the 96 bits through a 64-bit multiply (murmur-style finaliser): cheap.
    uint64_t a = ((uint64_t{t.local.addr.raw()} << 32) | t.remote.addr.raw()) ^ seed;
    uint64_t b = ((uint64_t{t.local.port} << 16) | t.remote.port) ^ seed2;
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return static_cast<size_t>(h);
  }
};

}  // namespace ustcp::tcp
