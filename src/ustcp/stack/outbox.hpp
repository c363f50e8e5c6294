// Datagrams the stack has built and the driver has not taken yet. One growing buffer and a
// queue of (offset, length): no allocation per packet once warm.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ustcp/base/bytes.hpp"

namespace ustcp::stack {

class Outbox {
 public:
  // Space for a datagram of n bytes, valid until the next reserve().
  MutBytes reserve(size_t n);
  std::optional<Bytes> pop();
  bool empty() const { return head_ == queue_.size(); }

 private:
  std::vector<std::byte> buf_;
  size_t used_ = 0;
  // (offset, length) of each datagram; those before head_ are taken. Both vectors are
  // cleared, not freed, when everything is taken, so a warm outbox never allocates.
  std::vector<std::pair<uint32_t, uint32_t>> queue_;
  size_t head_ = 0;
};

}  // namespace ustcp::stack
