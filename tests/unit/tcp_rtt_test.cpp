// RttEstimator: RFC 6298 with Linux's bounds (tcp_rtt_estimator, __tcp_set_rto,
// tcp_bound_rto): RTO = SRTT + max(4 * RTTVAR, rto_min), clamped to [rto_min, rto_max].
#include <gtest/gtest.h>

#include "ustcp/tcp/rtt_estimator.hpp"

namespace ustcp::tcp {
namespace {

constexpr Duration kMin = 200ms;
constexpr Duration kMax = 120s;

// RFC 6298 2.1: until a measurement is made, RTO = 1 s (Linux TCP_TIMEOUT_INIT).
TEST(TcpRtt, InitialRtoIsOneSecond) {
  RttEstimator e;
  EXPECT_FALSE(e.has_sample());
  EXPECT_EQ(e.rto(), 1s);
}

// RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, K*RTTVAR); Linux floors the
// variance term at rto_min: a 100 ms path gets 100 + max(200, 200) = 300 ms.
TEST(TcpRtt, FirstSample100msGives300ms) {
  RttEstimator e;
  e.sample(100ms, kMin, kMax);
  EXPECT_TRUE(e.has_sample());
  EXPECT_EQ(e.srtt(), 100ms);
  EXPECT_EQ(e.rttvar(), 50ms);
  EXPECT_EQ(e.rto(), 300ms);
}

TEST(TcpRtt, FirstSampleLargeRttUsesFourRttvar) {
  RttEstimator e;
  e.sample(1s, kMin, kMax);
  EXPECT_EQ(e.srtt(), 1s);
  EXPECT_EQ(e.rttvar(), 500ms);
  EXPECT_EQ(e.rto(), 3s);  // 1 + 4 * 0.5
}

// RFC 6298 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, then SRTT = 7/8 SRTT + 1/8 R'.
TEST(TcpRtt, LaterSamplesUseAlphaAndBeta) {
  RttEstimator e;
  e.sample(100ms, kMin, kMax);
  e.sample(200ms, kMin, kMax);
  // RTTVAR = 0.75 * 50 + 0.25 * |100 - 200| = 62.5 ms; SRTT = 87.5 + 25 = 112.5 ms.
  EXPECT_EQ(e.rttvar(), 62500us);
  EXPECT_EQ(e.srtt(), 112500us);
  EXPECT_EQ(e.rto(), 112500us + 250ms);
  e.sample(112500us, kMin, kMax);  // no error: variance decays by 1/4
  EXPECT_EQ(e.srtt(), 112500us);
  EXPECT_EQ(e.rttvar(), 46875us);
  EXPECT_EQ(e.rto(), 112500us + 200ms);  // 4 * 46.875 = 187.5 < 200: floored
}

TEST(TcpRtt, ConvergesOnSteadyPath) {
  RttEstimator e;
  for (int i = 0; i < 200; ++i) e.sample(400ms, kMin, kMax);
  EXPECT_EQ(e.srtt(), 400ms);
  EXPECT_LT(e.rttvar(), 1ms);
  EXPECT_EQ(e.rto(), 600ms);  // 400 + rto_min
}

// tcp_bound_rto: never below rto_min, never above rto_max (RFC 6298 2.4, 2.5).
TEST(TcpRtt, ClampedToMinAndMax) {
  RttEstimator tiny;
  tiny.sample(1ms, kMin, kMax);
  EXPECT_EQ(tiny.rto(), 201ms);  // 1 ms + the 200 ms floor of the variance term
  RttEstimator zero;
  zero.sample(0ms, kMin, kMax);  // a 0 us sample still counts
  EXPECT_TRUE(zero.has_sample());
  EXPECT_GE(zero.rto(), kMin);
  EXPECT_LE(zero.rto(), 201ms);
  RttEstimator huge;
  huge.sample(100s, kMin, kMax);
  EXPECT_EQ(huge.rto(), kMax);
}

TEST(TcpRtt, HonoursConfiguredBounds) {
  RttEstimator e;
  e.sample(10ms, 5ms, 60s);  // tcp_rto_min_us = 5000
  EXPECT_EQ(e.rto(), 30ms);  // 10 + 4 * 5
  RttEstimator f;
  f.sample(30s, kMin, 60s);
  EXPECT_EQ(f.rto(), 60s);
}

}  // namespace
}  // namespace ustcp::tcp
