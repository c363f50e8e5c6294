// A connection's identity: local and remote address and port.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/ipv4_addr.hpp"

namespace ustcp::tcp {

struct FourTuple {
  Endpoint local;
  Endpoint remote;
  bool operator==(const FourTuple&) const = default;
};

struct FourTupleHash {
  size_t operator()(const FourTuple& t) const {
    // Mixes the 96 bits through a 64-bit multiply (murmur-style finaliser): cheap, and the
    // table is keyed per stack, so predictable collisions cost only that stack.
    uint64_t a = (uint64_t{t.local.addr.raw()} << 32) | t.remote.addr.raw();
    uint64_t b = (uint64_t{t.local.port} << 16) | t.remote.port;
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return static_cast<size_t>(h);
  }
};

}  // namespace ustcp::tcp
