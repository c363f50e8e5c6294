// Time in ustcp is a parameter: every entry point of the core takes `TimePoint now`.
// Nothing below tools/ and link/ reads a clock; a TimePoint is nanoseconds since an epoch
// the driver chooses (0 for the simulator, the steady clock's epoch for real drivers).
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace ustcp {

// A clock type with no now(): only drivers know what time it is.
struct Clock {
  using rep = int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock>;
  static constexpr bool is_steady = true;
};

using Duration = Clock::duration;
using TimePoint = Clock::time_point;

inline constexpr TimePoint kNever = TimePoint::max();

constexpr TimePoint at(Duration d) { return TimePoint(d); }

constexpr double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
constexpr double to_seconds(TimePoint t) { return to_seconds(t.time_since_epoch()); }

constexpr int64_t to_micros(Duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

using namespace std::chrono_literals;

}  // namespace ustcp
