// Datagrams the stack has built and the driver has not taken yet. One growing buffer and a
// queue of (offset, length): no allocation per packet once warm.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "base/bytes.hpp"

namespace ustcp::stack {

class Outbox {
 public:
  // Space for a datagram of n bytes, valid until the next reserve().
  MutBytes reserve(size_t n);
  std::optional<Bytes> pop();
  bool empty() const { return queue_.empty(); }

 private:
  std::vector<std::byte> buf_;
  size_t used_ = 0;
  std::deque<std::pair<uint32_t, uint32_t>> queue_;
};

}  // namespace ustcp::stack
