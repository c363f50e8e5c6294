// The hierarchical timing wheel: where a node is filed and how time moves.
//
// Filing. Time is counted in ticks (1 ms). A node due at tick `e`, filed while the wheel
// stands at tick `c` (< e), goes to the level of the highest 6-bit group in which e and c
// differ (the scheme of tokio's timer wheel), in the slot given by e's bits of that group.
// Its slot therefore begins at a tick `start` with c < start <= e, and every slot of
// levels 0..4 that holds a node lies strictly ahead of c's own slot at that level: no
// level below the top wraps around. A level-0 slot begins exactly at the deadline of the
// nodes it holds.
//
// The top level is circular instead: its slots are 2^30 ticks wide and a node goes to the
// first slot boundary after c that is not after e; that is its own slot when e is less
// than 64 slots ahead (also across a 2^36-tick epoch), and the farthest slot, 63 slots
// ahead, when it is farther (beyond the wheel's range, ~2.2 years): it is re-filed there.
//
// Moving time. advance_to() finds, from the occupied bitmaps, the earliest tick at which
// some slot begins (a few bit operations per level) and jumps straight to it; when nothing
// begins before the target it jumps to the target. At a slot's beginning every node of the
// slot is re-filed relative to the new current tick: into due_ if its deadline has come,
// else into a slot of a lower level (or, for a node beyond the range, the farthest top
// slot again) that begins strictly later. So each step empties at least one slot, a node
// moves down at most kLevels times before it is due, and a jump over an empty hour costs
// one scan of the bitmaps, never 3.6 million ticks.
//
// Due nodes wait in due_ (in the order they were found, not in deadline order) and
// expire() hands them out one per call. A node scheduled for a time not after the wheel's
// time, including from inside an expire() loop, goes straight to due_ and is returned in
// the same loop; a caller that always re-arms for `now` therefore never leaves the loop.
#include "ustcp/base/timer_wheel.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>
#include <limits>

namespace ustcp {

namespace {

using Ticks = std::chrono::milliseconds;
static_assert(TimerWheel::kTick == Ticks(1), "tick conversions below assume 1 ms");

constexpr int64_t kNoTick = std::numeric_limits<int64_t>::max();
constexpr int kTopLevel = TimerWheel::kLevels - 1;
constexpr int kTopShift = kTopLevel * TimerWheel::kSlotBits;
constexpr uint64_t kSlotMask = TimerWheel::kSlots - 1;

// Rounds up: a timer never fires early.
int64_t ceil_tick(TimePoint t) { return std::chrono::ceil<Ticks>(t.time_since_epoch()).count(); }
int64_t floor_tick(TimePoint t) { return std::chrono::floor<Ticks>(t.time_since_epoch()).count(); }

// A tick as a TimePoint, saturating where nanoseconds would overflow.
TimePoint tick_time(int64_t tick) {
  constexpr int64_t kMax = std::chrono::duration_cast<Ticks>(Duration::max()).count();
  constexpr int64_t kMin = std::chrono::duration_cast<Ticks>(Duration::min()).count();
  if (tick >= kMax) return TimePoint::max();
  if (tick <= kMin) return TimePoint::min();
  return TimePoint(Ticks(tick));
}

int shift_of(int level) { return level * TimerWheel::kSlotBits; }

}  // namespace

void TimerWheel::List::push_back(TimerNode& node) {
  node.prev = head.prev;
  node.next = &head;
  head.prev->next = &node;
  head.prev = &node;
}

TimerWheel::TimerWheel(TimePoint start) : now_(start), current_tick_(floor_tick(start)) {
  for (size_t i = 0; i < slots_.size(); ++i) slots_[i].head.owner = static_cast<uint32_t>(i);
  due_.head.owner = kDueIndex;
}

void TimerWheel::unlink(TimerNode& node) {
  node.prev->next = node.next;
  node.next->prev = node.prev;
  node.prev = node.next = nullptr;
}

void TimerWheel::schedule(TimerNode& node, TimePoint deadline) {
  const int64_t tick = ceil_tick(deadline);
  // Armed in a slot for the same tick already: where it is filed is where it would go (or a
  // coarser slot that cascades it in time), so there is nothing to do. Every segment
  // re-arms its connection's timer; within a tick this saves the unlink and re-file. (A node
  // in due_ never matches: its tick is at most current_tick_, and this deadline's is later.)
  if (node.linked() && node.expires_tick == tick && deadline > now_) return;
  if (node.linked()) {
    cancel(node);
  }
  ++size_;
  if (deadline <= now_) {
    // Due already, whatever its rounded tick: fires on the next expire().
    node.expires_tick = current_tick_;
    due_.push_back(node);
    return;
  }
  node.expires_tick = tick;
  file(node);
}

void TimerWheel::cancel(TimerNode& node) {
  if (!node.linked()) return;
  TimerNode* prev = node.prev;
  bool emptied = prev == node.next;  // only the sentinel is left
  unlink(node);
  --size_;
  if (emptied && prev->owner != kDueIndex) {
    uint32_t index = prev->owner;
    occupied_[index / kSlots] &= ~(uint64_t{1} << (index % kSlots));
  }
}

void TimerWheel::file(TimerNode& node) {
  const int64_t e = node.expires_tick;
  const int64_t c = current_tick_;
  if (e <= c) {
    due_.push_back(node);
    return;
  }
  const uint64_t differ = static_cast<uint64_t>(e ^ c);
  int level = (std::bit_width(differ) - 1) / kSlotBits;
  uint64_t slot;
  if (level < kTopLevel) {
    slot = static_cast<uint64_t>(e >> shift_of(level)) & kSlotMask;
  } else {
    level = kTopLevel;
    const int64_t e_abs = e >> kTopShift;  // floor division: slot numbers since the epoch
    const int64_t c_abs = c >> kTopShift;
    // e > c, so e_abs >= c_abs, and e_abs > c_abs because e and c differ at or above this
    // level. Beyond 63 slots ahead: the farthest slot, whose beginning is still before e.
    const int64_t ahead = std::min<int64_t>(e_abs - c_abs, kSlots - 1);
    slot = static_cast<uint64_t>(c_abs + ahead) & kSlotMask;
  }
  slots_[level * kSlots + slot].push_back(node);
  occupied_[level] |= uint64_t{1} << slot;
}

int64_t TimerWheel::next_slot_start(int level) const {
  const uint64_t bits = occupied_[level];
  if (bits == 0) return kNoTick;
  const int shift = shift_of(level);
  const int64_t c_abs = current_tick_ >> shift;
  // Bit k of `rotated` is the slot k slots after the current one. The current slot itself
  // is never occupied (nodes are filed strictly ahead) and would mean a full turn.
  const uint64_t rotated = std::rotr(bits, static_cast<int>(c_abs & kSlotMask));
  const uint64_t ahead = rotated & ~uint64_t{1};
  const int k = ahead != 0 ? std::countr_zero(ahead) : kSlots;
  return (c_abs + k) * (int64_t{1} << shift);
}

void TimerWheel::cascade(int level, int slot) {
  List& list = slots_[level * kSlots + slot];
  // Re-filing relative to the slot's beginning never lands in this slot again: a node
  // either is due or goes to a slot that begins later.
  while (!list.empty()) {
    TimerNode& node = *list.head.next;
    unlink(node);
    file(node);
  }
  occupied_[level] &= ~(uint64_t{1} << slot);
}

void TimerWheel::advance_to(int64_t target_tick) {
  while (current_tick_ < target_tick) {
    std::array<int64_t, kLevels> starts;
    int64_t next = kNoTick;
    for (int level = 0; level < kLevels; ++level) {
      starts[level] = next_slot_start(level);
      next = std::min(next, starts[level]);
    }
    if (next > target_tick) {
      current_tick_ = target_tick;
      return;
    }
    assert(next > current_tick_);
    current_tick_ = next;
    for (int level = kLevels - 1; level >= 0; --level) {
      if (starts[level] == next) {
        cascade(level,
                static_cast<int>(static_cast<uint64_t>(next >> shift_of(level)) & kSlotMask));
      }
    }
  }
}

TimerNode* TimerWheel::expire(TimePoint now) {
  if (now > now_) {
    now_ = now;
    advance_to(floor_tick(now));
  }
  if (due_.empty()) return nullptr;
  TimerNode* node = due_.head.next;
  unlink(*node);
  --size_;
  return node;
}

std::optional<TimePoint> TimerWheel::next_deadline() const {
  // Nodes already due: "now". Their deadlines may lie further back, but the wheel's time
  // is the earliest moment at which expire() can hand them out.
  if (!due_.empty()) return now_;
  int64_t next = kNoTick;
  for (int level = 0; level < kLevels; ++level) next = std::min(next, next_slot_start(level));
  if (next == kNoTick) return std::nullopt;
  return tick_time(next);
}

}  // namespace ustcp
