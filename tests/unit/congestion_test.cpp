// Congestion control building blocks in packets (Linux tcp_slow_start, tcp_cong_avoid_ai,
// tcp_reno_*), Reno on them (RFC 5681), and the registry that tcp_congestion_control and
// TCP_CONGESTION look names up in. Expected values are worked out by hand from RFC 5681's
// rules; the comments show the arithmetic.
#include "ustcp/tcp/congestion.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace ustcp::tcp {
namespace {

CongestionState window(uint32_t cwnd, uint32_t ssthresh) {
  CongestionState s;
  s.cwnd = cwnd;
  s.ssthresh = ssthresh;
  return s;
}

// --- slow_start ---------------------------------------------------------------------------

// RFC 5681 3.1 with RFC 3465's L = the packets acked (Linux): cwnd grows by what the ACK
// covers, not past ssthresh; the rest is returned for congestion avoidance.
struct SlowStartRow {
  uint32_t cwnd, ssthresh, clamp, acked;
  uint32_t want_cwnd, want_left;
};

TEST(SlowStart, GrowsByAckedUpToSsthresh) {
  const SlowStartRow rows[] = {
      {10, kInfiniteSsthresh, 0xffffffff, 1, 11, 0},   // one packet acked, one more allowed
      {10, kInfiniteSsthresh, 0xffffffff, 10, 20, 0},  // a stretch ACK: all of it
      {10, 12, 0xffffffff, 5, 12, 3},                  // 10 + 5 > 12: 2 used, 3 left over
      {12, 12, 0xffffffff, 4, 12, 4},                  // at ssthresh: all left over
      {10, kInfiniteSsthresh, 15, 10, 15, 0},          // cwnd_clamp caps, nothing returned
  };
  for (const SlowStartRow& r : rows) {
    CongestionState s = window(r.cwnd, r.ssthresh);
    s.cwnd_clamp = r.clamp;
    const uint32_t left = slow_start(s, r.acked);
    EXPECT_EQ(s.cwnd, r.want_cwnd) << "cwnd " << r.cwnd << " acked " << r.acked;
    EXPECT_EQ(left, r.want_left) << "cwnd " << r.cwnd << " acked " << r.acked;
  }
}

// --- cong_avoid_ai ------------------------------------------------------------------------

// One packet per w packets acked: the accumulator carries the remainder.
TEST(CongAvoidAi, OnePacketPerWAcked) {
  CongestionState s = window(10, 5);
  for (int i = 0; i < 9; ++i) cong_avoid_ai(s, 10, 1);
  EXPECT_EQ(s.cwnd, 10u);
  EXPECT_EQ(s.cwnd_cnt, 9u);
  cong_avoid_ai(s, 10, 1);  // the tenth
  EXPECT_EQ(s.cwnd, 11u);
  EXPECT_EQ(s.cwnd_cnt, 0u);
}

// One call each, the whole outcome: cwnd and the count carried towards the next packet.
struct AiRow {
  uint32_t cwnd, cwnd_cnt, clamp, w, acked;
  uint32_t want_cwnd, want_cnt;
  const char* what;
};

TEST(CongAvoidAi, OneCallTable) {
  const AiRow rows[] = {
      {10, 0, 0xffffffff, 10, 9, 10, 9, "below w: only counted"},
      {10, 0, 0xffffffff, 10, 25, 12, 5, "a stretch ACK earns two, keeps 5"},
      // Credit gathered at a larger w (30 >= 20) is worth one packet, not 1.5.
      {40, 30, 0xffffffff, 20, 1, 41, 1, "credit from a larger w applied gently"},
      {10, 0, 11, 1, 5, 11, 0, "w = 1 would earn 5; cwnd_clamp stops at 11"},
  };
  for (const AiRow& r : rows) {
    CongestionState s = window(r.cwnd, 5);
    s.cwnd_cnt = r.cwnd_cnt;
    s.cwnd_clamp = r.clamp;
    cong_avoid_ai(s, r.w, r.acked);
    EXPECT_EQ(s.cwnd, r.want_cwnd) << r.what;
    EXPECT_EQ(s.cwnd_cnt, r.want_cnt) << r.what;
  }
}

// --- Reno -----------------------------------------------------------------------------------

// RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS); Linux halves cwnd.
TEST(Reno, SsthreshHalvesWithFloorOfTwo) {
  const struct {
    uint32_t cwnd, want;
  } rows[] = {{100, 50}, {11, 5}, {4, 2}, {3, 2}, {2, 2}, {1, 2}};
  for (const auto& r : rows) {
    CongestionState s = window(r.cwnd, kInfiniteSsthresh);
    EXPECT_EQ(reno().ssthresh(s, CaContext{}), r.want) << "cwnd " << r.cwnd;
  }
}

// Slow start doubles per window; once cwnd reaches ssthresh the leftover of the ACK already
// counts towards congestion avoidance (one packet per cwnd acked).
TEST(Reno, SlowStartThenOnePacketPerWindow) {
  CongestionState s = window(10, 16);
  const CaContext c;
  for (int i = 0; i < 4; ++i) reno().cong_avoid(s, c, 1, true);
  EXPECT_EQ(s.cwnd, 14u);
  reno().cong_avoid(s, c, 4, true);  // 14 + 4 > 16: 2 for slow start, 2 for avoidance
  EXPECT_EQ(s.cwnd, 16u);
  EXPECT_EQ(s.cwnd_cnt, 2u);
  for (int i = 0; i < 14; ++i) reno().cong_avoid(s, c, 1, true);  // 2 + 14 = 16 = cwnd
  EXPECT_EQ(s.cwnd, 17u);
  EXPECT_EQ(s.cwnd_cnt, 0u);
  for (int i = 0; i < 16; ++i) reno().cong_avoid(s, c, 1, true);  // 16 < 17: not yet
  EXPECT_EQ(s.cwnd, 17u);
  reno().cong_avoid(s, c, 1, true);
  EXPECT_EQ(s.cwnd, 18u);
}

// RFC 5681 3.1 / RFC 7661: a window the application did not fill is not grown.
TEST(Reno, NoGrowthWhenNotCwndLimited) {
  for (uint32_t ssthresh : {kInfiniteSsthresh, 5u}) {
    CongestionState s = window(10, ssthresh);
    for (int i = 0; i < 50; ++i) reno().cong_avoid(s, CaContext{}, 1, false);
    EXPECT_EQ(s.cwnd, 10u);
    EXPECT_EQ(s.cwnd_cnt, 0u);
  }
}

// tcp_reno_undo_cwnd: a spurious reduction restores the window it began at, but an undo
// never shrinks the window.
TEST(Reno, UndoRestoresPriorCwnd) {
  CongestionState s = window(50, 50);
  s.prior_cwnd = 100;
  EXPECT_EQ(reno().undo_cwnd(s), 100u);
  s.cwnd = 120;
  EXPECT_EQ(reno().undo_cwnd(s), 120u);
}

// --- Registry -------------------------------------------------------------------------------

TEST(CongestionRegistry, FindsByLinuxName) {
  EXPECT_EQ(find_congestion_control("reno"), &reno());
  EXPECT_EQ(find_congestion_control("cubic"), &cubic());
  EXPECT_STREQ(reno().name(), "reno");
  EXPECT_STREQ(cubic().name(), "cubic");
  // Names are matched exactly, as tcp_ca_find does.
  for (const char* bad : {"", "CUBIC", "cubic ", "bbr", "newreno"}) {
    EXPECT_EQ(find_congestion_control(bad), nullptr) << '"' << bad << '"';
  }
}

// tcp_available_congestion_control lists every algorithm in registration order, space
// separated, as /proc/sys/net/ipv4/tcp_available_congestion_control prints it.
TEST(CongestionRegistry, AvailableListsEveryAlgorithm) {
  EXPECT_STREQ(available_congestion_control(), "reno cubic");
  std::istringstream names(available_congestion_control());
  std::vector<std::string> seen;
  for (std::string name; names >> name;) {
    const CongestionControl* ca = find_congestion_control(name);
    ASSERT_NE(ca, nullptr) << name;
    EXPECT_EQ(name, ca->name());
    seen.push_back(name);
  }
  EXPECT_EQ(seen.size(), 2u);
}

}  // namespace
}  // namespace ustcp::tcp
