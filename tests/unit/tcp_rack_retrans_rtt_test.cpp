// RACK takes a round trip from a retransmission only if its ACK came at least min_rtt after
// it left (RFC 8985 6.2 step 2; Linux tcp_rack_advance: "rtt_us < tcp_min_rtt(tp)" skips):
// an ACK that comes sooner may be for the original. The boundary matters in virtual time,
// where round trips are exact: an ACK exactly min_rtt after the retransmission is a sample,
// as on Linux. (Upstream packetdrill eor/no-coalesce-retrans.pkt has its retransmission
// ACKed 1 ms after it left with a 1 ms path: it passes on Linux only because real
// packetdrill's clock makes min_rtt a little more than 1 ms; tests/drill/recovery/
// rack-retrans-*.pkt show both outcomes with margins Linux keeps.)
#include <gtest/gtest.h>

#include <vector>

#include "rack_segments.hpp"

namespace ustcp::testing {
namespace {

constexpr uint32_t kMss = kRackMss;
constexpr Duration kMinRtt = 10ms;

// Segments 0..9 leave at 100 ms and are ACKed kMinRtt later (min_rtt = 10 ms); slow start
// sends 10..19 at 110 ms. At 120 ms the ACK of 10 SACKs 14..16: three SACKed, no reordering
// seen, so RACK's window is zero and 11..13 are lost at once; recovery (ssthresh 14) and
// PRR retransmit all three. The ACK of the retransmitted 11 comes `retrans_rtt` after it
// left; returns what that ACK sends.
std::vector<uint32_t> after_ack_of_retransmission(Duration retrans_rtt) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.sack = true});
  EXPECT_EQ(*h.write(s, 20 * kMss), 20 * kMss);
  h.advance_to(at(100ms));
  EXPECT_EQ(sent_segments(h), (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  h.inject(at(100ms) + kMinRtt, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 10 * kMss});
  EXPECT_EQ(sent_segments(h), (std::vector<uint32_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
  const TimePoint retransmitted = at(100ms) + 2 * kMinRtt;
  h.inject(retransmitted, sack_ack(11, 14, 17));
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  EXPECT_EQ(sent_segments(h), (std::vector<uint32_t>{11, 12, 13}));
  h.inject(retransmitted + retrans_rtt, sack_ack(12, 14, 17));
  return sent_segments(h);
}

TEST(TcpRackRetransRtt, AckOfRetransmissionAtMinRttAdvancesRack) {
  // RACK.xmit_ts moves to the retransmission: 17..19, sent at 110 ms and not delivered,
  // are lost (20 ms old, RACK.rtt 10 ms). PRR with new losses sends what was delivered
  // beyond what it sent: 5 - 3 = 2.
  EXPECT_EQ(after_ack_of_retransmission(kMinRtt), (std::vector<uint32_t>{17, 18}));
}

TEST(TcpRackRetransRtt, AckOfRetransmissionSoonerThanMinRttIsNoRackSample) {
  // 1 us sooner: the ACK may be for the original, RACK keeps its state and 17..19 stay in
  // flight. Nothing lost is left unsent (PRR would allow 3: no new loss, snd_una advanced).
  EXPECT_EQ(after_ack_of_retransmission(kMinRtt - 1us), (std::vector<uint32_t>{}));
}

}  // namespace
}  // namespace ustcp::testing
