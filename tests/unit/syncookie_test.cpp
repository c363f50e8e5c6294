// SYN cookies as Linux makes them (net/ipv4/syncookies.c): the MSS table, the minute
// counter and its two-minute validity, the options in the timestamp.
#include "ustcp/tcp/syncookie.hpp"

#include <gtest/gtest.h>

#include "ustcp/tcp/secrets.hpp"

namespace ustcp::tcp {
namespace {

const FourTuple kT{{Ipv4Addr(192, 168, 0, 1), 8080}, {Ipv4Addr(192, 0, 2, 1), 40000}};

TEST(SynCookie, MssRoundsDownToLinuxTable) {
  EXPECT_EQ(SynCookies::mss_for(1460), 1460);
  EXPECT_EQ(SynCookies::mss_for(8960), 1460);
  EXPECT_EQ(SynCookies::mss_for(1459), 1440);
  EXPECT_EQ(SynCookies::mss_for(1400), 1300);  // LINUX-REFERENCE: peer MSS 1400 -> 1300
  EXPECT_EQ(SynCookies::mss_for(1299), 536);
  EXPECT_EQ(SynCookies::mss_for(100), 536);
}

TEST(SynCookie, ValidatesInTheSameAndTheNextMinuteOnly) {
  SynCookies c(Secrets::from_seed(42).syncookie);
  const SeqNum peer_isn(123456789);
  const TimePoint t0 = at(std::chrono::minutes(500) + 10s);
  SeqNum isn = c.make(kT, peer_isn, 1400, t0);
  // The final ACK: seq = peer ISN + 1, ack = cookie + 1.
  EXPECT_EQ(c.check(kT, peer_isn + 1, isn + 1, t0), std::optional<uint16_t>(1300));
  EXPECT_EQ(c.check(kT, peer_isn + 1, isn + 1, t0 + 50s), std::optional<uint16_t>(1300));
  EXPECT_EQ(c.check(kT, peer_isn + 1, isn + 1, t0 + 100s),
            std::optional<uint16_t>(1300));                                // minute 501
  EXPECT_EQ(c.check(kT, peer_isn + 1, isn + 1, t0 + 110s), std::nullopt);  // minute 502: too old
}

TEST(SynCookie, RejectsWrongTupleSequenceOrSecret) {
  SynCookies c(Secrets::from_seed(42).syncookie), other(Secrets::from_seed(43).syncookie);
  const SeqNum peer_isn(7);
  const TimePoint t0 = at(3600s);
  SeqNum isn = c.make(kT, peer_isn, 1460, t0);
  FourTuple t2 = kT;
  t2.remote.port = 40001;
  EXPECT_EQ(c.check(t2, peer_isn + 1, isn + 1, t0), std::nullopt);
  // The peer's ISN enters the cookie linearly (as in Linux), so a sequence number a few
  // off decodes to a neighbouring table index; one far off decodes to no index at all.
  EXPECT_EQ(c.check(kT, peer_isn + 1000, isn + 1, t0), std::nullopt);
  EXPECT_EQ(c.check(kT, peer_isn + 1, isn + 2, t0), std::nullopt);
  EXPECT_EQ(other.check(kT, peer_isn + 1, isn + 1, t0), std::nullopt);
}

TEST(SynCookie, RandomAcksAlmostNeverValidate) {
  // A blind attacker guessing: the 24-bit hash leaves a 4-in-2^24 chance per minute value.
  SynCookies c(Secrets::from_seed(9).syncookie);
  int valid = 0;
  uint32_t x = 1;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1664525u + 1013904223u;
    if (c.check(kT, SeqNum(x), SeqNum(x * 2654435761u), at(600s))) ++valid;
  }
  EXPECT_LE(valid, 2);
}

TEST(SynCookie, TimestampCarriesWscaleAndSack) {
  uint32_t now = 1000003;
  uint32_t ts = SynCookies::encode_ts(now, uint8_t{7}, true);
  EXPECT_LE(ts, now);
  EXPECT_EQ(ts >> 6, (now >> 6) - ((ts & 63) > (now & 63) ? 1 : 0));
  auto o = SynCookies::decode_ts(ts);
  EXPECT_EQ(o.snd_wscale, std::optional<uint8_t>(7));
  EXPECT_TRUE(o.sack_ok);
  auto none = SynCookies::decode_ts(SynCookies::encode_ts(now, std::nullopt, false));
  EXPECT_EQ(none.snd_wscale, std::nullopt);
  EXPECT_FALSE(none.sack_ok);
}

}  // namespace
}  // namespace ustcp::tcp
