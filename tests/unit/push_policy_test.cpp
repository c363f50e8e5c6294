// push_policy: Linux's unit sizes (tcp_cwnd_test, tcp_tso_autosize, tcp_xmit_size_goal)
// and WriteQueueModel, the unsent skbs whose PSH flags decide which segments carry PSH.
// Expected values are the ones read on Linux 6.18 (/work/notes/psh-rule.md, tcp:
// tcp_sendmsg_locked tracepoint and packet captures).
#include "ustcp/tcp/push_policy.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace ustcp::tcp {
namespace {

TEST(Tso, CwndQuotaIsHalfTheWindowAtMost) {
  EXPECT_EQ(tso::cwnd_quota(10, 0), 5u);
  EXPECT_EQ(tso::cwnd_quota(10, 8), 2u);
  EXPECT_EQ(tso::cwnd_quota(10, 10), 0u);
  EXPECT_EQ(tso::cwnd_quota(10, 12), 0u);
  EXPECT_EQ(tso::cwnd_quota(3, 0), 1u);  // cwnd 2 and 3: one segment at a time
  EXPECT_EQ(tso::cwnd_quota(1, 0), 1u);
  EXPECT_EQ(tso::cwnd_quota(4, 1), 2u);
}

TEST(Tso, PacingRateIsCwndPerSrttScaled) {
  // 10 segments of 1000 bytes per 100 ms: 100 kB/s, doubled in slow start, 1.2x after.
  EXPECT_EQ(tso::pacing_rate(1000, 10, 0x7fffffff, 10, 100000 * 8), 200000u);
  EXPECT_EQ(tso::pacing_rate(1000, 10, 10, 4, 100000 * 8), 120000u);
  // packets_out above cwnd counts (max(cwnd, packets_out)).
  EXPECT_EQ(tso::pacing_rate(1000, 10, 10, 20, 100000 * 8), 240000u);
}

TEST(Tso, MaxSegsIsTwoOnLongPathsAndAGsoPacketOnShortOnes) {
  // 100 ms: 195 bytes per ms, no RTT bonus, tcp_min_tso_segs = 2.
  EXPECT_EQ(tso::max_segs(200000, 100000, 1000, 2), 2u);
  // min_rtt 0: a whole GSO packet (65215 bytes) of 1000-byte segments.
  EXPECT_EQ(tso::max_segs(200000, 0, 1000, 2), 65u);
  // 2 ms: 65215 >> 3 = 8151 bytes of bonus plus 195.
  EXPECT_EQ(tso::max_segs(200000, 2000, 1000, 2), 8u);
  // The RTT bonus is gone from 16 ms on (2^5 * 512 us).
  EXPECT_EQ(tso::max_segs(200000, 16384, 1000, 2), 2u);
}

// net.ipv4.tcp_min_tso_segs raises the floor: 10 on a long path gives 10-segment units.
TEST(Tso, MinTsoSegsIsTheFloor) {
  EXPECT_EQ(tso::max_segs(200000, 100000, 1000, 10), 10u);
  EXPECT_EQ(tso::max_segs(200000, 0, 1000, 10), 65u);  // above the floor: unchanged
}

TEST(Tso, SizeGoalAsTheTracepointShowedIt) {
  EXPECT_EQ(tso::size_goal(320 << 7, 1000, 20), 20000u);
  EXPECT_EQ(tso::size_goal(320 << 7, 988, 32), 19760u);
  EXPECT_EQ(tso::size_goal(257 << 7, 1000, 20), 16000u);
  EXPECT_EQ(tso::size_goal(32792, 1000, 20), 16000u);
  EXPECT_EQ(tso::size_goal(65535u << 7, 1000, 20), 65000u);
  EXPECT_EQ(tso::size_goal(400, 1000, 20), 1000u);  // never below one MSS
}

// The unsent skbs, front to back, as (end, psh), consumed by sending each whole.
std::vector<std::pair<uint32_t, bool>> drain(WriteQueueModel& m, SeqNum snd_nxt) {
  std::vector<std::pair<uint32_t, bool>> out;
  while (!m.empty()) {
    const SeqNum end = m.head_end(snd_nxt);
    out.emplace_back(end.raw(), m.sent(end));
    snd_nxt = end;
  }
  return out;
}

TEST(WriteQueueModel, ForcedPushMarksAndAppendsMoveThem) {
  // fp1 (tcp_min_tso_segs 1, cwnd 10): write(100000) with size_goal 20000 and a largest
  // window of 40960; Linux put PSH exactly at 30001, 50001, 90001 and 100001.
  const uint32_t goal = 20000;
  const uint32_t max_window = 40960;
  WriteQueueModel m;
  SeqNum snd_nxt(1);
  // skb 1:20001 fills; 20000 bytes are not more than half the window past the last mark.
  m.copied(SeqNum(20001), 20000, true, true);
  EXPECT_FALSE(m.forced_push(max_window));
  EXPECT_TRUE(m.single());  // tcp_push_one sends 1:1001, a piece: no PSH
  EXPECT_FALSE(m.sent(SeqNum(1001)));
  snd_nxt = SeqNum(1001);
  m.sync(snd_nxt, SeqNum(20001));
  // The remainder 1001:20001 takes 1000 more bytes: forced, marked, 1001..10001 go out.
  EXPECT_EQ(m.tail_room(snd_nxt, goal), 1000u);
  m.copied(SeqNum(21001), 1000, false, false);
  EXPECT_TRUE(m.forced_push(max_window));
  m.mark_push();
  for (uint32_t s = 2001; s <= 10001; s += 1000) EXPECT_FALSE(m.sent(SeqNum(s)));
  snd_nxt = SeqNum(10001);
  // 10001:21001 carries PSH; 9000 more bytes move the mark to 30001.
  EXPECT_EQ(m.tail_room(snd_nxt, goal), 9000u);
  m.copied(SeqNum(30001), 9000, false, false);
  EXPECT_FALSE(m.forced_push(max_window));
  SeqNum end(30001);
  for (int i = 0; i < 3; ++i) {  // 30001:50001 forced, 50001:70001 not, 70001:90001 forced
    EXPECT_EQ(m.tail_room(snd_nxt, goal), 0u);
    end = end + SeqLen(goal);
    m.copied(end, goal, true, false);
    if (m.forced_push(max_window)) m.mark_push();
  }
  m.copied(SeqNum(100001), 10000, true, false);
  m.mark_push();  // tcp_push at the end of the write
  const std::vector<std::pair<uint32_t, bool>> want = {
      {30001, true}, {50001, true}, {70001, false}, {90001, true}, {100001, true}};
  EXPECT_EQ(drain(m, snd_nxt), want);
}

TEST(WriteQueueModel, AWriteToppingUpTheTailClearsItsMark) {
  // B: the end of a write stops being a mark when the next write's first bytes go into
  // its unsent remainder (the remainder 2001:3001 here); the skb is then full, so the rest
  // of the write starts a new skb and only the write's end is marked.
  WriteQueueModel m;
  m.copied(SeqNum(3001), 3000, true, true);
  m.mark_push();
  EXPECT_FALSE(m.sent(SeqNum(2001)));  // a unit cut from the skb: the rest keeps PSH
  const SeqNum snd_nxt(2001);
  m.sync(snd_nxt, SeqNum(3001));
  EXPECT_EQ(m.tail_room(snd_nxt, 20000), 19000u);
  m.copied(SeqNum(22001), 19000, false, true);
  EXPECT_EQ(m.tail_room(snd_nxt, 20000), 0u);
  m.copied(SeqNum(23001), 1000, true, false);
  m.mark_push();
  const std::vector<std::pair<uint32_t, bool>> want = {{22001, false}, {23001, true}};
  EXPECT_EQ(drain(m, snd_nxt), want);
}

TEST(WriteQueueModel, ARecordEndTakesNoMoreBytesAndDoesNotGrow) {
  // MSG_EOR on 400 bytes written after a 10400-byte write whose 400-byte tail is unsent:
  // they join that tail (800 bytes), which then ends a record; the next write starts a new
  // skb, and the head does not grow into it however large the unit may be.
  WriteQueueModel m;
  const SeqNum snd_nxt(10001);
  m.copied(SeqNum(10401), 10400, true, true);
  m.mark_push();
  m.sync(snd_nxt, SeqNum(10401));
  EXPECT_EQ(m.tail_room(snd_nxt, 20000), 19600u);
  m.copied(SeqNum(10801), 400, false, true);
  m.mark_push();
  m.mark_eor();
  EXPECT_EQ(m.tail_room(snd_nxt, 20000), 0u);
  m.copied(SeqNum(20801), 10000, true, true);
  m.mark_push();
  EXPECT_EQ(m.grow(snd_nxt, 20000), SeqNum(10801));
  EXPECT_TRUE(m.sent(SeqNum(10801)));
  EXPECT_EQ(m.head_end(SeqNum(10801)), SeqNum(20801));
}

TEST(WriteQueueModel, GrowMovesTheHeadsFlagToTheUnitsEnd) {
  // H3/H4: the head 29001:30001 (a write's end, PSH) grows into the next skb for a
  // 2-segment unit; the flag now sits at 31001, the unit's end.
  WriteQueueModel m;
  m.copied(SeqNum(30001), 29000, true, true);
  m.mark_push();
  m.copied(SeqNum(50001), 20000, true, true);
  m.mark_push();
  const SeqNum snd_nxt(29001);
  EXPECT_EQ(m.grow(snd_nxt, 2000).raw(), 31001u);
  EXPECT_TRUE(m.sent(SeqNum(31001)));
  EXPECT_EQ(drain(m, SeqNum(31001)), (std::vector<std::pair<uint32_t, bool>>{{50001, true}}));
}

TEST(WriteQueueModel, GrowEatsAWholeSkbAndJoinsTheFlags) {
  WriteQueueModel m;
  m.copied(SeqNum(1001), 1000, true, true);  // no mark
  m.copied(SeqNum(1501), 500, true, true);
  m.mark_push();
  m.copied(SeqNum(9001), 7500, true, true);
  EXPECT_EQ(m.grow(SeqNum(1), 2000).raw(), 1501u);  // tcp_eat_one_skb
  EXPECT_TRUE(m.sent(SeqNum(1501)));
  EXPECT_EQ(drain(m, SeqNum(1501)), (std::vector<std::pair<uint32_t, bool>>{{9001, false}}));
}

TEST(WriteQueueModel, AProbeMarksItsSkb) {
  // tcp_write_wakeup sets PSH on the skb before it cuts the probe off; the rest keeps it.
  WriteQueueModel m;
  m.copied(SeqNum(5001), 5000, true, true);
  m.probe_sent(SeqNum(1001), SeqNum(5001));
  EXPECT_EQ(drain(m, SeqNum(1001)), (std::vector<std::pair<uint32_t, bool>>{{5001, true}}));
}

TEST(WriteQueueModel, SyncFollowsWhatWasSentAndQueuedElsewhere) {
  WriteQueueModel m;
  m.sync(SeqNum(1), SeqNum(1));
  EXPECT_TRUE(m.empty());
  m.sync(SeqNum(1), SeqNum(4001));  // bytes queued without the write path: one skb
  m.copied(SeqNum(6001), 2000, true, true);
  m.mark_push();
  m.sync(SeqNum(4001), SeqNum(6001));  // the first skb went out
  EXPECT_EQ(drain(m, SeqNum(4001)), (std::vector<std::pair<uint32_t, bool>>{{6001, true}}));
  m.copied(SeqNum(7001), 1000, true, true);
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.forced_push(0));
}

}  // namespace
}  // namespace ustcp::tcp
