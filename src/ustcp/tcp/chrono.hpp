#pragma once
// The sender's chronograph (Linux tcp_chrono_start/stop/set, tcp_get_info_chrono_stats):
// how long the connection had data to send (busy), and how much of that time the receive
// window or the send buffer was what held it back. ss -i shows them as busy:,
// rwnd_limited: and sndbuf_limited:, tcp_info as tcpi_busy_time, tcpi_rwnd_limited and
// tcpi_sndbuf_limited.
//
// One condition is timed at a time; a more telling one (a higher ChronoType) takes over
// from a lesser one, and when it ends the connection falls back to busy while data is
// queued or in flight. Like Linux's jiffies, the clock is 32-bit milliseconds: 20 bytes per
// connection, and exact over any span shorter than 49 days.

#include <array>
#include <cstdint>

#include "ustcp/base/time.hpp"

namespace ustcp::tcp {

enum class ChronoType : uint8_t { Unspec, Busy, RwndLimited, SndbufLimited };

class Chrono {
 public:
  struct Stats {
    uint64_t busy_us = 0;  // the three together (tcpi_busy_time)
    uint64_t rwnd_limited_us = 0;
    uint64_t sndbuf_limited_us = 0;
  };

  // tcp_chrono_start: time `type` from now unless a more telling condition is timed.
  void start(TimePoint now, ChronoType type) {
    if (type > type_) set(now, type);
  }
  // tcp_chrono_stop: `type` ended. Nothing queued or in flight: stop timing; otherwise, if
  // `type` was being timed, the connection is (just) busy again.
  void stop(TimePoint now, ChronoType type, bool queues_empty) {
    if (queues_empty) {
      set(now, ChronoType::Unspec);
    } else if (type == type_) {
      set(now, ChronoType::Busy);
    }
  }
  ChronoType type() const { return type_; }
  Stats stats(TimePoint now) const;

 private:
  void set(TimePoint now, ChronoType type);

  uint32_t start_ms_ = 0;
  std::array<uint32_t, 3> stat_ms_{};  // Busy, RwndLimited, SndbufLimited
  ChronoType type_ = ChronoType::Unspec;
};

}  // namespace ustcp::tcp
