// TimeWaitTable: records kept in deadline order with one timer for the table (the oldest
// record's deadline), restarts moving a record to the back, removal anywhere, and a clock
// that goes back still giving a sorted list.
#include "ustcp/stack/time_wait_table.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ustcp::stack {
namespace {

using namespace std::chrono_literals;

TimePoint at(Duration d) { return TimePoint{} + d; }

tcp::TimeWaitRecord record(uint16_t port) {
  tcp::TimeWaitRecord r;
  r.tuple.local.port = port;
  return r;
}

std::vector<uint16_t> ports_in_order(const TimeWaitTable& t) {
  std::vector<uint16_t> out;
  t.for_each([&](const tcp::TimeWaitRecord& r) { out.push_back(r.tuple.local.port); });
  return out;
}

// Expires everything due by `now`, oldest first, as the Stack's timer does.
std::vector<uint16_t> expire(TimeWaitTable& t, TimePoint now) {
  std::vector<uint16_t> out;
  for (uint32_t i; (i = t.expired(now)) != TimeWaitTable::kNone;) {
    out.push_back(t[i].tuple.local.port);
    t.remove(i);
  }
  return out;
}

TEST(TimeWaitTable, EmptyHasNoDeadline) {
  TimeWaitTable t;
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.next_deadline().has_value());
  EXPECT_EQ(t.expired(at(1000s)), TimeWaitTable::kNone);
}

TEST(TimeWaitTable, ExpiresInDeadlineOrder) {
  TimeWaitTable t;
  t.add(record(1), at(60s));
  t.add(record(2), at(61s));
  t.add(record(3), at(61s));
  t.add(record(4), at(62s));
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t.next_deadline(), at(60s));
  EXPECT_EQ(expire(t, at(59s)), std::vector<uint16_t>{});
  EXPECT_EQ(expire(t, at(61s)), (std::vector<uint16_t>{1, 2, 3}));
  EXPECT_EQ(t.next_deadline(), at(62s));
  EXPECT_EQ(expire(t, at(100s)), std::vector<uint16_t>{4});
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.next_deadline().has_value());
}

TEST(TimeWaitTable, RestartMovesTheRecordBehindTheOthers) {
  TimeWaitTable t;
  const uint32_t a = t.add(record(1), at(60s));
  t.add(record(2), at(70s));
  t.restart(a, at(90s));  // an in-window ACK at 30 s: 60 s from then
  EXPECT_EQ(ports_in_order(t), (std::vector<uint16_t>{2, 1}));
  EXPECT_EQ(t.next_deadline(), at(70s));
  EXPECT_EQ(expire(t, at(80s)), std::vector<uint16_t>{2});
  EXPECT_EQ(expire(t, at(90s)), std::vector<uint16_t>{1});
}

TEST(TimeWaitTable, RemoveAnywhereKeepsTheRestInOrder) {
  TimeWaitTable t;
  std::vector<uint32_t> idx;
  for (uint16_t p = 1; p <= 5; ++p) idx.push_back(t.add(record(p), at(std::chrono::seconds(p))));
  t.remove(idx[2]);  // middle
  t.remove(idx[0]);  // oldest
  t.remove(idx[4]);  // newest
  EXPECT_EQ(ports_in_order(t), (std::vector<uint16_t>{2, 4}));
  EXPECT_EQ(t.next_deadline(), at(2s));
  // Freed indices are reused; the new record still goes where its deadline says.
  t.add(record(6), at(3s));
  EXPECT_EQ(ports_in_order(t), (std::vector<uint16_t>{2, 6, 4}));
  EXPECT_EQ(expire(t, at(10s)), (std::vector<uint16_t>{2, 6, 4}));
}

TEST(TimeWaitTable, EarlierDeadlineStillSorted) {
  // Only a clock that went back gives a deadline earlier than the newest one's.
  TimeWaitTable t;
  t.add(record(1), at(60s));
  t.add(record(2), at(65s));
  t.add(record(3), at(50s));
  t.add(record(4), at(62s));
  EXPECT_EQ(ports_in_order(t), (std::vector<uint16_t>{3, 1, 4, 2}));
  EXPECT_EQ(t.next_deadline(), at(50s));
  EXPECT_EQ(expire(t, at(100s)), (std::vector<uint16_t>{3, 1, 4, 2}));
}

TEST(TimeWaitTable, RecordsKeepTheirContents) {
  TimeWaitTable t;
  tcp::TimeWaitRecord r = record(80);
  r.snd_nxt = SeqNum(1234);
  r.ts_ok = true;
  const uint32_t i = t.add(r, at(60s));
  t[i].rcv_nxt = SeqNum(99);
  t.restart(i, at(61s));
  EXPECT_EQ(t[i].snd_nxt, SeqNum(1234));
  EXPECT_EQ(t[i].rcv_nxt, SeqNum(99));
  EXPECT_TRUE(t[i].ts_ok);
}

}  // namespace
}  // namespace ustcp::stack
