// Reno congestion control: initial window (RFC 6928, Linux TCP_INIT_CWND), slow start
// with appropriate byte counting (RFC 5681 3.1, RFC 3465 L = 2 SMSS), congestion avoidance
// (one SMSS per window acknowledged), ssthresh after a loss (RFC 5681 (4)).
#include <gtest/gtest.h>

#include "ustcp/tcp/config.hpp"
#include "ustcp/tcp/congestion.hpp"

namespace ustcp::tcp {
namespace {

constexpr uint32_t kMss = 1448;
const TimePoint kT0 = at(0s);

TEST(TcpReno, InitialWindowTenSegments) {
  CongestionState s;
  reno().init(s, kMss);
  EXPECT_EQ(s.cwnd, 10 * kMss);
  EXPECT_EQ(s.ssthresh, UINT32_MAX);
  EXPECT_STREQ(reno().name(), "reno");
}

// RFC 5681 3.1: in slow start cwnd grows by min(N, SMSS) per ACK (RFC 3465: up to L = 2).
TEST(TcpReno, SlowStartGrowsPerAck) {
  CongestionState s;
  reno().init(s, kMss);
  reno().on_ack(s, kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 11 * kMss);
  reno().on_ack(s, 2 * kMss, kMss, kT0);  // a delayed ACK for two segments
  EXPECT_EQ(s.cwnd, 13 * kMss);
  reno().on_ack(s, 5 * kMss, kMss, kT0);  // a stretch ACK: at most L = 2 SMSS
  EXPECT_EQ(s.cwnd, 15 * kMss);
  reno().on_ack(s, 100, kMss, kT0);  // a small ACK grows by what it acked
  EXPECT_EQ(s.cwnd, 15 * kMss + 100);
}

// One window's worth of ACKs in slow start doubles the window.
TEST(TcpReno, SlowStartDoublesPerRound) {
  CongestionState s;
  reno().init(s, kMss);
  for (int i = 0; i < 10; ++i) reno().on_ack(s, kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 20 * kMss);
}

// RFC 5681 3.1: in congestion avoidance, cwnd += SMSS once per cwnd of bytes acknowledged.
TEST(TcpReno, CongestionAvoidanceOneSegmentPerWindow) {
  CongestionState s;
  reno().init(s, kMss);
  s.ssthresh = 10 * kMss;  // cwnd == ssthresh: congestion avoidance
  for (int i = 0; i < 9; ++i) reno().on_ack(s, kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 10 * kMss);
  reno().on_ack(s, kMss, kMss, kT0);  // the 10th segment of the window
  EXPECT_EQ(s.cwnd, 11 * kMss);
  EXPECT_EQ(s.bytes_acked, 0u);
  for (int i = 0; i < 11; ++i) reno().on_ack(s, kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 12 * kMss);
}

// RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS).
TEST(TcpReno, SsthreshAfterLoss) {
  CongestionState s;
  reno().init(s, kMss);
  EXPECT_EQ(reno().ssthresh_after_loss(s, 20 * kMss, kMss), 10 * kMss);
  EXPECT_EQ(reno().ssthresh_after_loss(s, 3 * kMss, kMss), 2 * kMss);
  EXPECT_EQ(reno().ssthresh_after_loss(s, 0, kMss), 2 * kMss);
  EXPECT_EQ(reno().ssthresh_after_loss(s, 7 * kMss, kMss), 7 * kMss / 2);
}

// After a timeout (cwnd = 1 SMSS, RFC 5681 (5)), slow start runs up to ssthresh, then
// congestion avoidance takes over.
TEST(TcpReno, SlowStartUpToSsthreshThenAvoidance) {
  CongestionState s;
  reno().init(s, kMss);
  s.ssthresh = reno().ssthresh_after_loss(s, 8 * kMss, kMss);  // 4 segments
  s.cwnd = kMss;
  reno().on_ack(s, kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 2 * kMss);
  reno().on_ack(s, 2 * kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 4 * kMss);  // reached ssthresh
  reno().on_ack(s, kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 4 * kMss);  // now linear
  for (int i = 0; i < 3; ++i) reno().on_ack(s, kMss, kMss, kT0);
  EXPECT_EQ(s.cwnd, 5 * kMss);
}

}  // namespace
}  // namespace ustcp::tcp
