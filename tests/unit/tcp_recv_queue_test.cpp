// RecvQueue: placement of segment text (RFC 9293 3.10.7.4 "segment text": in-order data
// goes to the application, out-of-order data is held where it belongs), trimming of
// duplicates and of bytes beyond the window (Linux tcp_data_queue, tcp_data_queue_ofo) and
// the order of SACK blocks (RFC 2018 4: the block holding the most recent segment first).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "ustcp/tcp/recv_queue.hpp"

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
}

}  // namespace
}  // namespace ustcp::tcp
