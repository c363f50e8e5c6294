// RecvQueue: placement of segment text (RFC 9293 3.10.7.4 "segment text": in-order data
// goes to the application, out-of-order data is held where it belongs), trimming of
// duplicates and of bytes beyond the window (Linux tcp_data_queue, tcp_data_queue_ofo) and
// the order of SACK blocks (RFC 2018 4: the block holding the most recent segment first).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

#include "ustcp/tcp/recv_queue.hpp"

namespace ustcp::wire {
// Failure messages show blocks as [left, right).
inline void PrintTo(const SackBlock& b, std::ostream* os) {
  *os << "[" << b.left.raw() << ", " << b.right.raw() << ")";
}
}  // namespace ustcp::wire

namespace ustcp::tcp {
namespace {

// A payload of n bytes whose byte at sequence s is (s & 0xff): reading back shows where
// every byte was placed.
std::vector<std::byte> payload(uint32_t seq, uint32_t n) {
  std::vector<std::byte> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = std::byte((seq + i) & 0xff);
  return v;
}

// Drives a RecvQueue the way Connection::process_data does: rcv_nxt advances by what the
// insert made readable.
struct Receiver {
  explicit Receiver(uint32_t rcv_nxt, uint32_t limit = 65536) : q(limit), nxt(rcv_nxt) {}
  RecvQueue::Insert put(uint32_t seq, uint32_t n, uint32_t window = 0) {
    auto data = payload(seq, n);
    RecvQueue::Insert r = q.insert(SeqNum(nxt), SeqNum(seq), data, window ? window : q.space());
    nxt += r.advanced;
    return r;
  }
  // Reads everything readable and checks each byte belongs at its sequence.
  uint32_t read_all_checked(uint32_t first_seq) {
    std::vector<std::byte> out(q.readable());
    uint32_t n = q.read(out, false);
    for (uint32_t i = 0; i < n; ++i) {
      EXPECT_EQ(out[i], std::byte((first_seq + i) & 0xff)) << "byte " << i;
    }
    return n;
  }
  std::vector<wire::SackBlock> sacks(int max = 4) const {
    std::array<wire::SackBlock, 4> b{};
    int n = q.sack_blocks(b.data(), max);
    return {b.begin(), b.begin() + n};
  }
  // Every out-of-order range held, in sequence order.
  std::vector<wire::SackBlock> ranges() const {
    std::vector<wire::SackBlock> v;
    q.out_of_order().for_each([&](SeqNum l, SeqNum r) { v.push_back({l, r}); });
    return v;
  }
  RecvQueue q;
  uint32_t nxt;
};

wire::SackBlock blk(uint32_t l, uint32_t r) { return {SeqNum(l), SeqNum(r)}; }

TEST(TcpRecvQueue, InOrderDataIsReadable) {
  Receiver rx(1000);
  auto r = rx.put(1000, 100);
  EXPECT_EQ(r.advanced, 100u);
  EXPECT_FALSE(r.out_of_order);
  EXPECT_FALSE(r.duplicate);
  EXPECT_EQ(r.dropped, 0u);
  r = rx.put(1100, 50);
  EXPECT_EQ(r.advanced, 50u);
  EXPECT_EQ(rx.q.readable(), 150u);
  EXPECT_EQ(rx.nxt, 1150u);
  EXPECT_FALSE(rx.q.has_out_of_order());
  EXPECT_EQ(rx.read_all_checked(1000), 150u);
}

TEST(TcpRecvQueue, PeekLeavesDataAndReadConsumes) {
  Receiver rx(0);
  rx.put(0, 10);
  std::array<std::byte, 4> out{};
  EXPECT_EQ(rx.q.read(out, true), 4u);
  EXPECT_EQ(rx.q.readable(), 10u);
  EXPECT_EQ(rx.q.read(out, false), 4u);
  EXPECT_EQ(rx.q.readable(), 6u);
  EXPECT_EQ(out[0], std::byte(0));
  EXPECT_EQ(rx.read_all_checked(4), 6u);
}

// RFC 9293 3.10.7.4: a segment beyond RCV.NXT is held (not readable) until the hole fills;
// then everything contiguous becomes readable at once.
TEST(TcpRecvQueue, OutOfOrderHeldUntilHoleFills) {
  Receiver rx(1000);
  auto r = rx.put(1200, 100);
  EXPECT_TRUE(r.out_of_order);
  EXPECT_EQ(r.advanced, 0u);
  EXPECT_EQ(rx.q.readable(), 0u);
  EXPECT_TRUE(rx.q.has_out_of_order());
  EXPECT_EQ(rx.sacks(), (std::vector{blk(1200, 1300)}));

  r = rx.put(1000, 200);  // fills the hole exactly
  EXPECT_EQ(r.advanced, 300u);
  EXPECT_FALSE(r.out_of_order);
  EXPECT_EQ(rx.nxt, 1300u);
  EXPECT_FALSE(rx.q.has_out_of_order());
  EXPECT_TRUE(rx.sacks().empty());
  EXPECT_EQ(rx.read_all_checked(1000), 300u);
}

TEST(TcpRecvQueue, PartialFillAdvancesOnlyToNextHole) {
  Receiver rx(0);
  rx.put(100, 100);  // [100,200)
  rx.put(300, 100);  // [300,400)
  auto r = rx.put(0, 100);
  EXPECT_EQ(r.advanced, 200u);  // [0,200) now in order
  EXPECT_EQ(rx.nxt, 200u);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(300, 400)}));
  r = rx.put(200, 100);
  EXPECT_EQ(r.advanced, 200u);
  EXPECT_EQ(rx.nxt, 400u);
  EXPECT_EQ(rx.read_all_checked(0), 400u);
}

// An in-order segment that reaches past the start of a held range absorbs it.
TEST(TcpRecvQueue, InOrderSegmentOverlappingHeldRange) {
  Receiver rx(0);
  rx.put(50, 100);  // [50,150)
  auto r = rx.put(0, 120);
  EXPECT_EQ(r.advanced, 150u);
  EXPECT_FALSE(rx.q.has_out_of_order());
  EXPECT_EQ(rx.read_all_checked(0), 150u);
}

TEST(TcpRecvQueue, AdjacentAndOverlappingRangesMerge) {
  Receiver rx(0);
  rx.put(100, 100);  // [100,200)
  rx.put(300, 100);  // [300,400)
  rx.put(200, 50);   // adjacent to the first: [100,250)
  EXPECT_EQ(rx.sacks(), (std::vector{blk(100, 250), blk(300, 400)}));
  rx.put(240, 70);  // bridges both: [100,400)
  EXPECT_EQ(rx.sacks(), (std::vector{blk(100, 400)}));
  rx.put(50, 400);  // covers and extends: [50,450)
  EXPECT_EQ(rx.sacks(), (std::vector{blk(50, 450)}));
  auto r = rx.put(0, 50);
  EXPECT_EQ(r.advanced, 450u);
  EXPECT_EQ(rx.read_all_checked(0), 450u);
}

// RFC 9293 3.10.7.4: data entirely before RCV.NXT is a duplicate (tcp_data_queue sends a
// duplicate ACK for it); data straddling RCV.NXT is trimmed to its new part.
TEST(TcpRecvQueue, OldDuplicateAndStraddlingSegment) {
  Receiver rx(0);
  rx.put(0, 100);
  auto r = rx.put(0, 100);
  EXPECT_TRUE(r.duplicate);
  EXPECT_EQ(r.advanced, 0u);
  r = rx.put(20, 30);
  EXPECT_TRUE(r.duplicate);
  r = rx.put(50, 100);  // [50,150): only [100,150) is new
  EXPECT_FALSE(r.duplicate);
  EXPECT_EQ(r.advanced, 50u);
  EXPECT_EQ(rx.nxt, 150u);
  EXPECT_EQ(rx.read_all_checked(0), 150u);
}

TEST(TcpRecvQueue, DuplicateOfHeldOutOfOrderData) {
  Receiver rx(0);
  rx.put(100, 100);
  auto r = rx.put(120, 50);
  EXPECT_TRUE(r.duplicate);
  EXPECT_FALSE(r.out_of_order);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(100, 200)}));
}

// Bytes at or beyond RCV.NXT + window are not kept (RFC 9293 3.10.7.4: "segments with
// higher beginning sequence numbers ... held for later processing" only within the window).
TEST(TcpRecvQueue, BytesBeyondWindowDropped) {
  Receiver rx(0, 1000);
  auto r = rx.put(900, 200, 1000);  // [900,1100): [1000,1100) is beyond
  EXPECT_TRUE(r.out_of_order);
  EXPECT_EQ(r.dropped, 100u);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(900, 1000)}));
  r = rx.put(1000, 10, 1000);  // entirely beyond
  EXPECT_EQ(r.dropped, 10u);
  EXPECT_FALSE(r.out_of_order);
  EXPECT_EQ(r.advanced, 0u);
  r = rx.put(0, 1200, 1000);  // in order, but only 1000 fit
  EXPECT_EQ(r.dropped, 200u);
  EXPECT_EQ(r.advanced, 1000u);
  EXPECT_EQ(rx.q.space(), 0u);
  r = rx.put(1000, 1, rx.q.space());  // zero window: everything dropped
  EXPECT_EQ(r.dropped, 1u);
  EXPECT_EQ(rx.read_all_checked(0), 1000u);
  EXPECT_EQ(rx.q.space(), 1000u);
}

// The window may exceed space() (a scaled window rounded up): the queue keeps what the
// caller says was offered.
TEST(TcpRecvQueue, WindowLargerThanSpaceIsHonoured) {
  Receiver rx(0, 1000);
  auto r = rx.put(0, 1100, 1100);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_EQ(r.advanced, 1100u);
  EXPECT_EQ(rx.read_all_checked(0), 1100u);
}

// RFC 2018 4: "The first SACK block ... MUST specify the contiguous block of data containing
// the segment which triggered this ACK"; the others follow most recent first.
TEST(TcpRecvQueue, SackBlocksMostRecentFirst) {
  Receiver rx(0);
  rx.put(100, 10);  // A
  rx.put(300, 10);  // B
  rx.put(500, 10);  // C
  EXPECT_EQ(rx.sacks(), (std::vector{blk(500, 510), blk(300, 310), blk(100, 110)}));
  rx.put(110, 10);  // A grows: now the most recent
  EXPECT_EQ(rx.sacks(), (std::vector{blk(100, 120), blk(500, 510), blk(300, 310)}));
  rx.put(700, 10);  // D
  EXPECT_EQ(rx.sacks(3), (std::vector{blk(700, 710), blk(100, 120), blk(500, 510)}));
  EXPECT_EQ(rx.sacks(4).size(), 4u);
  // Filling the first hole removes A from the list.
  rx.put(0, 100);
  EXPECT_EQ(rx.nxt, 120u);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(700, 710), blk(500, 510), blk(300, 310)}));
}

// RFC 9293 3.4: sequence numbers wrap at 2^32; placement and SACK work across the wrap.
TEST(TcpRecvQueue, WrapAroundTwoToThe32) {
  const uint32_t start = 0xFFFFFF00u;
  Receiver rx(start);
  auto r = rx.put(start + 0x200, 0x100);  // 0x100..0x200, past the wrap
  EXPECT_TRUE(r.out_of_order);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(0x100, 0x200)}));
  r = rx.put(start + 0x80, 0x100);  // straddles 2^32: [0xFFFFFF80, 0x80)
  EXPECT_TRUE(r.out_of_order);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(0xFFFFFF80u, 0x80), blk(0x100, 0x200)}));
  r = rx.put(0x80, 0x80);  // bridges: [0xFFFFFF80, 0x200)
  EXPECT_EQ(rx.sacks(), (std::vector{blk(0xFFFFFF80u, 0x200)}));
  r = rx.put(start, 0x80);
  EXPECT_EQ(r.advanced, 0x300u);
  EXPECT_EQ(rx.nxt, 0x200u);
  EXPECT_EQ(rx.read_all_checked(start), 0x300u);
  // An old segment from before the wrap is a duplicate.
  r = rx.put(0xFFFFFFF0u, 0x10);
  EXPECT_TRUE(r.duplicate);
}

// Memory shape: a drained queue holds no buffer; clear() drops held data too.
TEST(TcpRecvQueue, ReleasesMemoryWhenDrained) {
  Receiver rx(0);
  EXPECT_EQ(rx.q.allocated(), 0u);
  rx.put(0, 100);
  EXPECT_GT(rx.q.allocated(), 0u);
  rx.put(200, 100);
  rx.read_all_checked(0);
  EXPECT_GT(rx.q.allocated(), 0u);  // out-of-order bytes are still staged
  rx.q.clear();
  EXPECT_EQ(rx.q.allocated(), 0u);
  EXPECT_FALSE(rx.q.has_out_of_order());
  EXPECT_EQ(rx.q.readable(), 0u);
  Receiver rx2(0);
  rx2.put(0, 100);
  rx2.read_all_checked(0);
  EXPECT_EQ(rx2.q.allocated(), 0u);
  // The out-of-order ranges' memory stays while the connection is busy (readable data or
  // ranges held) and goes with the ring's once everything is read.
  Receiver rx3(0);
  rx3.put(100, 10);
  const size_t with_range = rx3.q.allocated();
  EXPECT_GT(rx3.q.out_of_order().allocated(), 0u);
  rx3.put(0, 100);
  EXPECT_FALSE(rx3.q.has_out_of_order());
  EXPECT_EQ(rx3.q.allocated(), with_range);
  rx3.put(110, 10);
  EXPECT_EQ(rx3.read_all_checked(0), 120u);
  EXPECT_EQ(rx3.q.allocated(), 0u);
}

// ---- The out-of-order queue at scale, and against a reference model -------------------

// The maximal runs of received bytes in have[from, to), as blocks (byte i at seq base + i).
std::vector<wire::SackBlock> runs(const std::vector<uint8_t>& have, uint64_t from, uint64_t to,
                                  uint32_t base) {
  std::vector<wire::SackBlock> v;
  for (uint64_t i = from; i < to;) {
    if (!have[i]) {
      ++i;
      continue;
    }
    uint64_t j = i;
    while (j < to && have[j]) ++j;
    v.push_back(blk(static_cast<uint32_t>(base + i), static_cast<uint32_t>(base + j)));
    i = j;
  }
  return v;
}

// The run of received bytes holding byte i (have[i] set), not reaching below `floor`.
wire::SackBlock run_at(const std::vector<uint8_t>& have, uint64_t i, uint64_t floor,
                       uint32_t base) {
  uint64_t lo = i, hi = i;
  while (lo > floor && have[lo - 1]) --lo;
  while (hi < have.size() && have[hi]) ++hi;
  return blk(static_cast<uint32_t>(base + lo), static_cast<uint32_t>(base + hi));
}

// An AVL tree of n nodes is at most 1.4405 log2(n + 2) high: the queue stays O(log n).
int avl_height_bound(size_t n) {
  return static_cast<int>(1.4405 * std::log2(static_cast<double>(n) + 2));
}

// Six segments over [0, 600), one of them in order, inserted in each of the 720 orders,
// first adjacent, then overlapping their neighbours by 30 bytes: after every step rcv_nxt is
// the end of the bytes received without a gap, and the held ranges are exactly the runs of
// bytes received past it, merged whenever they touch.
TEST(TcpRecvQueue, MergesInEveryOrder) {
  for (uint32_t overlap : {0u, 30u}) {
    std::array<uint32_t, 6> order{};
    std::iota(order.begin(), order.end(), 0u);
    int orders = 0;
    do {
      Receiver rx(5000);
      std::vector<uint8_t> have(600);
      uint64_t nxt = 0;
      for (uint32_t k : order) {
        const uint32_t lo = k == 0 ? 0 : 100 * k - overlap, hi = 100 * (k + 1);
        auto r = rx.put(5000 + lo, hi - lo);
        for (uint32_t i = lo; i < hi; ++i) have[i] = 1;
        const uint64_t before = nxt;
        while (nxt < have.size() && have[nxt]) ++nxt;
        ASSERT_EQ(r.advanced, nxt - before) << "order " << orders << " segment " << k;
        ASSERT_EQ(r.out_of_order, lo > before);
        ASSERT_FALSE(r.duplicate);
        ASSERT_EQ(rx.nxt, 5000 + nxt);
        ASSERT_EQ(rx.q.readable(), nxt);
        ASSERT_EQ(rx.ranges(), runs(have, nxt, have.size(), 5000)) << "segment " << k;
        // RFC 2018 4: the first block holds the segment (unless it advanced the ACK).
        if (lo > before) {
          ASSERT_EQ(rx.sacks()[0], run_at(have, lo, nxt, 5000));
        }
      }
      ASSERT_EQ(rx.nxt, 5600u);
      ASSERT_FALSE(rx.q.has_out_of_order());
      ASSERT_EQ(rx.read_all_checked(5000), 600u);
      ASSERT_EQ(rx.q.allocated(), 0u);
      ++orders;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(orders, 720);
  }
}

// A segment joins every range it overlaps or touches ([a, b) and [b, c) are one range), and
// only those: one byte of hole keeps two ranges apart.
TEST(TcpRecvQueue, OverlapsJoinEveryRangeTheyTouch) {
  Receiver rx(0);
  for (uint32_t s : {100u, 200u, 300u, 400u, 500u}) rx.put(s, 10);
  EXPECT_EQ(rx.q.out_of_order().size(), 5u);
  rx.put(105, 200);  // from inside the first range to inside the third
  EXPECT_EQ(rx.ranges(), (std::vector{blk(100, 310), blk(400, 410), blk(500, 510)}));
  rx.put(390, 30);  // from a hole to a hole, covering a range
  EXPECT_EQ(rx.ranges(), (std::vector{blk(100, 310), blk(390, 420), blk(500, 510)}));
  rx.put(421, 20);  // one byte short of the range below: apart
  EXPECT_EQ(rx.ranges(), (std::vector{blk(100, 310), blk(390, 420), blk(421, 441), blk(500, 510)}));
  EXPECT_EQ(rx.sacks()[0], blk(421, 441));
  rx.put(420, 1);  // that byte: one range
  EXPECT_EQ(rx.ranges(), (std::vector{blk(100, 310), blk(390, 441), blk(500, 510)}));
  EXPECT_EQ(rx.sacks()[0], blk(390, 441));
  rx.put(310, 80);  // exactly the hole between two ranges
  EXPECT_EQ(rx.ranges(), (std::vector{blk(100, 441), blk(500, 510)}));
  rx.put(50, 600);  // over everything, past both ends
  EXPECT_EQ(rx.ranges(), (std::vector{blk(50, 650)}));
  EXPECT_EQ(rx.q.out_of_order().size(), 1u);
  EXPECT_EQ(rx.put(0, 50).advanced, 650u);
  EXPECT_EQ(rx.read_all_checked(0), 650u);
}

// A segment whose every byte is held out of order is a duplicate wherever its range sits
// (the first, a middle one, the last); one new byte makes it not a duplicate. RFC 2018 4:
// the first SACK block still reports the range holding it (Linux tcp_data_queue_ofo: "All
// the bits are present", then add_sack).
TEST(TcpRecvQueue, DuplicatesOfHeldRanges) {
  Receiver rx(0);
  rx.put(100, 100);
  rx.put(300, 100);
  rx.put(500, 100);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(500, 600), blk(300, 400), blk(100, 200)}));
  auto r = rx.put(320, 50);  // inside the middle range
  EXPECT_TRUE(r.duplicate);
  EXPECT_FALSE(r.out_of_order);
  EXPECT_EQ(r.advanced, 0u);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(300, 400), blk(500, 600), blk(100, 200)}));
  EXPECT_TRUE(rx.put(100, 100).duplicate);  // exactly the first range
  EXPECT_EQ(rx.sacks()[0], blk(100, 200));
  EXPECT_TRUE(rx.put(590, 10).duplicate);  // the end of the last range
  EXPECT_EQ(rx.sacks()[0], blk(500, 600));
  r = rx.put(150, 51);  // one new byte, 200
  EXPECT_FALSE(r.duplicate);
  EXPECT_TRUE(r.out_of_order);
  EXPECT_EQ(rx.ranges(), (std::vector{blk(100, 201), blk(300, 400), blk(500, 600)}));
  r = rx.put(500, 101);  // one new byte past the last range
  EXPECT_FALSE(r.duplicate);
  EXPECT_EQ(rx.ranges(), (std::vector{blk(100, 201), blk(300, 400), blk(500, 601)}));
}

// RFC 2018 4: the first block holds the segment that triggered the ACK; the others follow in
// the order they last changed. As Linux's selective_acks (tcp_sack_new_ofo_skb,
// tcp_sack_remove), 4 ranges are remembered: a fifth pushes the oldest out, and a range
// that was pushed out, merged away or absorbed is not reported again until it next changes.
TEST(TcpRecvQueue, SackBlocksFollowLinuxSelectiveAcks) {
  Receiver rx(0);
  for (uint32_t s = 100; s <= 600; s += 100) rx.put(s, 10);  // R1 .. R6
  EXPECT_EQ(rx.ranges().size(), 6u);
  EXPECT_EQ(rx.sacks(), (std::vector{blk(600, 610), blk(500, 510), blk(400, 410), blk(300, 310)}));
  rx.put(205, 10);  // R2 grows: back in, first; R3 falls out
  EXPECT_EQ(rx.sacks(), (std::vector{blk(200, 215), blk(600, 610), blk(500, 510), blk(400, 410)}));
  rx.put(410, 90);  // bridges R4 and R5: one block for both
  EXPECT_EQ(rx.sacks(), (std::vector{blk(400, 510), blk(200, 215), blk(600, 610)}));
  EXPECT_EQ(rx.ranges().size(), 5u);
  EXPECT_TRUE(rx.put(300, 5).duplicate);  // R3, forgotten: back in as the whole range
  EXPECT_EQ(rx.sacks(), (std::vector{blk(300, 310), blk(400, 510), blk(200, 215), blk(600, 610)}));
  EXPECT_EQ(rx.put(0, 100).advanced, 110u);  // absorbs R1, which was not reported
  EXPECT_EQ(rx.sacks(), (std::vector{blk(300, 310), blk(400, 510), blk(200, 215), blk(600, 610)}));
  EXPECT_EQ(rx.put(110, 90).advanced, 105u);  // absorbs R2
  EXPECT_EQ(rx.sacks(), (std::vector{blk(300, 310), blk(400, 510), blk(600, 610)}));
  EXPECT_EQ(rx.sacks(2), (std::vector{blk(300, 310), blk(400, 510)}));
  EXPECT_TRUE(rx.sacks(0).empty());
  EXPECT_EQ(rx.put(215, 85).advanced, 95u);  // absorbs R3
  EXPECT_EQ(rx.sacks(), (std::vector{blk(400, 510), blk(600, 610)}));
  EXPECT_EQ(rx.put(310, 300).advanced, 300u);  // everything
  EXPECT_TRUE(rx.sacks().empty());
  EXPECT_FALSE(rx.q.has_out_of_order());
}

// Out-of-order data is trimmed at the window's right edge too, and a range may end exactly
// there; a window wider than 2^30 (RFC 7323 2.3: none is) counts as 2^30, so that held
// bytes stay within 2^31 of rcv_nxt where sequence order holds.
TEST(TcpRecvQueue, WindowTrimsOutOfOrderSegments) {
  Receiver rx(0, 1000);
  rx.put(500, 100, 1000);
  auto r = rx.put(550, 600, 1000);  // [550, 1150): [1000, 1150) is beyond
  EXPECT_EQ(r.dropped, 150u);
  EXPECT_TRUE(r.out_of_order);
  EXPECT_EQ(rx.ranges(), (std::vector{blk(500, 1000)}));
  r = rx.put(990, 20, 1000);  // held up to the edge, the rest beyond
  EXPECT_EQ(r.dropped, 10u);
  EXPECT_TRUE(r.duplicate);
  r = rx.put(1000, 5, 1000);
  EXPECT_EQ(r.dropped, 5u);
  EXPECT_FALSE(r.duplicate || r.out_of_order);
  EXPECT_EQ(rx.ranges(), (std::vector{blk(500, 1000)}));
  r = rx.put((1u << 30) + 5, 10, 0xFFFFFFFFu);
  EXPECT_EQ(r.dropped, 10u);
  EXPECT_FALSE(r.out_of_order);
  EXPECT_EQ(rx.q.out_of_order().size(), 1u);
  EXPECT_EQ(rx.put(0, 500, 1000).advanced, 1000u);
  EXPECT_EQ(rx.read_all_checked(0), 1000u);
}

// RFC 9293 3.4: ranges on both sides of 2^32, inserted in random order, are held in sequence
// order, merge across the wrap, and become readable in order.
TEST(TcpRecvQueue, ManyRangesAcrossTheWrap) {
  const uint32_t isn = 0xFFFFF000u;  // 2^32 is 4096 bytes in
  constexpr uint32_t kRanges = 200;  // [isn + 40 i + 20, isn + 40 i + 30)
  Receiver rx(isn);
  std::vector<uint32_t> order(kRanges);
  std::iota(order.begin(), order.end(), 0u);
  std::mt19937 rng(5);
  std::shuffle(order.begin(), order.end(), rng);
  for (uint32_t i : order) {
    EXPECT_TRUE(rx.put(isn + 40 * i + 20, 10).out_of_order);
    EXPECT_EQ(rx.sacks()[0], blk(isn + 40 * i + 20, isn + 40 * i + 30));
  }
  std::vector<wire::SackBlock> want;
  for (uint32_t i = 0; i < kRanges; ++i) want.push_back(blk(isn + 40 * i + 20, isn + 40 * i + 30));
  EXPECT_EQ(rx.ranges(), want);
  // The holes above the first range, in random order; then the first hole.
  std::shuffle(order.begin(), order.end(), rng);
  for (uint32_t i : order) {
    if (i > 0) rx.put(isn + 40 * i - 10, 30);
  }
  EXPECT_EQ(rx.ranges(), (std::vector{blk(isn + 20, isn + 40 * kRanges - 10)}));
  EXPECT_EQ(rx.put(isn, 20).advanced, 40 * kRanges - 10);
  EXPECT_EQ(rx.nxt, isn + 40 * kRanges - 10);
  EXPECT_EQ(rx.read_all_checked(isn), 40 * kRanges - 10);
}

// Recovery in steady state across the wrap: 32 ranges always held ahead while rcv_nxt walks
// over 2^32; each in-order segment absorbs exactly the range behind its hole.
TEST(TcpRecvQueue, RangesHeldWhileRcvNxtCrossesTheWrap) {
  const uint32_t isn = 0xFFFF8000u;
  Receiver rx(isn);
  auto range_at = [&](uint32_t i) { return isn + 16 * i + 8; };  // [range_at, +8)
  for (uint32_t i = 0; i < 32; ++i) rx.put(range_at(i), 8);
  for (uint32_t i = 0; i < 8192; ++i) {  // 128 KiB: past 2^32 halfway
    ASSERT_EQ(rx.put(rx.nxt, 8).advanced, 16u) << "step " << i;
    ASSERT_TRUE(rx.put(range_at(i + 32), 8).out_of_order);
    ASSERT_EQ(rx.q.out_of_order().size(), 32u);
    ASSERT_EQ(rx.sacks()[0], blk(range_at(i + 32), range_at(i + 32) + 8));
    ASSERT_EQ(rx.read_all_checked(rx.nxt - 16), 16u);
  }
  EXPECT_EQ(rx.nxt, isn + 16 * 8192);
  EXPECT_EQ(rx.ranges().front(), blk(range_at(8192), range_at(8192) + 8));
}

// 65,535 one-byte ranges behind one-byte holes (one segment in two lost), built in rising,
// falling and random order: the tree stays balanced and a node costs little; one in-order
// segment over every hole absorbs them all, or, once the other holes are filled in random
// order (each fill merging two ranges), one in-order byte does.
TEST(TcpRecvQueue, SixtyFiveThousandRanges) {
  constexpr uint32_t kN = 65535;
  const uint32_t isn = 0xFFFF0000u;  // the ranges cross 2^32
  std::vector<uint32_t> order(kN);
  std::iota(order.begin(), order.end(), 0u);
  std::mt19937 rng(65535);
  for (int pass = 0; pass < 3; ++pass) {
    if (pass == 1) std::reverse(order.begin(), order.end());
    if (pass == 2) std::shuffle(order.begin(), order.end(), rng);
    Receiver rx(isn, 1u << 18);
    for (uint32_t i : order) ASSERT_TRUE(rx.put(isn + 2 * i + 1, 1).out_of_order);
    const OfoQueue& ofo = rx.q.out_of_order();
    EXPECT_EQ(ofo.size(), kN) << "pass " << pass;
    EXPECT_LE(ofo.height(), avl_height_bound(kN)) << "pass " << pass;
    EXPECT_LE(ofo.allocated(), 48u * kN);  // 20-byte nodes, a pool at most twice too big
    const uint32_t last = isn + 2 * order.back() + 1;
    EXPECT_EQ(rx.sacks(1), (std::vector{blk(last, last + 1)}));
    EXPECT_EQ(rx.sacks().size(), 4u);
    if (pass == 2) {
      // Every hole but the first, in random order: each merges two ranges into one.
      std::vector<uint32_t> holes(order.begin(), order.end());
      std::shuffle(holes.begin(), holes.end(), rng);
      uint32_t left = kN;
      for (uint32_t i : holes) {
        if (i == 0) continue;
        ASSERT_TRUE(rx.put(isn + 2 * i, 1).out_of_order);
        ASSERT_EQ(ofo.size(), --left);
        const wire::SackBlock first = rx.sacks()[0];
        ASSERT_TRUE(SeqNum(isn + 2 * i).in_window(first.left, first.right - first.left));
        if (left % 4096 == 0) {
          ASSERT_LE(ofo.height(), avl_height_bound(left));
        }
      }
      EXPECT_EQ(rx.ranges(), (std::vector{blk(isn + 1, isn + 2 * kN)}));
    }
    // The first hole (all holes when they were left open).
    auto r = rx.put(isn, pass == 2 ? 1 : 2 * kN);
    EXPECT_EQ(r.advanced, 2 * kN);
    EXPECT_FALSE(rx.q.has_out_of_order());
    EXPECT_TRUE(rx.sacks().empty());
    EXPECT_EQ(rx.read_all_checked(isn), 2 * kN);
    EXPECT_EQ(rx.q.allocated(), 0u);
  }
}

// A caller that moves rcv_nxt past held ranges (data after a FIN) breaks insert()'s contract;
// the queue then drops what it held out of order rather than mis-order what follows.
TEST(TcpRecvQueue, RangesACallerSkippedAreDropped) {
  Receiver rx(0);
  rx.put(200, 100);
  rx.put(400, 100);
  rx.nxt = 250;  // not by insert()
  EXPECT_FALSE(rx.put(600, 10).duplicate);
  EXPECT_EQ(rx.ranges(), (std::vector{blk(600, 610)}));
  EXPECT_EQ(rx.sacks(), (std::vector{blk(600, 610)}));
}

// The reference receiver of the randomized test: one flag per byte of the stream, and the
// SACK blocks written from RFC 2018 4 and Linux's selective_acks array rather than from
// the code under test: the range holding the latest out-of-order segment first, then the
// previous blocks it did not swallow, at most 4; absorbed blocks leave.
struct ModelReceiver {
  struct Block {
    uint64_t lo, hi;
  };
  explicit ModelReceiver(uint64_t stream) : have(stream) {}

  RecvQueue::Insert insert(uint64_t lo, uint64_t hi, uint32_t window) {
    RecvQueue::Insert r;
    if (hi <= nxt) {
      r.duplicate = true;
      return r;
    }
    const uint64_t s = std::max(lo, nxt), edge = nxt + std::min(window, 1u << 30);
    if (s >= edge) {
      r.dropped = static_cast<uint32_t>(hi - s);
      return r;
    }
    const uint64_t e = std::min(hi, edge);
    r.dropped = static_cast<uint32_t>(hi - e);
    bool fresh = false;
    for (uint64_t i = s; i < e; ++i) fresh |= !have[i];
    for (uint64_t i = s; i < e; ++i) have[i] = 1;
    high = std::max(high, e);
    if (s == nxt) {
      while (nxt < high && have[nxt]) ++nxt;
      r.advanced = static_cast<uint32_t>(nxt - s);
      std::erase_if(blocks, [&](const Block& b) { return b.lo < nxt; });
      return r;
    }
    r.out_of_order = fresh;
    r.duplicate = !fresh;
    Block run{s, e};
    while (run.lo > nxt && have[run.lo - 1]) --run.lo;
    while (run.hi < high && have[run.hi]) ++run.hi;
    std::erase_if(blocks, [&](const Block& b) { return run.lo <= b.lo && b.hi <= run.hi; });
    blocks.insert(blocks.begin(), run);
    if (blocks.size() > 4) blocks.resize(4);
    return r;
  }

  std::vector<uint8_t> have;
  uint64_t nxt = 0;   // rcv_nxt, as a stream offset
  uint64_t high = 0;  // one past the highest byte received
  uint64_t read = 0;  // bytes the application took
  std::vector<Block> blocks;
};

std::byte stream_byte(uint64_t i) {
  uint64_t z = (i + 1) * 0x9E3779B97F4A7C15ull;
  return std::byte(static_cast<uint8_t>((z ^ (z >> 29)) >> 24));
}

// Random segments (in order, old, repeated, out of order anywhere in and past the window,
// 1 to 600 bytes), window rounding, zero windows and reads, from a fixed seed, checked after
// every step against the reference model: the insert's outcome, the readable bytes and
// their contents, the window, every held range, the SACK blocks, the tree's balance.
TEST(TcpRecvQueue, RandomSegmentsMatchAReferenceModel) {
  struct Run {
    uint32_t seed, isn, limit;
  };
  for (const Run& run :
       {Run{1, 0xFFFFF800u, 4000}, Run{2, 0x7FFFFF00u, 1000}, Run{3, 0x12345678u, 6000}}) {
    SCOPED_TRACE(::testing::Message() << "seed " << run.seed);
    constexpr int kSteps = 6000;
    std::mt19937 rng(run.seed);
    auto below = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
    ModelReceiver m(uint64_t{kSteps} * 700 + run.limit + 2000);
    RecvQueue q(run.limit);
    uint64_t last_lo = 0, last_hi = 1;
    size_t max_ranges = 0;
    for (int step = 0; step < kSteps; ++step) {
      SCOPED_TRACE(::testing::Message() << "step " << step);
      const uint32_t readable = static_cast<uint32_t>(m.nxt - m.read);
      const int what = static_cast<int>(below(100));
      std::optional<uint32_t> first_byte;  // of an out-of-order segment kept or held already
      if (what < 12) {
        const bool peek = below(4) == 0;
        std::vector<std::byte> out(below(readable + 1));
        const uint32_t n = q.read(out, peek);
        ASSERT_EQ(n, out.size());
        for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(out[i], stream_byte(m.read + i));
        if (!peek) m.read += n;
      } else {
        uint64_t lo;
        uint32_t len = 1 + below(below(4) == 0 ? 600 : 120);
        const uint32_t window = q.space() + (below(4) == 0 ? below(128) : 0);
        if (what < 22) {
          lo = m.nxt;
        } else if (what < 30) {
          lo = m.nxt - std::min<uint64_t>(m.nxt, below(400));
        } else if (what < 36) {
          lo = last_lo;
          len = static_cast<uint32_t>(last_hi - last_lo);
        } else {
          lo = m.nxt + 1 + below(window + 200);
        }
        last_lo = lo;
        last_hi = lo + len;
        std::vector<std::byte> data(len);
        for (uint32_t i = 0; i < len; ++i) data[i] = stream_byte(lo + i);
        const uint64_t nxt = m.nxt;
        const auto want = m.insert(lo, lo + len, window);
        const auto got = q.insert(SeqNum(run.isn + static_cast<uint32_t>(nxt)),
                                  SeqNum(run.isn + static_cast<uint32_t>(lo)), data, window);
        ASSERT_EQ(got.advanced, want.advanced) << "segment [" << lo << ", " << lo + len << ")";
        ASSERT_EQ(got.out_of_order, want.out_of_order);
        ASSERT_EQ(got.duplicate, want.duplicate);
        ASSERT_EQ(got.dropped, want.dropped);
        if (lo > nxt && (got.out_of_order || got.duplicate))
          first_byte = run.isn + static_cast<uint32_t>(lo);
      }
      const uint32_t now_readable = static_cast<uint32_t>(m.nxt - m.read);
      ASSERT_EQ(q.readable(), now_readable);
      ASSERT_EQ(q.space(), run.limit > now_readable ? run.limit - now_readable : 0);
      std::vector<wire::SackBlock> held;
      q.out_of_order().for_each([&](SeqNum l, SeqNum r) { held.push_back({l, r}); });
      ASSERT_EQ(held, runs(m.have, m.nxt, m.high, run.isn));
      ASSERT_EQ(q.has_out_of_order(), !held.empty());
      ASSERT_LE(q.out_of_order().height(), avl_height_bound(held.size()));
      max_ranges = std::max(max_ranges, held.size());
      std::array<wire::SackBlock, 4> b{};
      const int nb = q.sack_blocks(b.data(), 4);
      std::vector<wire::SackBlock> want_blocks;
      for (const auto& x : m.blocks) {
        want_blocks.push_back(
            blk(static_cast<uint32_t>(run.isn + x.lo), static_cast<uint32_t>(run.isn + x.hi)));
      }
      ASSERT_EQ(std::vector(b.begin(), b.begin() + nb), want_blocks);
      if (first_byte) {
        // RFC 2018 4: the first block holds the segment that triggered the ACK.
        ASSERT_GT(nb, 0);
        ASSERT_TRUE(SeqNum(*first_byte).in_window(b[0].left, b[0].right - b[0].left));
      }
    }
    EXPECT_GE(max_ranges, 8u) << "the run should hold many ranges at once";
    EXPECT_GT(m.nxt, uint64_t{run.limit} * 10) << "the run should move the window";
  }
}

}  // namespace
}  // namespace ustcp::tcp
