// IPv4 header codec (RFC 791): a known datagram, emit/parse round trips, every parse error
// from a crafted datagram, options skipped, padding ignored, fragments rejected.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ustcp/wire/checksum.hpp"
#include "ustcp/wire/ipv4.hpp"

namespace ustcp::wire {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  for (int b : v) out.push_back(std::byte(b));
  return out;
}

// A SYN from 192.0.2.1:40000 to 192.0.2.2:80 with Linux's SYN options; both checksums
// computed independently (Python, RFC 1071 by the letter).
const std::vector<std::byte> kSynDatagram = bytes({
    0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa4, 0x84, 0xc0, 0x00, 0x02,
    0x01, 0xc0, 0x00, 0x02, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00,
    0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x28, 0x11, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04,
    0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
});

const Ipv4Addr kA(192, 0, 2, 1);
const Ipv4Addr kB(192, 0, 2, 2);

// Recomputes the header checksum after a test edits a header field.
void fix_checksum(std::vector<std::byte>& d) {
  const size_t ihl = (std::to_integer<size_t>(d[0]) & 0x0f) * 4;
  d[10] = d[11] = std::byte{0};
  store_be16(&d[10], checksum_finish(checksum_add(0, Bytes(d).first(ihl))));
}

ParseError parse_error_of(const std::vector<std::byte>& d) {
  auto r = Ipv4View::parse(d);
  EXPECT_FALSE(r.has_value());
  return r ? ParseError{} : r.error();
}

TEST(Ipv4, ParsesKnownDatagram) {
  auto r = Ipv4View::parse(kSynDatagram);
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->src(), kA);
  EXPECT_EQ(r->dst(), kB);
  EXPECT_EQ(r->protocol(), kProtoTcp);
  EXPECT_EQ(r->ttl(), 64);
  EXPECT_EQ(r->tos(), 0);
  EXPECT_EQ(r->ident(), 0x1234);
  EXPECT_EQ(r->header_len(), 20u);
  EXPECT_EQ(r->total_len(), 60);
  ASSERT_EQ(r->payload().size(), 40u);
  EXPECT_EQ(r->payload().data(), kSynDatagram.data() + 20);
}

TEST(Ipv4, EmitsKnownHeaderExactly) {
  const Ipv4Repr repr{.src = kA, .dst = kB, .ident = 0x1234, .payload_len = 40};
  std::vector<std::byte> out(20);
  repr.emit(out);
  EXPECT_EQ(out, std::vector<std::byte>(kSynDatagram.begin(), kSynDatagram.begin() + 20));
}

TEST(Ipv4, RoundTrip) {
  for (bool df : {true, false}) {
    const Ipv4Repr repr{.src = Ipv4Addr(10, 0, 0, 1),
                        .dst = Ipv4Addr(10, 255, 254, 3),
                        .protocol = kProtoIcmp,
                        .ttl = 3,
                        .tos = 0xb8,
                        .ident = 0xfedc,
                        .dont_fragment = df,
                        .payload_len = 7};
    std::vector<std::byte> d(27, std::byte{0x5a});
    repr.emit(d);
    EXPECT_EQ(std::to_integer<int>(d[6]), df ? 0x40 : 0x00);
    auto r = Ipv4View::parse(d);
    ASSERT_TRUE(r.has_value()) << to_string(r.error());
    EXPECT_EQ(r->src(), repr.src);
    EXPECT_EQ(r->dst(), repr.dst);
    EXPECT_EQ(r->protocol(), repr.protocol);
    EXPECT_EQ(r->ttl(), repr.ttl);
    EXPECT_EQ(r->tos(), repr.tos);
    EXPECT_EQ(r->ident(), repr.ident);
    EXPECT_EQ(r->total_len(), 27);
    EXPECT_EQ(r->payload().size(), 7u);
  }
}

TEST(Ipv4, TrailingPaddingIsIgnored) {
  // Ethernet pads short frames to 60 bytes; total length says where the datagram ends.
  auto d = kSynDatagram;
  d.resize(d.size() + 6, std::byte{0});
  auto r = Ipv4View::parse(d);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->total_len(), 60);
  EXPECT_EQ(r->payload().size(), 40u);
}

TEST(Ipv4, OptionsAreSkipped) {
  // IHL 6: a 4-byte Router Alert option (RFC 2113: 94 04 00 00) before the payload.
  auto d = bytes({0x46, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 192, 0, 2,
                  1,    192,  0,    2,    2,    0x94, 0x04, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef});
  fix_checksum(d);
  auto r = Ipv4View::parse(d);
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->header_len(), 24u);
  ASSERT_EQ(r->payload().size(), 4u);
  EXPECT_EQ(r->payload()[0], std::byte{0xde});
  EXPECT_EQ(r->src(), kA);
}

TEST(Ipv4, Truncated) {
  EXPECT_EQ(parse_error_of({}), ParseError::Truncated);
  EXPECT_EQ(parse_error_of(std::vector<std::byte>(kSynDatagram.begin(), kSynDatagram.begin() + 19)),
            ParseError::Truncated);
  // Header intact, but total length (60) says more than we have.
  EXPECT_EQ(parse_error_of(std::vector<std::byte>(kSynDatagram.begin(), kSynDatagram.end() - 1)),
            ParseError::Truncated);
}

TEST(Ipv4, BadVersion) {
  auto d = kSynDatagram;
  d[0] = std::byte{0x65};
  fix_checksum(d);
  EXPECT_EQ(parse_error_of(d), ParseError::BadVersion);
}

TEST(Ipv4, BadHeaderLength) {
  auto d = kSynDatagram;
  d[0] = std::byte{0x44};  // IHL 4 < 5
  EXPECT_EQ(parse_error_of(d), ParseError::BadHeaderLength);
  auto e = std::vector<std::byte>(kSynDatagram.begin(), kSynDatagram.begin() + 40);
  e[0] = std::byte{0x4f};  // IHL 15 = 60 bytes > 40
  EXPECT_EQ(parse_error_of(e), ParseError::BadHeaderLength);
}

TEST(Ipv4, BadTotalLength) {
  auto d = kSynDatagram;
  store_be16(&d[2], 19);
  fix_checksum(d);
  EXPECT_EQ(parse_error_of(d), ParseError::BadTotalLength);
  // With options, total length must cover them too.
  auto o = bytes({0x46, 0x00, 0x00, 0x16, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
                  192,  0,    2,    1,    192,  0,    2,    2,    0x94, 0x04, 0x00, 0x00});
  fix_checksum(o);
  EXPECT_EQ(parse_error_of(o), ParseError::BadTotalLength);
}

TEST(Ipv4, BadIpChecksum) {
  auto d = kSynDatagram;
  d[8] = std::byte{0x3f};  // TTL changed, checksum not updated
  EXPECT_EQ(parse_error_of(d), ParseError::BadIpChecksum);
  auto e = kSynDatagram;
  e[11] ^= std::byte{0x01};
  EXPECT_EQ(parse_error_of(e), ParseError::BadIpChecksum);
}

TEST(Ipv4, FragmentsAreRejected) {
  struct Case {
    uint16_t flags_frag;
    bool fragment;
  };
  for (const Case c : {Case{0x2000, true},      // MF: first fragment
                       Case{0x0001, true},      // offset 8: a later fragment
                       Case{0x20b9, true},      // MF and offset: a middle fragment
                       Case{0x5fff, true},      // DF with an offset
                       Case{0x4000, false},     // DF only
                       Case{0x0000, false}}) {  // neither
    auto d = kSynDatagram;
    store_be16(&d[6], c.flags_frag);
    fix_checksum(d);
    auto r = Ipv4View::parse(d);
    if (c.fragment) {
      ASSERT_FALSE(r.has_value()) << std::hex << c.flags_frag;
      EXPECT_EQ(r.error(), ParseError::Fragment);
    } else {
      EXPECT_TRUE(r.has_value()) << std::hex << c.flags_frag;
    }
  }
}

TEST(Ipv4, ParseErrorNames) {
  EXPECT_STREQ(to_string(ParseError::Fragment), "Fragment");
  EXPECT_STREQ(to_string(ParseError::BadTcpChecksum), "BadTcpChecksum");
}

}  // namespace
}  // namespace ustcp::wire
