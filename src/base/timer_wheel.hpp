// A hierarchical timing wheel (Varghese & Lauck) with intrusive nodes: schedule, cancel
// and expire are O(1) per timer whatever the number of connections, and a timer costs no
// allocation (the node lives inside the object it times).
//
// Resolution is one tick (1 ms, Linux's HZ=1000 jiffy): a deadline is rounded up to the
// next tick boundary, so a timer never fires early. Levels of 64 slots, each level's slot
// 64 times the previous one's span; deadlines beyond the last level are parked in its last
// slot and re-filed when reached.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/time.hpp"

namespace ustcp {

// Embedded in whatever is timed. `owner` and `kind` let the wheel's user find the object
// again (the stack keeps objects in slabs, indexed by owner).
struct TimerNode {
  TimerNode* prev = nullptr;
  TimerNode* next = nullptr;
  int64_t expires_tick = 0;  // deadline in ticks, rounded up
  uint32_t owner = 0;
  uint8_t kind = 0;
  bool linked() const { return prev != nullptr; }
};

class TimerWheel {
 public:
  static constexpr Duration kTick = std::chrono::milliseconds(1);
  static constexpr int kLevels = 6;
  static constexpr int kSlotBits = 6;
  static constexpr int kSlots = 1 << kSlotBits;

  explicit TimerWheel(TimePoint start = TimePoint{});
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // Arms (or re-arms) the node for `deadline`. A deadline not after the wheel's current
  // time fires on the next advance().
  void schedule(TimerNode& node, TimePoint deadline);
  void cancel(TimerNode& node);

  // Moves time forward to `now` and returns, one call at a time, every node whose
  // deadline is <= now (unlinked before it is returned, so the caller may re-schedule it).
  // Call until it returns nullptr.
  TimerNode* expire(TimePoint now);

  // The earliest tick boundary at which some node may be due: exact for near timers, a
  // lower bound for far ones (an advance to it may re-file nodes and fire none). nullopt
  // when the wheel is empty.
  std::optional<TimePoint> next_deadline() const;

  size_t size() const { return size_; }

 private:
  // Implementation detail; see timer_wheel.cpp.
  struct List {
    TimerNode head;  // sentinel of a circular list
  };
  void link(TimerNode& node);
  int64_t current_tick_ = 0;
  size_t size_ = 0;
  std::array<std::array<List, kSlots>, kLevels> slots_{};
  std::array<uint64_t, kLevels> occupied_{};  // bit i: slot i non-empty
  // Nodes found due while advancing, handed out one by one by expire().
  List due_;
};

}  // namespace ustcp
