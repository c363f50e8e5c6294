#include "ustcp/stack/time_wait_table.hpp"

namespace ustcp::stack {

uint32_t TimeWaitTable::add(const tcp::TimeWaitRecord& rec, TimePoint deadline) {
  const uint32_t i = slab_.emplace(Entry{rec, deadline});
  link(i);
  return i;
}

void TimeWaitTable::remove(uint32_t i) {
  unlink(i);
  slab_.erase(i);
}

void TimeWaitTable::restart(uint32_t i, TimePoint deadline) {
  unlink(i);
  slab_[i]->deadline = deadline;
  link(i);
}

std::optional<TimePoint> TimeWaitTable::next_deadline() const {
  if (head_ == kNone) return std::nullopt;
  return slab_[head_]->deadline;
}

uint32_t TimeWaitTable::expired(TimePoint now) const {
  return head_ != kNone && slab_[head_]->deadline <= now ? head_ : kNone;
}

void TimeWaitTable::link(uint32_t i) {
  Entry& e = *slab_[i];
  // The newest record with a deadline not after e's: e goes right behind it.
  uint32_t before = tail_;
  while (before != kNone && slab_[before]->deadline > e.deadline) before = slab_[before]->prev;
  e.prev = before;
  e.next = before == kNone ? head_ : slab_[before]->next;
  (e.prev == kNone ? head_ : slab_[e.prev]->next) = i;
  (e.next == kNone ? tail_ : slab_[e.next]->prev) = i;
}

void TimeWaitTable::unlink(uint32_t i) {
  Entry& e = *slab_[i];
  (e.prev == kNone ? head_ : slab_[e.prev]->next) = e.next;
  (e.next == kNone ? tail_ : slab_[e.next]->prev) = e.prev;
  e.prev = e.next = kNone;
}

}  // namespace ustcp::stack
