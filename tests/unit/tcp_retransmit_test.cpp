// Retransmission and congestion control on the wire: the RTO (RFC 6298: initial 1 s,
// backoff, Linux's 200 ms floor and 120 s cap; Karn's algorithm), giving up after
// tcp_retries2 (tcp_write_timeout, retransmits_timed_out, tcp_model_timeout), fast
// retransmit and NewReno recovery (RFC 5681 3.2, RFC 6582), the initial window and slow
// start (RFC 6928, RFC 5681 3.1).
//
// These peers do not use SACK, so Linux's NewReno path applies (duplicate ACKs counted as
// "SACKed" segments) and there is no tail loss probe; recovery reduces the window by PRR
// (RFC 6937). SACK recovery, RACK and TLP are tested in tcp_sack_recovery_test.cpp.
#include <gtest/gtest.h>

#include <vector>

#include "harness_data.hpp"

namespace ustcp::testing {
namespace {

constexpr uint32_t kMss = 1460;

// The recovery tests use Reno (ssthresh = cwnd / 2), whose arithmetic is worked by hand
// below; CUBIC (the default) reduces to 0.7 cwnd and has its own tests.
tcp::Config reno_config() {
  tcp::Config cfg;
  cfg.congestion_control = &tcp::reno();
  return cfg;
}

// The RTO schedule of one lost segment sent at t0 with RTO `rto`: RFC 6298 5.5 doubles
// the timer, Linux caps it at tcp_rto_max (120 s).
std::vector<Duration> rto_fire_times(Duration rto, int n) {
  std::vector<Duration> v;
  Duration t = 0s, r = rto;
  for (int i = 0; i < n; ++i) {
    t += r;
    v.push_back(t);
    r = std::min<Duration>(2 * r, 120s);
  }
  return v;
}

// RFC 6298 2.2 with Linux's floor: a 100 ms handshake gives RTO 300 ms; the lost segment
// is sent again at 0.3, 0.9, 2.1, 4.5 s after it first left (5.5: back off, 5.6: restart).
TEST(TcpRetransmit, RtoFromHandshakeSampleAndBackoff) {
  Harness h;
  SocketId s = h.established_client();
  EXPECT_EQ(h.conn(s)->rto(), 300ms);
  ASSERT_EQ(*h.write(s, 100), 100u);
  const TimePoint t0 = at(100ms);
  h.expect_send(t0, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  for (Duration d : {300ms, 900ms, 2100ms, 4500ms}) {
    h.expect_nothing(until(t0.time_since_epoch() + d));
    h.expect_send(t0 + d, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  }
  EXPECT_EQ(h.stack.counters().RetransSegs, 4u);
  EXPECT_EQ(h.conn(s)->rto(), 4800ms);
  h.inject(t0 + 4600ms, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 100});
  h.expect_nothing(until(200s));
}

// With the RTO at 1 s (tcp_rto_min 900 ms + a 100 ms path), the schedule is RFC 6298's
// classic one: retransmissions 1, 3, 7, 15, 31 s after the original send.
TEST(TcpRetransmit, OneSecondRtoDoubles) {
  tcp::Config cfg;
  cfg.tcp_rto_min_us = 900000;
  Harness h(cfg);
  SocketId s = h.established_client();
  EXPECT_EQ(h.conn(s)->rto(), 1s);
  ASSERT_EQ(*h.write(s, 10), 10u);
  const TimePoint t0 = at(100ms);
  h.expect_send(t0, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
  for (Duration d : {1s, 3s, 7s, 15s, 31s}) {
    h.expect_nothing(until(t0.time_since_epoch() + d));
    h.expect_send(t0 + d, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
  }
}

// RFC 6298 2.4 / tcp_bound_rto: never below 200 ms (tcp_rto_min_us): a 1 ms path gives
// 1 ms + 200 ms.
TEST(TcpRetransmit, RtoFloorOnFastPath) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.rtt = 1ms});
  EXPECT_EQ(h.conn(s)->rto(), 201ms);
  ASSERT_EQ(*h.write(s, 10), 10u);
  h.expect_send(at(1ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
  h.expect_nothing(until(202ms));
  h.expect_send(at(202ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
}

// RFC 6298 5 (Karn): after a timeout the backed-off RTO is kept until a new measurement;
// an ACK of retransmitted data gives none (no timestamps), so the next segment's timer is
// still 600 ms. Its own ACK (a valid sample) brings the RTO back down.
TEST(TcpRetransmit, BackedOffRtoKeptUntilValidSample) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 10), 10u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
  h.expect_send(at(400ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
  h.inject(at(500ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 10});
  h.advance_to(at(600ms));
  ASSERT_EQ(*h.write(s, 10), 10u);
  h.expect_send(at(600ms), Seg{.flags = ACK | PSH, .seq = kSnd + 10, .ack = kRcv, .len = 10});
  h.expect_nothing(until(1200ms));
  h.expect_send(at(1200ms), Seg{.flags = ACK | PSH, .seq = kSnd + 10, .ack = kRcv, .len = 10});
  h.inject(at(1300ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 20});
  h.advance_to(at(1400ms));
  ASSERT_EQ(*h.write(s, 10), 10u);
  h.expect_send(at(1400ms), Seg{.flags = ACK | PSH, .seq = kSnd + 20, .ack = kRcv, .len = 10});
  h.inject(at(1500ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 30});  // a valid 100 ms sample
  EXPECT_EQ(h.conn(s)->rto(), 300ms);
}

// With timestamps the ACK of a retransmission carries a valid RTT (tcp_rtt_tsopt_us): the
// backoff ends at once.
TEST(TcpRetransmit, TimestampEchoEndsBackoff) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.ts = true});
  ASSERT_EQ(*h.write(s, 10), 10u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
  h.expect_send(at(400ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 10});
  EXPECT_EQ(h.conn(s)->rto(), 600ms);
  h.inject(at(500ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 10});  // echoes the 400 ms TS
  EXPECT_LT(h.conn(s)->rto(), 600ms);
}

// tcp_write_timeout: data retransmissions stop when retransmits_timed_out(tcp_retries2):
// tcp_model_timeout(15, TCP_RTO_MIN) = (2^10 - 1) * 200 ms + 6 * 120 s = 924.6 s measured
// from retrans_stamp, the first retransmission (tcp_retransmit_skb). The check runs when the RTO
// fires, so with a 300 ms RTO the 15th retransmission goes at 873.3 s and the connection
// fails at the next expiry, 993.3 s: ETIMEDOUT, no RST (tcp_write_err).
TEST(TcpRetransmit, GivesUpAfterRetries2Default) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 100), 100u);
  const TimePoint t0 = at(100ms);
  h.expect_send(t0, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  const Duration budget = 924600ms;
  auto fires = rto_fire_times(300ms, 16);
  int retransmits = 0;
  for (Duration d : fires) {
    if (d >= budget) {
      h.advance_to(t0 + d - 1ms);
      EXPECT_EQ(h.state(), State::Established);
      h.advance_to(t0 + d);
      break;
    }
    h.expect_nothing(until(t0.time_since_epoch() + d));
    h.expect_send(t0 + d, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
    ++retransmits;
  }
  EXPECT_EQ(retransmits, 15);
  EXPECT_EQ(fires[14], 873300ms);
  EXPECT_EQ(fires[15], 993300ms);
  EXPECT_EQ(h.now, t0 + 993300ms);
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 1u);
  h.expect_nothing(until(2000s));  // no RST
}

// tcp_retries2 = 3: tcp_model_timeout = (2^4 - 1) * 200 ms = 3 s; retransmissions at 0.3,
// 0.9, 2.1 s; failure at the 4.5 s expiry. A read then reports ETIMEDOUT.
TEST(TcpRetransmit, GivesUpAfterSmallRetries2) {
  tcp::Config cfg;
  cfg.tcp_retries2 = 3;
  Harness h(cfg);
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 100), 100u);
  const TimePoint t0 = at(100ms);
  h.expect_send(t0, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  for (Duration d : {300ms, 900ms, 2100ms}) {
    h.expect_send(t0 + d, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  }
  h.advance_to(t0 + 4500ms - 1ms);
  EXPECT_EQ(h.state(), State::Established);
  h.expect_nothing(until(4700ms));  // the 4.6 s expiry: no retransmission, no RST
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(errno_of(h.read(s)), ETIMEDOUT);
}

// The RTO never exceeds 120 s (tcp_rto_max): intervals 0.3 s doubling, then 120 s flat.
TEST(TcpRetransmit, RtoCappedAt120s) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 1), 1u);
  const TimePoint t0 = at(100ms);
  h.expect_send(t0, Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 1});
  TimePoint prev = t0;
  std::vector<Duration> gaps;
  for (int i = 0; i < 12; ++i) {
    Sent x = h.expect_send(t0 + rto_fire_times(300ms, 12)[i],
                           Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 1});
    gaps.push_back(x.at - prev);
    prev = x.at;
  }
  EXPECT_EQ(gaps[8], 76800ms);
  EXPECT_EQ(gaps[9], 120s);
  EXPECT_EQ(gaps[11], 120s);
  EXPECT_EQ(h.conn(s)->rto(), 120s);
}

// RFC 6928 / TCP_INIT_CWND: exactly 10 segments leave before the first ACK; RFC 5681 3.1
// slow start: each ACK of one segment opens the window by one, so two segments follow.
// Windows count packets, as Linux's snd_cwnd does.
TEST(TcpRetransmit, InitialWindowTenSegmentsThenSlowStart) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 20 * kMss), 20 * kMss);  // the send buffer: 2 * cwnd
  for (uint32_t i = 0; i < 10; ++i) {
    h.expect_send(at(100ms), Seg{.flags = i % 2 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = kSnd + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  h.expect_nothing(until(200ms));
  EXPECT_EQ(h.conn(s)->cwnd(), 10u);
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + kMss});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kSnd + 10 * kMss, .ack = kRcv, .len = kMss});
  // Two segments sent together (a 2-segment unit, Linux's tcp_write_xmit): PSH on the last.
  h.expect_send(at(200ms),
                Seg{.flags = ACK | PSH, .seq = kSnd + 11 * kMss, .ack = kRcv, .len = kMss});
  h.expect_nothing();
  EXPECT_EQ(h.conn(s)->cwnd(), 11u);
  // An ACK of two segments: cwnd + 2, four segments out.
  h.inject(at(201ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 3 * kMss});
  for (uint32_t i = 12; i < 16; ++i) {
    h.expect_send(at(201ms), Seg{.flags = i % 2 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = kSnd + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  h.expect_nothing();
  EXPECT_EQ(h.conn(s)->cwnd(), 13u);
}

// The peer's first ACK after its SYN-ACK updates SND.WL1 (RFC 9293 3.10.7.4): a window
// update, not a duplicate ACK (Linux's FLAG_WIN_UPDATE). The tests send one first so that
// the ACKs that follow are true duplicates.
void peer_window_update(Harness& h, TimePoint t, uint32_t ack = kSnd) {
  h.inject(t, Seg{.flags = ACK, .seq = kRcv, .ack = ack});
}

// Without SACK Linux counts duplicate ACKs as segments that left the network (NewReno,
// tcp_add_reno_sack): each of the first two sends a new segment (RFC 3042 limited
// transmit); the third marks the head lost and enters recovery, ssthresh = cwnd / 2 = 5.
// PRR (RFC 6937) then sets cwnd = in flight + sndcnt on each ACK: in flight 8 (12 out, 3
// "SACKed", 1 lost), sndcnt = ceil(5 * 1 / 10) = 1: cwnd 9, and the fast retransmit goes.
// Later duplicates release new data at ssthresh / prior_cwnd = half the delivery rate.
TEST(TcpRetransmit, FastRetransmitAndProportionalRateReduction) {
  Harness h(reno_config());
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 20 * kMss), 20 * kMss);
  for (uint32_t i = 0; i < 10; ++i) {
    h.expect_send(at(100ms), Seg{.flags = i % 2 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = kSnd + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  peer_window_update(h, at(150ms));
  h.expect_nothing();
  // Segment 0 is lost; 1, 2, 3 arrive.
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kSnd + 10 * kMss, .ack = kRcv, .len = kMss});
  h.inject(at(201ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});
  h.expect_send(at(201ms), Seg{.flags = ACK, .seq = kSnd + 11 * kMss, .ack = kRcv, .len = kMss});
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Disorder);
  h.inject(at(202ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});
  h.expect_send(at(202ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv, .len = kMss});
  h.expect_nothing();
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  EXPECT_EQ(h.conn(s)->ssthresh(), 5u);
  EXPECT_EQ(h.conn(s)->cwnd(), 9u);
  EXPECT_EQ(h.stack.counters().TCPRenoRecovery, 1u);
  EXPECT_EQ(h.stack.counters().TCPFastRetrans, 1u);
  // 4..9 arrive (six more duplicates). PRR: delivered 2..7, sndcnt =
  // ceil(5 * delivered / 10) - sent: new segments go at the 5th and 7th duplicate; once in
  // flight reaches ssthresh, cwnd holds it.
  const uint32_t cwnd_after[] = {8, 8, 7, 7, 6, 5};
  for (int i = 0; i < 6; ++i) {
    const TimePoint t = at(203ms) + i * 1ms;
    h.inject(t, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});
    if (i == 1 || i == 3) {
      const uint32_t seg = i == 1 ? 12 : 13;
      h.expect_send(t, Seg{.flags = ACK, .seq = kSnd + seg * kMss, .ack = kRcv, .len = kMss});
    }
    h.expect_nothing();
    EXPECT_EQ(h.conn(s)->cwnd(), cwnd_after[i]) << "after duplicate " << i + 4;
  }
  // The retransmission arrives: everything up to high_seq (12 segments) is acknowledged.
  // Without SACK recovery lasts until something above high_seq is (RFC 6582); PRR, now
  // below ssthresh, sends delivered + 1 up to ssthresh - in flight = 3 new segments.
  h.inject(at(300ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 12 * kMss});
  for (uint32_t i = 14; i < 17; ++i) {  // a 2-segment unit, then one segment
    h.expect_send(at(300ms), Seg{.flags = i == 15 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = kSnd + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  h.expect_nothing();
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  EXPECT_EQ(h.conn(s)->cwnd(), 5u);
  // An ACK beyond high_seq ends recovery: cwnd = ssthresh.
  h.inject(at(310ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 13 * kMss});
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Open);
  EXPECT_EQ(h.conn(s)->cwnd(), 5u);
  EXPECT_EQ(h.stack.counters().RetransSegs, 1u);
}

// RFC 6582 3.2 step 3 (Linux tcp_newreno_mark_lost): a partial ACK in recovery marks the
// next hole lost and retransmits it at once; the ACK beyond high_seq ends recovery with
// cwnd = ssthresh. Segments 0 and 4 are lost.
TEST(TcpRetransmit, NewRenoPartialAckRetransmitsNextHole) {
  Harness h(reno_config());
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 20 * kMss), 20 * kMss);
  for (uint32_t i = 0; i < 10; ++i) {
    h.expect_send(at(100ms), Seg{.flags = i % 2 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = kSnd + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  peer_window_update(h, at(150ms));
  // 1, 2, 3 arrive: limited transmit of 10 and 11, then the fast retransmit of 0.
  for (int i = 0; i < 3; ++i)
    h.inject(at(200ms) + i * 1ms, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kSnd + 10 * kMss, .ack = kRcv, .len = kMss});
  h.expect_send(at(201ms), Seg{.flags = ACK, .seq = kSnd + 11 * kMss, .ack = kRcv, .len = kMss});
  h.expect_send(at(202ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv, .len = kMss});
  // 5..11 arrive: PRR releases 12 (5th duplicate), 13 (7th) and 14 (10th).
  for (int i = 0; i < 7; ++i) {
    const TimePoint t = at(210ms) + i * 1ms;
    h.inject(t, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});
    if (i == 1 || i == 3 || i == 6) {
      const uint32_t seg = i == 1 ? 12 : i == 3 ? 13 : 14;
      h.expect_send(t, Seg{.flags = ACK, .seq = kSnd + seg * kMss, .ack = kRcv, .len = kMss});
    }
    h.expect_nothing();
  }
  // The retransmission of 0 arrives: a partial ACK up to the second hole. Segment 4 goes
  // at once, and PRR (in flight 3 of ssthresh 5) lets one new segment follow.
  h.inject(at(300ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 4 * kMss});
  h.expect_send(at(300ms), Seg{.flags = ACK, .seq = kSnd + 4 * kMss, .ack = kRcv, .len = kMss});
  h.expect_send(at(300ms), Seg{.flags = ACK, .seq = kSnd + 15 * kMss, .ack = kRcv, .len = kMss});
  h.expect_nothing();
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Recovery);
  EXPECT_EQ(h.conn(s)->cwnd(), 5u);
  EXPECT_EQ(h.conn(s)->ssthresh(), 5u);  // unchanged by the partial ACK
  // The full ACK (15 segments, beyond high_seq = 12): recovery ends, cwnd = ssthresh = 5,
  // and with one segment in flight four more go.
  h.inject(at(400ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 15 * kMss});
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Open);
  EXPECT_EQ(h.conn(s)->cwnd(), 5u);
  for (uint32_t i = 16; i < 20; ++i) {
    h.expect_send(at(400ms), Seg{.flags = i % 2 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = kSnd + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().RetransSegs, 2u);
  EXPECT_EQ(h.stack.counters().TCPFastRetrans, 2u);  // both went from the recovery queue
}

// After a timeout (tcp_enter_loss) every segment is lost, cwnd = in flight + 1 = 1 and
// ssthresh = 5; duplicate ACKs of the old flight (the originals arriving late) neither
// start a fast retransmit nor open the window: the next retransmission is the backed-off
// RTO's.
TEST(TcpRetransmit, NoFastRetransmitForLossesBeforeRecover) {
  Harness h(reno_config());
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 10 * kMss), 10 * kMss);
  for (uint32_t i = 0; i < 10; ++i) {
    h.expect_send(at(100ms), Seg{.flags = i % 2 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = kSnd + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  // Nothing comes back: RTO at 400 ms, cwnd = 1, segment 0 again.
  h.expect_send(at(400ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv, .len = kMss});
  EXPECT_EQ(h.conn(s)->cwnd(), 1u);
  EXPECT_EQ(h.conn(s)->ssthresh(), 5u);
  EXPECT_EQ(h.conn(s)->ca_state(), tcp::CaState::Loss);
  // Late duplicate ACKs for the first flight.
  for (int i = 0; i < 5; ++i)
    h.inject(at(450ms) + i * 1ms, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});
  h.expect_nothing(until(1000ms));
  EXPECT_EQ(h.stack.counters().TCPFastRetrans, 0u);
  h.expect_send(at(1000ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv, .len = kMss});
}

// Sequence comparisons work whatever the ISN (here above 2^31, where a marker left at 0
// would compare as "after" every ACK).
TEST(TcpRetransmit, FastRetransmitWithIsnAbove2To31) {
  Harness h;
  const uint32_t iss = 0x90000000u;
  SocketId s = established_client_isn(h, iss, kIrs);
  ASSERT_EQ(*h.write(s, 10 * kMss), 10 * kMss);
  for (uint32_t i = 0; i < 10; ++i) {
    h.expect_send(at(100ms), Seg{.flags = i % 2 ? uint8_t(ACK | PSH) : ACK,
                                 .seq = iss + 1 + i * kMss,
                                 .ack = kRcv,
                                 .len = kMss});
  }
  peer_window_update(h, at(150ms), iss + 1);
  for (int i = 0; i < 3; ++i)
    h.inject(at(200ms) + i * 1ms, Seg{.flags = ACK, .seq = kRcv, .ack = iss + 1});
  h.expect_send(at(202ms), Seg{.flags = ACK, .seq = iss + 1, .ack = kRcv, .len = kMss});
  EXPECT_EQ(h.stack.counters().TCPFastRetrans, 1u);
  (void)s;
}

}  // namespace
}  // namespace ustcp::testing
