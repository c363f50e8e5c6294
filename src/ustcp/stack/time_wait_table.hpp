// The TIME_WAIT records of one Stack and when each expires (Linux's tcp_timewait_sock
// objects and their timers).
//
// Every record lasts TCP_TIMEWAIT_LEN from when it began or was last restarted, and time
// only moves forward, so records expire in the order they were filed: a FIFO list is a
// list sorted by deadline. The Stack therefore keeps one wheel timer for the whole table,
// due when the oldest record is, instead of a timer node in every record (32 of its 64
// bytes). Linux 2.6 kept its TIME_WAIT "death row" for the same reason.
#pragma once

#include <cstdint>
#include <optional>

#include "ustcp/base/slab.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/tcp/time_wait.hpp"

namespace ustcp::stack {

class TimeWaitTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Files a record that expires at `deadline`; returns its index.
  uint32_t add(const tcp::TimeWaitRecord& rec, TimePoint deadline);
  void remove(uint32_t i);
  // Starts the record's time again: it now expires at `deadline`, after every other.
  void restart(uint32_t i, TimePoint deadline);

  tcp::TimeWaitRecord& operator[](uint32_t i) { return slab_[i]->rec; }
  const tcp::TimeWaitRecord& operator[](uint32_t i) const { return slab_[i]->rec; }
  size_t size() const { return slab_.size(); }

  // The oldest record's deadline: when the table's timer is due. nullopt when empty.
  std::optional<TimePoint> next_deadline() const;
  // The oldest record if it has expired by `now`, else kNone.
  uint32_t expired(TimePoint now) const;

  // Calls f(const TimeWaitRecord&) for every record, oldest first.
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t i = head_; i != kNone; i = slab_[i]->next) f(slab_[i]->rec);
  }
  // Calls f(const TimeWaitRecord&, TimePoint deadline) for every record, oldest first (ss -o).
  template <typename F>
  void for_each_with_deadline(F&& f) const {
    for (uint32_t i = head_; i != kNone; i = slab_[i]->next) f(slab_[i]->rec, slab_[i]->deadline);
  }

 private:
  struct Entry {
    tcp::TimeWaitRecord rec;
    TimePoint deadline;
    uint32_t prev = kNone;  // towards the oldest
    uint32_t next = kNone;  // towards the newest
  };
  static_assert(sizeof(Entry) <= 64, "a TIME_WAIT entry is meant to fit 64 bytes");

  // Links i in deadline order. Walks back from the newest only if `deadline` is earlier
  // than its deadline, which happens only if the caller's clock went back.
  void link(uint32_t i);
  void unlink(uint32_t i);

  Slab<Entry> slab_;
  uint32_t head_ = kNone;  // oldest
  uint32_t tail_ = kNone;  // newest
};

}  // namespace ustcp::stack
