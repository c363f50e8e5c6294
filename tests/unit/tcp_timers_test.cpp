// Timers other than the RTO: the zero-window probe (RFC 9293 3.8.6.1; Linux
// tcp_probe_timer, tcp_send_probe0, tcp_ack_probe) and keepalive (RFC 9293 3.8.4; Linux
// tcp_keepalive_timer, SO_KEEPALIVE with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT).
#include <gtest/gtest.h>

#include "harness_data.hpp"

namespace ustcp::testing {
namespace {

// The client has sent 1000 bytes at 100 ms; the peer ACKs them at 200 ms (RTT 100 ms, RTO
// 300 ms) and closes its window.
SocketId zero_window_client(Harness& h) {
  SocketId s = h.established_client();
  EXPECT_EQ(*h.write(s, 1000), 1000u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 1000});
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1000, .win = 0});
  EXPECT_EQ(h.conn(s)->snd_wnd(), 0u);
  EXPECT_EQ(h.conn(s)->rto(), 300ms);
  return s;
}

// Runs timers until the stack emits a segment (returned) or the next deadline is past
// `limit` (nullopt).
std::optional<Sent> next_sent(Harness& h, TimePoint limit) {
  while (h.sent.empty()) {
    auto d = h.stack.next_deadline();
    if (!d || *d > limit) return std::nullopt;
    h.advance_to(*d);
  }
  Sent got = h.sent.front();
  h.sent.pop_front();
  return got;
}

// The orphan is gone: closed, and neither a connection nor an orphan is left in the Stack.
void expect_orphan_freed(Harness& h, SourceLocation loc = SourceLocation::current()) {
  SCOPED_TRACE(::testing::Message() << "called at line " << loc.line());
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.stack.connection_count(), 0u);
  EXPECT_EQ(h.stack.orphan_count(), 0u);
}

// RFC 9293 3.8.6.1: the sender keeps probing a zero window. Linux (verified on 6.18):
// probes start one RTO after the data was queued and double, carry no data and use
// seq = SND.UNA - 1 (tcp_xmit_probe_skb), so the peer must answer with its window.
TEST(TcpTimers, ZeroWindowProbesBackOffAndWindowReopens) {
  Harness h;
  SocketId s = zero_window_client(h);
  h.advance_to(at(250ms));
  ASSERT_EQ(*h.write(s, 500), 500u);
  h.expect_nothing(until(550ms));
  // Answered at once, still closed: 550, 1150, 2350 ms (intervals 0.3, 0.6, 1.2 s).
  for (Duration t : {550ms, 1150ms, 2350ms}) {
    h.expect_nothing(until(t));
    h.expect_send(at(t), Seg{.flags = ACK, .seq = kSnd + 999, .ack = kRcv, .len = 0});
    h.inject(at(t), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1000, .win = 0});
  }
  EXPECT_EQ(h.stack.counters().TCPWinProbe, 3u);
  EXPECT_EQ(h.state(), State::Established);
  // The window opens (a window update): the data goes at once.
  h.inject(at(3s), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1000, .win = 65535});
  h.expect_send(at(3s), Seg{.flags = ACK | PSH, .seq = kSnd + 1000, .ack = kRcv, .len = 500});
  h.inject(at(3100ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1500});
  h.expect_nothing(until(60s));
}

// tcp_ack_probe: an answer that keeps the window closed re-arms the probe timer from the
// answer: with the peer answering 100 ms late, probes at 550, 1250 (650 + 600), 2550 ms.
TEST(TcpTimers, ZeroWindowProbeTimerRestartsFromAnswer) {
  Harness h;
  SocketId s = zero_window_client(h);
  h.advance_to(at(250ms));
  ASSERT_EQ(*h.write(s, 500), 500u);
  for (Duration t : {550ms, 1250ms, 2550ms}) {
    h.expect_nothing(until(t));
    h.expect_send(at(t), Seg{.flags = ACK, .seq = kSnd + 999, .ack = kRcv, .len = 0});
    h.inject(at(t) + 100ms, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1000, .win = 0});
  }
}

// tcp_probe_timer: unanswered probes give up after tcp_retries2 of them: ETIMEDOUT.
TEST(TcpTimers, UnansweredZeroWindowProbesTimeOut) {
  tcp::Config cfg;
  cfg.tcp_retries2 = 3;
  Harness h(cfg);
  SocketId s = zero_window_client(h);
  h.advance_to(at(250ms));
  ASSERT_EQ(*h.write(s, 500), 500u);
  for (Duration t : {550ms, 1150ms, 2350ms}) {
    h.expect_send(at(t), Seg{.flags = ACK, .seq = kSnd + 999, .ack = kRcv, .len = 0});
  }
  h.advance_to(at(4750ms) - 1ms);
  EXPECT_EQ(h.state(), State::Established);
  h.expect_nothing(until(4751ms));
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
}

// A window too small for the next segment does not start sending sliver segments
// (tcp_snd_wnd_test: the segment must fit); the probe then carries what fits
// (tcp_write_wakeup).
TEST(TcpTimers, ProbeIntoSmallWindowSendsWhatFits) {
  Harness h;
  SocketId s = zero_window_client(h);
  h.advance_to(at(250ms));
  ASSERT_EQ(*h.write(s, 3000), 3000u);
  h.inject(at(260ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1000, .win = 100});
  h.expect_nothing(until(560ms));
  h.expect_send(at(560ms), Seg{.flags = ACK | PSH, .seq = kSnd + 1000, .ack = kRcv, .len = 100});
  EXPECT_EQ(h.stack.counters().TCPWinProbe, 1u);
  // The peer takes it and opens the window: the rest goes.
  h.inject(at(660ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1100, .win = 65535});
  h.expect_send(at(660ms), Seg{.flags = ACK, .seq = kSnd + 1100, .ack = kRcv, .len = 1460});
  h.expect_send(at(660ms), Seg{.flags = ACK | PSH, .seq = kSnd + 2560, .ack = kRcv, .len = 1440});
}

// RFC 1122 4.2.2.17: a receiver that keeps answering keeps the sender probing for ever;
// the interval backs off to tcp_rto_max_ms (120 s) and stays there.
TEST(TcpTimers, AnsweredZeroWindowProbesNeverGiveUp) {
  Harness h;
  SocketId s = zero_window_client(h);
  h.advance_to(at(250ms));
  ASSERT_EQ(*h.write(s, 500), 500u);
  TimePoint last{};
  Duration last_gap{};
  while (h.now < at(2h)) {
    auto seg = next_sent(h, at(3h));
    ASSERT_TRUE(seg.has_value()) << "probing stopped";
    ASSERT_EQ(seg->seq, kSnd + 999);
    if (last != TimePoint{}) last_gap = h.now - last;
    last = h.now;
    h.inject(h.now, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1000, .win = 0});
  }
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_EQ(last_gap, 120s);
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 0u);
}

// An orphan's FIN behind a zero window is probed for (the FIN is the send head:
// tcp_send_fin -> tcp_check_probe_timer) and, with nobody answering, the orphan is freed
// after tcp_orphan_retries (0 means 8) probes instead of staying in FIN_WAIT_1 for ever.
TEST(TcpTimers, OrphanFinBehindZeroWindowIsProbedThenFreed) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd, .win = 0});
  EXPECT_EQ(h.conn(s)->rto(), 300ms);  // the handshake's RTT sample: 100 ms
  ASSERT_TRUE(h.close(s));
  EXPECT_EQ(h.state(), State::FinWait1);
  // The first probe one RTO after the FIN was queued; the FIN itself never goes out.
  h.expect_nothing(until(1300ms));
  h.expect_send(at(1300ms), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
  h.advance_to(at(2h));
  EXPECT_EQ(h.stack.counters().TCPWinProbe, 8u);
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 1u);
  expect_orphan_freed(h);
}

// The same in LAST_ACK: the peer closed first and then its window (fuzz/stack_scenario.cpp
// found both).
TEST(TcpTimers, OrphanLastAckFinBehindZeroWindowIsFreed) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = FIN | ACK, .seq = kRcv, .ack = kSnd, .win = 0});
  EXPECT_EQ(h.state(), State::CloseWait);
  ASSERT_TRUE(h.close(s));
  EXPECT_EQ(h.state(), State::LastAck);
  h.advance_to(at(2h));
  EXPECT_EQ(h.stack.counters().TCPWinProbe, 8u);
  expect_orphan_freed(h);
}

// A peer that answers every probe with a zero window would keep an orphan alive for ever;
// tcp_probe_timer declares an orphan dead once its backed-off RTO reaches tcp_rto_max_ms:
// with RTO 300 ms, after the probes at backoff 0..8 (76.8 s < 120 s <= 153.6 s).
TEST(TcpTimers, AnsweredOrphanIsFreedWhenItsBackoffReachesTheCap) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd, .win = 0});
  ASSERT_TRUE(h.close(s));
  while (auto seg = next_sent(h, at(2h))) {
    h.inject(h.now, Seg{.flags = ACK, .seq = kRcv, .ack = kSnd, .win = 0});
  }
  EXPECT_EQ(h.stack.counters().TCPWinProbe, 9u);
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 1u);
  EXPECT_EQ(h.stack.connection_count(), 0u);
}

// TCP_USER_TIMEOUT bounds the probing of a socket whose peer keeps answering: counted from
// the first probe, the last interval shortened so that it ends on time
// (tcp_clamp_probe0_to_user_timeout).
TEST(TcpTimers, UserTimeoutEndsAnsweredZeroWindowProbing) {
  Harness h;
  SocketId s = zero_window_client(h);
  set_opt(h, s, IPPROTO_TCP, TCP_USER_TIMEOUT, 2000);
  h.advance_to(at(250ms));
  ASSERT_EQ(*h.write(s, 500), 500u);
  // Probes at 550 (the first: the clock starts), 1150 ms; the next would be 2350 ms but the
  // user timeout ends it at 2550 ms (550 + 2000) after the 2350 ms probe's answer.
  for (Duration t : {550ms, 1150ms, 2350ms}) {
    h.expect_send(at(t), Seg{.flags = ACK, .seq = kSnd + 999, .ack = kRcv, .len = 0});
    h.inject(at(t), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 1000, .win = 0});
  }
  h.advance_to(at(2550ms) - 1ms);
  EXPECT_EQ(h.state(), State::Established);
  h.advance_to(at(2550ms));
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
}

void enable_keepalive(Harness& h, SocketId s, int idle, int intvl, int cnt) {
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPIDLE, idle);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPINTVL, intvl);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPCNT, cnt);
}

// tcp_keepalive_timer: after TCP_KEEPIDLE of silence a probe (seq = SND.UNA - 1, no data,
// tcp_xmit_probe_skb), then one every TCP_KEEPINTVL; after TCP_KEEPCNT unanswered probes,
// at exactly idle + cnt * intvl, a RST (tcp_send_active_reset) and ETIMEDOUT.
TEST(TcpTimers, KeepaliveDetectsDeadPeer) {
  Harness h;
  SocketId s = h.established_client();  // last segment from the peer at 100 ms
  enable_keepalive(h, s, 10, 5, 3);
  for (Duration t : {10100ms, 15100ms, 20100ms}) {
    h.expect_nothing(until(t));
    h.expect_send(at(t), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
  }
  EXPECT_EQ(h.stack.counters().TCPKeepAlive, 3u);
  h.expect_nothing(until(25100ms));
  h.expect_send(at(25100ms), Seg{.flags = RST | ACK, .seq = kSnd, .ack = kRcv});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(errno_of(h.read(s)), ETIMEDOUT);
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 1u);
  h.expect_nothing(until(100s));
}

// An answered probe resets the count, and the next probe comes TCP_KEEPIDLE after the
// answer (LINUX-REFERENCE.md, verified on 6.18).
TEST(TcpTimers, KeepaliveAnsweredProbeRestartsIdle) {
  Harness h;
  SocketId s = h.established_client();
  enable_keepalive(h, s, 10, 5, 2);
  h.expect_send(at(10100ms), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
  h.expect_send(at(15100ms), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
  h.inject(at(16s), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd});  // the peer is alive
  h.expect_nothing(until(26s));
  h.expect_send(at(26s), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
  h.expect_send(at(31s), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
  // Two unanswered again: dead at 26 + 2 * 5 s.
  h.expect_send(at(36s), Seg{.flags = RST | ACK, .seq = kSnd, .ack = kRcv});
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
}

// Traffic from the peer postpones the first probe: idle is measured from the last
// segment received.
TEST(TcpTimers, KeepaliveIdleCountsFromLastSegment) {
  Harness h;
  SocketId s = h.established_client();
  enable_keepalive(h, s, 10, 5, 3);
  h.inject(at(7s), Seg{.flags = ACK | PSH, .seq = kRcv, .ack = kSnd, .data = bytes("x")});
  h.expect_send(at(7s), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 1});
  h.expect_nothing(until(17s));
  h.expect_send(at(17s), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv + 1, .len = 0});
}

// Keepalive is off by default: an idle connection stays silent for hours.
TEST(TcpTimers, NoKeepaliveByDefault) {
  Harness h;
  SocketId s = h.established_client();
  h.expect_nothing(until(std::chrono::hours(3)));
  EXPECT_EQ(h.state(), State::Established);
  (void)s;
}

// SO_KEEPALIVE with the sysctl defaults: the first probe after tcp_keepalive_time (2 h).
TEST(TcpTimers, KeepaliveDefaultIdleTwoHours) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  h.expect_nothing(until(7200s + 100ms));
  h.expect_send(at(7200s + 100ms), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
  h.expect_send(at(7275s + 100ms), Seg{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0});
}

}  // namespace
}  // namespace ustcp::testing
