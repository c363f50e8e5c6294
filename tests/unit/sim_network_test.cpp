// SimNetwork: timing in virtual time, impairment rates, determinism, timers and the
// predicate loop, driven through fake Nodes. Also the Rng it is built on.
#include "ustcp/link/sim_network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "ustcp/link/rng.hpp"

namespace ustcp::link {
namespace {

using Datagram = std::vector<std::byte>;

const Ipv4Addr kA(10, 0, 0, 1);
const Ipv4Addr kB(10, 0, 0, 2);
const Ipv4Addr kC(10, 0, 0, 3);
const Ipv4Addr kD(10, 0, 0, 4);
const Ipv4Addr kNowhere(10, 9, 9, 9);

// ---- hand-built IPv4/TCP datagrams with correct checksums --------------------------------

uint32_t sum16(uint32_t sum, const std::byte* p, size_t n) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += load_be16(p + i);
  if (n % 2 == 1) sum += std::to_integer<uint32_t>(p[n - 1]) << 8;
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint32_t pseudo_sum(Bytes d) {
  // Source and destination addresses (bytes 12..19), protocol, TCP length.
  return sum16(0, d.data() + 12, 8) + 6 + static_cast<uint32_t>(d.size() - 20);
}

// A 20-byte IPv4 header and a 20-byte TCP header (ACK) whose sequence number is `serial`,
// then `size - 40` payload bytes.
Datagram packet(Ipv4Addr src, Ipv4Addr dst, uint32_t serial, size_t size = 60) {
  Datagram d(std::max<size_t>(size, 40));
  std::byte* p = d.data();
  p[0] = std::byte{0x45};
  store_be16(p + 2, static_cast<uint16_t>(d.size()));
  store_be16(p + 4, static_cast<uint16_t>(serial));
  store_be16(p + 6, 0x4000);  // DF
  p[8] = std::byte{64};
  p[9] = std::byte{6};
  store_be32(p + 12, src.raw());
  store_be32(p + 16, dst.raw());
  store_be16(p + 10, fold(sum16(0, p, 20)));
  std::byte* t = p + 20;
  store_be16(t, 40000);
  store_be16(t + 2, 80);
  store_be32(t + 4, serial);
  store_be32(t + 8, 1);
  t[12] = std::byte{0x50};
  t[13] = std::byte{0x10};
  store_be16(t + 14, 65535);
  for (size_t i = 40; i < d.size(); ++i) d[i] = std::byte((i * 7 + serial) & 0xff);
  store_be16(t + 16, fold(sum16(pseudo_sum(d), t, d.size() - 20)));
  return d;
}

bool checksums_ok(Bytes d) {
  if (d.size() < 40) return false;
  return fold(sum16(0, d.data(), 20)) == 0 &&
         fold(sum16(pseudo_sum(d), d.data() + 20, d.size() - 20)) == 0;
}

uint32_t serial_of(Bytes d) { return load_be32(d.data() + 24); }

// ---- fake nodes -------------------------------------------------------------------------

// Sends what the test queues, records what it receives, fires scripted timers.
class FakeNode : public Node {
 public:
  struct Rx {
    TimePoint at;
    Datagram data;
  };

  void send(Datagram d) { outbox_.push_back(std::move(d)); }
  void arm(TimePoint t) { timers_.insert(t); }

  void receive(TimePoint now, Bytes datagram) override {
    received.push_back(Rx{now, Datagram(datagram.begin(), datagram.end())});
    if (on_receive) on_receive(*this, now, datagram);
  }
  std::optional<Bytes> poll_transmit(TimePoint now) override {
    if (outbox_.empty()) return std::nullopt;
    current_ = std::move(outbox_.front());
    outbox_.pop_front();
    polled_at.push_back(now);
    return Bytes(current_);
  }
  std::optional<TimePoint> next_deadline() const override {
    if (timers_.empty()) return std::nullopt;
    return *timers_.begin();
  }
  void on_timer(TimePoint now) override {
    fired.push_back(now);
    timers_.erase(timers_.begin(), timers_.upper_bound(now));
    if (on_fire) on_fire(*this, now);
  }

  std::vector<Rx> received;
  std::vector<TimePoint> fired;
  std::vector<TimePoint> polled_at;
  std::function<void(FakeNode&, TimePoint, Bytes)> on_receive;
  std::function<void(FakeNode&, TimePoint)> on_fire;

 private:
  std::deque<Datagram> outbox_;
  std::multiset<TimePoint> timers_;
  Datagram current_;
};

// A buggy node whose deadline never moves, however often its timer fires.
class StuckNode : public Node {
 public:
  explicit StuckNode(TimePoint deadline) : deadline_(deadline) {}
  void receive(TimePoint, Bytes) override {}
  std::optional<Bytes> poll_transmit(TimePoint) override { return std::nullopt; }
  std::optional<TimePoint> next_deadline() const override { return deadline_; }
  void on_timer(TimePoint now) override { fired.push_back(now); }
  std::vector<TimePoint> fired;

 private:
  TimePoint deadline_;
};

// Replies to every datagram with the same bytes, source and destination swapped (both
// checksums stay valid: the sums are over the same words).
void echo(FakeNode& node, TimePoint, Bytes datagram) {
  Datagram reply(datagram.begin(), datagram.end());
  std::swap_ranges(reply.begin() + 12, reply.begin() + 16, reply.begin() + 16);
  node.send(std::move(reply));
}

std::vector<uint32_t> serials(const FakeNode& node) {
  std::vector<uint32_t> out;
  for (const auto& rx : node.received) out.push_back(serial_of(rx.data));
  return out;
}

// ---- Rng --------------------------------------------------------------------------------

TEST(RngTest, SplitMix64ReferenceValues) {
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(state), 0x06c45d188009454fULL);
}

TEST(RngTest, Xoshiro256StarStarSeededBySplitMix) {
  Rng rng(0);
  EXPECT_EQ(rng.next_u64(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(rng.next_u64(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(rng.next_u64(), 0x1a5f849d4933e6e0ULL);
}

TEST(RngTest, UniformIsTop53BitsTimesTwoToMinus53) {
  Rng a(7);
  Rng b(7);
  double total = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double u = a.uniform();
    ASSERT_EQ(u, static_cast<double>(b.next_u64() >> 11) / 9007199254740992.0);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    total += u;
  }
  EXPECT_NEAR(total / 100'000, 0.5, 0.01);
}

TEST(RngTest, BoundedIntsStayInRangeAndCoverIt) {
  Rng rng(42);
  std::map<int64_t, int> counts;
  for (int i = 0; i < 70'000; ++i) {
    const int64_t v = rng.between(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    ++counts[v];
  }
  ASSERT_EQ(counts.size(), 7u);
  for (const auto& [value, n] : counts) EXPECT_NEAR(n, 10'000, 600) << value;
  for (int i = 0; i < 1000; ++i) ASSERT_LT(rng.below(3), 3u);
  EXPECT_EQ(rng.below(0), 0u);
  EXPECT_EQ(rng.between(5, 5), 5);
}

TEST(RngTest, SeedDeterminesTheSequence) {
  Rng a(1), b(1), c(2);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    ASSERT_EQ(x, b.next_u64());
    differs |= x != c.next_u64();
  }
  EXPECT_TRUE(differs);
}

// ---- timing -----------------------------------------------------------------------------

TEST(SimNetworkTest, DeliversAfterPropagationDelay) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.delay = 10ms});
  net.attach(b, kB, {.delay = 3ms});
  a.send(packet(kA, kB, 1));
  b.on_receive = echo;
  EXPECT_TRUE(net.run_until(at(1s)));
  EXPECT_EQ(net.now(), at(1s));
  ASSERT_EQ(b.received.size(), 1u);
  EXPECT_EQ(b.received[0].at, at(10ms));
  EXPECT_EQ(b.received[0].data, packet(kA, kB, 1));
  ASSERT_EQ(a.received.size(), 1u);
  EXPECT_EQ(a.received[0].at, at(13ms));  // the reply was polled at 10 ms, then 3 ms on B's link
  EXPECT_EQ(b.polled_at, std::vector<TimePoint>{at(10ms)});
  EXPECT_EQ(net.stats().sent, 2u);
  EXPECT_EQ(net.stats().delivered, 2u);
  EXPECT_TRUE(net.idle());
}

TEST(SimNetworkTest, BandwidthSerializesFifoThenDelays) {
  SimNetwork net(1);
  FakeNode a, b;
  // 1000 bytes at 8 Mbit/s: exactly 1 ms each on the wire.
  net.attach(a, kA, {.delay = 5ms, .bandwidth_bps = 8'000'000});
  net.attach(b, kB);
  for (uint32_t i = 0; i < 3; ++i) a.send(packet(kA, kB, i, 1000));
  net.run_until(at(2500us));
  a.send(packet(kA, kB, 3, 1000));  // link busy until 3 ms: queued behind
  net.run_until(at(20ms));
  a.send(packet(kA, kB, 4, 500));  // link idle again: 0.5 ms from now
  net.run_until(at(40ms));
  std::vector<TimePoint> times;
  for (const auto& rx : b.received) times.push_back(rx.at);
  EXPECT_EQ(times, (std::vector<TimePoint>{at(6ms), at(7ms), at(8ms), at(9ms), at(25500us)}));
  EXPECT_EQ(serials(b), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
}

TEST(SimNetworkTest, SerializationTimeRoundsUpToTheNanosecond) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.bandwidth_bps = 3});  // 480 bits at 3 bit/s: 160 s exactly
  net.attach(b, kB, {.bandwidth_bps = 7});  // 480 bits at 7 bit/s: 68.571428571428... s
  a.send(packet(kA, kB, 1));
  b.send(packet(kB, kA, 2));
  net.run_until(at(200s));
  ASSERT_EQ(b.received.size(), 1u);
  EXPECT_EQ(b.received[0].at, at(160s));
  ASSERT_EQ(a.received.size(), 1u);
  EXPECT_EQ(a.received[0].at, at(68'571'428'572ns));
}

TEST(SimNetworkTest, QueueLimitDropsTail) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.bandwidth_bps = 8'000'000, .queue_limit_bytes = 3000});
  net.attach(b, kB);
  std::vector<std::pair<uint32_t, TimePoint>> dropped;
  net.on_drop([&](TimePoint t, Bytes d, DropReason reason) {
    EXPECT_EQ(reason, DropReason::QueueFull);
    dropped.emplace_back(serial_of(d), t);
  });
  for (uint32_t i = 0; i < 10; ++i) a.send(packet(kA, kB, i, 1000));
  net.run_until(at(1500us));
  // 1.5 ms later one datagram has left and one is half sent: 2000 bytes queued.
  a.send(packet(kA, kB, 10, 1000));
  a.send(packet(kA, kB, 11, 1000));
  net.run_until(at(1s));
  EXPECT_EQ(serials(b), (std::vector<uint32_t>{0, 1, 2, 10}));
  EXPECT_EQ(b.received.back().at, at(4ms));
  std::vector<std::pair<uint32_t, TimePoint>> want;
  for (uint32_t i = 3; i < 10; ++i) want.emplace_back(i, at(0ms));
  want.emplace_back(11, at(1500us));
  EXPECT_EQ(dropped, want);
  EXPECT_EQ(net.stats().queue_dropped, 8u);
  EXPECT_EQ(net.stats().sent, 12u);
}

TEST(SimNetworkTest, UnknownDestinationAndRuntsAreUnroutable) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA);
  net.attach(b, kB);
  std::vector<DropReason> reasons;
  net.on_drop([&](TimePoint, Bytes, DropReason r) { reasons.push_back(r); });
  a.send(packet(kA, kNowhere, 1));
  a.send(Datagram(19, std::byte{0x45}));
  a.send(packet(kA, kB, 2));
  net.run_until(at(1s));
  EXPECT_EQ(serials(b), std::vector<uint32_t>{2});
  EXPECT_EQ(net.stats().unroutable, 2u);
  EXPECT_EQ(reasons, (std::vector<DropReason>{DropReason::Unroutable, DropReason::Unroutable}));
  EXPECT_STREQ(to_string(DropReason::Unroutable), "unroutable");
}

TEST(SimNetworkTest, EqualDeliveryTimesKeepSendOrder) {
  SimNetwork net(1);
  FakeNode a, b, c, sink;
  net.attach(sink, kD);
  net.attach(a, kA, {.delay = 5ms});
  net.attach(b, kB, {.delay = 2ms});
  net.attach(c, kC, {.delay = 5ms});
  for (uint32_t i = 0; i < 3; ++i) a.send(packet(kA, kD, 10 + i));
  c.send(packet(kC, kD, 30));
  net.run_until(at(3ms));
  b.send(packet(kB, kD, 20));  // sent at 3 ms, due at 5 ms too: after the others
  net.run_until(at(1s));
  EXPECT_EQ(serials(sink), (std::vector<uint32_t>{10, 11, 12, 30, 20}));
  for (const auto& rx : sink.received) EXPECT_EQ(rx.at, at(5ms));
}

// ---- impairments over 10,000 datagrams --------------------------------------------------

constexpr uint32_t kMany = 10'000;

// kMany datagrams from A to B over `link`, sent at once (or spaced by its bandwidth).
struct Blast {
  explicit Blast(LinkParams link, uint64_t seed = 1234) : net(seed) {
    net.attach(a, kA, link);
    net.attach(b, kB);
    for (uint32_t i = 0; i < kMany; ++i) sent.push_back(packet(kA, kB, i));
    for (const auto& d : sent) a.send(d);
    net.run_until(at(60s));
  }
  SimNetwork net;
  FakeNode a, b;
  std::vector<Datagram> sent;
};

TEST(SimNetworkTest, NoImpairmentsByDefault) {
  Blast blast({.delay = 1ms});
  EXPECT_EQ(blast.b.received.size(), kMany);
  for (uint32_t i = 0; i < kMany; ++i) ASSERT_EQ(blast.b.received[i].data, blast.sent[i]);
  const auto& s = blast.net.stats();
  EXPECT_EQ(s.lost + s.duplicated + s.reordered + s.corrupted + s.unroutable + s.queue_dropped, 0u);
}

TEST(SimNetworkTest, LossRate) {
  Blast blast({.delay = 1ms, .loss = 0.1});
  const auto& s = blast.net.stats();
  EXPECT_GT(s.lost, 850u);
  EXPECT_LT(s.lost, 1150u);
  EXPECT_EQ(blast.b.received.size() + s.lost, kMany);
  const auto got = serials(blast.b);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(s.duplicated + s.reordered + s.corrupted, 0u);
}

TEST(SimNetworkTest, DuplicateRate) {
  Blast blast({.delay = 1ms, .duplicate = 0.05});
  const auto& s = blast.net.stats();
  EXPECT_GT(s.duplicated, 400u);
  EXPECT_LT(s.duplicated, 600u);
  EXPECT_EQ(s.delivered, kMany + s.duplicated);
  ASSERT_EQ(blast.b.received.size(), kMany + s.duplicated);
  // Each duplicate is an exact copy, delivered right after its original.
  uint64_t twice = 0;
  size_t next = 0;
  for (uint32_t i = 0; i < kMany; ++i) {
    ASSERT_EQ(blast.b.received[next++].data, blast.sent[i]);
    if (next < blast.b.received.size() && blast.b.received[next].data == blast.sent[i]) {
      ++twice;
      ++next;
    }
  }
  EXPECT_EQ(twice, s.duplicated);
}

TEST(SimNetworkTest, ReorderRateAndOvertaking) {
  // 60-byte datagrams at 4.8 Mbit/s: one every 100 us. A reordered one arrives 2 * 1 ms +
  // 1 ms late, overtaken by the ~30 sent after it.
  Blast blast({.delay = 1ms, .bandwidth_bps = 4'800'000, .reorder = 0.1});
  const auto& s = blast.net.stats();
  EXPECT_GT(s.reordered, 850u);
  EXPECT_LT(s.reordered, 1150u);
  ASSERT_EQ(blast.b.received.size(), kMany);
  uint64_t late = 0;
  uint32_t highest = 0;
  for (const auto& rx : blast.b.received) {
    const uint32_t serial = serial_of(rx.data);
    if (serial < highest) {
      ++late;
      EXPECT_EQ(rx.at, at(serial * 100us + 100us + 1ms + 3ms));
    } else {
      EXPECT_EQ(rx.at, at(serial * 100us + 100us + 1ms));
    }
    highest = std::max(highest, serial);
  }
  // Every reordered datagram is overtaken (unless the next 30 were all reordered too).
  EXPECT_EQ(late, s.reordered);
}

TEST(SimNetworkTest, ReorderDelayDefaultsToTwiceTheDelayPlusOneMs) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.delay = 10ms, .reorder = 1.0});
  net.attach(b, kB, {.delay = 10ms, .reorder = 1.0, .reorder_delay = 4ms});
  a.send(packet(kA, kB, 1));
  b.send(packet(kB, kA, 2));
  net.run_until(at(1s));
  ASSERT_EQ(b.received.size(), 1u);
  EXPECT_EQ(b.received[0].at, at(31ms));
  ASSERT_EQ(a.received.size(), 1u);
  EXPECT_EQ(a.received[0].at, at(14ms));
  EXPECT_EQ(net.stats().reordered, 2u);
}

TEST(SimNetworkTest, CorruptRateFlipsOneBitThatChecksumsCatch) {
  Blast blast({.delay = 1ms, .corrupt = 0.1});
  const auto& s = blast.net.stats();
  EXPECT_GT(s.corrupted, 850u);
  EXPECT_LT(s.corrupted, 1150u);
  ASSERT_EQ(blast.b.received.size(), kMany);
  uint64_t flipped = 0, in_ip_header = 0;
  for (uint32_t i = 0; i < kMany; ++i) {
    const Datagram& got = blast.b.received[i].data;
    const Datagram& want = blast.sent[i];
    ASSERT_EQ(got.size(), want.size());
    int bits = 0;
    size_t where = 0;
    for (size_t k = 0; k < got.size(); ++k) {
      const int n = std::popcount(std::to_integer<unsigned>(got[k] ^ want[k]));
      if (n > 0) where = k;
      bits += n;
    }
    ASSERT_LE(bits, 1);
    EXPECT_EQ(checksums_ok(got), bits == 0) << i;
    if (bits == 1) {
      ++flipped;
      if (where < 20) ++in_ip_header;
    }
  }
  EXPECT_EQ(flipped, s.corrupted);
  // Uniform over 480 bits, 160 of them in the IPv4 header: about a third.
  EXPECT_GT(in_ip_header, flipped / 5);
  EXPECT_LT(in_ip_header, flipped / 2);
}

TEST(SimNetworkTest, ImpairmentDecisionsOfALinkAreIndependentOfEachOther) {
  // Enabling loss does not change which datagrams are reordered.
  Blast reorder_only({.delay = 1ms, .reorder = 0.1});
  Blast both({.delay = 1ms, .loss = 0.3, .reorder = 0.1});
  EXPECT_GT(both.net.stats().lost, 0u);
  std::set<uint32_t> late_a, late_b;
  for (const auto& rx : reorder_only.b.received) {
    if (rx.at > at(1ms)) late_a.insert(serial_of(rx.data));
  }
  for (const auto& rx : both.b.received) {
    if (rx.at > at(1ms)) late_b.insert(serial_of(rx.data));
  }
  EXPECT_TRUE(std::includes(late_a.begin(), late_a.end(), late_b.begin(), late_b.end()));
  EXPECT_GT(late_b.size(), late_a.size() / 2);
}

// ---- determinism ------------------------------------------------------------------------

using Trace = std::vector<std::tuple<int64_t, uint32_t, Datagram>>;

// A sends 2,000 datagrams to B, which echoes each one, over impaired links both ways.
Trace ping_pong(uint64_t seed) {
  SimNetwork net(seed);
  FakeNode a, b;
  const LinkParams link{.delay = 5ms,
                        .bandwidth_bps = 10'000'000,
                        .loss = 0.05,
                        .reorder = 0.05,
                        .duplicate = 0.05,
                        .corrupt = 0.05,
                        .queue_limit_bytes = 200'000};
  net.attach(a, kA, link);
  net.attach(b, kB, link);
  b.on_receive = echo;
  Trace trace;
  net.on_deliver([&](TimePoint t, Ipv4Addr to, Bytes d) {
    trace.emplace_back(t.time_since_epoch().count(), to.raw(), Datagram(d.begin(), d.end()));
  });
  for (uint32_t i = 0; i < 2000; ++i) a.send(packet(kA, kB, i, 100 + i % 50));
  net.run_until(at(60s));
  return trace;
}

TEST(SimNetworkTest, SameSeedSameTraceOtherSeedOtherTrace) {
  const Trace first = ping_pong(99);
  EXPECT_GT(first.size(), 1000u);
  EXPECT_EQ(ping_pong(99), first);
  EXPECT_NE(ping_pong(100), first);
}

// ---- timers and the loop ----------------------------------------------------------------

TEST(SimNetworkTest, TimersFireAtTheirDeadlines) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.delay = 1ms});
  net.attach(b, kB);
  a.arm(at(5ms));
  a.arm(at(7ms));
  a.arm(at(7ms));
  a.arm(at(20ms));
  a.on_fire = [](FakeNode& self, TimePoint now) {
    self.send(packet(kA, kB, static_cast<uint32_t>(to_micros(now.time_since_epoch()))));
  };
  net.run_until(at(30ms));
  EXPECT_EQ(a.fired, (std::vector<TimePoint>{at(5ms), at(7ms), at(20ms)}));
  ASSERT_EQ(b.received.size(), 3u);
  EXPECT_EQ(b.received[0].at, at(6ms));
  EXPECT_EQ(serial_of(b.received[2].data), 20'000u);
  EXPECT_EQ(b.received[2].at, at(21ms));
  EXPECT_EQ(net.now(), at(30ms));
  EXPECT_TRUE(b.fired.empty());
}

TEST(SimNetworkTest, PastDeadlineFiresAtOnce) {
  SimNetwork net(1, at(50ms));
  FakeNode a;
  net.attach(a, kA);
  a.arm(at(10ms));
  net.run_until(at(60ms));
  EXPECT_EQ(a.fired, std::vector<TimePoint>{at(50ms)});
}

TEST(SimNetworkTest, DeadlineThatDoesNotMoveAdvancesOneTick) {
  SimNetwork net(1);
  StuckNode stuck(at(3ms));
  net.attach(stuck, kA);
  net.run_until(at(10ms));
  std::vector<TimePoint> want;
  for (auto t = 3ms; t <= 10ms; t += 1ms) want.push_back(at(t));
  EXPECT_EQ(stuck.fired, want);
}

TEST(SimNetworkTest, PredicateStopsTheLoopBetweenEvents) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.bandwidth_bps = 8'000'000});  // 1000 bytes: 1 ms each
  net.attach(b, kB);
  for (uint32_t i = 0; i < 5; ++i) a.send(packet(kA, kB, i, 1000));
  EXPECT_TRUE(net.run_until([&] { return b.received.size() == 3; }, at(1s)));
  EXPECT_EQ(net.now(), at(3ms));
  EXPECT_EQ(net.in_flight(), 2u);
  EXPECT_FALSE(net.idle());

  EXPECT_FALSE(net.run_until([] { return false; }, at(10ms)));
  EXPECT_EQ(net.now(), at(10ms));
  EXPECT_EQ(b.received.size(), 5u);
  EXPECT_TRUE(net.idle());

  // Nothing left to happen: false at the limit, without spinning.
  EXPECT_FALSE(net.run_until([] { return false; }, kNever));
  EXPECT_EQ(net.now(), at(10ms));
  // Already true: returns before any event.
  a.arm(at(11ms));
  EXPECT_TRUE(net.run_until([] { return true; }, at(1s)));
  EXPECT_EQ(net.now(), at(10ms));
  EXPECT_TRUE(a.fired.empty());
}

TEST(SimNetworkTest, WhatATestQueuesBetweenRunsIsSentAtTheCurrentTime) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.delay = 2ms});
  net.attach(b, kB);
  net.run_for(7ms);
  EXPECT_EQ(net.now(), at(7ms));
  a.send(packet(kA, kB, 1));
  EXPECT_TRUE(net.run_until([&] { return !b.received.empty(); }, at(1s)));
  EXPECT_EQ(a.polled_at, std::vector<TimePoint>{at(7ms)});
  EXPECT_EQ(b.received[0].at, at(9ms));
  EXPECT_EQ(net.now(), at(9ms));
}

TEST(SimNetworkTest, SeveralObserversSeeSendsDeliveriesAndDrops) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.delay = 1ms, .duplicate = 1.0});
  net.attach(b, kB, {.loss = 1.0});
  b.on_receive = echo;
  std::vector<std::string> log;
  auto name = [](Ipv4Addr addr) { return addr.to_string(); };
  net.on_send([&](TimePoint t, Ipv4Addr from, Bytes) {
    log.push_back("send " + name(from) + " " + std::to_string(to_micros(t.time_since_epoch())));
  });
  int sends_seen_by_second = 0;
  net.on_send([&](TimePoint, Ipv4Addr, Bytes) { ++sends_seen_by_second; });
  net.on_deliver([&](TimePoint t, Ipv4Addr to, Bytes) {
    log.push_back("deliver " + name(to) + " " + std::to_string(to_micros(t.time_since_epoch())));
  });
  net.on_drop([&](TimePoint t, Bytes, DropReason r) {
    log.push_back(std::string("drop ") + to_string(r) + " " +
                  std::to_string(to_micros(t.time_since_epoch())));
  });
  a.send(packet(kA, kB, 1));
  net.run_until(at(1s));
  EXPECT_EQ(log, (std::vector<std::string>{
                     "send 10.0.0.1 0",
                     "deliver 10.0.0.2 1000",
                     "send 10.0.0.2 1000",
                     "drop loss 1000",
                     "deliver 10.0.0.2 1000",
                     "send 10.0.0.2 1000",
                     "drop loss 1000",
                 }));
  EXPECT_EQ(sends_seen_by_second, 3);
  const auto& s = net.stats();
  EXPECT_EQ(s.sent, 3u);
  EXPECT_EQ(s.delivered, 2u);
  EXPECT_EQ(s.duplicated, 1u);
  EXPECT_EQ(s.lost, 2u);
}

TEST(SimNetworkTest, SetEgressAppliesToLaterDatagrams) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA, {.delay = 10ms});
  net.attach(b, kB);
  a.send(packet(kA, kB, 1));
  net.run_until(at(1ms));
  net.set_egress(kA, {.delay = 2ms});
  EXPECT_EQ(net.egress(kA).delay, 2ms);
  a.send(packet(kA, kB, 2));
  net.run_until(at(1s));
  EXPECT_EQ(serials(b), (std::vector<uint32_t>{2, 1}));
  EXPECT_EQ(b.received[0].at, at(3ms));
  EXPECT_EQ(b.received[1].at, at(10ms));
}

TEST(SimNetworkTest, AddressesAreCheckedAtTheEdges) {
  SimNetwork net(1);
  FakeNode a, b;
  net.attach(a, kA);
  EXPECT_THROW(net.attach(b, kA), std::invalid_argument);
  EXPECT_THROW(net.set_egress(kB, {}), std::invalid_argument);
}

}  // namespace
}  // namespace ustcp::link
