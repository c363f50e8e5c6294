// ICMP (RFC 792), the part a host needs to answer ping: echo request in, echo reply out.
#pragma once

#include <cstdint>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/expected.hpp"
#include "ustcp/wire/parse_error.hpp"

namespace ustcp::wire {

inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr size_t kIcmpHeaderLen = 8;

// A parsed ICMP message: length and checksum checked once.
class IcmpView {
 public:
  // Checks the length (at least the 8-byte header) and the checksum over the whole message.
  static Expected<IcmpView, ParseError> parse(Bytes message);

  uint8_t type() const;
  uint8_t code() const;
  // Echo request/reply (RFC 792 p. 14): identifier and sequence number, then data that the
  // reply must return unchanged.
  uint16_t echo_id() const;
  uint16_t echo_seq() const;
  Bytes body() const;  // everything after the 8-byte header

 private:
  explicit IcmpView(Bytes m) : m_(m) {}
  Bytes m_;
};

// Writes an echo reply to `request` into out[0 .. request size): same identifier,
// sequence number and data, type 0, a fresh checksum. `out` may not overlap `request`.
void emit_echo_reply(const IcmpView& request, MutBytes out);

}  // namespace ustcp::wire
