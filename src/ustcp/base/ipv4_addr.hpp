// An IPv4 address as a value (host byte order inside; bytes on the wire are big-endian).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ustcp {

class Ipv4Addr {
 public:
  constexpr Ipv4Addr() = default;
  constexpr explicit Ipv4Addr(uint32_t host_order) : v_(host_order) {}
  constexpr Ipv4Addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
      : v_((uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d) {}

  constexpr uint32_t raw() const { return v_; }
  constexpr bool is_unspecified() const { return v_ == 0; }
  constexpr bool is_loopback() const { return (v_ >> 24) == 127; }
  constexpr bool operator==(const Ipv4Addr&) const = default;
  constexpr auto operator<=>(const Ipv4Addr&) const = default;

  // The netmask of a prefix length: 24 -> 255.255.255.0 (0 -> 0.0.0.0, 32 -> all ones).
  static constexpr Ipv4Addr netmask(int prefix_len) {
    return Ipv4Addr(prefix_len <= 0    ? 0
                    : prefix_len >= 32 ? ~uint32_t{0}
                                       : ~uint32_t{0} << (32 - prefix_len));
  }

  // Dotted quad; nullopt for anything else ("1.2.3", "256.0.0.1", "1.2.3.4x").
  static std::optional<Ipv4Addr> parse(std::string_view text);
  std::string to_string() const;

 private:
  uint32_t v_ = 0;
};

// An address and port, as sockaddr_in carries them.
struct Endpoint {
  Ipv4Addr addr;
  uint16_t port = 0;
  constexpr bool operator==(const Endpoint&) const = default;
  std::string to_string() const;  // "192.0.2.1:80"
};

}  // namespace ustcp
