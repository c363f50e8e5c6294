#include "ustcp/base/ipv4_addr.hpp"

#include <charconv>

namespace ustcp {

std::optional<Ipv4Addr> Ipv4Addr::parse(std::string_view text) {
  uint32_t v = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    // Decimal digits only (from_chars takes no sign, space or "0x"), at most three, and
    // no leading zero: inet_aton() reads "010" as octal 8, inet_pton(AF_INET) rejects it,
    // and so do we rather than pick a meaning silently.
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    if (*p == '0' && p + 1 != end && p[1] >= '0' && p[1] <= '9') return std::nullopt;
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc{} || next == p || next - p > 3 || octet > 255) return std::nullopt;
    v = (v << 8) | octet;
    p = next;
  }
  if (p != end) return std::nullopt;
  return Ipv4Addr(v);
}

std::string Ipv4Addr::to_string() const {
  return std::to_string(v_ >> 24) + '.' + std::to_string((v_ >> 16) & 0xff) + '.' +
         std::to_string((v_ >> 8) & 0xff) + '.' + std::to_string(v_ & 0xff);
}

std::string Endpoint::to_string() const { return addr.to_string() + ':' + std::to_string(port); }

}  // namespace ustcp
