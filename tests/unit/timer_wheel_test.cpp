// TimerWheel: exact firing ticks, never early, cancel and re-arm (also from inside the
// expire loop), far jumps, deadlines beyond the wheel's range, next_deadline() as a lower
// bound, and a randomized comparison against a std::multimap model.
#include "ustcp/base/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

namespace ustcp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr Duration kYear = hours(24 * 365);

// The tick a deadline rounds up to, as a TimePoint: when the timer must fire.
TimePoint rounded(TimePoint t) {
  return TimePoint(std::chrono::ceil<milliseconds>(t.time_since_epoch()));
}
int64_t ceil_ms(TimePoint t) {
  return std::chrono::ceil<milliseconds>(t.time_since_epoch()).count();
}
int64_t floor_ms(TimePoint t) {
  return std::chrono::floor<milliseconds>(t.time_since_epoch()).count();
}

// Drains one expire loop and returns the owners of the nodes it handed out.
std::vector<uint32_t> drain(TimerWheel& wheel, TimePoint now) {
  std::vector<uint32_t> out;
  while (TimerNode* n = wheel.expire(now)) {
    EXPECT_FALSE(n->linked());
    out.push_back(n->owner);
  }
  return out;
}

// Follows next_deadline() from jump to jump until `node` fires; returns when it did. Checks
// on the way that next_deadline() is never after `deadline` and that nothing fires early.
TimePoint fire_time_following_next_deadline(TimerWheel& wheel, const TimerNode& node,
                                            TimePoint deadline) {
  for (int step = 0; step < 1000; ++step) {
    std::optional<TimePoint> next = wheel.next_deadline();
    if (!next) {
      ADD_FAILURE() << "wheel empty before the node fired";
      return kNever;
    }
    EXPECT_LE(*next, rounded(deadline));
    TimerNode* fired = wheel.expire(*next);
    if (fired != nullptr) {
      EXPECT_EQ(fired, &node);
      EXPECT_GE(*next, deadline);
      return *next;
    }
  }
  ADD_FAILURE() << "node did not fire in 1000 steps";
  return kNever;
}

// --- Exact firing times --------------------------------------------------------------------

struct FiringCase {
  Duration deadline;
  Duration fires;
};

class TimerWheelFiring : public ::testing::TestWithParam<FiringCase> {};

TEST_P(TimerWheelFiring, FiresExactlyAtTheRoundedUpTickWhenJumpingThere) {
  const FiringCase c = GetParam();
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(c.deadline));
  EXPECT_TRUE(node.linked());
  EXPECT_EQ(wheel.size(), 1u);
  // One nanosecond before the boundary: nothing (and the wheel has really moved there).
  EXPECT_EQ(wheel.expire(at(c.fires - nanoseconds(1))), nullptr);
  EXPECT_TRUE(node.linked());
  EXPECT_EQ(wheel.expire(at(c.fires)), &node);
  EXPECT_FALSE(node.linked());
  EXPECT_EQ(wheel.expire(at(c.fires)), nullptr);
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_EQ(wheel.next_deadline(), std::nullopt);
}

TEST_P(TimerWheelFiring, FiresExactlyAtTheRoundedUpTickFollowingNextDeadline) {
  const FiringCase c = GetParam();
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(c.deadline));
  EXPECT_EQ(fire_time_following_next_deadline(wheel, node, at(c.deadline)), at(c.fires));
}

TEST_P(TimerWheelFiring, FiresExactlyAtTheRoundedUpTickWhenJumpingInPowersOfTwo) {
  // Expire at 1, 2, 4, 8, ... ms, then at the firing tick minus 1 ms, then at it: far jumps
  // that land in the middle of every level's slots before the deadline.
  const FiringCase c = GetParam();
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(c.deadline));
  for (Duration t = milliseconds(1); t < c.fires; t *= 2) {
    ASSERT_EQ(wheel.expire(at(t)), nullptr) << "early at " << to_seconds(t) << " s";
  }
  ASSERT_EQ(wheel.expire(at(c.fires - milliseconds(1))), nullptr);
  EXPECT_EQ(wheel.expire(at(c.fires)), &node);
}

INSTANTIATE_TEST_SUITE_P(
    Deadlines, TimerWheelFiring,
    ::testing::Values(FiringCase{milliseconds(1), milliseconds(1)},
                      FiringCase{std::chrono::microseconds(1500), milliseconds(2)},
                      FiringCase{nanoseconds(1), milliseconds(1)},
                      FiringCase{milliseconds(63), milliseconds(63)},
                      FiringCase{milliseconds(64), milliseconds(64)},
                      FiringCase{milliseconds(65), milliseconds(65)},
                      FiringCase{milliseconds(4095), milliseconds(4095)},
                      FiringCase{milliseconds(4096), milliseconds(4096)},
                      FiringCase{std::chrono::seconds(60), std::chrono::seconds(60)},
                      FiringCase{std::chrono::seconds(7200), std::chrono::seconds(7200)},
                      FiringCase{std::chrono::seconds(7200) + nanoseconds(1),
                                 std::chrono::seconds(7200) + milliseconds(1)},
                      FiringCase{milliseconds(int64_t{1} << 30), milliseconds(int64_t{1} << 30)},
                      FiringCase{2 * kYear, 2 * kYear},
                      FiringCase{milliseconds((int64_t{1} << 36) - 1),
                                 milliseconds((int64_t{1} << 36) - 1)},
                      // Beyond the wheel's range (2^36 ms): parked and re-filed.
                      FiringCase{milliseconds(int64_t{1} << 36), milliseconds(int64_t{1} << 36)},
                      FiringCase{3 * kYear + nanoseconds(500), 3 * kYear + milliseconds(1)},
                      FiringCase{20 * kYear + milliseconds(7), 20 * kYear + milliseconds(7)}));

TEST(TimerWheel, FiresAtTheRoundedTickWhenExpiredEveryTick) {
  // Random deadlines with sub-millisecond parts; expire() every millisecond: each timer
  // fires at exactly ceil(deadline), i.e. never early and never more than a tick late.
  std::mt19937_64 rng(1);
  TimerWheel wheel;
  constexpr int kTimers = 3000;
  constexpr int64_t kHorizonMs = 20'000;
  std::vector<TimerNode> nodes(kTimers);
  std::vector<TimePoint> deadlines(kTimers);
  for (int i = 0; i < kTimers; ++i) {
    deadlines[i] = TimePoint(nanoseconds(rng() % (kHorizonMs * 1'000'000)));
    nodes[i].owner = static_cast<uint32_t>(i);
    wheel.schedule(nodes[i], deadlines[i]);
  }
  int fired = 0;
  for (int64_t ms = 0; ms <= kHorizonMs; ++ms) {
    for (uint32_t id : drain(wheel, at(milliseconds(ms)))) {
      ASSERT_EQ(ceil_ms(deadlines[id]), ms) << "timer " << id;
      ++fired;
    }
  }
  EXPECT_EQ(fired, kTimers);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, StartsAtAnyTimeAndCrossesEpochs) {
  // Start the wheel just before boundaries of every level (including 2^36 ms, where the
  // top level wraps) and check timers shortly after and far after the boundary.
  for (int shift = 6; shift <= 42; shift += 6) {
    for (int64_t before_ms : {1, 2, 63, 64, 65}) {
      const int64_t boundary = int64_t{1} << shift;
      const TimePoint start = at(milliseconds(boundary - before_ms) + nanoseconds(123));
      for (Duration delay :
           {Duration(milliseconds(1)), Duration(milliseconds(before_ms)),
            Duration(milliseconds(before_ms + 1)), Duration(milliseconds(4097)), Duration(hours(1)),
            Duration(milliseconds((int64_t{1} << 36) - 2)), Duration(3 * kYear)}) {
        TimerWheel wheel(start);
        TimerNode node;
        const TimePoint deadline = start + delay;
        wheel.schedule(node, deadline);
        EXPECT_EQ(fire_time_following_next_deadline(wheel, node, deadline), rounded(deadline))
            << "shift " << shift << " before " << before_ms << " delay " << to_seconds(delay);
        // The same with a jump to just before the tick, then to the tick.
        TimerWheel wheel2(start);
        wheel2.schedule(node, deadline);
        EXPECT_EQ(wheel2.expire(rounded(deadline) - nanoseconds(1)), nullptr);
        EXPECT_EQ(wheel2.expire(rounded(deadline)), &node);
      }
    }
  }
}

TEST(TimerWheel, NegativeTimesWork) {
  TimerWheel wheel(at(-milliseconds(100) - nanoseconds(5)));
  TimerNode a, b;
  wheel.schedule(a, at(-milliseconds(50) - nanoseconds(1)));  // rounds up to -50 ms
  wheel.schedule(b, at(milliseconds(30)));
  // -101 ms and -50 ms lie in different 64-tick blocks: a lower bound, not exact.
  ASSERT_TRUE(wheel.next_deadline().has_value());
  EXPECT_LE(*wheel.next_deadline(), at(-milliseconds(50)));
  EXPECT_EQ(wheel.expire(at(-milliseconds(50) - nanoseconds(1))), nullptr);
  EXPECT_EQ(wheel.expire(at(-milliseconds(50))), &a);
  EXPECT_EQ(wheel.expire(at(milliseconds(29))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(30))), &b);
}

TEST(TimerWheel, KNeverDeadlineIsParkedAndNeverFires) {
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, kNever);
  EXPECT_EQ(wheel.expire(at(30 * kYear)), nullptr);
  EXPECT_TRUE(node.linked());
  std::optional<TimePoint> next = wheel.next_deadline();
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(*next, at(30 * kYear));
  wheel.cancel(node);
  EXPECT_EQ(wheel.size(), 0u);
}

// --- Due immediately ---------------------------------------------------------------------

TEST(TimerWheel, DeadlineNotAfterNowFiresOnNextExpire) {
  TimerWheel wheel(at(milliseconds(10) + std::chrono::microseconds(500)));
  TimerNode past, exact, later_same_tick, zero;
  wheel.schedule(past, at(milliseconds(3)));
  wheel.schedule(exact, at(milliseconds(10) + std::chrono::microseconds(500)));
  wheel.schedule(zero, TimePoint{});
  // After the wheel's time but in the same millisecond: rounds up to 11 ms.
  wheel.schedule(later_same_tick, at(milliseconds(10) + std::chrono::microseconds(700)));
  EXPECT_EQ(wheel.size(), 4u);
  // Due nodes make next_deadline() the wheel's own time.
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(10) + std::chrono::microseconds(500)));
  // Even an expire() at an earlier time (time never goes backwards) hands them out.
  std::vector<TimerNode*> got;
  while (TimerNode* n = wheel.expire(at(milliseconds(1)))) got.push_back(n);
  EXPECT_EQ(got, (std::vector<TimerNode*>{&past, &exact, &zero}));
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(11)));
  EXPECT_EQ(wheel.expire(at(milliseconds(10) + std::chrono::microseconds(999))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(11))), &later_same_tick);
}

TEST(TimerWheel, SizeCountsDueNodesNotYetHandedOut) {
  TimerWheel wheel;
  std::vector<TimerNode> nodes(5);
  for (size_t i = 0; i < nodes.size(); ++i) wheel.schedule(nodes[i], at(milliseconds(10 + i)));
  EXPECT_EQ(wheel.size(), 5u);
  TimerNode* first = wheel.expire(at(milliseconds(12)));  // 10, 11, 12 are due
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(wheel.size(), 4u);
  EXPECT_NE(wheel.expire(at(milliseconds(12))), nullptr);
  EXPECT_EQ(wheel.size(), 3u);
  EXPECT_NE(wheel.expire(at(milliseconds(12))), nullptr);
  EXPECT_EQ(wheel.size(), 2u);
  EXPECT_EQ(wheel.expire(at(milliseconds(12))), nullptr);
}

// --- Cancel ------------------------------------------------------------------------------

TEST(TimerWheel, CancelledTimerNeverFires) {
  TimerWheel wheel;
  TimerNode a, b, c;
  wheel.schedule(a, at(milliseconds(5)));
  wheel.schedule(b, at(milliseconds(5)));    // same slot as a
  wheel.schedule(c, at(milliseconds(500)));  // another level
  wheel.cancel(a);
  EXPECT_FALSE(a.linked());
  EXPECT_EQ(wheel.size(), 2u);
  wheel.cancel(a);  // unlinked: no-op
  EXPECT_EQ(wheel.size(), 2u);
  wheel.cancel(c);
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(5)));
  EXPECT_EQ(drain(wheel, at(hours(1))).size(), 1u);
  EXPECT_FALSE(b.linked());
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, CancelOfANeverScheduledNodeIsANoOp) {
  TimerWheel wheel;
  TimerNode a, never;
  wheel.schedule(a, at(milliseconds(5)));
  wheel.cancel(never);
  EXPECT_FALSE(never.linked());
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_EQ(wheel.expire(at(milliseconds(5))), &a);
}

TEST(TimerWheel, CancelEmptiesSlotSoNextDeadlineMovesOn) {
  TimerWheel wheel;
  TimerNode a, b;
  wheel.schedule(a, at(milliseconds(7)));
  wheel.schedule(b, at(milliseconds(9)));
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(7)));
  wheel.cancel(a);
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(9)));
  wheel.cancel(b);
  EXPECT_EQ(wheel.next_deadline(), std::nullopt);
}

TEST(TimerWheel, CancelOfADueNodeBeforeItIsHandedOut) {
  TimerWheel wheel;
  TimerNode a, b;
  a.owner = 1;
  b.owner = 2;
  wheel.schedule(a, at(milliseconds(5)));
  wheel.schedule(b, at(milliseconds(5)));
  TimerNode* first = wheel.expire(at(milliseconds(6)));
  ASSERT_NE(first, nullptr);
  TimerNode* other = first == &a ? &b : &a;
  EXPECT_TRUE(other->linked());
  wheel.cancel(*other);
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_EQ(wheel.expire(at(milliseconds(6))), nullptr);
}

// --- Re-arming ---------------------------------------------------------------------------

TEST(TimerWheel, RescheduleEarlier) {
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(std::chrono::seconds(100)));
  wheel.schedule(node, at(milliseconds(50)));
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(50)));
  EXPECT_EQ(wheel.expire(at(milliseconds(49))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(50))), &node);
  EXPECT_EQ(wheel.expire(at(std::chrono::seconds(200))), nullptr);
}

TEST(TimerWheel, RescheduleLater) {
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(milliseconds(50)));
  wheel.schedule(node, at(milliseconds(5000)));
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_EQ(wheel.expire(at(milliseconds(50))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(4999))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(5000))), &node);
}

TEST(TimerWheel, RescheduleWithinTheSameTick) {
  // Re-arming to a deadline that rounds to the same tick leaves the node where it is; it
  // still fires at that tick, once, and not before. Also after the wheel moved closer.
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(std::chrono::microseconds(5'000'300)));
  EXPECT_EQ(wheel.expire(at(milliseconds(4000))), nullptr);  // filed at a coarser level
  wheel.schedule(node, at(std::chrono::microseconds(5'000'900)));
  wheel.schedule(node, at(std::chrono::microseconds(5'000'001)));
  EXPECT_EQ(wheel.size(), 1u);
  ASSERT_TRUE(wheel.next_deadline().has_value());
  EXPECT_LE(*wheel.next_deadline(), at(milliseconds(5001)));  // a lower bound for far nodes
  EXPECT_EQ(wheel.expire(at(milliseconds(5000))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(5001))), &node);
  EXPECT_EQ(wheel.expire(at(milliseconds(9000))), nullptr);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, DueNodeMovedToALaterDeadlineInTheSameTickIsNotEarly) {
  // At 10.3 ms a node is armed for 10.2 ms: due at once. Moved to 10.8 ms (the same
  // rounded tick, 11 ms), it must wait for 11 ms instead of firing at the next expire().
  TimerWheel wheel;
  TimerNode node;
  EXPECT_EQ(wheel.expire(at(std::chrono::microseconds(10'300))), nullptr);
  wheel.schedule(node, at(std::chrono::microseconds(10'200)));
  wheel.schedule(node, at(std::chrono::microseconds(10'800)));
  EXPECT_EQ(wheel.expire(at(std::chrono::microseconds(10'400))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(11))), &node);
}

TEST(TimerWheel, RescheduleWhileAlreadyDue) {
  // A node that became due but was not handed out yet can still be moved.
  TimerWheel wheel;
  TimerNode a, b;
  wheel.schedule(a, at(milliseconds(5)));
  wheel.schedule(b, at(milliseconds(5)));
  TimerNode* first = wheel.expire(at(milliseconds(5)));
  TimerNode* other = first == &a ? &b : &a;
  wheel.schedule(*other, at(milliseconds(8)));
  EXPECT_EQ(wheel.expire(at(milliseconds(5))), nullptr);
  EXPECT_EQ(wheel.expire(at(milliseconds(8))), other);
}

TEST(TimerWheel, RescheduleInsideTheExpireLoopForLater) {
  // A periodic timer: re-armed from the loop for 10 ms after each firing.
  TimerWheel wheel;
  TimerNode periodic;
  wheel.schedule(periodic, at(milliseconds(10)));
  std::vector<int64_t> fired_at;
  for (int64_t ms = 0; ms <= 100; ++ms) {
    const TimePoint now = at(milliseconds(ms));
    while (TimerNode* n = wheel.expire(now)) {
      fired_at.push_back(ms);
      wheel.schedule(*n, now + milliseconds(10));
    }
  }
  EXPECT_EQ(fired_at, (std::vector<int64_t>{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
  EXPECT_EQ(wheel.size(), 1u);
}

TEST(TimerWheel, RescheduleInsideTheExpireLoopForNowFiresInTheSameLoop) {
  // Documented: a node re-armed from inside the loop for a time <= now goes straight to
  // the due list and is handed out again by the same loop.
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(milliseconds(3)));
  const TimePoint now = at(milliseconds(7));
  int handed_out = 0;
  while (TimerNode* n = wheel.expire(now)) {
    ++handed_out;
    if (handed_out == 1) wheel.schedule(*n, now);
    if (handed_out == 2) wheel.schedule(*n, at(milliseconds(1)));
    ASSERT_LT(handed_out, 10);
  }
  EXPECT_EQ(handed_out, 3);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, MovingAnotherDueNodeFromInsideTheLoop) {
  TimerWheel wheel;
  std::vector<TimerNode> nodes(4);
  for (size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].owner = static_cast<uint32_t>(i);
    wheel.schedule(nodes[i], at(milliseconds(5)));
  }
  std::vector<uint32_t> got;
  while (TimerNode* n = wheel.expire(at(milliseconds(5)))) {
    got.push_back(n->owner);
    // On the first one, cancel one other due node and push another one later.
    if (got.size() == 1) {
      wheel.cancel(nodes[(n->owner + 1) % 4]);
      wheel.schedule(nodes[(n->owner + 2) % 4], at(milliseconds(6)));
    }
  }
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(drain(wheel, at(milliseconds(6))).size(), 1u);
  EXPECT_EQ(wheel.size(), 0u);
}

// --- Many timers, far jumps ----------------------------------------------------------------

// A deadline after `base`: log-uniform in magnitude up to ~4.4 years (so every level,
// and beyond the range, is used), with a random sub-millisecond part.
TimePoint random_deadline(std::mt19937_64& rng, TimePoint base) {
  const int bits = static_cast<int>(rng() % 38);
  const int64_t ms = static_cast<int64_t>(rng() & ((uint64_t{1} << bits) - 1));
  return base + milliseconds(ms) + nanoseconds(rng() % 1'000'000);
}

TEST(TimerWheel, ManyRandomTimersFireExactlyOnceAtTheFirstExpireAfterTheirTick) {
  std::mt19937_64 rng(42);
  constexpr int kTimers = 200'000;
  TimerWheel wheel;
  std::vector<TimerNode> nodes(kTimers);
  std::vector<TimePoint> deadlines(kTimers);
  std::vector<int> fired(kTimers, 0);
  for (int i = 0; i < kTimers; ++i) {
    nodes[i].owner = static_cast<uint32_t>(i);
    deadlines[i] = random_deadline(rng, TimePoint{});
    wheel.schedule(nodes[i], deadlines[i]);
  }
  ASSERT_EQ(wheel.size(), static_cast<size_t>(kTimers));
  TimePoint prev_now{};
  TimePoint now{};
  int total = 0;
  int calls = 0;
  while (wheel.size() > 0) {
    // Jumps of random magnitude: sometimes a tick, sometimes days.
    const int bits = static_cast<int>(rng() % 36);
    now += milliseconds(static_cast<int64_t>(rng() & ((uint64_t{1} << bits) - 1))) +
           nanoseconds(rng() % 1'000'000);
    ++calls;
    for (uint32_t id : drain(wheel, now)) {
      ASSERT_EQ(fired[id], 0) << "timer " << id << " fired twice";
      fired[id] = 1;
      ++total;
      // Never early, and not due at the previous expire() (so not late either).
      ASSERT_LE(ceil_ms(deadlines[id]), floor_ms(now)) << "timer " << id << " early";
      ASSERT_GT(ceil_ms(deadlines[id]), floor_ms(prev_now)) << "timer " << id << " late";
    }
    prev_now = now;
    ASSERT_LT(calls, 1'000'000);
  }
  EXPECT_EQ(total, kTimers);
}

TEST(TimerWheel, FarJumpIsCheap) {
  // One timer an hour ahead and expire() every ~second of an hour: far fewer steps than
  // ticks. (A wheel that walks every tick would take 3.6 million steps per hour; this only
  // checks behaviour, speed is the timeout's business.)
  TimerWheel wheel;
  TimerNode node;
  wheel.schedule(node, at(hours(1) + nanoseconds(1)));
  EXPECT_EQ(wheel.expire(at(hours(1))), nullptr);
  EXPECT_EQ(wheel.next_deadline(), at(hours(1) + milliseconds(1)));
  EXPECT_EQ(wheel.expire(at(hours(1000))), &node);
  // An empty wheel jumping years at a time.
  for (int i = 1; i <= 200; ++i) EXPECT_EQ(wheel.expire(at(hours(1000) + i * kYear)), nullptr);
}

// --- next_deadline -------------------------------------------------------------------------

TEST(TimerWheel, NextDeadlineIsExactForNearTimersAndEmptyWhenEmpty) {
  TimerWheel wheel;
  EXPECT_EQ(wheel.next_deadline(), std::nullopt);
  TimerNode a, b;
  wheel.schedule(a, at(std::chrono::microseconds(40'200)));
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(41)));
  wheel.schedule(b, at(milliseconds(3)));
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(3)));
  EXPECT_EQ(wheel.expire(at(milliseconds(3))), &b);
  EXPECT_EQ(wheel.next_deadline(), at(milliseconds(41)));
}

TEST(TimerWheel, NextDeadlineIsNeverAfterTheEarliestDeadline) {
  // Randomized: schedules, cancels and expires; after each operation next_deadline() is
  // never after the earliest pending deadline (a due node counts as due at the wheel's
  // time), is exact when that deadline lies in the current 64-tick block (level 0), and
  // is nullopt exactly when nothing is pending.
  std::mt19937_64 rng(7);
  constexpr int kNodes = 300;
  TimerWheel wheel;
  std::vector<TimerNode> nodes(kNodes);
  std::vector<TimePoint> deadline(kNodes);
  TimePoint now{};
  for (int op = 0; op < 60'000; ++op) {
    const uint64_t r = rng() % 10;
    if (r < 5) {
      const int i = static_cast<int>(rng() % kNodes);
      deadline[i] = rng() % 8 == 0 ? now - milliseconds(rng() % 100) : random_deadline(rng, now);
      wheel.schedule(nodes[i], deadline[i]);
    } else if (r < 7) {
      wheel.cancel(nodes[rng() % kNodes]);
    } else {
      const int bits = static_cast<int>(rng() % 31);
      now += milliseconds(static_cast<int64_t>(rng() & ((uint64_t{1} << bits) - 1)));
      if (rng() % 2) now += nanoseconds(rng() % 1'000'000);
      int budget = static_cast<int>(rng() % 4);  // sometimes leave due nodes in the wheel
      while (budget-- > 0 && wheel.expire(now) != nullptr) {
      }
      if (budget == -1) (void)wheel.expire(now);  // advances even when handing out nothing
    }
    std::optional<TimePoint> earliest;
    for (int i = 0; i < kNodes; ++i) {
      if (!nodes[i].linked()) continue;
      const TimePoint effective = std::max(deadline[i], now);
      if (!earliest || effective < *earliest) earliest = effective;
    }
    std::optional<TimePoint> next = wheel.next_deadline();
    ASSERT_EQ(next.has_value(), earliest.has_value()) << "op " << op;
    if (!next) continue;
    // The wheel's resolution is the tick: "the earliest deadline" is the tick it rounds
    // up to. And next_deadline() is never in the past unless something is due now.
    ASSERT_LE(*next, rounded(*earliest)) << "op " << op;
    ASSERT_GE(*next, now) << "op " << op;
    if (*earliest > now && ceil_ms(*earliest) / 64 == floor_ms(now) / 64) {
      ASSERT_EQ(*next, rounded(*earliest)) << "op " << op;
    }
  }
}

// --- Model-based -------------------------------------------------------------------------

// The reference: a multimap from the tick at which a timer becomes due to its id. A timer
// scheduled for a time not after the wheel's time is due at once (key INT64_MIN).
class Model {
 public:
  void schedule(uint32_t id, TimePoint deadline, TimePoint now) {
    cancel(id);
    const int64_t key = deadline <= now ? INT64_MIN : ceil_ms(deadline);
    where_[id] = due_.emplace(key, id);
  }
  void cancel(uint32_t id) {
    auto it = where_.find(id);
    if (it == where_.end()) return;
    due_.erase(it->second);
    where_.erase(it);
  }
  // Every id due by `now`, removed, sorted.
  std::vector<uint32_t> expire(TimePoint now) {
    std::vector<uint32_t> out;
    const auto end = due_.upper_bound(floor_ms(now));
    for (auto it = due_.begin(); it != end; ++it) {
      out.push_back(it->second);
      where_.erase(it->second);
    }
    due_.erase(due_.begin(), end);
    std::sort(out.begin(), out.end());
    return out;
  }
  size_t size() const { return due_.size(); }
  bool contains(uint32_t id) const { return where_.contains(id); }

 private:
  std::multimap<int64_t, uint32_t> due_;
  std::map<uint32_t, std::multimap<int64_t, uint32_t>::iterator> where_;
};

TEST(TimerWheel, MatchesAMultimapModel) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    std::mt19937_64 rng(seed);
    constexpr uint32_t kNodes = 500;
    // Start somewhere odd so that slot boundaries do not line up with round numbers.
    TimePoint now = at(milliseconds(static_cast<int64_t>(rng() % (int64_t{1} << 40))) +
                       nanoseconds(rng() % 1'000'000));
    TimerWheel wheel(now);
    Model model;
    std::vector<TimerNode> nodes(kNodes);
    for (uint32_t i = 0; i < kNodes; ++i) nodes[i].owner = i;
    for (int op = 0; op < 40'000; ++op) {
      const uint64_t r = rng() % 20;
      const uint32_t id = static_cast<uint32_t>(rng() % kNodes);
      if (r < 10) {
        TimePoint deadline;
        switch (rng() % 4) {
          case 0:  // near: within a few ticks
            deadline = now + nanoseconds(rng() % 5'000'000);
            break;
          case 1:  // in the past
            deadline = now - nanoseconds(rng() % 5'000'000);
            break;
          default:
            deadline = random_deadline(rng, now);
        }
        wheel.schedule(nodes[id], deadline);
        model.schedule(id, deadline, now);
      } else if (r < 13) {
        wheel.cancel(nodes[id]);
        model.cancel(id);
      } else {
        switch (rng() % 3) {
          case 0:
            now += milliseconds(1);
            break;
          case 1:
            now += nanoseconds(rng() % 3'000'000);
            break;
          default: {
            // Mostly short jumps; now and then one of up to ~4 years.
            const int bits = static_cast<int>(rng() % 50 == 0 ? rng() % 38 : rng() % 20);
            now += milliseconds(static_cast<int64_t>(rng() & ((uint64_t{1} << bits) - 1)));
          }
        }
        std::vector<uint32_t> got = drain(wheel, now);
        std::sort(got.begin(), got.end());
        ASSERT_EQ(got, model.expire(now)) << "seed " << seed << " op " << op;
      }
      ASSERT_EQ(wheel.size(), model.size()) << "seed " << seed << " op " << op;
      for (uint32_t i = 0; i < 3; ++i) {
        const uint32_t probe = static_cast<uint32_t>(rng() % kNodes);
        ASSERT_EQ(nodes[probe].linked(), model.contains(probe)) << "op " << op;
      }
    }
  }
}

}  // namespace
}  // namespace ustcp
