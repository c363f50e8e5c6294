// Ring (stable positions, memory only while non-empty) and RtxQueue (the scoreboard's
// records, counts, lookup by sequence, the send-time order RACK walks).
#include "ustcp/tcp/rtx_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "ustcp/base/ring.hpp"

namespace ustcp::tcp {
namespace {

TEST(Ring, PositionsStayValidAcrossGrowth) {
  Ring<int> r;
  EXPECT_TRUE(r.empty());
  for (int i = 0; i < 5; ++i) r.push_back(i);
  r.pop_front();
  r.pop_front();
  const uint64_t pos4 = r.first() + 2;
  EXPECT_EQ(r.at(pos4), 4);
  for (int i = 5; i < 100; ++i) r.push_back(i);  // grows past 8, 16, 32, 64
  EXPECT_EQ(r.at(pos4), 4);
  EXPECT_EQ(r.front(), 2);
  EXPECT_EQ(r.back(), 99);
  EXPECT_EQ(r.size(), 98u);
  EXPECT_EQ(r.end() - r.first(), 98u);
}

TEST(Ring, WrapsAroundItsArray) {
  Ring<int> r;
  for (int round = 0; round < 100; ++round) {
    r.push_back(round);
    r.push_back(round + 1000);
    EXPECT_EQ(r.front(), round);
    r.pop_front();
    EXPECT_EQ(r.front(), round + 1000);
    r.pop_front();
    EXPECT_TRUE(r.empty());
  }
  EXPECT_EQ(r.first(), 200u);  // positions keep counting
}

TxSegment seg(uint32_t seq, uint32_t len, int sent_ms) {
  TxSegment s;
  s.seq = SeqNum(seq);
  s.end = SeqNum(seq + len);
  s.sent = at(std::chrono::milliseconds(sent_ms));
  return s;
}

TEST(RtxQueue, FindsTheRecordHoldingASequenceAcrossWraparound) {
  RtxQueue q;
  const uint32_t base = 0xffffff00u;  // records straddle 2^32
  for (uint32_t i = 0; i < 10; ++i) q.push(seg(base + i * 100, 100, 0));
  EXPECT_EQ(q.packets_out(), 10u);
  EXPECT_EQ(q.find(SeqNum(base)), q.first());
  EXPECT_EQ(q.find(SeqNum(base + 99)), q.first());
  EXPECT_EQ(q.find(SeqNum(base + 100)), q.first() + 1);
  EXPECT_EQ(q.find(SeqNum(base + 999)), q.first() + 9);
  EXPECT_EQ(q.find(SeqNum(base + 1000)), q.end());  // beyond the last record
  EXPECT_EQ(q.find(SeqNum(base - 1)), q.end());     // before the first
}

TEST(RtxQueue, CountsFollowTheTagsOfRemovedRecords) {
  RtxQueue q;
  for (uint32_t i = 0; i < 4; ++i) q.push(seg(i * 10, 10, 0));
  q.at(q.first()).sacked = tcpcb::LOST | tcpcb::SACKED_RETRANS;
  q.lost_out = 1;
  q.retrans_out = 1;
  q.at(q.first() + 1).sacked = tcpcb::SACKED_ACKED;
  q.sacked_out = 1;
  EXPECT_EQ(q.in_flight(), 4u - 2u + 1u);
  q.pop_head();
  EXPECT_EQ(q.lost_out, 0u);
  EXPECT_EQ(q.retrans_out, 0u);
  EXPECT_EQ(q.sacked_out, 1u);
  q.pop_head();
  EXPECT_EQ(q.sacked_out, 0u);
  EXPECT_EQ(q.in_flight(), 2u);
}

// RACK walks records by last transmission: a resent record moves to the end; SACKed records
// and records lost but not yet resent drop out of the walk.
TEST(RtxQueue, SendTimeOrderFollowsRetransmissions) {
  RtxQueue q;
  for (uint32_t i = 0; i < 4; ++i) q.push(seg(i * 10, 10, static_cast<int>(i)));
  q.resent(q.first(), at(10ms));                     // record 0 sent again last
  q.at(q.first() + 1).sacked = tcpcb::SACKED_ACKED;  // record 1 SACKed
  q.at(q.first() + 2).sacked = tcpcb::LOST;          // record 2 lost, not resent
  std::vector<uint32_t> order;
  q.for_each_by_send_time([&](uint64_t pos, TxSegment&) {
    order.push_back(static_cast<uint32_t>(pos - q.first()));
    return true;
  });
  EXPECT_EQ(order, (std::vector<uint32_t>{3, 0}));
}

TEST(RtxQueue, EmptyHoldsNoMemory) {
  RtxQueue q;
  q.push(seg(0, 10, 0));
  q.pop_head();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.packets_out(), 0u);
  q.push(seg(10, 10, 0));  // reusable after draining
  EXPECT_EQ(q.find(SeqNum(15)), q.first());
}

}  // namespace
}  // namespace ustcp::tcp
