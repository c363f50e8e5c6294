#include "ustcp/stack/readiness.hpp"

namespace ustcp::stack {

void ReadyList::enqueue(uint32_t index, Item& it) {
  if (it.queued) return;
  it.queued = true;
  queue_.push_back(Ref{index, it.gen});
}

// The queue is a vector read from head_: once the consumed front is most of it, drop it
// (amortized O(1) per item, no allocation once warm).
void ReadyList::compact() {
  if (head_ == queue_.size()) {
    queue_.clear();
    head_ = 0;
  } else if (head_ > 64 && head_ * 2 > queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void ReadyList::watch(uint32_t index, uint32_t gen, int events, uint64_t data, int mask,
                      uint64_t level) {
  if (index >= items_.size()) items_.resize(index + 1);
  Item& it = items_[index];
  if (it.gen != gen) {
    if (it.gen == 0) ++watched_;
    it = Item{};
    it.gen = gen;
  }
  it.events = events;
  it.data = data;
  it.disabled = false;
  // epoll_ctl ADD and MOD poll the file at once: what is ready now is reported by the next
  // wait, in either mode (an edge from "nothing seen").
  it.seen = mask;
  it.level = level;
  it.edges = mask;
  if (mask & interest(it)) enqueue(index, it);
}

bool ReadyList::unwatch(uint32_t index, uint32_t gen) {
  if (!watching(index, gen)) return false;
  items_[index] = Item{};  // a queued reference to it is skipped by take()
  --watched_;
  return true;
}

void ReadyList::changed(uint32_t index, uint32_t gen, int mask, uint64_t level) {
  if (!watching(index, gen)) return;
  Item& it = items_[index];
  if (it.disabled) return;
  // What rose since last seen; more to read counts as a new IN edge (new data on a socket
  // that was already readable wakes an edge-triggered epoll waiter again).
  int rose = mask & ~it.seen;
  if (level > it.level) rose |= mask & 0x001;  // IN
  it.seen = mask;
  it.level = level;
  it.edges |= rose;
  const bool edge = (it.events & kEdge) != 0;
  if (edge ? (it.edges & interest(it)) != 0 : (mask & interest(it)) != 0) enqueue(index, it);
}

}  // namespace ustcp::stack
