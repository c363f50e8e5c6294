#include "ustcp/tcp/isn.hpp"

namespace ustcp::tcp {

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
