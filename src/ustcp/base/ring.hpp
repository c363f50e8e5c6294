// A double-ended queue of trivially copyable records in one power-of-two array, addressed
// by absolute positions that stay valid while a record is queued (pushing at the back and
// popping at the front never move the others' positions). Empty, it holds no memory, so an
// idle connection pays nothing for its queues.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>

namespace ustcp {

template <typename T>
class Ring {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  bool empty() const { return size_ == 0; }
  uint32_t size() const { return size_; }
  // Absolute position of the front record, and one past the back one.
  uint64_t first() const { return head_; }
  uint64_t end() const { return head_ + size_; }

  T& at(uint64_t pos) { return buf_[pos & mask_]; }
  const T& at(uint64_t pos) const { return buf_[pos & mask_]; }
  T& front() { return at(head_); }
  const T& front() const { return at(head_); }
  T& back() { return at(head_ + size_ - 1); }
  const T& back() const { return at(head_ + size_ - 1); }

  T& push_back(const T& v) {
    if (size_ == cap()) grow();
    T& slot = at(head_ + size_);
    slot = v;
    ++size_;
    return slot;
  }
  void pop_front() {
    ++head_;
    if (--size_ == 0) release();
  }
  // Forgets every record and frees the memory.
  void clear() {
    head_ += size_;
    size_ = 0;
    release();
  }

 private:
  uint32_t cap() const { return buf_ ? mask_ + 1 : 0; }
  void grow() {
    const uint32_t n = cap() ? 2 * cap() : 8;
    std::unique_ptr<T[]> b(new T[n]);
    for (uint64_t p = head_; p != head_ + size_; ++p) b[p & (n - 1)] = at(p);
    buf_ = std::move(b);
    mask_ = n - 1;
  }
  void release() {
    buf_.reset();
    mask_ = 0;
  }

  std::unique_ptr<T[]> buf_;
  uint64_t head_ = 0;
  uint32_t mask_ = 0;
  uint32_t size_ = 0;
};

}  // namespace ustcp
