// TCP header (RFC 9293 3.1): parse once, then read fixed offsets; emit the same layout.
#include "ustcp/wire/tcp.hpp"

#include <cassert>
#include <cstring>

#include "ustcp/wire/checksum.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp_options_codec.hpp"

namespace ustcp::wire {
namespace {

// RFC 9293 3.1: Data Offset is the high nibble of byte 12, in 32-bit words.
size_t data_offset_bytes(std::byte b) { return (std::to_integer<size_t>(b) >> 4) * 4; }

}  // namespace

std::string flags_to_string(uint8_t flags) {
  using namespace tcp_flags;
  // packetdrill's order (and tcpdump's letters); ACK is the trailing '.'.
  static constexpr struct {
    uint8_t bit;
    char letter;
  } kLetters[] = {{SYN, 'S'}, {FIN, 'F'}, {RST, 'R'}, {PSH, 'P'},
                  {URG, 'U'}, {ECE, 'E'}, {CWR, 'W'}};
  std::string s;
  for (const auto& l : kLetters) {
    if ((flags & l.bit) != 0) s += l.letter;
  }
  if ((flags & ACK) != 0) s += '.';
  if (s.empty()) return std::string("-");
  return s;
}

Expected<TcpView, ParseError> TcpView::parse(Bytes s, Ipv4Addr src, Ipv4Addr dst,
                                             bool verify_checksum) {
  if (s.size() < kTcpHeaderLen) return unexpected(ParseError::TcpTruncated);

  // RFC 9293 3.1: Data Offset, the header length in 32-bit words, at least 5.
  const size_t hl = data_offset_bytes(s[12]);
  if (hl < kTcpHeaderLen || hl > s.size()) return unexpected(ParseError::BadDataOffset);

  // RFC 9293 3.1: the checksum covers the pseudo-header, header and data. Checked before
  // the options, as Linux's tcp_v4_rcv() does, so a corrupted segment is counted as a
  // checksum error (TCP_MIB_CSUMERRORS) rather than as a bad option.
  if (verify_checksum) {
    const uint32_t sum = pseudo_header_sum(src, dst, kProtoTcp, static_cast<uint16_t>(s.size()));
    if (checksum_finish(checksum_add(sum, s)) != 0) {
      return unexpected(ParseError::BadTcpChecksum);
    }
  }

  TcpOptions options;
  if (auto r = detail::parse_tcp_options(s.subspan(kTcpHeaderLen, hl - kTcpHeaderLen), options);
      !r) {
    return unexpected(r.error());
  }
  return TcpView(s, options);
}

uint16_t TcpView::src_port() const { return load_be16(&s_[0]); }
uint16_t TcpView::dst_port() const { return load_be16(&s_[2]); }
SeqNum TcpView::seq() const { return SeqNum(load_be32(&s_[4])); }
SeqNum TcpView::ack() const { return SeqNum(load_be32(&s_[8])); }
uint8_t TcpView::flags() const { return std::to_integer<uint8_t>(s_[13]); }
uint16_t TcpView::window() const { return load_be16(&s_[14]); }
uint16_t TcpView::checksum() const { return load_be16(&s_[16]); }
uint16_t TcpView::urgent() const { return load_be16(&s_[18]); }
size_t TcpView::header_len() const { return data_offset_bytes(s_[12]); }
Bytes TcpView::payload() const { return s_.subspan(header_len()); }

SeqLen TcpView::seg_len() const {
  // RFC 9293 3.4: SEG.LEN counts the octets of data plus one each for SYN and FIN.
  uint32_t n = static_cast<uint32_t>(payload().size());
  if (has(tcp_flags::SYN)) ++n;
  if (has(tcp_flags::FIN)) ++n;
  return SeqLen(n);
}

TcpRepr TcpView::repr() const {
  return TcpRepr{
      .src_port = src_port(),
      .dst_port = dst_port(),
      .seq = seq(),
      .ack = ack(),
      .flags = flags(),
      .window = window(),
      .urgent = urgent(),
      .options = options_,
      .payload = payload(),
  };
}

void TcpRepr::emit(MutBytes out, Ipv4Addr src, Ipv4Addr dst, bool offload) const {
  const size_t hl = header_len();
  const size_t total = hl + payload.size();
  assert(out.size() >= total);
  assert(total <= 0xffff);
  std::byte* p = out.data();
  store_be16(p + 0, src_port);
  store_be16(p + 2, dst_port);
  store_be32(p + 4, seq.raw());
  store_be32(p + 8, ack.raw());
  p[12] = std::byte(static_cast<uint8_t>((hl / 4) << 4));  // data offset; reserved bits zero
  p[13] = std::byte{flags};
  store_be16(p + 14, window);
  store_be16(p + 16, 0);
  store_be16(p + 18, urgent);
  [[maybe_unused]] const size_t written = detail::write_tcp_options(options, p + kTcpHeaderLen);
  assert(kTcpHeaderLen + written == hl);
  // memmove: a caller may have built the payload in place, right after the header.
  if (!payload.empty()) std::memmove(p + hl, payload.data(), payload.size());

  const uint32_t sum = pseudo_header_sum(src, dst, kProtoTcp, static_cast<uint16_t>(total));
  if (offload) {
    // The complement of the segment's sum with this value in the field is the checksum.
    store_be16(p + 16, static_cast<uint16_t>(~checksum_finish(sum)));
    return;
  }
  store_be16(p + 16, checksum_finish(checksum_add(sum, Bytes(p, total))));
}

}  // namespace ustcp::wire
