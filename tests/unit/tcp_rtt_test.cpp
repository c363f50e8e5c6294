// RttEstimator: Linux's tcp_rtt_estimator and tcp_set_rto. SRTT and the mean deviation
// follow RFC 6298 (alpha 1/8, beta 1/4), but the RTO's variance term (rttvar) starts at
// max(2 * RTT, rto_min) and only falls once per round trip, by a quarter of its excess over
// the largest deviation of the round: RTO = SRTT + rttvar, bounded by rto_max. Expected
// values are worked by hand from those rules (microseconds).
#include <gtest/gtest.h>

#include "ustcp/tcp/rtt_estimator.hpp"

namespace ustcp::tcp {
namespace {

int64_t us(Duration d) { return to_micros(d); }

RttEstimator estimator(Duration rto_min = 200ms, Duration rto_max = 120s) {
  RttEstimator e;
  e.set_bounds(rto_min, rto_max);
  return e;
}

const SeqNum kSeq(0);

// RFC 6298 2.1: until a measurement is made, RTO = 1 s (Linux TCP_TIMEOUT_INIT).
TEST(TcpRtt, InitialRtoIsOneSecond) {
  RttEstimator e = estimator();
  EXPECT_FALSE(e.has_sample());
  EXPECT_EQ(e.rto(), 1s);
  EXPECT_EQ(e.min_rtt_us(), UINT32_MAX);
}

// First sample: SRTT = R, mdev = R/2, rttvar = max(2R, rto_min): a 100 ms path gets
// 100 + max(200, 200) = 300 ms.
TEST(TcpRtt, FirstSample100msGives300ms) {
  RttEstimator e = estimator();
  e.sample(us(100ms), kSeq, kSeq);
  EXPECT_TRUE(e.has_sample());
  EXPECT_EQ(e.srtt(), 100ms);
  EXPECT_EQ(e.rttvar(), 50ms);
  EXPECT_EQ(e.rto(), 300ms);
}

TEST(TcpRtt, FirstSampleLargeRttUsesTwiceTheRtt) {
  RttEstimator e = estimator();
  e.sample(us(1s), kSeq, kSeq);
  EXPECT_EQ(e.rto(), 3s);  // 1 + max(2 * 1, 0.2)
}

// Within a round the deviation may raise rttvar but never lower it; each new round lets
// rttvar fall by a quarter of its excess over that round's largest deviation.
TEST(TcpRtt, RttvarFallsOncePerRound) {
  RttEstimator e = estimator();
  e.sample(100000, kSeq, kSeq);
  e.sample(200000, kSeq, kSeq);
  // err = 100000: srtt = 112500; mdev*4 = 200000 + (100000 - 50000) = 250000 (62.5 ms),
  // which raises rttvar to 250000: RTO = 362.5 ms.
  EXPECT_EQ(e.srtt(), 112500us);
  EXPECT_EQ(e.rttvar(), 62500us);
  EXPECT_EQ(e.rto(), 362500us);
  e.sample(112500, kSeq, kSeq);  // no error: mdev*4 = 250000 - 62500 = 187500
  EXPECT_EQ(e.rttvar(), 46875us);
  EXPECT_EQ(e.rto(), 362500us);  // same round: rttvar stays
  // snd_una passes the round's marker: mdev*4 = 140625; this round's largest deviation
  // (250000) is not below rttvar, so no decay; the next round starts at rto_min.
  e.sample(112500, SeqNum(10), SeqNum(20));
  EXPECT_EQ(e.rto(), 362500us);
  // Next round: the largest deviation was 200000 (rto_min), rttvar 250000 falls by
  // (250000 - 200000) / 4 = 12500.
  e.sample(112500, SeqNum(30), SeqNum(40));
  EXPECT_EQ(e.rto(), 112500us + 237500us);
}

TEST(TcpRtt, ConvergesToSrttPlusRtoMinOnSteadyPath) {
  RttEstimator e = estimator();
  for (uint32_t i = 0; i < 200; ++i) e.sample(400000, SeqNum(10 * i + 5), SeqNum(10 * i + 10));
  EXPECT_EQ(e.srtt(), 400ms);
  EXPECT_LT(e.rttvar(), 1ms);
  // rttvar decays toward rto_min in quarters and stops within 3 us of it.
  EXPECT_GE(e.rto(), 600ms);
  EXPECT_LE(e.rto(), 600003us);
}

// The variance term is at least rto_min, the RTO at most rto_max.
TEST(TcpRtt, BoundedByRtoMinAndMax) {
  RttEstimator tiny = estimator();
  tiny.sample(1000, kSeq, kSeq);
  EXPECT_EQ(tiny.rto(), 201ms);
  RttEstimator zero = estimator();
  zero.sample(0, kSeq, kSeq);  // a 0 us sample still counts (srtt becomes 1/8 us)
  EXPECT_TRUE(zero.has_sample());
  EXPECT_EQ(zero.rto(), 200ms);
  RttEstimator huge = estimator();
  huge.sample(us(100s), kSeq, kSeq);
  EXPECT_EQ(huge.rto(), 120s);
}

TEST(TcpRtt, HonoursConfiguredBounds) {
  RttEstimator e = estimator(5ms, 60s);  // tcp_rto_min_us = 5000
  e.sample(10000, kSeq, kSeq);
  EXPECT_EQ(e.rto(), 30ms);  // 10 + max(2 * 10, 5)
  RttEstimator f = estimator(200ms, 60s);
  f.sample(us(30s), kSeq, kSeq);
  EXPECT_EQ(f.rto(), 60s);
}

// RFC 6298 5.7 (tcp_init_metrics): no sample from the handshake: 3 s.
TEST(TcpRtt, FallbackIsThreeSeconds) {
  RttEstimator e = estimator();
  e.fallback();
  EXPECT_EQ(e.rto(), 3s);
  e.sample(100000, kSeq, kSeq);  // a real sample replaces it
  EXPECT_EQ(e.rto(), 300ms);
}

// The windowed minimum (tcp_min_rtt_wlen): a smaller sample wins at once, a larger one only
// once the minimum is older than the window.
TEST(TcpRtt, MinRttIsWindowed) {
  RttEstimator e = estimator();
  e.update_min(300s, at(0s), 50000);
  e.update_min(300s, at(10s), 80000);
  EXPECT_EQ(e.min_rtt_us(), 50000u);
  e.update_min(300s, at(20s), 40000);
  EXPECT_EQ(e.min_rtt_us(), 40000u);
  e.update_min(300s, at(400s), 90000);  // 40 ms is 380 s old
  EXPECT_EQ(e.min_rtt_us(), 90000u);
}

}  // namespace
}  // namespace ustcp::tcp
