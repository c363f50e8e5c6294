#include "ustcp/tcp/byte_ring.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace ustcp::tcp {

void ByteRing::reserve(uint32_t needed) {
  if (needed <= cap_) return;
  uint32_t cap = std::max<uint32_t>(cap_ ? cap_ : 2048, 2048);
  while (cap < needed) cap *= 2;
  // Not zeroed (make_unique would clear every byte of it): it is written before it is read.
  auto fresh = std::make_unique_for_overwrite<std::byte[]>(cap);
  // Linearise everything from head_ (readable bytes and anything staged beyond them).
  if (cap_ != 0) {
    uint32_t first = cap_ - head_;
    std::memcpy(fresh.get(), buf_.get() + head_, first);
    std::memcpy(fresh.get() + first, buf_.get(), head_);
  }
  buf_ = std::move(fresh);
  cap_ = cap;
  head_ = 0;
}

uint32_t ByteRing::append(Bytes data) {
  auto n = static_cast<uint32_t>(std::min<size_t>(data.size(), free_space()));
  append_all(data.first(n));
  return n;
}

void ByteRing::append_all(Bytes data) {
  write_beyond(0, data);
  size_ += static_cast<uint32_t>(data.size());
}

void ByteRing::write_beyond(uint32_t off, Bytes data) {
  auto len = static_cast<uint32_t>(data.size());
  if (len == 0) return;
  reserve(size_ + off + len);
  uint32_t pos = (head_ + size_ + off) % cap_;
  uint32_t first = std::min(len, cap_ - pos);
  std::memcpy(buf_.get() + pos, data.data(), first);
  std::memcpy(buf_.get(), data.data() + first, len - first);
}

std::pair<Bytes, Bytes> ByteRing::view(uint32_t off, uint32_t len) const {
  assert(off + len <= size_);
  if (len == 0) return {};
  uint32_t pos = (head_ + off) % cap_;
  uint32_t first = std::min(len, cap_ - pos);
  return {Bytes(buf_.get() + pos, first), Bytes(buf_.get(), len - first)};
}

uint32_t ByteRing::copy_out(uint32_t off, MutBytes out) const {
  if (off >= size_) return 0;
  auto n = static_cast<uint32_t>(std::min<size_t>(out.size(), size_ - off));
  auto [a, b] = view(off, n);
  std::memcpy(out.data(), a.data(), a.size());
  if (!b.empty()) std::memcpy(out.data() + a.size(), b.data(), b.size());
  return n;
}

void ByteRing::consume(uint32_t n) {
  assert(n <= size_);
  if (n == 0) return;
  head_ = (head_ + n) % cap_;
  size_ -= n;
}

void ByteRing::release_if_empty(bool nothing_staged) {
  if (size_ == 0 && nothing_staged && buf_) {
    buf_.reset();
    cap_ = 0;
    head_ = 0;
  }
}

}  // namespace ustcp::tcp
