// ICMP echo (RFC 792). The checksum covers the whole ICMP message, with no pseudo-header.
#include "ustcp/wire/icmp.hpp"

#include <algorithm>
#include <cassert>

#include "ustcp/wire/checksum.hpp"

namespace ustcp::wire {

Expected<IcmpView, ParseError> IcmpView::parse(Bytes m) {
  if (m.size() < kIcmpHeaderLen) return unexpected(ParseError::IcmpTruncated);
  if (checksum_finish(checksum_add(0, m)) != 0) return unexpected(ParseError::BadIcmpChecksum);
  return IcmpView(m);
}

uint8_t IcmpView::type() const { return std::to_integer<uint8_t>(m_[0]); }
uint8_t IcmpView::code() const { return std::to_integer<uint8_t>(m_[1]); }
uint16_t IcmpView::echo_id() const { return load_be16(&m_[4]); }
uint16_t IcmpView::echo_seq() const { return load_be16(&m_[6]); }
Bytes IcmpView::body() const { return m_.subspan(kIcmpHeaderLen); }

void emit_echo_reply(const IcmpView& request, MutBytes out) {
  const size_t n = kIcmpHeaderLen + request.body().size();
  assert(out.size() >= n);
  std::byte* p = out.data();
  p[0] = std::byte{kIcmpEchoReply};
  p[1] = std::byte{0};
  store_be16(p + 2, 0);
  store_be16(p + 4, request.echo_id());
  store_be16(p + 6, request.echo_seq());
  std::copy(request.body().begin(), request.body().end(), p + kIcmpHeaderLen);
  store_be16(p + 2, checksum_finish(checksum_add(0, Bytes(p, n))));
}

}  // namespace ustcp::wire
