// LinkModel: the fate of each datagram on one impaired link direction, shared by SimNetwork
// and `ustcp relay`. Timing of serialization and delay, the drop-tail queue, and the random
// stream: the n-th datagram's fate depends on the seed and n only.
#include "ustcp/link/link_model.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ustcp::link {
namespace {

TEST(LinkModelTest, SerializationQueueAndDelay) {
  // 1500 bytes at 100 Mbit/s: 120 us on the wire, then 20 ms of propagation.
  LinkModel link({.delay = 20ms, .bandwidth_bps = 100'000'000}, 1);
  EXPECT_EQ(link.enter(at(0ms), 1500).arrival, at(120us + 20ms));
  // Entered while the first is still being serialized: waits behind it.
  EXPECT_EQ(link.enter(at(10us), 1500).arrival, at(240us + 20ms));
  EXPECT_EQ(link.backlog_bytes(), 3000u);
  // The link idle again: no wait.
  EXPECT_EQ(link.enter(at(1ms), 1500).arrival, at(1ms + 120us + 20ms));
  EXPECT_EQ(link.backlog_bytes(), 1500u);
}

TEST(LinkModelTest, UnlimitedBandwidthIsDelayOnly) {
  LinkModel link({.delay = 5ms}, 1);
  for (int i = 0; i < 3; ++i) {
    const auto v = link.enter(at(1ms), 65535);
    EXPECT_FALSE(v.drop);
    EXPECT_EQ(v.arrival, at(6ms));
  }
  EXPECT_EQ(link.backlog_bytes(), 0u);
}

TEST(LinkModelTest, DropTailQueueTakesNoDraw) {
  // Queue of 3000 bytes: a burst of five 1500-byte datagrams keeps the first two, drops
  // three; the kept ones (and later ones) meet the same random fates as on a link without a
  // queue limit that saw only the kept datagrams.
  const LinkParams lossy{.delay = 1ms, .bandwidth_bps = 1'000'000, .loss = 0.5};
  LinkParams limited = lossy;
  limited.queue_limit_bytes = 3000;
  LinkModel with_queue(limited, 42), reference(lossy, 42);
  std::vector<bool> kept_lost, reference_lost;
  for (int round = 0; round < 20; ++round) {
    const TimePoint t = at(std::chrono::seconds(round));  // the queue has drained
    for (int i = 0; i < 5; ++i) {
      const auto v = with_queue.enter(t, 1500);
      if (v.drop == DropReason::QueueFull) {
        EXPECT_GE(i, 2) << "round " << round;
        continue;
      }
      EXPECT_LT(i, 2) << "round " << round;
      kept_lost.push_back(v.drop == DropReason::Loss);
      reference_lost.push_back(reference.enter(t, 1500).drop == DropReason::Loss);
    }
  }
  EXPECT_EQ(kept_lost.size(), 40u);
  EXPECT_EQ(kept_lost, reference_lost);
}

TEST(LinkModelTest, EachImpairmentHitsTheSameDatagramsWhateverElseIsOn) {
  LinkModel loss_only({.loss = 0.2}, 7), all({.loss = 0.2, .reorder = 0.3, .duplicate = 0.1}, 7);
  LinkModel dup_only({.duplicate = 0.1}, 7);
  int lost = 0, duplicated = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto a = loss_only.enter(at(0ms), 100);
    const auto b = all.enter(at(0ms), 100);
    const auto c = dup_only.enter(at(0ms), 100);
    ASSERT_EQ(a.drop.has_value(), b.drop.has_value()) << "datagram " << i;
    // A lost datagram is not duplicated; otherwise the duplicate draw decides alike.
    if (!b.drop) {
      ASSERT_EQ(b.duplicated, c.duplicated) << "datagram " << i;
    }
    lost += a.drop.has_value();
    duplicated += c.duplicated;
  }
  EXPECT_GT(lost, 150);
  EXPECT_LT(lost, 250);
  EXPECT_GT(duplicated, 60);
  EXPECT_LT(duplicated, 140);
}

TEST(LinkModelTest, ReorderAndCorruptVerdicts) {
  LinkModel link({.delay = 10ms, .reorder = 1.0, .corrupt = 1.0}, 3);
  const auto v = link.enter(at(0ms), 40);
  EXPECT_FALSE(v.drop);
  EXPECT_TRUE(v.reordered);
  EXPECT_EQ(v.arrival, at(10ms + 21ms));  // default reorder delay: 2 * delay + 1 ms
  ASSERT_TRUE(v.corrupt_bit);
  EXPECT_LT(*v.corrupt_bit, 40u * 8);
  std::vector<std::byte> d(40);
  LinkModel::flip_bit(d, *v.corrupt_bit);
  EXPECT_EQ(d[*v.corrupt_bit / 8], std::byte(1u << (*v.corrupt_bit % 8)));
}

TEST(LinkModelTest, SeedPerLinkDependsOnSeedAndAddress) {
  EXPECT_NE(link_seed(1, Ipv4Addr(10, 0, 0, 1)), link_seed(1, Ipv4Addr(10, 0, 0, 2)));
  EXPECT_NE(link_seed(1, Ipv4Addr(10, 0, 0, 1)), link_seed(2, Ipv4Addr(10, 0, 0, 1)));
  EXPECT_EQ(link_seed(1, Ipv4Addr(10, 0, 0, 1)), mix64(1 ^ mix64(Ipv4Addr(10, 0, 0, 1).raw())));
}

}  // namespace
}  // namespace ustcp::link
