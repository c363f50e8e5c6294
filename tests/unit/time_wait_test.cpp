// TIME_WAIT (RFC 9293 3.6, RFC 1122 4.2.2.13, RFC 1337, RFC 6191): its length, what
// segments do to it, reopening a 4-tuple, tcp_max_tw_buckets, tcp_tw_reuse and the ports a
// TIME_WAIT holds (Linux tcp_time_wait, tcp_timewait_state_process, tcp_v4_rcv TCP_TW_SYN,
// tcp_twsk_unique, __inet_check_established, inet_csk_bind_conflict).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.hpp"

namespace ustcp::testing {
namespace {

// The client fixture closes first: FIN at 100 ms, the peer's FIN at 200 ms, TIME_WAIT from
// 200 ms with snd_nxt = kIss + 2 and rcv_nxt = kIrs + 2.
SocketId client_in_time_wait(Harness& h, PeerOpts p = {}) {
  SocketId s = h.established_client(p);
  EXPECT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
  return s;
}

// The same on the server side (the listener stays): TIME_WAIT from 200 ms.
void server_in_time_wait(Harness& h, PeerOpts p = {}) {
  SocketId s = h.established_server(p);
  EXPECT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
}

constexpr uint32_t kReuseIsn = kIss + 2 + 65535 + 2;  // old snd_nxt + 65537

// tcp_time_wait: TCP_TIMEWAIT_LEN = 60 s from entering; ss shows TIME-WAIT (an orphan,
// no queues) until then, nothing after (TW counted).
TEST(TimeWait, LastsExactlySixtySeconds) {
  Harness h;
  client_in_time_wait(h);
  auto rows = h.stack.socket_table();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, State::TimeWait);
  EXPECT_EQ(rows[0].local, h.local);
  EXPECT_EQ(rows[0].remote, h.remote);
  EXPECT_EQ(rows[0].recv_q, 0u);
  EXPECT_EQ(rows[0].send_q, 0u);
  h.expect_nothing(until(60200ms));
  EXPECT_EQ(h.stack.socket_table().size(), 1u);
  EXPECT_EQ(h.stack.time_wait_count(), 1u);
  h.advance_to(at(60200ms));
  EXPECT_TRUE(h.stack.socket_table().empty());
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  EXPECT_EQ(h.stack.counters().TW, 1u);
}

// tcp_timewait_state_process, out of window: an ACK-less old SYN (seq <= rcv_nxt, no newer
// timestamp) is answered with an ACK but does not restart the 60 s ("it may be both old
// duplicate and new good SYN ... Do not reschedule").
TEST(TimeWait, OldSynGetsAckWithoutRestart) {
  Harness h;
  client_in_time_wait(h);
  h.inject(at(10s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(10s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  h.inject(at(20s), Seg{.flags = SYN, .seq = kIrs + 2, .opts = mss_only()});  // = rcv_nxt
  h.expect_send(at(20s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.stack.counters().TWRecycled, 0u);
  h.expect_nothing(until(60200ms));
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(at(60200ms));
  EXPECT_EQ(h.state(), State::Close);
}

// tcp_timewait_state_process, in window: a bare ACK at rcv_nxt restarts the 60 s
// (inet_twsk_reschedule) and is not answered.
TEST(TimeWait, InWindowAckRestartsSilently) {
  Harness h;
  client_in_time_wait(h);
  h.inject(at(30s), Seg{.flags = ACK, .seq = kIrs + 2, .ack = kIss + 2});
  h.expect_nothing(until(90s));
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(at(90s));
  EXPECT_EQ(h.state(), State::Close);
}

// TCP_TW_SYN (RFC 1122 4.2.2.13): a SYN above rcv_nxt reopens the 4-tuple when a listener
// exists; verified on Linux 6.18: the SYN-ACK's ISN is old snd_nxt + 65537
// (tcp_timewait_state_process sets tcp_tw_isn). Linux counts TWRecycled only when connect()
// takes over a TIME_WAIT (__inet_check_established), not here.
TEST(TimeWait, HigherSequenceSynReopens) {
  Harness h;
  server_in_time_wait(h);
  h.inject(at(10s), Seg{.flags = SYN, .seq = kIrs + 100000, .opts = mss_only()});
  h.expect_send(at(10s), Seg{.flags = SYN | ACK, .seq = kReuseIsn, .ack = kIrs + 100001});
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  EXPECT_EQ(h.stack.request_count(), 1u);
  EXPECT_EQ(h.state(), State::SynRecv);
  h.inject(at(10100ms), Seg{.flags = ACK, .seq = kIrs + 100001, .ack = kReuseIsn + 1});
  h.expect_nothing();
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_TRUE(h.accept().valid());
  EXPECT_EQ(h.stack.counters().TWRecycled, 0u);
  h.expect_nothing(until(80s));  // the old TIME_WAIT timer is gone too
  EXPECT_EQ(h.state(), State::Established);
}

// TCP_TW_SYN by timestamp: a SYN whose sequence is not above rcv_nxt but whose timestamp is
// newer than ts_recent (5200, from the peer's FIN) also reopens (PAWS proves it new).
TEST(TimeWait, NewerTimestampSynReopens) {
  Harness h;
  server_in_time_wait(h, PeerOpts{.ts = true});
  h.inject(at(10s),
           Seg{.flags = SYN, .seq = kIrs - 5000, .opts = syn_options(1460, true, 15000, 7)});
  h.expect_send(at(10s), Seg{.flags = SYN | ACK, .seq = kReuseIsn, .ack = kIrs - 4999});
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  EXPECT_EQ(h.stack.request_count(), 1u);
}

// PAWS: the same SYN with an older timestamp is rejected (tcp_paws_reject) and gets an ACK;
// TIME_WAIT stays.
TEST(TimeWait, OlderTimestampSynIsRejected) {
  Harness h;
  server_in_time_wait(h, PeerOpts{.ts = true});
  h.inject(at(10s), Seg{.flags = SYN, .seq = kIrs + 100000, .opts = syn_options(1460, true, 1, 7)});
  Sent a = h.expect_send(at(10s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  ASSERT_TRUE(a.opts.timestamp.has_value());
  EXPECT_EQ(h.stack.time_wait_count(), 1u);
  EXPECT_EQ(h.stack.request_count(), 0u);
}

// tcp_v4_rcv, TCP_TW_SYN without a listener falls through to TCP_TW_ACK: the SYN is
// answered with the TIME_WAIT's ACK and the record stays (its timer not restarted).
TEST(TimeWait, HigherSequenceSynWithoutListenerGetsAck) {
  Harness h;
  client_in_time_wait(h);
  h.inject(at(10s), Seg{.flags = SYN, .seq = kIrs + 100000, .opts = mss_only()});
  h.expect_send(at(10s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
  h.expect_nothing(until(60200ms));
  h.advance_to(at(60200ms));
  EXPECT_EQ(h.state(), State::Close);
}

// tcp_timewait_state_process: only a RST exactly at rcv_nxt kills TIME_WAIT
// (tcp_rfc1337 = 0); one elsewhere is ignored, unanswered. With tcp_rfc1337 = 1 an exact
// RST neither kills nor restarts it: it ends 60 s after entering.
TEST(TimeWait, ResetOutOfWindowIgnoredAndRfc1337KeepsSchedule) {
  {
    Harness h;
    client_in_time_wait(h);
    h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 1});
    h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 1000});
    h.expect_nothing();
    EXPECT_EQ(h.state(), State::TimeWait);
    h.inject(at(2s), Seg{.flags = RST | ACK, .seq = kIrs + 2, .ack = kIss + 2});
    EXPECT_EQ(h.state(), State::Close);
  }
  {
    Harness h;
    h.config().tcp_rfc1337 = 1;
    client_in_time_wait(h);
    h.inject(at(30s), Seg{.flags = RST, .seq = kIrs + 2});
    h.expect_nothing(until(60200ms));
    EXPECT_EQ(h.state(), State::TimeWait);
    h.advance_to(at(60200ms));
    EXPECT_EQ(h.state(), State::Close);
  }
}

// tcp_time_wait / inet_twsk_alloc: with tcp_max_tw_buckets records in use, a closing
// socket skips TIME_WAIT (TCPTimeWaitOverflow) and is simply gone: the peer's
// retransmitted FIN then meets no socket and gets a RST.
TEST(TimeWait, MaxTwBuckets) {
  tcp::Config cfg;
  cfg.tcp_max_tw_buckets = 2;
  Harness h(cfg);
  for (int i = 0; i < 3; ++i) {
    const TimePoint t = at(std::chrono::seconds(i));
    h.advance_to(t);
    SocketId s = h.established_client();
    ASSERT_TRUE(h.close(s));
    h.expect_send(t + 100ms, Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
    h.inject(t + 200ms, Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
    h.expect_send(t + 200ms, Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
    EXPECT_EQ(h.state(), i < 2 ? State::TimeWait : State::Close) << i;
  }
  EXPECT_EQ(h.stack.counters().TCPTimeWaitOverflow, 1u);
  EXPECT_EQ(h.stack.time_wait_count(), 2u);
  EXPECT_EQ(h.stack.connection_count(), 0u);
  h.inject(at(3s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(3s), Seg{.flags = RST, .seq = kIss + 2});
}

// ---- tcp_tw_reuse -----------------------------------------------------------------------

Harness one_port(int tw_reuse) {
  tcp::Config cfg;
  cfg.ip_local_port_range = {40000, 40000};  // every connect() picks the same port
  cfg.tcp_tw_reuse = tw_reuse;
  return Harness(cfg);
}

// tcp_twsk_unique (ephemeral port, twp != NULL): with tcp_tw_reuse = 1, connect() may take
// over the 4-tuple of a TIME_WAIT that used timestamps once it is older than
// tcp_tw_reuse_delay (time_after32: strictly later); before, the only port is taken:
// EADDRNOTAVAIL. The new connection starts at old snd_nxt + 65537 (TWRecycled).
TEST(TimeWait, TwReuseAfterDelay) {
  Harness h = one_port(1);
  client_in_time_wait(h, PeerOpts{.ts = true});
  const Endpoint local = h.local;
  EXPECT_EQ(local.port, 40000);
  h.advance_to(at(1200ms));  // entered at 200 ms: exactly the delay
  SocketId s = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EADDRNOTAVAIL);
  h.expect_nothing();
  h.advance_to(at(1201ms));
  SocketId s2 = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s2, h.remote)), EINPROGRESS);
  EXPECT_EQ(h.stack.getsockname(s2).value_or(Endpoint{}), local);
  h.expect_send(at(1201ms), Seg{.flags = SYN, .seq = kReuseIsn});
  EXPECT_EQ(h.stack.counters().TWRecycled, 1u);
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  (void)s;
}

// tcp_tw_reuse_delay is a sysctl (ms).
TEST(TimeWait, TwReuseDelaySysctl) {
  Harness h = one_port(1);
  h.config().tcp_tw_reuse_delay = 5000;
  client_in_time_wait(h, PeerOpts{.ts = true});
  h.advance_to(at(5200ms));
  SocketId s = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EADDRNOTAVAIL);
  h.advance_to(at(5201ms));
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EINPROGRESS);
}

// tcp_twsk_unique: without timestamps (tw_ts_recent_stamp == 0) PAWS cannot protect the new
// connection, so the TIME_WAIT is never reused; once it expires the port is free.
TEST(TimeWait, TwReuseNeedsTimestamps) {
  Harness h = one_port(1);
  client_in_time_wait(h);
  h.advance_to(at(30s));
  SocketId s = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EADDRNOTAVAIL);
  h.advance_to(at(60200ms));
  h.stack.set_next_isn(SeqNum(kIss + 5));
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EINPROGRESS);
  h.expect_send(at(60200ms), Seg{.flags = SYN, .seq = kIss + 5});
  EXPECT_EQ(h.stack.counters().TWRecycled, 0u);
}

// tcp_tw_reuse = 0: never.
TEST(TimeWait, TwReuseOff) {
  Harness h = one_port(0);
  client_in_time_wait(h, PeerOpts{.ts = true});
  h.advance_to(at(30s));
  SocketId s = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EADDRNOTAVAIL);
}

// tcp_tw_reuse = 2 (the default): only when either address is loopback
// (ipv4_is_loopback(tw_daddr) || ipv4_is_loopback(tw_rcv_saddr)).
TEST(TimeWait, TwReuseTwoIsLoopbackOnly) {
  {
    Harness h = one_port(2);
    client_in_time_wait(h, PeerOpts{.ts = true});
    h.advance_to(at(30s));
    SocketId s = *h.stack.socket();
    EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EADDRNOTAVAIL);
  }
  {
    Harness h = one_port(2);
    const Ipv4Addr lo(127, 0, 0, 1);
    h.stack.add_address(lo);
    h.remote = Endpoint{lo, kPeerServerPort};
    SocketId s = *h.stack.socket();
    h.stack.set_next_isn(SeqNum(kIss));
    ASSERT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EINPROGRESS);
    h.local = h.stack.getsockname(s).value_or(Endpoint{});
    EXPECT_EQ(h.local, (Endpoint{lo, 40000}));
    h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
    h.inject(at(100ms), Seg{.flags = SYN | ACK,
                            .seq = kIrs,
                            .ack = kIss + 1,
                            .opts = syn_options(1460, true, 5100, 7)});
    h.expect_send(at(100ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
    h.peer_ts = true;
    ASSERT_TRUE(h.close(s));
    h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
    h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
    h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
    ASSERT_EQ(h.state(), State::TimeWait);
    h.advance_to(at(1201ms));
    SocketId s2 = *h.stack.socket();
    EXPECT_EQ(errno_of(h.stack.connect(h.now, s2, h.remote)), EINPROGRESS);
    h.expect_send(at(1201ms), Seg{.flags = SYN, .seq = kReuseIsn});
    EXPECT_EQ(h.stack.counters().TWRecycled, 1u);
  }
}

// __inet_hash_connect with a bound port calls check_established(..., twp = NULL), and
// tcp_twsk_unique then reuses any TIME_WAIT that saw timestamps at once, whatever
// tcp_tw_reuse and tcp_tw_reuse_delay say (`ts_recent_stamp && (!twp || ...)`).
// DISABLED: Stack::reusable_time_wait applies tcp_tw_reuse and the delay to bound ports
// too (socket_calls.cpp, see report).
TEST(TimeWait, BoundPortReusesTimestampedTimeWaitAtOnce) {
  Harness h = one_port(0);
  SocketId c = *h.stack.socket();
  ASSERT_TRUE(h.stack.setsockopt(h.now, c, SOL_SOCKET, SO_REUSEADDR, 1));
  ASSERT_TRUE(h.stack.bind(c, Endpoint{{}, 45000}));
  h.remote = Endpoint{kRemote, kPeerServerPort};
  h.stack.set_next_isn(SeqNum(kIss));
  ASSERT_EQ(errno_of(h.stack.connect(h.now, c, h.remote)), EINPROGRESS);
  h.local = h.stack.getsockname(c).value_or(Endpoint{});
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(100ms), Seg{.flags = SYN | ACK,
                          .seq = kIrs,
                          .ack = kIss + 1,
                          .opts = syn_options(1460, true, 5100, 7)});
  h.expect_send(at(100ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.peer_ts = true;
  ASSERT_TRUE(h.close(c));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  h.advance_to(at(300ms));
  SocketId d = *h.stack.socket();
  ASSERT_TRUE(h.stack.setsockopt(h.now, d, SOL_SOCKET, SO_REUSEADDR, 1));
  ASSERT_TRUE(h.stack.bind(d, Endpoint{{}, 45000}));
  EXPECT_EQ(errno_of(h.stack.connect(h.now, d, h.remote)), EINPROGRESS);
  h.expect_send(at(300ms), Seg{.flags = SYN, .seq = kReuseIsn});
  EXPECT_EQ(h.stack.counters().TWRecycled, 1u);
}

// inet_csk_bind_conflict (extends TcpClose.TimeWaitHoldsPortUntilReuseAddr): SO_REUSEADDR
// must be on both sides; a TIME_WAIT left by a socket without it blocks bind() even with
// SO_REUSEADDR, until it expires.
TEST(TimeWait, BindNeedsReuseAddrOnBothSides) {
  Harness h;
  client_in_time_wait(h);
  const uint16_t port = h.local.port;
  SocketId a = *h.stack.socket();
  ASSERT_TRUE(h.stack.setsockopt(h.now, a, SOL_SOCKET, SO_REUSEADDR, 1));
  EXPECT_EQ(errno_of(h.stack.bind(a, Endpoint{{}, port})), EADDRINUSE);
  SocketId b = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.bind(b, Endpoint{{}, port})), EADDRINUSE);
  h.advance_to(at(60200ms));
  EXPECT_EQ(errno_of(h.stack.bind(a, Endpoint{{}, port})), 0);
}

}  // namespace
}  // namespace ustcp::testing
