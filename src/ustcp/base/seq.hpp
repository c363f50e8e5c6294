// Sequence-space arithmetic (RFC 9293 3.4): positions and lengths modulo 2^32.
//
// A sequence number is not an integer: comparing two of them only makes sense when they
// are less than 2^31 apart, so SeqNum offers before()/after() instead of < and <=>, which
// are deleted so that a SeqNum cannot end up in std::map or std::sort by accident.
#pragma once

#include <cstdint>
#include <string>

namespace ustcp {

// A length in sequence space (bytes of data, plus one for SYN and one for FIN).
class SeqLen {
 public:
  constexpr SeqLen() = default;
  // Implicit on purpose: `snd_nxt + 1` reads as the RFC writes it. SeqNum has no
  // conversion to SeqLen, so `seq + seq` still does not compile.
  constexpr SeqLen(uint32_t n) : n_(n) {}  // NOLINT(google-explicit-constructor)
  constexpr uint32_t raw() const { return n_; }
  constexpr bool operator==(const SeqLen&) const = default;
  constexpr auto operator<=>(const SeqLen&) const = default;
  constexpr SeqLen operator+(SeqLen o) const { return SeqLen(n_ + o.n_); }
  constexpr SeqLen operator-(SeqLen o) const { return SeqLen(n_ - o.n_); }

 private:
  uint32_t n_ = 0;
};

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(uint32_t v) : v_(v) {}
  constexpr uint32_t raw() const { return v_; }

  constexpr SeqNum operator+(SeqLen n) const { return SeqNum(v_ + n.raw()); }
  constexpr SeqNum operator-(SeqLen n) const { return SeqNum(v_ - n.raw()); }
  constexpr SeqNum& operator+=(SeqLen n) {
    v_ += n.raw();
    return *this;
  }
  // Signed distance from `o` to this, well defined in C++20 (two's complement).
  constexpr int32_t operator-(SeqNum o) const { return static_cast<int32_t>(v_ - o.v_); }

  constexpr bool operator==(const SeqNum&) const = default;
  bool operator<(const SeqNum&) const = delete;
  bool operator<=(const SeqNum&) const = delete;
  bool operator>(const SeqNum&) const = delete;
  bool operator>=(const SeqNum&) const = delete;
  auto operator<=>(const SeqNum&) const = delete;

  // Linux's before()/after() (include/net/tcp.h).
  constexpr bool before(SeqNum o) const { return (*this - o) < 0; }
  constexpr bool after(SeqNum o) const { return (o - *this) < 0; }
  constexpr bool before_eq(SeqNum o) const { return !after(o); }
  constexpr bool after_eq(SeqNum o) const { return !before(o); }
  // start <= this < start + len, in sequence space.
  constexpr bool in_window(SeqNum start, SeqLen len) const {
    return static_cast<uint32_t>(v_ - start.v_) < len.raw();
  }
  // Bytes from `o` up to this; the caller knows this is not before `o`.
  constexpr SeqLen since(SeqNum o) const { return SeqLen(v_ - o.v_); }

 private:
  uint32_t v_ = 0;
};

constexpr SeqNum seq_max(SeqNum a, SeqNum b) { return a.after(b) ? a : b; }
constexpr SeqNum seq_min(SeqNum a, SeqNum b) { return a.before(b) ? a : b; }

}  // namespace ustcp
