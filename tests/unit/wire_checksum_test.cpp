// Internet checksum (RFC 1071): known vectors, split sums, odd lengths, unaligned spans, and
// a naive 16-bit reference on random data.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "ustcp/wire/checksum.hpp"

namespace ustcp::wire {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  for (int b : v) out.push_back(std::byte(b));
  return out;
}

// RFC 1071 taken literally: 16-bit big-endian words, odd byte padded, end-around carry.
uint16_t reference_sum(const std::byte* p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) {
    s += (std::to_integer<uint32_t>(p[i]) << 8) | std::to_integer<uint32_t>(p[i + 1]);
    s = (s & 0xffff) + (s >> 16);
  }
  if (n % 2 == 1) {
    s += std::to_integer<uint32_t>(p[n - 1]) << 8;
    s = (s & 0xffff) + (s >> 16);
  }
  return static_cast<uint16_t>(s);
}

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2; the checksum is its complement.
  auto d = bytes({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7});
  EXPECT_EQ(checksum_finish(checksum_add(0, d)), 0x220d);
  EXPECT_EQ(static_cast<uint16_t>(~checksum_finish(checksum_add(0, d))), 0xddf2);
}

TEST(Checksum, EmptyIsAllOnes) { EXPECT_EQ(checksum_finish(checksum_add(0, Bytes{})), 0xffff); }

TEST(Checksum, KnownIpv4Header) {
  // A widely used example header (Wikipedia, "IPv4 header checksum"): checksum b861.
  auto h = bytes({0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7});
  EXPECT_EQ(checksum_finish(checksum_add(0, h)), 0);  // verifies
  h[10] = h[11] = std::byte{0};
  EXPECT_EQ(checksum_finish(checksum_add(0, h)), 0xb861);
}

TEST(Checksum, OddLengthPadsWithZero) {
  auto d = bytes({0x01});
  EXPECT_EQ(checksum_finish(checksum_add(0, d)), static_cast<uint16_t>(~0x0100));
  auto e = bytes({0x12, 0x34, 0x56});
  EXPECT_EQ(checksum_finish(checksum_add(0, e)), static_cast<uint16_t>(~(0x1234 + 0x5600)));
}

TEST(Checksum, SplitAtEvenOffsetsEqualsWhole) {
  std::vector<std::byte> d(1001);
  for (size_t i = 0; i < d.size(); ++i) d[i] = std::byte((i * 37 + 11) & 0xff);
  const Bytes all(d);
  const uint16_t whole = checksum_finish(checksum_add(0, all));
  for (size_t cut = 0; cut <= d.size(); cut += 2) {
    uint32_t s = checksum_add(0, all.first(cut));
    s = checksum_add(s, all.subspan(cut));
    ASSERT_EQ(checksum_finish(s), whole) << "cut at " << cut;
  }
}

TEST(Checksum, UnalignedSpansGiveTheSameSum) {
  std::vector<std::byte> buf(600);
  std::vector<std::byte> data(531);
  for (size_t i = 0; i < data.size(); ++i) data[i] = std::byte((i * 101 + 7) & 0xff);
  const uint16_t expected = reference_sum(data.data(), data.size());
  for (size_t off = 0; off < 16; ++off) {
    std::copy(data.begin(), data.end(), buf.begin() + static_cast<std::ptrdiff_t>(off));
    Bytes s(buf.data() + off, data.size());
    ASSERT_EQ(checksum_finish(checksum_add(0, s)), static_cast<uint16_t>(~expected))
        << "offset " << off;
  }
}

TEST(Checksum, MatchesReferenceOnRandomData) {
  std::mt19937 rng(1071);
  std::vector<std::byte> buf(2048 + 16);
  for (int iter = 0; iter < 2000; ++iter) {
    const size_t off = rng() % 16;
    const size_t len = rng() % 2048;
    for (size_t i = 0; i < len; ++i) buf[off + i] = std::byte(rng() & 0xff);
    // All-0xff runs stress the carries.
    if (iter % 10 == 0)
      std::fill_n(buf.begin() + static_cast<std::ptrdiff_t>(off), len, std::byte{0xff});
    const uint16_t ref = reference_sum(buf.data() + off, len);
    ASSERT_EQ(checksum_finish(checksum_add(0, Bytes(buf.data() + off, len))),
              static_cast<uint16_t>(~ref))
        << "len " << len << " off " << off;
  }
}

TEST(Checksum, LargestDatagramMatchesReference) {
  // 65,535 bytes: the four parallel carry chains each run two thousand rounds.
  std::mt19937 rng(9293);
  std::vector<std::byte> d(65535);
  for (auto& b : d) b = std::byte(rng() & 0xff);
  EXPECT_EQ(checksum_finish(checksum_add(0, d)),
            static_cast<uint16_t>(~reference_sum(d.data(), d.size())));
  std::fill(d.begin(), d.end(), std::byte{0xff});
  EXPECT_EQ(checksum_finish(checksum_add(0, d)),
            static_cast<uint16_t>(~reference_sum(d.data(), d.size())));
}

TEST(Checksum, RunningSumKeepsCarries) {
  // A large starting sum must not lose carries when more data is added.
  std::vector<std::byte> d(64 * 1024, std::byte{0xff});
  uint32_t s = 0xffffffffu;
  for (int i = 0; i < 100; ++i) s = checksum_add(s, d);
  // 0xffffffff folds to 0xffff (negative zero), as does every all-ones word.
  EXPECT_EQ(checksum_finish(s), 0);

  auto one = bytes({0x00, 0x01});
  uint32_t t = 0xfffffffeu;  // folds to 0xfffe; adding 0x0001 gives 0xffff
  t = checksum_add(t, one);
  EXPECT_EQ(checksum_finish(t), 0);
}

TEST(Checksum, PseudoHeader) {
  // 192.0.2.1 -> 192.0.2.2, TCP, length 40: c000+0201+c000+0202+0006+0028.
  const uint32_t s = pseudo_header_sum(Ipv4Addr(192, 0, 2, 1), Ipv4Addr(192, 0, 2, 2), 6, 40);
  // c000+0201+c000+0202+0006+0028 = 1_8431, folded 8432, complemented 7bcd.
  EXPECT_EQ(checksum_finish(s), 0x7bcd);
  // Same thing written out as bytes and summed.
  auto ph = bytes({192, 0, 2, 1, 192, 0, 2, 2, 0, 6, 0, 40});
  EXPECT_EQ(checksum_finish(s), checksum_finish(checksum_add(0, ph)));
}

}  // namespace
}  // namespace ustcp::wire
