// The secrets of one host: every key the engine hashes with so that a peer cannot predict
// or steer what it does. The core never reads randomness (it is sans-IO): a driver fills
// this from the OS (link/random_secrets.hpp: 128 bits of getrandom() per key) and gives it
// to the Stack; the simulator and the tests derive it from a seed, so runs reproduce.
//
//   isn          RFC 6528's F() key for initial sequence numbers (Linux secure_tcp_seq)
//   ts_offset    per address pair timestamp offsets (Linux secure_tcp_ts_off)
//   syncookie    the two cookie keys (Linux syncookie_secret[2])
//   demux        the 4-tuple hash table's seed: crafted 4-tuples cannot collide at will
//   port_offset  where the ephemeral port search starts (RFC 6056 3.3.4, Linux
//                secure_ipv4_port_ephemeral), so a peer cannot guess our next port
//   challenge_ack  the per-second challenge ACK budget (tcp/challenge_ack.hpp), which Linux
//                draws at random so that it cannot be counted from outside
#pragma once

#include <array>
#include <cstdint>

#include "ustcp/base/siphash.hpp"

namespace ustcp::tcp {

struct Secrets {
  SipKey isn{};
  SipKey ts_offset{};
  std::array<SipKey, 2> syncookie{};
  SipKey demux{};
  SipKey port_offset{};
  SipKey challenge_ack{};

  // Every key, for code that fills or checks them all.
  std::array<SipKey*, 7> all() {
    return {&isn, &ts_offset, &syncookie[0], &syncookie[1], &demux, &port_offset, &challenge_ack};
  }
  std::array<const SipKey*, 7> all() const {
    return {&isn, &ts_offset, &syncookie[0], &syncookie[1], &demux, &port_offset, &challenge_ack};
  }

  // Deterministic keys from a 64-bit seed: for simulations and tests only (64 bits of
  // seed are not a secret worth the name). Different seeds give unrelated keys.
  static Secrets from_seed(uint64_t seed) {
    Secrets s;
    uint64_t state = seed;
    for (SipKey* k : s.all()) *k = {splitmix64(state), splitmix64(state)};
    return s;
  }
  bool operator==(const Secrets&) const = default;
};

}  // namespace ustcp::tcp
