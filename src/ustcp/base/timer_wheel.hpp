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

#include "ustcp/base/time.hpp"

namespace ustcp {

// Embedded in whatever is timed. `owner` and `kind` let the wheel's user find the object
// again (the stack keeps objects in slabs, indexed by owner).
struct TimerNode {
  TimerNode* prev = nullptr;
  TimerNode* next = nullptr;
  int64_t expires_tick = 0;  // deadline in ticks, rounded up (due at once: the current tick)
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
  //
  // A circular doubly-linked list with a sentinel. The sentinel's `owner` holds the slot's
  // index (level * kSlots + slot), or kDueIndex for due_, so that cancel() can clear the
  // occupied bit of a slot it empties without storing anything else in the user's node.
  // Destroying the wheel touches no node: owners of nodes and the wheel (a Stack's slabs
  // and its wheel) may be torn down in any order, but a node must not be used with a wheel
  // that is gone.
  struct List {
    TimerNode head;
    List() { head.prev = head.next = &head; }
    List(const List&) = delete;
    List& operator=(const List&) = delete;
    bool empty() const { return head.next == &head; }
    void push_back(TimerNode& node);
  };
  static constexpr uint32_t kDueIndex = UINT32_MAX;

  static void unlink(TimerNode& node);
  // Files a node whose expires_tick is set: into due_ if it is <= current_tick_, else into
  // the slot chosen relative to current_tick_.
  void file(TimerNode& node);
  // Tick at which the next occupied slot of `level` begins, or INT64_MAX if none.
  int64_t next_slot_start(int level) const;
  void advance_to(int64_t target_tick);
  void cascade(int level, int slot);

  TimePoint now_;             // latest time given to the constructor or expire()
  int64_t current_tick_ = 0;  // floor(now_ / kTick): every node due by it is in due_
  size_t size_ = 0;
  std::array<List, kLevels * kSlots> slots_;
  std::array<uint64_t, kLevels> occupied_{};  // bit i of [level]: slot i non-empty
  // Nodes found due while advancing, handed out one by one by expire().
  List due_;
};

}  // namespace ustcp
