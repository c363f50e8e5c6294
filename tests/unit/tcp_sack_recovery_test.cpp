// Loss recovery with a SACK peer, as Linux 6.x does it: RACK marks losses (RFC 8985), PRR
// paces the window down to ssthresh (RFC 6937), a tail loss probe precedes the RTO, D-SACKs
// and F-RTO undo spurious reductions (RFC 3708, RFC 5682). The packet sequences below were
// worked out from Linux's algorithms; the first one is also what Linux 6.18 sent for the
// same input under packetdrill (tests/drill/recovery/ holds the scripts run on Linux).
// Then ustcp's two deliberate departures: RTT samples that ACK loss inflated are refused.
#include <gtest/gtest.h>

#include "harness_data.hpp"

namespace ustcp::testing {
namespace {

constexpr uint32_t kMss = 1460;

wire::TcpOptions sack_blocks(std::initializer_list<std::pair<uint32_t, uint32_t>> blocks) {
  wire::TcpOptions o;
  for (auto [l, r] : blocks) {
    o.sack[o.sack_count++] = wire::SackBlock{SeqNum(l), SeqNum(r)};
  }
  return o;
}

// An ACK of `ack` that SACKs segments [from, to) of the first flight (segment numbers).
Seg sack_ack(uint32_t ack, uint32_t from, uint32_t to) {
  return Seg{.flags = ACK,
             .seq = kRcv,
             .ack = ack,
             .opts = sack_blocks({{kSnd + from * kMss, kSnd + to * kMss}})};
}

Seg data(uint32_t segment, uint8_t flags = ACK) {
  return Seg{.flags = flags, .seq = kSnd + segment * kMss, .ack = kRcv, .len = kMss};
}

SocketId sack_client(Harness& h) { return h.established_client(PeerOpts{.sack = true}); }

// Twenty segments written, ten out, the first lost: SACKs of 1, 1-2 and 1-3 at 200, 201
// and 202 ms release segments 10 and 11 (limited transmit) and the fast retransmit of 0.
SocketId client_in_sack_recovery(Harness& h) {
  SocketId s = sack_client(h);
  EXPECT_EQ(*h.write(s, 20 * kMss), 20 * kMss);
  for (uint32_t i = 0; i < 10; ++i) h.expect_send(at(100ms), data(i, i % 2 ? ACK | PSH : ACK));
  h.inject(at(200ms), sack_ack(kSnd, 1, 2));
  h.expect_send(at(200ms), data(10));
  h.inject(at(201ms), sack_ack(kSnd, 1, 3));
  h.expect_send(at(201ms), data(11));
  h.inject(at(202ms), sack_ack(kSnd, 1, 4));
  h.expect_send(at(202ms), data(0));
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  return s;
}

// Ten segments out, the first lost: the first two SACKs release a new segment each
// (limited transmit); the third reaches the dupthresh, RACK marks the head lost with a
// zero reordering window, and recovery starts (CUBIC: ssthresh = 0.7 * 10 = 7). PRR then
// releases ceil(7 * delivered / 10) - sent packets while in flight is above ssthresh.
// Linux 6.18 sent exactly these packets for this input (tcpdump under packetdrill).
TEST(TcpSackRecovery, RackDupthreshAndProportionalRateReduction) {
  Harness h;
  SocketId s = sack_client(h);
  ASSERT_EQ(*h.write(s, 20 * kMss), 20 * kMss);
  for (uint32_t i = 0; i < 10; ++i) h.expect_send(at(100ms), data(i, i % 2 ? ACK | PSH : ACK));
  h.inject(at(200ms), sack_ack(kSnd, 1, 2));
  h.expect_send(at(200ms), data(10));
  h.inject(at(210ms), sack_ack(kSnd, 1, 3));
  h.expect_send(at(210ms), data(11));
  h.expect_nothing();
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Disorder);
  h.inject(at(220ms), sack_ack(kSnd, 1, 4));
  h.expect_send(at(220ms), data(0));  // the fast retransmit
  h.expect_nothing();
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  EXPECT_EQ(h.conn(s)->ssthresh(), 7u);
  EXPECT_EQ(h.stack.counters().TCPSackRecovery, 1u);
  // SACKs of 4..9: new segments at the 4th, 5th, 8th and 9th SACK (PRR).
  const int sends[] = {12, 13, -1, -1, 14, 15};
  for (int i = 0; i < 6; ++i) {
    const TimePoint t = at(230ms) + i * 10ms;
    h.inject(t, sack_ack(kSnd, 1, 5 + static_cast<uint32_t>(i)));
    if (sends[i] >= 0) h.expect_send(t, data(static_cast<uint32_t>(sends[i])));
    h.expect_nothing();
  }
  // The cumulative ACK reaches high_seq (12 segments): recovery ends, cwnd = ssthresh, and
  // three segments fill it (four are in flight).
  h.inject(at(330ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 12 * kMss});
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Open);
  EXPECT_EQ(h.conn(s)->cwnd(), 7u);
  for (uint32_t i = 16; i < 19; ++i) h.expect_send(at(330ms), data(i, i == 17 ? ACK | PSH : ACK));
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().RetransSegs, 1u);
  EXPECT_EQ(h.stack.counters().TCPFastRetrans, 1u);
}

// One SACK above a hole is not enough evidence of loss: RACK waits the reordering window,
// min_rtt / 4 = 25 ms after the SACKed segment's RTT has passed for the older ones
// (+ TCP_TIMEOUT_MIN of 2 ms), then marks them lost and enters recovery.
TEST(TcpSackRecovery, RackReorderingWindowTimer) {
  Harness h;
  SocketId s = sack_client(h);
  ASSERT_EQ(*h.write(s, 4 * kMss), 4 * kMss);
  for (uint32_t i = 0; i < 4; ++i) h.expect_send(at(100ms), data(i, i % 2 ? ACK | PSH : ACK));
  h.inject(at(200ms), sack_ack(kSnd, 3, 4));
  h.expect_nothing(until(227ms));
  h.expect_send(at(227ms), data(0));
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  const tcp::TcpInfo info = h.conn(s)->info(h.now);
  EXPECT_EQ(info.lost, 3u);  // 0, 1 and 2 are marked lost at once
  EXPECT_EQ(info.sacked, 1u);
  // Segment 1 was only reordered: it arrives now, below the highest SACK and never
  // retransmitted. That is reordering (TCPSACKReorder, tcp_check_sack_reordering), which
  // RACK remembers when it sizes later reordering windows.
  h.inject(at(230ms), Seg{.flags = ACK,
                          .seq = kRcv,
                          .ack = kSnd,
                          .opts = sack_blocks({{kSnd + kMss, kSnd + 2 * kMss},
                                               {kSnd + 3 * kMss, kSnd + 4 * kMss}})});
  EXPECT_EQ(h.stack.counters().TCPSACKReorder, 1u);
  EXPECT_EQ(h.conn(s)->info(h.now).reord_seen, 1u);
}

// RFC 8985 7 (tcp_schedule_loss_probe): with two segments out and nothing coming back, the
// probe timeout is 2 SRTT + 2 ms = 202 ms, before the 300 ms RTO; with no new data the
// probe is the last segment again. The RTO then runs from the probe.
TEST(TcpSackRecovery, TailLossProbeRetransmitsTheLastSegment) {
  Harness h;
  SocketId s = sack_client(h);
  ASSERT_EQ(*h.write(s, 2 * kMss), 2 * kMss);
  h.expect_send(at(100ms), data(0));
  h.expect_send(at(100ms), data(1, ACK | PSH));
  h.expect_nothing(until(302ms));
  h.expect_send(at(302ms), data(1, ACK | PSH));
  EXPECT_EQ(h.stack.counters().TCPLossProbes, 1u);
  h.expect_nothing(until(602ms));
  h.expect_send(at(602ms), data(0));  // the RTO
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Loss);
}

// With data waiting behind the congestion window, the probe sends new data instead, past
// cwnd (tcp_send_loss_probe's push_one = 2).
TEST(TcpSackRecovery, TailLossProbeSendsNewData) {
  Harness h;
  SocketId s = sack_client(h);
  ASSERT_EQ(*h.write(s, 12 * kMss), 12 * kMss);
  for (uint32_t i = 0; i < 10; ++i) h.expect_send(at(100ms), data(i, i % 2 ? ACK | PSH : ACK));
  h.expect_nothing(until(302ms));
  h.expect_send(at(302ms), data(10));
  EXPECT_EQ(h.stack.counters().TCPLossProbes, 1u);
  EXPECT_EQ(h.conn(s)->cwnd(), 10u);
}

// The fast retransmit of segment 0 proves spurious: the original arrives late and the
// ACK covering high_seq carries a D-SACK for the retransmission (RFC 2883, RFC 3708).
// Every retransmission is D-SACKed, so the reduction is undone (tcp_try_undo_recovery):
// cwnd back to 10, ssthresh back to "infinite".
TEST(TcpSackRecovery, DsackUndoesASpuriousFastRetransmit) {
  Harness h;
  SocketId s = client_in_sack_recovery(h);
  h.inject(at(300ms), Seg{.flags = ACK,
                          .seq = kRcv,
                          .ack = kSnd + 12 * kMss,
                          .opts = sack_blocks({{kSnd, kSnd + kMss}})});
  EXPECT_EQ(h.stack.counters().TCPDSACKRecv, 1u);
  EXPECT_EQ(h.stack.counters().TCPFullUndo, 1u);
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Open);
  // Back to the 10 before the reduction (and, Open again, slow start grows it by what this
  // ACK delivered).
  EXPECT_GE(h.conn(s)->cwnd(), 10u);
  EXPECT_EQ(h.conn(s)->ssthresh(), tcp::kInfiniteSsthresh);
}

// A D-SACK that arrives while recovery continues undoes it too (tcp_try_undo_dsack).
TEST(TcpSackRecovery, DsackUndoDuringRecovery) {
  Harness h;
  SocketId s = client_in_sack_recovery(h);
  // ACK of 4 segments (below high_seq = 12) with the D-SACK of segment 0.
  h.inject(at(300ms), Seg{.flags = ACK,
                          .seq = kRcv,
                          .ack = kSnd + 4 * kMss,
                          .opts = sack_blocks({{kSnd, kSnd + kMss}})});
  EXPECT_EQ(h.stack.counters().TCPDSACKUndo, 1u);
  EXPECT_NE(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  EXPECT_GE(h.conn(s)->cwnd(), 10u);
  EXPECT_EQ(h.conn(s)->ssthresh(), tcp::kInfiniteSsthresh);
}

// RFC 5682 (F-RTO, SACK-enhanced; tcp_process_loss): after the RTO, the first ACK covers
// data that was never retransmitted: the originals were only delayed, the timeout was
// spurious, and the window is restored.
TEST(TcpSackRecovery, FrtoDetectsASpuriousTimeout) {
  Harness h;
  SocketId s = sack_client(h);
  ASSERT_EQ(*h.write(s, 10 * kMss), 10 * kMss);
  for (uint32_t i = 0; i < 10; ++i) h.expect_send(at(100ms), data(i, i % 2 ? ACK | PSH : ACK));
  // The loss probe (the last segment) at 302 ms, then the RTO at 602 ms.
  h.expect_send(at(302ms), data(9, ACK | PSH));
  h.expect_send(at(602ms), data(0));
  ASSERT_EQ(h.conn(s)->ca_state(), tcp::CaState::Loss);
  ASSERT_EQ(h.conn(s)->cwnd(), 1u);
  h.inject(at(650ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 2 * kMss});
  EXPECT_EQ(h.stack.counters().TCPSpuriousRTOs, 1u);
  EXPECT_EQ(h.stack.counters().TCPLossUndo, 1u);
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Open);
  EXPECT_GE(h.conn(s)->cwnd(), 10u);
  EXPECT_EQ(h.conn(s)->ssthresh(), tcp::kInfiniteSsthresh);
}

// ustcp's first departure from Linux: a segment sent before the last RTO and first
// reported only now had its SACKs lost (or held back past a timeout); its "RTT" counts
// those losses. Linux takes it (here 4.9 s, pinning SRTT near seconds); ustcp keeps to the
// 100 ms the path has.
TEST(TcpSackRecovery, SackOfASegmentSentBeforeTheTimeoutIsNoRttSample) {
  Harness h;
  SocketId s = sack_client(h);
  ASSERT_EQ(*h.write(s, 4 * kMss), 4 * kMss);
  for (uint32_t i = 0; i < 4; ++i) h.expect_send(at(100ms), data(i, i % 2 ? ACK | PSH : ACK));
  h.expect_send(at(302ms), data(3, ACK | PSH));  // loss probe
  h.expect_send(at(602ms), data(0));             // RTO, backoff 1
  h.expect_send(at(1202ms), data(0));            // backoff 2
  // Segment 2, sent at 100 ms, is SACKed at 1.3 s.
  h.inject(at(1300ms), sack_ack(kSnd, 2, 3));
  EXPECT_EQ(h.conn(s)->rtt().srtt(), 100ms);
  // The retransmission of 0 (sent at 1202 ms) is acknowledged at 1302 ms: a fresh sample.
  h.inject(at(1302ms), sack_ack(kSnd + kMss, 2, 3));
  EXPECT_LE(h.conn(s)->rtt().srtt(), 100ms);
}

// The second: a timestamp echo older than the last retransmission of the data an ACK
// covers. The retransmission was a duplicate (the ACK of the original was lost); the
// receiver echoes the segment that last advanced its window (RFC 7323 5.3), so
// "now - echo" spans the lost ACKs, not a round trip.
TEST(TcpSackRecovery, StaleTimestampEchoIsNoRttSample) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.sack = true, .ts = true});
  constexpr uint32_t kTsMss = kMss - 12;  // the timestamp option takes 12 bytes
  const Seg one{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = kTsMss};
  ASSERT_EQ(*h.write(s, kTsMss), kTsMss);
  Sent first = h.expect_send(at(100ms), one);
  const uint32_t first_tsval = first.opts.timestamp->val;
  // The ACK of the original is lost. TLP at 100 + 2 * 100 + 200 (one packet out: the probe
  // waits for a delayed ACK too), capped by the RTO at 400 ms: the probe is the segment.
  h.expect_send(at(400ms), one);
  h.expect_send(at(700ms), one);  // the RTO, 300 ms after the probe
  // The duplicate's ACK, one round trip after it, echoes the original's timestamp (100 ms),
  // 0.7 s ago. Its D-SACK names the duplicate, last sent at 700 ms: that, 100 ms, is the
  // sample, and it ends the backoff.
  Seg ack{.flags = ACK, .seq = kRcv, .ack = kSnd + kTsMss};
  ack.opts.timestamp = wire::TcpTimestamp{h.peer_ts_val(), first_tsval};
  ack.opts.sack[0] = wire::SackBlock{SeqNum(kSnd), SeqNum(kSnd + kTsMss)};  // its D-SACK
  ack.opts.sack_count = 1;
  h.inject(at(800ms), ack);
  EXPECT_EQ(h.conn(s)->rtt().srtt(), 100ms);
  EXPECT_EQ(h.conn(s)->rto(), 300ms);
}

}  // namespace
}  // namespace ustcp::testing
