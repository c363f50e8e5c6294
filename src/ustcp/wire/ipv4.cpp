// IPv4 header (RFC 791 3.1). Every length is checked once in parse(); the accessors then
// read fixed offsets that parse() proved are in bounds.
#include "ustcp/wire/ipv4.hpp"

#include <cassert>

#include "ustcp/wire/checksum.hpp"

namespace ustcp::wire {
namespace {

constexpr uint16_t kFlagDf = 0x4000;
constexpr uint16_t kFlagMf = 0x2000;
constexpr uint16_t kFragOffsetMask = 0x1fff;

}  // namespace

Expected<Ipv4View, ParseError> Ipv4View::parse(Bytes d) {
  if (d.size() < kIpv4HeaderLen) return unexpected(ParseError::Truncated);

  // RFC 791 3.1: Version 4.
  const uint8_t vihl = std::to_integer<uint8_t>(d[0]);
  if ((vihl >> 4) != 4) return unexpected(ParseError::BadVersion);

  // RFC 791 3.1: "the minimum value for a correct header is 5" (IHL, in 32-bit words).
  const size_t ihl = size_t{vihl & 0x0fu} * 4;
  if (ihl < kIpv4HeaderLen || ihl > d.size()) return unexpected(ParseError::BadHeaderLength);

  // Total length covers header and data. Bytes after it are link-layer padding (Ethernet
  // pads short frames to 60 bytes) and are ignored, as Linux's ip_rcv_core() trims them.
  const uint16_t total = load_be16(&d[2]);
  if (total < ihl) return unexpected(ParseError::BadTotalLength);
  if (total > d.size()) return unexpected(ParseError::Truncated);

  // RFC 791 3.1: the header checksum covers the header only, options included; summing
  // it together with the stored checksum gives all ones when it is intact.
  if (checksum_finish(checksum_add(0, d.first(ihl))) != 0) {
    return unexpected(ParseError::BadIpChecksum);
  }

  // ustcp does not reassemble (RFC 791 3.2): any piece of a fragmented datagram is
  // dropped. We always send DF, so our own peers' segments are never fragmented.
  const uint16_t frag = load_be16(&d[6]);
  if ((frag & kFlagMf) != 0 || (frag & kFragOffsetMask) != 0) {
    return unexpected(ParseError::Fragment);
  }

  return Ipv4View(d.first(total));
}

Ipv4Addr Ipv4View::src() const { return Ipv4Addr(load_be32(&d_[12])); }
Ipv4Addr Ipv4View::dst() const { return Ipv4Addr(load_be32(&d_[16])); }
uint8_t Ipv4View::protocol() const { return std::to_integer<uint8_t>(d_[9]); }
uint8_t Ipv4View::ttl() const { return std::to_integer<uint8_t>(d_[8]); }
uint8_t Ipv4View::tos() const { return std::to_integer<uint8_t>(d_[1]); }
uint16_t Ipv4View::ident() const { return load_be16(&d_[4]); }
size_t Ipv4View::header_len() const { return size_t{std::to_integer<uint8_t>(d_[0]) & 0x0fu} * 4; }
uint16_t Ipv4View::total_len() const { return static_cast<uint16_t>(d_.size()); }
Bytes Ipv4View::payload() const { return d_.subspan(header_len()); }

void Ipv4Repr::emit(MutBytes out) const {
  assert(out.size() >= kIpv4HeaderLen);
  assert(payload_len <= 0xffff - kIpv4HeaderLen);
  std::byte* p = out.data();
  p[0] = std::byte{0x45};  // version 4, IHL 5: we never send IP options
  p[1] = std::byte{tos};
  store_be16(p + 2, static_cast<uint16_t>(kIpv4HeaderLen + payload_len));
  store_be16(p + 4, ident);
  store_be16(p + 6, dont_fragment ? kFlagDf : 0);
  p[8] = std::byte{ttl};
  p[9] = std::byte{protocol};
  store_be16(p + 10, 0);
  store_be32(p + 12, src.raw());
  store_be32(p + 16, dst.raw());
  store_be16(p + 10, checksum_finish(checksum_add(0, Bytes(p, kIpv4HeaderLen))));
}

}  // namespace ustcp::wire
