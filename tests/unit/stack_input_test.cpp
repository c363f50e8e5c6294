// Bad input at the Stack's door: every malformed or misdirected datagram is dropped and
// counted where Linux counts it (Ip: InHdrErrors, InAddrErrors, InUnknownProtos,
// ReasmFails; IpExt: InCsumErrors; Tcp: InErrs, InCsumErrors), never crashes, and never
// reaches a connection.
#include <gtest/gtest.h>

#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/checksum.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp {
namespace {

const Ipv4Addr kUs(192, 168, 0, 1);
const Ipv4Addr kPeer(192, 0, 2, 1);

std::vector<std::byte> datagram(Ipv4Addr dst = kUs, uint8_t proto = wire::kProtoTcp) {
  wire::TcpRepr syn;
  syn.src_port = 40000;
  syn.dst_port = 80;
  syn.seq = SeqNum(1);
  syn.flags = wire::tcp_flags::SYN;
  syn.window = 1000;
  std::vector<std::byte> d(wire::kIpv4HeaderLen + syn.size());
  wire::Ipv4Repr ip{.src = kPeer,
                    .dst = dst,
                    .protocol = proto,
                    .payload_len = static_cast<uint16_t>(syn.size())};
  ip.emit(d);
  syn.emit(MutBytes(d).subspan(wire::kIpv4HeaderLen), kPeer, dst);
  return d;
}

TEST(StackInput, ValidSynToClosedPortGetsResetAndCounts) {
  stack::Stack s(kUs);
  s.receive(TimePoint{}, datagram());
  auto m = s.counters();
  EXPECT_EQ(m.IpInReceives, 1u);
  EXPECT_EQ(m.InSegs, 1u);
  EXPECT_EQ(m.OutRsts, 1u);
  EXPECT_TRUE(s.poll_transmit(TimePoint{}).has_value());
}

TEST(StackInput, MalformedDatagramsAreCountedAndDropped) {
  stack::Stack s(kUs);
  auto good = datagram();
  // Truncated IPv4 header.
  s.receive(TimePoint{}, Bytes(good).first(10));
  // Bad IP checksum.
  auto bad_ip = good;
  bad_ip[10] ^= std::byte{0xff};
  s.receive(TimePoint{}, bad_ip);
  // A fragment (MF set): ustcp does not reassemble.
  auto frag = good;
  frag[6] |= std::byte{0x20};
  frag[10] = frag[11] = std::byte{0};
  // Recompute the header checksum over the modified header.
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2)
    sum += (std::to_integer<uint32_t>(frag[i]) << 8) | std::to_integer<uint32_t>(frag[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t csum = static_cast<uint16_t>(~sum);
  frag[10] = std::byte(csum >> 8);
  frag[11] = std::byte(csum & 0xff);
  s.receive(TimePoint{}, frag);
  // Bad TCP checksum.
  auto bad_tcp = good;
  bad_tcp.back() ^= std::byte{0x01};
  s.receive(TimePoint{}, bad_tcp);
  // Not for us, and not TCP.
  s.receive(TimePoint{}, datagram(Ipv4Addr(10, 9, 9, 9)));
  s.receive(TimePoint{}, datagram(kUs, 17));

  auto m = s.counters();
  EXPECT_EQ(m.IpInReceives, 6u);
  EXPECT_EQ(m.IpInHdrErrors, 2u);
  EXPECT_EQ(m.IpExtInCsumErrors, 1u);  // the bad IP checksum, counted in both (ip_rcv_core)
  EXPECT_EQ(m.IpReasmFails, 1u);
  EXPECT_EQ(m.InCsumErrors, 1u);
  EXPECT_EQ(m.InErrs, 1u);
  EXPECT_EQ(m.IpInAddrErrors, 1u);
  EXPECT_EQ(m.IpInUnknownProtos, 1u);
  EXPECT_EQ(m.InSegs, 0u);
  EXPECT_EQ(m.OutRsts, 0u);
  EXPECT_FALSE(s.poll_transmit(TimePoint{}).has_value());
}

// tcp::Config::checksum_offload: the link is trusted (as Linux's lo). A segment with a
// wrong TCP checksum is then taken as it is; without offload the same bytes are dropped.
TEST(StackInput, ChecksumOffloadSkipsTheTcpChecksum) {
  auto bad_tcp = datagram();
  bad_tcp[wire::kIpv4HeaderLen + 16] ^= std::byte{0x5a};
  for (bool offload : {false, true}) {
    SCOPED_TRACE(offload ? "offload" : "no offload");
    stack::Stack s(kUs);
    s.config().checksum_offload = offload;
    s.receive(TimePoint{}, bad_tcp);
    auto m = s.counters();
    EXPECT_EQ(m.InCsumErrors, offload ? 0u : 1u);
    EXPECT_EQ(m.InSegs, offload ? 1u : 0u);
    // The SYN to a closed port is answered with a RST only when it was accepted. Its
    // checksum is left to the link under offload: finished here, it verifies.
    auto out = s.poll_transmit(TimePoint{});
    ASSERT_EQ(out.has_value(), offload);
    if (!offload) continue;
    EXPECT_EQ(m.OutRsts, 1u);
    std::vector<std::byte> rst(out->begin(), out->end());
    auto ip = wire::Ipv4View::parse(rst);
    ASSERT_TRUE(ip.has_value());
    EXPECT_FALSE(wire::TcpView::parse(ip->payload(), ip->src(), ip->dst()).has_value());
    MutBytes tcp = MutBytes(rst).subspan(wire::kIpv4HeaderLen);
    store_be16(&tcp[16], wire::checksum_finish(wire::checksum_add(0, tcp)));
    EXPECT_TRUE(wire::TcpView::parse(ip->payload(), ip->src(), ip->dst()).has_value());
  }
}

TEST(StackInput, RandomBytesNeverCrash) {
  stack::Stack s(kUs);
  auto ls = *s.socket();
  ASSERT_TRUE(s.bind(ls, {kUs, 80}));
  ASSERT_TRUE(s.listen(ls, 16));
  auto base = datagram();
  uint64_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    auto d = base;
    // Flip a few random bytes of a valid SYN (headers and options), or truncate it.
    for (int k = 0; k < 3; ++k) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      d[(x >> 33) % d.size()] = std::byte(x >> 56);
    }
    if (i % 7 == 0) d.resize((x >> 40) % d.size());
    s.receive(TimePoint{} + std::chrono::milliseconds(i), d);
    while (s.poll_transmit(TimePoint{})) {
    }
  }
  EXPECT_EQ(s.counters().IpInReceives, 20000u);
}

}  // namespace
}  // namespace ustcp
