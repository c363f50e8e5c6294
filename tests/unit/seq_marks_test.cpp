// SeqMarks: marks added at the back, removed from the front by ACKs, looked up exactly;
// across the 2^32 wrap, and with the front compacted as it moves.
#include "ustcp/tcp/seq_marks.hpp"

#include <gtest/gtest.h>

namespace ustcp::tcp {
namespace {

TEST(SeqMarks, PushPopContains) {
  SeqMarks m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.pop_through(SeqNum(100)), 0u);
  for (uint32_t e : {100u, 200u, 200u, 300u, 400u}) m.push(SeqNum(e));  // 200 twice: one mark
  EXPECT_TRUE(m.contains(SeqNum(200)));
  EXPECT_FALSE(m.contains(SeqNum(250)));
  EXPECT_EQ(m.pop_through(SeqNum(99)), 0u);
  EXPECT_EQ(m.pop_through(SeqNum(250)), 2u);  // 100 and 200
  EXPECT_FALSE(m.contains(SeqNum(200)));
  EXPECT_TRUE(m.contains(SeqNum(300)));
  m.push(SeqNum(500));
  EXPECT_EQ(m.pop_through(SeqNum(400)), 2u);
  EXPECT_TRUE(m.contains(SeqNum(500)));
  EXPECT_EQ(m.pop_through(SeqNum(1000)), 1u);
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.contains(SeqNum(500)));
}

TEST(SeqMarks, AcrossTheWrapAndManyMarks) {
  SeqMarks m;
  const SeqNum start(0xFFFFF000u);
  for (uint32_t k = 1; k <= 10000; ++k) m.push(start + SeqLen(k * 10));
  size_t popped = 0;
  for (uint32_t k = 1; k <= 10000; k += 3) {
    popped += m.pop_through(start + SeqLen(k * 10));
    EXPECT_EQ(popped, k) << k;
    EXPECT_TRUE(m.contains(start + SeqLen((k + 1) * 10)) || k == 10000) << k;
    EXPECT_FALSE(m.contains(start + SeqLen(k * 10))) << k;
  }
  EXPECT_EQ(popped + m.pop_through(start + SeqLen(100000)), 10000u);
  EXPECT_TRUE(m.empty());
}

}  // namespace
}  // namespace ustcp::tcp
