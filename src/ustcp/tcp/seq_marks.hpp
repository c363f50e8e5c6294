// Marks at sequence numbers past snd_una, in ascending order: where each write ended (PSH)
// and where each segment ended (TCPDelivered). Marks are added at the back as data is
// written or sent and removed from the front as ACKs cover them. The front moves by an
// index, and the storage is compacted only when the dead prefix is at least half of it, so
// an ACK costs what it removes, not what is still in flight; an empty queue gives its
// memory back (an idle connection holds none).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ustcp/base/seq.hpp"

namespace ustcp::tcp {

class SeqMarks {
 public:
  bool empty() const { return head_ == marks_.size(); }
  // Adds a mark at `end` (not before the last one); a repeat of the last mark is ignored.
  void push(SeqNum end) {
    if (empty() || marks_.back() != end.raw()) marks_.push_back(end.raw());
  }
  // Removes the marks at or before `ack`; returns how many.
  size_t pop_through(SeqNum ack) {
    const size_t from = head_;
    while (head_ < marks_.size() && !SeqNum(marks_[head_]).after(ack)) ++head_;
    const size_t popped = head_ - from;
    if (empty()) {
      clear();
    } else if (head_ * 2 >= marks_.size()) {
      marks_.erase(marks_.begin(), marks_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return popped;
  }
  // Whether a mark sits exactly at `end` (binary search: marks ascend in sequence space).
  bool contains(SeqNum end) const {
    auto first = marks_.begin() + static_cast<std::ptrdiff_t>(head_);
    auto it = std::lower_bound(first, marks_.end(), end,
                               [](uint32_t m, SeqNum e) { return SeqNum(m).before(e); });
    return it != marks_.end() && *it == end.raw();
  }
  void clear() {
    marks_ = {};
    head_ = 0;
  }

 private:
  std::vector<uint32_t> marks_;
  size_t head_ = 0;
};

}  // namespace ustcp::tcp
