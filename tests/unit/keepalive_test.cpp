// Keepalive with the sysctls and per-socket options, TCP_USER_TIMEOUT, and the give-up
// rules for orphans (Linux tcp_keepalive_timer, keepalive_time_when/intvl/probes,
// tcp_write_timeout, retransmits_timed_out, tcp_clamp_rto_to_user_timeout,
// tcp_orphan_retries). Basics already in tcp_timers_test.cpp are not repeated here.
#include <gtest/gtest.h>

#include "harness_data.hpp"

namespace ustcp::testing {
namespace {

// Probe and RST of the client fixture (last segment from the peer at 100 ms).
const Seg kProbe{.flags = ACK, .seq = kSnd - 1, .ack = kRcv, .len = 0};
const Seg kAbort{.flags = RST | ACK, .seq = kSnd, .ack = kRcv};

// tcp_keepalive_timer with nothing but SO_KEEPALIVE: the sysctl defaults 7200 / 75 / 9
// (getsockopt reports them too); probes at 7200 s of idle and every 75 s, the ninth
// unanswered, the connection dies at exactly 7200 + 9 * 75 s: RST, ETIMEDOUT from recv.
TEST(Keepalive, SysctlDefaultsDetectDeadPeer) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  EXPECT_EQ(h.stack.getsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE).value_or(-1), 7200);
  EXPECT_EQ(h.stack.getsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL).value_or(-1), 75);
  EXPECT_EQ(h.stack.getsockopt(s, IPPROTO_TCP, TCP_KEEPCNT).value_or(-1), 9);
  const TimePoint t0 = at(100ms);
  h.expect_nothing(until(7200s + 100ms));
  for (int i = 0; i < 9; ++i) {
    const TimePoint t = t0 + 7200s + i * 75s;
    h.expect_nothing(until(t.time_since_epoch()));
    h.expect_send(t, kProbe);
    EXPECT_EQ(h.state(), State::Established);
  }
  EXPECT_EQ(h.stack.counters().TCPKeepAlive, 9u);
  h.expect_nothing(until(7875s + 100ms));
  h.expect_send(t0 + 7875s, kAbort);
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(errno_of(h.read(s)), ETIMEDOUT);
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 1u);
  EXPECT_EQ(h.stack.counters().TCPKeepAlive, 9u);
  h.expect_nothing(until(10000s));
}

// The sysctls are read when the timer runs (keepalive_time_when / keepalive_intvl_when /
// keepalive_probes fall back to net.ipv4.tcp_keepalive_*); SO_ERROR reports ETIMEDOUT.
TEST(Keepalive, SysctlsAreUsed) {
  tcp::Config cfg;
  cfg.tcp_keepalive_time = 60;
  cfg.tcp_keepalive_intvl = 10;
  cfg.tcp_keepalive_probes = 2;
  Harness h(cfg);
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  h.expect_nothing(until(60100ms));
  h.expect_send(at(60100ms), kProbe);
  h.expect_nothing(until(70100ms));
  h.expect_send(at(70100ms), kProbe);
  h.expect_nothing(until(80100ms));
  h.expect_send(at(80100ms), kAbort);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
  EXPECT_EQ(h.stack.counters().TCPKeepAlive, 2u);
}

// A per-socket option overrides only its own sysctl: TCP_KEEPIDLE 20 with the sysctls'
// interval 7 and count 2 gives probes at 20, 27 s and death at 34 s of idle.
TEST(Keepalive, PerSocketOptionOverridesOnlyItsSysctl) {
  tcp::Config cfg;
  cfg.tcp_keepalive_intvl = 7;
  cfg.tcp_keepalive_probes = 2;
  Harness h(cfg);
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPIDLE, 20);
  EXPECT_EQ(h.stack.getsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL).value_or(-1), 7);
  h.expect_nothing(until(20100ms));
  h.expect_send(at(20100ms), kProbe);
  h.expect_send(at(27100ms), kProbe);
  h.expect_nothing(until(34100ms));
  h.expect_send(at(34100ms), kAbort);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
}

// tcp_sock_set_keepidle_locked: changing TCP_KEEPIDLE on a socket that already sends
// keepalives counts the idle time already spent: silent since 0.1 s, set to 20 s at 10.1 s,
// the first probe comes at 20.1 s (not 30.1 s).
TEST(Keepalive, KeepIdleChangeCountsIdleTimeAlreadySpent) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  h.expect_nothing(until(10100ms));
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPIDLE, 20);
  h.expect_nothing(until(20100ms));
  h.expect_send(at(20100ms), kProbe);
}

// The other way round: TCP_KEEPCNT and TCP_KEEPINTVL set, the idle time from the sysctl.
TEST(Keepalive, PerSocketCountAndInterval) {
  tcp::Config cfg;
  cfg.tcp_keepalive_time = 30;
  Harness h(cfg);
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPINTVL, 3);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPCNT, 1);
  h.expect_nothing(until(30100ms));
  h.expect_send(at(30100ms), kProbe);
  h.expect_nothing(until(33100ms));
  h.expect_send(at(33100ms), kAbort);
  EXPECT_EQ(h.stack.counters().TCPKeepAlive, 1u);
}

// tcp_keepalive_timer with TCP_USER_TIMEOUT: the connection dies when the idle time
// reaches user_timeout and at least one probe is out; TCP_KEEPCNT no longer counts. Idle
// 10 s, interval 5 s, count 3, user timeout 30 s: five probes (more than the count), death
// at 30 s of idle.
TEST(Keepalive, UserTimeoutReplacesProbeCount) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPIDLE, 10);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPINTVL, 5);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPCNT, 3);
  set_opt(h, s, IPPROTO_TCP, TCP_USER_TIMEOUT, 30000);
  for (Duration t : {10100ms, 15100ms, 20100ms, 25100ms}) {
    h.expect_nothing(until(t));
    h.expect_send(at(t), kProbe);
  }
  h.expect_nothing(until(30100ms));
  h.expect_send(at(30100ms), kAbort);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
  EXPECT_EQ(h.stack.counters().TCPKeepAlive, 4u);
}

// A user timeout shorter than the idle time still needs one probe out: idle 10 s, user
// timeout 5 s: a probe at 10 s (elapsed >= user timeout but no probe yet), death at the
// next expiry, 15 s.
TEST(Keepalive, UserTimeoutNeedsOneProbeOut) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, SOL_SOCKET, SO_KEEPALIVE, 1);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPIDLE, 10);
  set_opt(h, s, IPPROTO_TCP, TCP_KEEPINTVL, 5);
  set_opt(h, s, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000);
  h.expect_nothing(until(10100ms));
  h.expect_send(at(10100ms), kProbe);
  h.expect_nothing(until(15100ms));
  h.expect_send(at(15100ms), kAbort);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
}

// TCP_USER_TIMEOUT bounds data retransmission (tcp_write_timeout: retransmits_timed_out
// with the user timeout as the budget, measured from retrans_stamp = the first
// retransmission, tcp_retransmit_skb). The RTO is clamped to what remains of the user
// timeout (tcp_clamp_rto_to_user_timeout), so the connection dies at exactly first
// retransmission + user timeout. RTO 300 ms, data at 0.1 s, user timeout 2 s:
// retransmissions at 0.4, 1.0, 2.2 s; the next RTO (2.4 s later) is cut to 0.2 s: ETIMEDOUT
// at 2.4 s, without a RST (tcp_write_err).
TEST(Keepalive, UserTimeoutBoundsRetransmission) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, IPPROTO_TCP, TCP_USER_TIMEOUT, 2000);
  ASSERT_EQ(*h.write(s, 100), 100u);
  const Seg data{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100};
  h.expect_send(at(100ms), data);
  for (Duration t : {400ms, 1000ms, 2200ms}) {
    h.expect_nothing(until(t));
    h.expect_send(at(t), data);
  }
  h.advance_to(at(2400ms) - 1ms);
  EXPECT_EQ(h.state(), State::Established);
  h.expect_nothing(until(2401ms));
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(errno_of(h.read(s)), ETIMEDOUT);
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 1u);
  h.expect_nothing(until(100s));
}

// The user timeout applies to orphans as well, and an RTO already shorter than what is
// left is not changed: user timeout 10 s, retransmissions at 0.4, 1.0, 2.2, 4.6, 9.4 s;
// the 19.0 s expiry is pulled in to 10.4 s.
TEST(Keepalive, UserTimeoutClampsOnlyTheLastRto) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, IPPROTO_TCP, TCP_USER_TIMEOUT, 10000);
  ASSERT_EQ(*h.write(s, 100), 100u);
  const Seg data{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100};
  h.expect_send(at(100ms), data);
  for (Duration t : {400ms, 1000ms, 2200ms, 4600ms, 9400ms}) {
    h.expect_nothing(until(t));
    h.expect_send(at(t), data);
  }
  h.advance_to(at(10400ms) - 1ms);
  EXPECT_EQ(h.state(), State::Established);
  h.expect_nothing(until(10401ms));
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.so_error(s), ETIMEDOUT);
}

// An orphan (closed with data unacknowledged) retransmits under tcp_orphan_retries
// (tcp_write_timeout, SOCK_DEAD: tcp_orphan_retries(), 0 meaning 8 while the RTO is below
// TCP_RTO_MAX). With 8: tcp_model_timeout(8, TCP_RTO_MIN) = 511 * 200 ms = 102.2 s from the
// first retransmission (0.4 s). RTO expiries 0.3 s doubling from 0.1 s: 0.4, 1.0, 2.2, 4.6,
// 9.4, 19.0, 38.2, 76.6 s retransmit (elapsed < 102.2 s); at 153.4 s (153.0 s elapsed) the
// orphan is gone without a RST; a later segment from the peer meets no socket.
TEST(Keepalive, OrphanRetriesDefaultEight) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 100), 100u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kSnd + 100, .ack = kRcv});
  uint64_t retrans = h.stack.counters().RetransSegs;
  for (Duration t : {400ms, 1000ms, 2200ms, 4600ms, 9400ms, 19000ms, 38200ms, 76600ms}) {
    h.expect_nothing(until(t));
    h.advance_to(at(t));
    EXPECT_FALSE(h.sent.empty()) << "no retransmission at " << to_seconds(at(t));
    for (const Sent& x : h.sent) EXPECT_EQ(x.seq, kSnd) << to_seconds(at(t));
    h.sent.clear();
  }
  EXPECT_GT(h.stack.counters().RetransSegs, retrans);
  h.advance_to(at(153400ms) - 1ms);
  EXPECT_EQ(h.state(), State::FinWait1);
  h.expect_nothing(until(153401ms));
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_TRUE(h.no_connections());
  EXPECT_EQ(h.stack.counters().TCPAbortOnTimeout, 1u);
  h.inject(at(200s), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 101});
  h.expect_send(at(200s), Seg{.flags = RST, .seq = kSnd + 101});
}

// tcp_orphan_retries = 3: tcp_model_timeout(3) = 15 * 200 ms = 3 s: retransmissions at
// 0.4, 1.0, 2.2 s, gone at the 4.6 s expiry (4.2 s after the first retransmission), while
// tcp_retries2 (15) would keep a socket that is not an orphan alive for 15 minutes.
TEST(Keepalive, OrphanRetriesSysctl) {
  tcp::Config cfg;
  cfg.tcp_orphan_retries = 3;
  Harness h(cfg);
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 100), 100u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kSnd + 100, .ack = kRcv});
  for (Duration t : {400ms, 1000ms, 2200ms}) {
    h.expect_nothing(until(t));
    h.advance_to(at(t));
    EXPECT_FALSE(h.sent.empty()) << to_seconds(at(t));
    h.sent.clear();
  }
  h.advance_to(at(4600ms) - 1ms);
  EXPECT_EQ(h.state(), State::FinWait1);
  h.expect_nothing(until(4601ms));
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_TRUE(h.no_connections());
}

}  // namespace
}  // namespace ustcp::testing
