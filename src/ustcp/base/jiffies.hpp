// Linux's 32-bit clock of socket time stamps (tcp_jiffies32), with HZ = 1000: whole
// milliseconds, as ustcp's timer wheel ticks. Linux keeps most of a socket's moments this
// way (lsndtime, rcv_tstamp, icsk_ack.lrcvtime, snd_cwnd_stamp, icsk_probes_tstamp, ...):
// 4 bytes each instead of a TimePoint's 8, which is what a million idle connections need.
// Moments Linux keeps in microseconds (tcp_mstamp: RACK, delivery rate, receiver RTT) and
// timer deadlines stay TimePoints.
#pragma once

#include <chrono>
#include <cstdint>

#include "ustcp/base/time.hpp"

namespace ustcp {

inline constexpr uint32_t kHz = 1000;  // jiffies per second

// INITIAL_JIFFIES: Linux starts its jiffies 300 s before they wrap, so that code which
// forgets the wrap fails in the first minutes rather than after 49 days. Here too: in a
// simulation every stamp wraps at t = 300 s.
inline constexpr uint32_t kInitialJiffies = static_cast<uint32_t>(-300 * int64_t{kHz});

// tcp_jiffies32 at `t`: the milliseconds since the driver's epoch (rounded down), counted
// from kInitialJiffies, modulo 2^32.
constexpr uint32_t jiffies32(TimePoint t) {
  const int64_t ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return static_cast<uint32_t>(ms) + kInitialJiffies;
}

// A past moment kept as jiffies32. Read back against `now`, as Linux reads its stamps
// (tcp_jiffies32 - stamp): exact to the millisecond for a stamp less than 2^32 ms (49.7
// days) old; an older one aliases, as Linux's do.
class MsStamp {
 public:
  // The driver's epoch (TimePoint{}), as a TimePoint member's `{}`.
  constexpr MsStamp() = default;
  constexpr explicit MsStamp(TimePoint t) : j_(jiffies32(t)) {}

  constexpr uint32_t jiffies() const { return j_; }
  // The stamp in milliseconds of the driver's clock modulo 2^32, the clock TCP timestamps
  // count (ts_clock): what a TS value sent at that moment carried, less the offset.
  constexpr uint32_t ms() const { return j_ - kInitialJiffies; }

  // Whole milliseconds from the stamp to `now` (tcp_jiffies32 - stamp, unsigned).
  constexpr Duration elapsed(TimePoint now) const {
    return std::chrono::milliseconds(jiffies32(now) - j_);
  }
  // The millisecond the stamp was taken in, as a TimePoint (its start).
  constexpr TimePoint time(TimePoint now) const {
    return std::chrono::floor<std::chrono::milliseconds>(now) - elapsed(now);
  }

  // time_after32 / time_before32: ordered across the wrap when less than 2^31 ms apart.
  constexpr bool after(MsStamp o) const { return static_cast<int32_t>(j_ - o.j_) > 0; }
  constexpr bool before(MsStamp o) const { return o.after(*this); }
  friend constexpr bool operator==(MsStamp, MsStamp) = default;

 private:
  uint32_t j_ = kInitialJiffies;
};

}  // namespace ustcp
