// ByteRing: the byte store under both send and receive queues (ARCHITECTURE.md, memory
// shape): allocates on first use, grows geometrically up to its limit, wraps, stages bytes
// past the readable end (write_beyond + commit, for out-of-order data) and gives its memory
// back when drained.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ustcp/tcp/byte_ring.hpp"

namespace ustcp::tcp {
namespace {

std::vector<std::byte> bytes(uint32_t first, uint32_t n) {
  std::vector<std::byte> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = std::byte((first + i) & 0xff);
  return v;
}

void expect_contents(const ByteRing& r, uint32_t first) {
  std::vector<std::byte> out(r.size());
  ASSERT_EQ(r.copy_out(0, out), r.size());
  for (uint32_t i = 0; i < r.size(); ++i) {
    ASSERT_EQ(out[i], std::byte((first + i) & 0xff)) << "byte " << i;
  }
}

TEST(TcpByteRing, AllocatesLazilyAndRespectsLimit) {
  ByteRing r(5000);
  EXPECT_EQ(r.allocated(), 0u);
  EXPECT_EQ(r.free_space(), 5000u);
  EXPECT_EQ(r.append(bytes(0, 100)), 100u);
  EXPECT_GE(r.allocated(), 100u);
  EXPECT_EQ(r.append(bytes(100, 6000)), 4900u);  // only what fits under the limit
  EXPECT_EQ(r.size(), 5000u);
  EXPECT_EQ(r.free_space(), 0u);
  EXPECT_EQ(r.append(bytes(0, 1)), 0u);
  expect_contents(r, 0);
}

TEST(TcpByteRing, GrowsGeometricallyKeepingContents) {
  ByteRing r(1 << 20);
  uint32_t total = 0;
  size_t last_cap = 0;
  while (total < 100000) {
    total += r.append(bytes(total, 1000));
    EXPECT_GE(r.allocated(), last_cap);
    last_cap = r.allocated();
  }
  EXPECT_EQ(r.size(), 100000u);
  // Capacity is a power-of-two multiple of 2048, at most twice what is needed.
  EXPECT_EQ(r.allocated() % 2048, 0u);
  EXPECT_LT(r.allocated(), 2u * 100000u);
  expect_contents(r, 0);
}

TEST(TcpByteRing, WrapsAroundAndViewSplits) {
  ByteRing r(2048);
  ASSERT_EQ(r.append(bytes(0, 2000)), 2000u);
  const size_t cap = r.allocated();
  r.consume(1500);
  ASSERT_EQ(r.append(bytes(2000, 1000)), 1000u);  // wraps past the end of the buffer
  EXPECT_EQ(r.allocated(), cap);                  // no growth needed
  EXPECT_EQ(r.size(), 1500u);
  expect_contents(r, 1500);
  auto [a, b] = r.view(0, 1500);
  EXPECT_EQ(a.size() + b.size(), 1500u);
  EXPECT_FALSE(b.empty());  // the view is in two pieces
  EXPECT_EQ(a[0], std::byte(1500 & 0xff));
  EXPECT_EQ(b[0], std::byte((1500 + a.size()) & 0xff));
  // An offset view inside the wrapped region.
  std::vector<std::byte> out(10);
  EXPECT_EQ(r.copy_out(1490, out), 10u);
  EXPECT_EQ(out[0], std::byte((1500 + 1490) & 0xff));
  EXPECT_EQ(r.copy_out(1500, out), 0u);
}

TEST(TcpByteRing, GrowWhileWrappedLinearises) {
  ByteRing r(1 << 16);
  r.append(bytes(0, 2000));
  r.consume(1900);
  r.append(bytes(2000, 1000));  // wrapped in a 2048-byte buffer
  r.append(bytes(3000, 5000));  // must grow: contents stay in order
  EXPECT_EQ(r.size(), 6100u);
  expect_contents(r, 1900);
}

// The receive queue stages out-of-order bytes beyond the readable end; commit makes them
// readable in place.
TEST(TcpByteRing, WriteBeyondThenCommit) {
  ByteRing r(10000);
  r.append(bytes(0, 100));
  r.write_beyond(200, bytes(300, 100));  // bytes 300..399, a hole at 100..299
  EXPECT_EQ(r.size(), 100u);
  r.write_beyond(0, bytes(100, 200));  // fills the hole
  r.commit(300);
  EXPECT_EQ(r.size(), 400u);
  expect_contents(r, 0);
}

TEST(TcpByteRing, WriteBeyondGrowsAndSurvivesWrap) {
  ByteRing r(100000);
  r.append(bytes(0, 2000));
  r.consume(1800);                         // head near the end of a 2048 buffer
  r.write_beyond(5000, bytes(7000, 500));  // needs growth; staged bytes kept
  r.write_beyond(0, bytes(2000, 5000));
  r.commit(5500);
  EXPECT_EQ(r.size(), 5700u);
  expect_contents(r, 1800);
}

TEST(TcpByteRing, ReleaseWhenEmpty) {
  ByteRing r(10000);
  r.append(bytes(0, 3000));
  EXPECT_GT(r.allocated(), 0u);
  r.consume(1000);
  r.release_if_empty(true);  // not empty: kept
  EXPECT_GT(r.allocated(), 0u);
  r.consume(2000);
  r.release_if_empty(false);  // something staged beyond the end: kept
  EXPECT_GT(r.allocated(), 0u);
  r.release_if_empty(true);
  EXPECT_EQ(r.allocated(), 0u);
  EXPECT_EQ(r.size(), 0u);
  // And usable again afterwards.
  EXPECT_EQ(r.append(bytes(42, 10)), 10u);
  expect_contents(r, 42);
}

TEST(TcpByteRing, LimitChangesAtRuntime) {
  ByteRing r(100);
  r.append(bytes(0, 100));
  EXPECT_EQ(r.free_space(), 0u);
  r.set_limit(50);  // below what is held: no space, contents kept
  EXPECT_EQ(r.free_space(), 0u);
  EXPECT_EQ(r.size(), 100u);
  r.set_limit(300);
  EXPECT_EQ(r.free_space(), 200u);
  EXPECT_EQ(r.append(bytes(100, 500)), 200u);
  expect_contents(r, 0);
}

}  // namespace
}  // namespace ustcp::tcp
