// RACK (RFC 8985) asks whether one segment was sent after another. Linux compares send
// times (tcp_skb_sent_after) and, at equal times, sequence numbers: within one burst, a
// higher sequence left later. Its clock moves between two ACKs it processes, so equal
// times only arise inside one burst. ustcp's virtual clock stands still while it handles
// everything due at one instant (on an unlimited simulated link a whole flight's ACKs
// arrive at once): new data sent for one ACK and a retransmission sent for a later ACK of
// the same instant share a time, and the sequence rule would take the retransmission for
// the older one. The order of transmission must decide, so that a frozen clock gives what
// a moving one gives.
#include <gtest/gtest.h>

#include <vector>

#include "rack_segments.hpp"

namespace ustcp::testing {
namespace {

constexpr uint32_t kMss = kRackMss;

struct Outcome {
  std::vector<uint32_t> at_200ms;  // what the four ACKs around 200 ms released
  std::vector<uint32_t> at_300ms;  // what the SACK of 10..13 released
  uint64_t lost_retransmits = 0;
  uint64_t retransmits = 0;
};

// Ten segments out at 100 ms, segment 1 lost. Around 200 ms, `gap` apart: the ACK of
// segment 0 (slow start sends 10 and 11), SACKs of 2, 2-3 (a new segment each) and 2-4
// (the third SACK: RACK marks 1 lost and it is retransmitted, after 10..13). At 300 ms the
// peer SACKs 2-13: 10..13, all sent before the retransmission, are delivered, the
// retransmission is still on its way (its ACK comes next) and is not lost.
Outcome first_flight_then_sack_of_new_data(Duration gap) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.sack = true});
  EXPECT_EQ(*h.write(s, 20 * kMss), 20 * kMss);
  h.advance_to(at(100ms));
  EXPECT_EQ(sent_segments(h), (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Outcome r;
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + kMss});
  h.inject(at(200ms) + gap, sack_ack(1, 2, 3));
  h.inject(at(200ms) + 2 * gap, sack_ack(1, 2, 4));
  h.inject(at(200ms) + 3 * gap, sack_ack(1, 2, 5));
  r.at_200ms = sent_segments(h);
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  h.inject(at(300ms), sack_ack(1, 2, 14));
  r.at_300ms = sent_segments(h);
  r.lost_retransmits = h.stack.counters().TCPLostRetransmit;
  r.retransmits = h.stack.counters().RetransSegs;
  return r;
}

TEST(TcpRackSendOrder, RetransmissionAfterNewDataAtOneInstantIsNotLostEarly) {
  const Outcome frozen = first_flight_then_sack_of_new_data(0us);
  EXPECT_EQ(frozen.at_200ms, (std::vector<uint32_t>{10, 11, 12, 13, 1}));
  // Segment 1 was retransmitted once: the SACK of 10..13 does not mark it lost again (with
  // sequence ties it would: 13 ends above 1, at the same time).
  EXPECT_EQ(frozen.lost_retransmits, 0u);
  EXPECT_EQ(frozen.retransmits, 1u);
  for (uint32_t seg : frozen.at_300ms) EXPECT_NE(seg, 1u);

  // The same ACKs a microsecond apart, as a kernel's clock would stamp them: the same
  // segments go out.
  const Outcome moving = first_flight_then_sack_of_new_data(1us);
  EXPECT_EQ(moving.at_200ms, frozen.at_200ms);
  EXPECT_EQ(moving.at_300ms, frozen.at_300ms);
  EXPECT_EQ(moving.lost_retransmits, frozen.lost_retransmits);
  EXPECT_EQ(moving.retransmits, frozen.retransmits);
}

}  // namespace
}  // namespace ustcp::testing
