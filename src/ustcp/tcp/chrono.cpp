#include "ustcp/tcp/chrono.hpp"

#include "ustcp/base/jiffies.hpp"

namespace ustcp::tcp {

void Chrono::set(TimePoint now, ChronoType type) {
  const uint32_t t = jiffies32(now);
  if (type_ != ChronoType::Unspec) stat_ms_[static_cast<size_t>(type_) - 1] += t - start_ms_;
  start_ms_ = t;
  type_ = type;
}

Chrono::Stats Chrono::stats(TimePoint now) const {
  std::array<uint64_t, 3> ms{};
  for (size_t i = 0; i < ms.size(); ++i) {
    ms[i] = stat_ms_[i];
    if (static_cast<size_t>(type_) == i + 1) ms[i] += jiffies32(now) - start_ms_;
  }
  Stats s;
  s.rwnd_limited_us = ms[1] * 1000;
  s.sndbuf_limited_us = ms[2] * 1000;
  s.busy_us = ms[0] * 1000 + s.rwnd_limited_us + s.sndbuf_limited_us;
  return s;
}

}  // namespace ustcp::tcp
