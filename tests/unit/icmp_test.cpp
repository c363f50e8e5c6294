// ping: a Stack answers ICMP echo requests addressed to it (icmp_echo) and counts them in
// Linux's Icmp and IcmpMsg counters; malformed ICMP is counted and dropped.
#include "ustcp/wire/icmp.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "ustcp/stack/netstat.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/checksum.hpp"
#include "ustcp/wire/ipv4.hpp"

namespace ustcp {
namespace {

const Ipv4Addr kUs(198, 18, 0, 2);
const Ipv4Addr kPeer(198, 18, 0, 1);

// An ICMP message of `type` with id 0x1234, sequence 7 and `data`, in an IPv4 datagram.
std::vector<std::byte> icmp(uint8_t type, std::vector<std::byte> data, Ipv4Addr dst = kUs) {
  std::vector<std::byte> d(wire::kIpv4HeaderLen + wire::kIcmpHeaderLen + data.size());
  wire::Ipv4Repr ip{.src = kPeer,
                    .dst = dst,
                    .protocol = wire::kProtoIcmp,
                    .payload_len = static_cast<uint16_t>(d.size() - wire::kIpv4HeaderLen)};
  ip.emit(d);
  std::byte* m = d.data() + wire::kIpv4HeaderLen;
  m[0] = std::byte{type};
  store_be16(m + 4, 0x1234);
  store_be16(m + 6, 7);
  std::copy(data.begin(), data.end(), m + wire::kIcmpHeaderLen);
  const Bytes msg(m, wire::kIcmpHeaderLen + data.size());
  store_be16(m + 2, wire::checksum_finish(wire::checksum_add(0, msg)));
  return d;
}

std::vector<std::byte> payload(size_t n) {
  std::vector<std::byte> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = std::byte(i * 7 + 1);
  return p;
}

TEST(Icmp, EchoRequestGetsReplyWithSameIdSeqAndData) {
  stack::Stack s(kUs);
  const auto data = payload(56);  // ping's default
  s.receive(TimePoint{}, icmp(wire::kIcmpEchoRequest, data));

  auto out = s.poll_transmit(TimePoint{});
  ASSERT_TRUE(out.has_value());
  auto ip = wire::Ipv4View::parse(*out);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->src(), kUs);
  EXPECT_EQ(ip->dst(), kPeer);
  EXPECT_EQ(ip->protocol(), wire::kProtoIcmp);
  EXPECT_EQ(ip->ttl(), 64);
  auto reply = wire::IcmpView::parse(ip->payload());  // checksum verified here
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->type(), wire::kIcmpEchoReply);
  EXPECT_EQ(reply->code(), 0);
  EXPECT_EQ(reply->echo_id(), 0x1234);
  EXPECT_EQ(reply->echo_seq(), 7);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), reply->body().begin(), reply->body().end()));
  EXPECT_FALSE(s.poll_transmit(TimePoint{}).has_value());

  auto m = s.counters();
  EXPECT_EQ(m.IcmpInMsgs, 1u);
  EXPECT_EQ(m.IcmpInEchos, 1u);
  EXPECT_EQ(m.IcmpMsgInType[8], 1u);
  EXPECT_EQ(m.IcmpOutMsgs, 1u);
  EXPECT_EQ(m.IcmpOutEchoReps, 1u);
  EXPECT_EQ(m.IcmpMsgOutType[0], 1u);
  EXPECT_EQ(m.IpInDelivers, 1u);
  EXPECT_EQ(m.IpOutRequests, 1u);
  EXPECT_EQ(m.IpOutTransmits, 1u);
  EXPECT_EQ(m.InSegs, 0u);  // not TCP
}

TEST(Icmp, NstatNamesFollowLinux) {
  stack::Stack s(kUs);
  s.receive(TimePoint{}, icmp(wire::kIcmpEchoRequest, payload(8)));
  const std::string text = stack::nstat_text(s);
  for (const char* name : {"IcmpInMsgs ", "IcmpInEchos ", "IcmpOutMsgs ", "IcmpOutEchoReps ",
                           "IcmpMsgInType8 ", "IcmpMsgOutType0 "}) {
    EXPECT_NE(text.find(name), std::string::npos) << name << " missing from\n" << text;
  }
  // /proc/net/snmp order: Ip, then Icmp, then IcmpMsg, then Tcp.
  const std::string snmp = stack::snmp_text(s);
  EXPECT_LT(snmp.find("Ip:"), snmp.find("Icmp:"));
  EXPECT_LT(snmp.find("Icmp:"), snmp.find("IcmpMsg:"));
  EXPECT_LT(snmp.find("IcmpMsg:"), snmp.find("Tcp:"));
}

TEST(Icmp, BadChecksumIsCountedAndNotAnswered) {
  stack::Stack s(kUs);
  auto d = icmp(wire::kIcmpEchoRequest, payload(16));
  d.back() ^= std::byte{0x40};
  s.receive(TimePoint{}, d);
  EXPECT_FALSE(s.poll_transmit(TimePoint{}).has_value());
  auto m = s.counters();
  EXPECT_EQ(m.IcmpInMsgs, 1u);
  EXPECT_EQ(m.IcmpInErrors, 1u);
  EXPECT_EQ(m.IcmpInCsumErrors, 1u);  // Icmp's own, not Tcp's InCsumErrors
  EXPECT_EQ(m.InCsumErrors, 0u);
  EXPECT_EQ(m.IcmpInEchos, 0u);
  EXPECT_EQ(m.IcmpMsgInType[8], 0u);  // counted by type only once the checksum holds
}

TEST(Icmp, TruncatedHeaderIsCountedAndNotAnswered) {
  stack::Stack s(kUs);
  auto d = icmp(wire::kIcmpEchoRequest, {});
  // Cut the ICMP message to 4 bytes and fix the IP total length and checksum to match.
  d.resize(wire::kIpv4HeaderLen + 4);
  wire::Ipv4Repr ip{.src = kPeer, .dst = kUs, .protocol = wire::kProtoIcmp, .payload_len = 4};
  ip.emit(d);
  s.receive(TimePoint{}, d);
  EXPECT_FALSE(s.poll_transmit(TimePoint{}).has_value());
  EXPECT_EQ(s.counters().IcmpInErrors, 1u);
  EXPECT_EQ(s.counters().IcmpInCsumErrors, 0u);
}

TEST(Icmp, OtherTypesAndOtherAddressesAreNotAnswered) {
  stack::Stack s(kUs);
  s.receive(TimePoint{}, icmp(wire::kIcmpEchoReply, payload(8)));  // someone's reply
  s.receive(TimePoint{}, icmp(3, payload(28)));                    // destination unreachable
  s.receive(TimePoint{}, icmp(wire::kIcmpEchoRequest, payload(8), Ipv4Addr(198, 18, 0, 9)));
  EXPECT_FALSE(s.poll_transmit(TimePoint{}).has_value());
  auto m = s.counters();
  EXPECT_EQ(m.IcmpInMsgs, 2u);
  EXPECT_EQ(m.IcmpInErrors, 0u);
  EXPECT_EQ(m.IcmpInEchos, 0u);
  // Every type is counted in IcmpMsg; types RFC 1213 names also in Icmp (icmpmibmap).
  EXPECT_EQ(m.IcmpInEchoReps, 1u);
  EXPECT_EQ(m.IcmpMsgInType[0], 1u);
  EXPECT_EQ(m.IcmpInDestUnreachs, 1u);
  EXPECT_EQ(m.IcmpMsgInType[3], 1u);
  EXPECT_EQ(m.IpInAddrErrors, 1u);
}

TEST(Icmp, LargestEchoFitsAndIsReturnedWhole) {
  stack::Stack s(kUs);
  const auto data = payload(1472);  // ping -s 1472: a full 1500-byte datagram
  s.receive(TimePoint{}, icmp(wire::kIcmpEchoRequest, data));
  auto out = s.poll_transmit(TimePoint{});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->size(), 1500u);
}

}  // namespace
}  // namespace ustcp
