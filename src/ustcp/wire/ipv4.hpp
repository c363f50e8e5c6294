// IPv4 header (RFC 791). Options on input are skipped (IHL honoured); ustcp emits none.
#pragma once

#include <cstdint>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/expected.hpp"
#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/wire/parse_error.hpp"

namespace ustcp::wire {

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr size_t kIpv4HeaderLen = 20;

// A parsed datagram: lengths and checksum checked once, accessors cannot fail.
class Ipv4View {
 public:
  // Checks version, IHL, total length (trailing bytes beyond it are ignored, as Ethernet
  // padding would be), header checksum, and rejects fragments.
  static Expected<Ipv4View, ParseError> parse(Bytes datagram);

  Ipv4Addr src() const;
  Ipv4Addr dst() const;
  uint8_t protocol() const;
  uint8_t ttl() const;
  uint8_t tos() const;
  uint16_t ident() const;
  size_t header_len() const;
  uint16_t total_len() const;
  Bytes payload() const;  // header_len .. total_len

 private:
  explicit Ipv4View(Bytes d) : d_(d) {}
  Bytes d_;
};

// What we emit: a 20-byte header, DF set (we do path MTU by MSS only).
struct Ipv4Repr {
  Ipv4Addr src;
  Ipv4Addr dst;
  uint8_t protocol = kProtoTcp;
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t ident = 0;
  bool dont_fragment = true;
  uint16_t payload_len = 0;

  // Writes the 20-byte header with its checksum into out[0..20).
  void emit(MutBytes out) const;
};

}  // namespace ustcp::wire
