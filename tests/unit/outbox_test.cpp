// Outbox: datagrams come out in the order they were built, each span intact, and a drained
// outbox starts again at the front of its buffer (no allocation once warm).
#include "ustcp/stack/outbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ustcp::stack {
namespace {

MutBytes put(Outbox& o, size_t n, int fill) {
  MutBytes b = o.reserve(n);
  std::fill(b.begin(), b.end(), std::byte(fill));
  return b;
}

void expect_datagram(Outbox& o, size_t n, int fill) {
  auto d = o.pop();
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->size(), n);
  EXPECT_TRUE(std::all_of(d->begin(), d->end(), [&](std::byte b) { return b == std::byte(fill); }));
}

TEST(Outbox, FirstInFirstOut) {
  Outbox o;
  EXPECT_TRUE(o.empty());
  EXPECT_FALSE(o.pop().has_value());
  put(o, 40, 1);
  put(o, 1500, 2);
  put(o, 52, 3);
  EXPECT_FALSE(o.empty());
  expect_datagram(o, 40, 1);
  expect_datagram(o, 1500, 2);
  // Built while others wait: still behind them.
  put(o, 60, 4);
  expect_datagram(o, 52, 3);
  expect_datagram(o, 60, 4);
  EXPECT_TRUE(o.empty());
  EXPECT_FALSE(o.pop().has_value());
}

TEST(Outbox, DrainedOutboxReusesItsBuffer) {
  Outbox o;
  std::byte* front = nullptr;
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 100; ++i) put(o, 1500, i);
    for (int i = 0; i < 100; ++i) expect_datagram(o, 1500, i);
    // Everything taken: the next datagram goes at the front again. (The first round grows
    // the buffer to its size; no round after it moves it.)
    std::byte* at = put(o, 100, 1).data();
    if (round == 0) front = at;
    EXPECT_EQ(at, front) << "round " << round;
    expect_datagram(o, 100, 1);
  }
}

TEST(Outbox, GrowingKeepsWaitingDatagrams) {
  Outbox o;
  for (int i = 0; i < 200; ++i) put(o, 65535, i);  // beyond the first buffer: it grows
  for (int i = 0; i < 200; ++i) expect_datagram(o, 65535, i);
}

}  // namespace
}  // namespace ustcp::stack
