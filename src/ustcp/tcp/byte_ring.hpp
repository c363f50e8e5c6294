// A ring of bytes that allocates on first use, grows geometrically up to a limit, and
// gives its memory back when drained: an idle connection holds no buffer memory
// (ARCHITECTURE.md, memory shape).
//
// Besides append/consume it can write at an offset past the readable bytes and commit
// them later: the receive queue places out-of-order data directly where it will be read.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "ustcp/base/bytes.hpp"

namespace ustcp::tcp {

class ByteRing {
 public:
  explicit ByteRing(uint32_t limit = 0) : limit_(limit) {}

  uint32_t size() const { return size_; }
  uint32_t limit() const { return limit_; }
  void set_limit(uint32_t limit) { limit_ = limit; }
  uint32_t free_space() const { return size_ >= limit_ ? 0 : limit_ - size_; }
  size_t allocated() const { return cap_; }

  // Appends as much of data as fits under the limit; returns the bytes taken.
  uint32_t append(Bytes data);
  // Appends all of data, past the limit if need be: for an owner that charges the bytes
  // against the limit in its own units (the send queue: Linux's skb truesize, wmem.hpp).
  void append_all(Bytes data);
  // Writes data at `off` bytes past the readable end (off + data.size() <= free_space());
  // the bytes become readable only through commit().
  void write_beyond(uint32_t off, Bytes data);
  // Makes the next n bytes after the readable end readable (written by write_beyond).
  void commit(uint32_t n) { size_ += n; }

  // The readable bytes [off, off + len) as up to two spans (the ring may wrap).
  std::pair<Bytes, Bytes> view(uint32_t off, uint32_t len) const;
  // Copies readable bytes from off into out; returns the count copied.
  uint32_t copy_out(uint32_t off, MutBytes out) const;
  void consume(uint32_t n);
  // Frees the memory when nothing is readable and nothing is staged beyond the end.
  void release_if_empty(bool nothing_staged);

 private:
  void reserve(uint32_t needed);  // ensures cap_ >= needed bytes from head_
  std::unique_ptr<std::byte[]> buf_;
  uint32_t cap_ = 0;
  uint32_t head_ = 0;
  uint32_t size_ = 0;
  uint32_t limit_ = 0;
};

}  // namespace ustcp::tcp
