#include "ustcp/link/link_model.hpp"

#include <algorithm>

namespace ustcp::link {

namespace {

// Time to put `bytes` on a link of `bps` bits per second, rounded up to a nanosecond.
Duration serialization_time(size_t bytes, uint64_t bps) {
  const uint64_t bits = uint64_t{bytes} * 8;
  return Duration((bits * 1'000'000'000ULL + bps - 1) / bps);
}

}  // namespace

const char* to_string(DropReason reason) {
  switch (reason) {
    case DropReason::Loss:
      return "loss";
    case DropReason::QueueFull:
      return "queue_full";
    case DropReason::Unroutable:
      return "unroutable";
  }
  return "?";
}

LinkModel::Verdict LinkModel::enter(TimePoint now, size_t size) {
  const LinkParams& p = params_;
  Verdict v;
  TimePoint serialized = now;
  if (p.bandwidth_bps > 0) {
    while (!backlog_.empty() && backlog_.front().first <= now) {
      backlog_bytes_ -= backlog_.front().second;
      backlog_.pop_front();
    }
    if (p.queue_limit_bytes > 0 && backlog_bytes_ + size > p.queue_limit_bytes) {
      v.drop = DropReason::QueueFull;
      return v;
    }
    serialized = std::max(now, link_free_) + serialization_time(size, p.bandwidth_bps);
    link_free_ = serialized;
    backlog_.emplace_back(serialized, size);
    backlog_bytes_ += size;
  }
  const Duration delay = std::max(p.delay, Duration{0});
  v.arrival = serialized + delay;

  // Always four draws, in this order: see the header.
  const bool lost = rng_.chance(p.loss);
  const bool reordered = rng_.chance(p.reorder);
  const bool corrupted = rng_.chance(p.corrupt) && size > 0;
  v.duplicated = rng_.chance(p.duplicate);

  if (lost) {
    v.drop = DropReason::Loss;
    v.duplicated = false;
    return v;
  }
  if (reordered) {
    v.reordered = true;
    v.arrival +=
        std::max(p.reorder_delay.value_or(2 * delay + std::chrono::milliseconds(1)), Duration{0});
  }
  if (corrupted) v.corrupt_bit = rng_.below(uint64_t{size} * 8);
  return v;
}

}  // namespace ustcp::link
