// TCP header and options (RFC 9293 3.1, RFC 7323, RFC 2018).
//
// TcpView::parse checks every length once; accessors never fail afterwards. TcpRepr is the
// value form (fields, options, payload span) and emit() writes exactly what parse accepts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/expected.hpp"
#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/base/seq.hpp"
#include "ustcp/wire/parse_error.hpp"

namespace ustcp::wire {

inline constexpr size_t kTcpHeaderLen = 20;
inline constexpr size_t kTcpMaxOptionsLen = 40;

// Flag bits as in the header's 13th byte.
namespace tcp_flags {
inline constexpr uint8_t FIN = 0x01;
inline constexpr uint8_t SYN = 0x02;
inline constexpr uint8_t RST = 0x04;
inline constexpr uint8_t PSH = 0x08;
inline constexpr uint8_t ACK = 0x10;
inline constexpr uint8_t URG = 0x20;
inline constexpr uint8_t ECE = 0x40;
inline constexpr uint8_t CWR = 0x80;
}  // namespace tcp_flags

// "S.", "F.", "P.", "R", "." as tcpdump and packetdrill write them.
std::string flags_to_string(uint8_t flags);

enum class TcpOptionKind : uint8_t {
  Eol = 0,
  Nop = 1,
  Mss = 2,
  WindowScale = 3,
  SackPermitted = 4,
  Sack = 5,
  Timestamp = 8,
};

struct SackBlock {
  SeqNum left;
  SeqNum right;
  bool operator==(const SackBlock&) const = default;
};

struct TcpTimestamp {
  uint32_t val = 0;
  uint32_t ecr = 0;
  bool operator==(const TcpTimestamp&) const = default;
};

struct TcpOptions {
  std::optional<uint16_t> mss;
  std::optional<uint8_t>
      wscale;  // shift count as sent (RFC 7323 2.3: >14 is used as 14 by the receiver)
  bool sack_permitted = false;
  std::optional<TcpTimestamp> timestamp;
  uint8_t sack_count = 0;
  std::array<SackBlock, 4> sack{};

  // The exact sequence of option kinds (TcpOptionKind values, NOP and EOL included; unknown
  // kinds too, by number) as parsed, or as emit() must lay them out. When layout_len is 0,
  // emit() uses Linux's layout (tcp_options_write): mss, then sackOK+TS or nop,nop,TS or
  // nop,nop,sackOK, then nop,wscale, then nop,nop,sack blocks.
  uint8_t layout_len = 0;
  std::array<uint8_t, kTcpMaxOptionsLen> layout{};

  // Bytes the options take when emitted, padded to a multiple of 4.
  size_t encoded_len() const;
  // "mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7" in packetdrill's notation, in layout
  // order when there is one, else in emit order.
  std::string to_string() const;
  bool empty() const { return encoded_len() == 0; }
};

struct TcpRepr {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  SeqNum seq;
  SeqNum ack;
  uint8_t flags = 0;
  uint16_t window = 0;  // the raw 16-bit field (already scaled down)
  uint16_t urgent = 0;
  TcpOptions options;
  Bytes payload;

  size_t header_len() const { return kTcpHeaderLen + options.encoded_len(); }
  size_t size() const { return header_len() + payload.size(); }
  // Writes header, options and payload into out[0..size()) and fills the checksum over
  // the pseudo-header of src/dst. With `offload`, the checksum field holds only the folded
  // pseudo-header sum, left for the link to finish (Linux's CHECKSUM_PARTIAL).
  void emit(MutBytes out, Ipv4Addr src, Ipv4Addr dst, bool offload = false) const;
};

class TcpView {
 public:
  // `segment` is the IPv4 payload; src/dst are for the pseudo-header checksum.
  static Expected<TcpView, ParseError> parse(Bytes segment, Ipv4Addr src, Ipv4Addr dst,
                                             bool verify_checksum = true);

  uint16_t src_port() const;
  uint16_t dst_port() const;
  SeqNum seq() const;
  SeqNum ack() const;
  uint8_t flags() const;
  bool has(uint8_t flag) const { return (flags() & flag) != 0; }
  uint16_t window() const;
  uint16_t urgent() const;
  uint16_t checksum() const;
  size_t header_len() const;
  const TcpOptions& options() const { return options_; }
  Bytes payload() const;
  // Sequence space the segment occupies: payload + SYN + FIN (RFC 9293 3.4).
  SeqLen seg_len() const;
  TcpRepr repr() const;

 private:
  TcpView(Bytes s, const TcpOptions& o) : s_(s), options_(o) {}
  Bytes s_;
  TcpOptions options_;
};

}  // namespace ustcp::wire
