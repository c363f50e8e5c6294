// MsStamp and jiffies32 (ustcp/base/jiffies.hpp): Linux's 32-bit millisecond stamps. They
// start 300 s before the wrap, compare across it, read back to the millisecond, and
// keep what a TimePoint would within the 49.7 days a 32-bit stamp can hold.
#include "ustcp/base/jiffies.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace ustcp {
namespace {

using std::chrono::milliseconds;

TEST(Jiffies, StartAtInitialJiffiesAndCountWholeMilliseconds) {
  EXPECT_EQ(jiffies32(TimePoint{}), kInitialJiffies);
  EXPECT_EQ(kInitialJiffies, uint32_t{0xfffb6c20});  // -300,000: Linux's INITIAL_JIFFIES
  EXPECT_EQ(jiffies32(at(999us)), kInitialJiffies);  // rounded down
  EXPECT_EQ(jiffies32(at(1ms)), kInitialJiffies + 1);
  EXPECT_EQ(jiffies32(at(1999us)), kInitialJiffies + 1);
  // They wrap 300 s in.
  EXPECT_EQ(jiffies32(at(300s) - 1ms), 0xffffffffu);
  EXPECT_EQ(jiffies32(at(300s)), 0u);
}

TEST(MsStamp, DefaultIsTheEpoch) {
  EXPECT_EQ(MsStamp{}, MsStamp(TimePoint{}));
  EXPECT_EQ(MsStamp{}, MsStamp(at(999us)));  // the same millisecond
  EXPECT_FALSE(MsStamp{} == MsStamp(at(1ms)));
  EXPECT_EQ(MsStamp{}.ms(), 0u);
  EXPECT_EQ(MsStamp{}.elapsed(at(5s)), 5s);
}

TEST(MsStamp, ElapsedCountsWholeJiffiesAsLinux) {
  // tcp_jiffies32 - stamp: the millisecond boundaries crossed, not the time rounded.
  const MsStamp s(at(10'300us));
  EXPECT_EQ(s.elapsed(at(10'300us)), 0ms);
  EXPECT_EQ(s.elapsed(at(10'999us)), 0ms);
  EXPECT_EQ(s.elapsed(at(11ms)), 1ms);
  EXPECT_EQ(s.elapsed(at(20'100us)), 10ms);  // 9.8 ms of time, 10 jiffies
  EXPECT_EQ(s.elapsed(at(7200s + 10'300us)), 7200s);
}

TEST(MsStamp, ReadsBackTheMillisecondItWasTakenIn) {
  const TimePoint t = at(123'456'789ns);
  const MsStamp s(t);
  EXPECT_EQ(s.time(t), at(123ms));
  EXPECT_EQ(s.time(at(3600s + 7'654'321ns)), at(123ms));
  EXPECT_EQ(MsStamp(s.time(at(3600s))), s);
  EXPECT_EQ(s.ms(), 123u);
}

TEST(MsStamp, AcrossTheWrap) {
  // Taken 1 ms before jiffies wrap, read 5 ms after.
  const TimePoint t = at(300s - 1ms);
  const MsStamp s(t);
  EXPECT_EQ(s.jiffies(), 0xffffffffu);
  const TimePoint now = at(300s + 5ms);
  EXPECT_EQ(s.elapsed(now), 6ms);
  EXPECT_EQ(s.time(now), t);
  EXPECT_TRUE(MsStamp(now).after(s));
  EXPECT_TRUE(s.before(MsStamp(now)));
  EXPECT_FALSE(s.after(MsStamp(now)));
  EXPECT_FALSE(s.after(s));
  EXPECT_FALSE(s.before(s));
}

TEST(MsStamp, RoundTripsForStampsUpTo49DaysOld) {
  // Any stamp younger than 2^32 ms reads back exactly, wherever the clocks stand.
  const Duration last = milliseconds(uint64_t{0xffffffff});
  for (const Duration taken :
       {Duration{0}, Duration{299'999ms}, Duration{300s}, Duration{86400s}}) {
    const TimePoint t = at(taken);
    const MsStamp s(t);
    for (const Duration age : {Duration{0}, Duration{1ms}, Duration{24h * 24}, last}) {
      EXPECT_EQ(s.elapsed(t + age), age) << to_seconds(taken) << " + " << to_seconds(age);
      EXPECT_EQ(s.time(t + age), t);
    }
    // One millisecond more and it aliases, as Linux's jiffies do.
    EXPECT_EQ(s.elapsed(t + last + 1ms), 0ms);
  }
}

TEST(MsStamp, OrderHoldsWithinHalfTheRange) {
  const MsStamp a(at(100s));
  const MsStamp b(at(100s) + milliseconds(int64_t{INT32_MAX}));
  EXPECT_TRUE(b.after(a));
  EXPECT_TRUE(a.before(b));
  // 2^31 ms apart: time_after32 turns around.
  const MsStamp c(at(100s) + milliseconds(int64_t{INT32_MAX} + 1));
  EXPECT_FALSE(c.after(a));
}

}  // namespace
}  // namespace ustcp
