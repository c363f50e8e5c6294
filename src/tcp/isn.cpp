#include "tcp/isn.hpp"

namespace ustcp::tcp {
namespace {

uint64_t mix(uint64_t& s) {  // splitmix64: derives the keys from the stack's seed
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

IsnGenerator::IsnGenerator(uint64_t seed) {
  seq_key_ = {mix(seed), mix(seed)};
  ts_key_ = {mix(seed), mix(seed)};
}

SeqNum IsnGenerator::isn(const FourTuple& t, TimePoint now) const {
  const uint64_t words[2] = {(uint64_t{t.local.addr.raw()} << 32) | t.remote.addr.raw(),
                             (uint64_t{t.local.port} << 16) | t.remote.port};
  auto f = static_cast<uint32_t>(siphash(seq_key_, words, 2));
  auto m = static_cast<uint32_t>(now.time_since_epoch().count() >> 6);
  return SeqNum(f + m);
}

uint32_t IsnGenerator::ts_offset(const FourTuple& t) const {
  const uint64_t words[1] = {(uint64_t{t.local.addr.raw()} << 32) | t.remote.addr.raw()};
  return static_cast<uint32_t>(siphash(ts_key_, words, 1));
}

}  // namespace ustcp::tcp
