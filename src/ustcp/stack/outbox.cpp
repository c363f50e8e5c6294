#include "ustcp/stack/outbox.hpp"

namespace ustcp::stack {

MutBytes Outbox::reserve(size_t n) {
  // Everything handed out earlier has been consumed: start over at the front. (The span of
  // the last pop() stays valid until this next reserve, per the driver contract.)
  if (empty()) {
    used_ = 0;
    queue_.clear();
    head_ = 0;
  }
  if (buf_.size() < used_ + n) buf_.resize(std::max(buf_.size() * 2, used_ + n + 65536));
  queue_.emplace_back(static_cast<uint32_t>(used_), static_cast<uint32_t>(n));
  MutBytes out(buf_.data() + used_, n);
  used_ += n;
  return out;
}

std::optional<Bytes> Outbox::pop() {
  if (empty()) return std::nullopt;
  auto [off, len] = queue_[head_++];
  return Bytes(buf_.data() + off, len);
}

}  // namespace ustcp::stack
