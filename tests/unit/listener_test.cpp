// Listening sockets: backlog arithmetic (SYN queue, accept queue), overflow handling, SYN
// cookies and what a listener does with segments that do not open a connection
// (RFC 9293 3.10.7.2; Linux __sys_listen, tcp_conn_request, tcp_syn_flood_action,
// tcp_check_req, tcp_v4_syn_recv_sock, cookie_v4_init_sequence, cookie_v4_check).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <string>

#include "harness.hpp"

namespace ustcp::testing {
namespace {

constexpr uint16_t kP1 = kPeerPort, kP2 = kPeerPort + 1, kP3 = kPeerPort + 2, kP4 = kPeerPort + 3;

Harness with(int syncookies, int abort_on_overflow = 0) {
  tcp::Config cfg;
  cfg.tcp_syncookies = syncookies;
  cfg.tcp_abort_on_overflow = abort_on_overflow;
  return Harness(cfg);
}

void syn(Harness& h, TimePoint t, uint16_t port, wire::TcpOptions o = mss_only()) {
  h.inject(t, Seg{.flags = SYN, .seq = kIrs, .opts = o, .sport = port});
}
void expect_synack(Harness& h, TimePoint t, uint16_t port,
                   SourceLocation loc = SourceLocation::current()) {
  h.expect_send(t, Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1, .dport = port}, loc);
}
void third_ack(Harness& h, TimePoint t, uint16_t port, uint32_t iss = kIss) {
  h.inject(t, Seg{.flags = ACK, .seq = kIrs + 1, .ack = iss + 1, .sport = port});
}
// A full handshake from `port` at t (SYN) and t + 10 ms (ACK).
void handshake(Harness& h, TimePoint t, uint16_t port) {
  syn(h, t, port);
  expect_synack(h, t, port);
  third_ack(h, t + 10ms, port);
  h.expect_nothing();
}
// The SYN-ACK of a cookie: its sequence number is the cookie, returned.
uint32_t expect_cookie_synack(Harness& h, TimePoint t, uint16_t port, const std::string& options,
                              SourceLocation loc = SourceLocation::current()) {
  h.advance_to(t);
  if (h.sent.empty()) {
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line())) << "no cookie SYN-ACK";
    return 0;
  }
  const uint32_t cookie = h.sent.front().seq;
  h.expect_send(
      t, Seg{.flags = SYN | ACK, .seq = cookie, .ack = kIrs + 1, .options = options, .dport = port},
      loc);
  return cookie;
}
uint32_t listener_backlog(const Harness& h) {
  for (const auto& r : h.stack.socket_table())
    if (r.state == State::Listen) return r.send_q;
  return UINT32_MAX;
}
uint32_t accept_queue_len(const Harness& h) {
  for (const auto& r : h.stack.socket_table())
    if (r.state == State::Listen) return r.recv_q;
  return UINT32_MAX;
}

// ---- backlog --------------------------------------------------------------------------

// __sys_listen: backlog = min(listen argument, net.core.somaxconn); the accept queue then
// holds backlog + 1 (sk_acceptq_is_full: ack_backlog > max_ack_backlog).
TEST(Listener, BacklogIsCappedBySomaxconn) {
  tcp::Config cfg;
  cfg.somaxconn = 2;
  Harness h(cfg);
  SocketId l = h.listen(kServerPort, 128);
  EXPECT_EQ(listener_backlog(h), 2u);
  handshake(h, at(0s), kP1);
  handshake(h, at(100ms), kP2);
  handshake(h, at(200ms), kP3);
  EXPECT_EQ(accept_queue_len(h), 3u);
  // A fourth SYN finds the accept queue full: dropped silently.
  syn(h, at(300ms), kP4);
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().ListenOverflows, 1u);
  EXPECT_EQ(h.stack.counters().ListenDrops, 1u);
  // A smaller argument wins; listen() again on a listener changes its backlog.
  ASSERT_TRUE(h.stack.listen(l, 1));
  EXPECT_EQ(listener_backlog(h), 1u);
  ASSERT_TRUE(h.stack.listen(l, 1000));
  EXPECT_EQ(listener_backlog(h), 2u);
}

// __sys_listen compares as unsigned: listen(fd, -1) means "as many as somaxconn allows".
// DISABLED: Stack::listen clamps a negative backlog to 0 (socket_calls.cpp, see report).
TEST(Listener, NegativeBacklogMeansSomaxconn) {
  tcp::Config cfg;
  cfg.somaxconn = 5;
  Harness h(cfg);
  h.listen(kServerPort, -1);
  EXPECT_EQ(listener_backlog(h), 5u);
}

// Verified on Linux 6.18: listen(fd, 1) keeps two SYN_RECV requests and two established
// connections. The third final ACK meets a full accept queue: tcp_v4_syn_recv_sock fails
// (ListenOverflows, ListenDrops), the ACK is dropped and the request stays.
TEST(Listener, ListenOneAcceptQueueHoldsTwo) {
  Harness h;
  h.listen(kServerPort, 1);
  syn(h, at(0s), kP1);
  expect_synack(h, at(0s), kP1);
  syn(h, at(0s), kP2);
  expect_synack(h, at(0s), kP2);
  EXPECT_EQ(h.stack.request_count(), 2u);
  third_ack(h, at(100ms), kP1);
  syn(h, at(150ms), kP3);
  expect_synack(h, at(150ms), kP3);
  third_ack(h, at(200ms), kP2);
  EXPECT_EQ(accept_queue_len(h), 2u);
  third_ack(h, at(250ms), kP3);
  h.expect_nothing();
  EXPECT_EQ(accept_queue_len(h), 2u);
  EXPECT_EQ(h.stack.request_count(), 1u);
  EXPECT_EQ(h.stack.counters().ListenOverflows, 1u);
  EXPECT_EQ(h.stack.counters().ListenDrops, 1u);
  EXPECT_EQ(h.stack.counters().PassiveOpens, 2u);
}

// tcp_conn_request with tcp_syncookies = 0: the SYN queue of listen(fd, 1) holds two
// requests (inet_csk_reqsk_queue_is_full); the third SYN is dropped (TCPReqQFullDrop and
// ListenDrops, tcp_listendrop), nothing is sent.
TEST(Listener, SynQueueFullDropsWithoutCookies) {
  Harness h = with(0);
  h.listen(kServerPort, 1);
  syn(h, at(0s), kP1);
  expect_synack(h, at(0s), kP1);
  syn(h, at(10ms), kP2);
  expect_synack(h, at(10ms), kP2);
  syn(h, at(20ms), kP3);
  h.expect_nothing();
  EXPECT_EQ(h.stack.request_count(), 2u);
  EXPECT_EQ(h.stack.counters().TCPReqQFullDrop, 1u);
  EXPECT_EQ(h.stack.counters().ListenDrops, 1u);
  EXPECT_EQ(h.stack.counters().SyncookiesSent, 0u);
  // The dropped peer retransmits its SYN once a request is gone.
  third_ack(h, at(100ms), kP1);
  expect_synack(h, at(1010ms), kP2);  // P2's request timer
  syn(h, at(1020ms), kP3);
  expect_synack(h, at(1020ms), kP3);
}

// tcp_syn_flood_action with tcp_syncookies = 1: the third SYN gets a cookie SYN-ACK
// (TCPReqQFullDoCookies, SyncookiesSent) and no request; its ACK creates the connection
// (cookie_v4_check: SyncookiesRecv).
TEST(Listener, SynQueueFullSendsCookie) {
  Harness h = with(1);
  h.listen(kServerPort, 1);
  syn(h, at(0s), kP1);
  expect_synack(h, at(0s), kP1);
  syn(h, at(10ms), kP2);
  expect_synack(h, at(10ms), kP2);
  syn(h, at(20ms), kP3);
  uint32_t cookie = expect_cookie_synack(h, at(20ms), kP3, "mss 1460");
  EXPECT_EQ(h.stack.request_count(), 2u);
  EXPECT_EQ(h.stack.counters().TCPReqQFullDoCookies, 1u);
  EXPECT_EQ(h.stack.counters().SyncookiesSent, 1u);
  third_ack(h, at(120ms), kP3, cookie);
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().SyncookiesRecv, 1u);
  EXPECT_EQ(h.stack.counters().PassiveOpens, 1u);
  EXPECT_EQ(h.state_of(h.local, Endpoint{kRemote, kP3}), State::Established);
  EXPECT_TRUE(h.accept().valid());
  // The requests of the first two are still there.
  EXPECT_EQ(h.stack.request_count(), 2u);
}

// tcp_conn_request: sk_acceptq_is_full comes after the cookie decision, so a SYN that
// finds the accept queue full is dropped (ListenOverflows, ListenDrops) even when cookies
// would be sent (verified on Linux 6.18), in mode 1 and in mode 2.
TEST(Listener, SynWithFullAcceptQueueIsDroppedEvenWithCookies) {
  {
    Harness h = with(1);
    h.listen(kServerPort, 1);
    handshake(h, at(0s), kP1);
    handshake(h, at(100ms), kP2);
    syn(h, at(200ms), kP3);
    h.expect_nothing();
    EXPECT_EQ(h.stack.counters().ListenOverflows, 1u);
    EXPECT_EQ(h.stack.counters().ListenDrops, 1u);
    EXPECT_EQ(h.stack.counters().SyncookiesSent, 0u);
    EXPECT_EQ(h.stack.request_count(), 0u);
  }
  {
    Harness h = with(2);
    h.listen(kServerPort, 1);
    for (uint16_t p : {kP1, kP2}) {
      syn(h, h.now, p);
      uint32_t cookie = expect_cookie_synack(h, h.now, p, "mss 1460");
      third_ack(h, h.now + 10ms, p, cookie);
    }
    EXPECT_EQ(accept_queue_len(h), 2u);
    syn(h, at(1s), kP3);
    h.expect_nothing();
    EXPECT_EQ(h.stack.counters().ListenOverflows, 1u);
    EXPECT_EQ(h.stack.counters().SyncookiesSent, 2u);
  }
}

// tcp_check_req, listen_overflow with tcp_abort_on_overflow = 0: the final ACK is dropped,
// the request stays (acked) and reqsk_timer_handler retransmits its SYN-ACK 1 s after the
// SYN; once accept() has made room, the peer's next ACK completes the connection.
TEST(Listener, AbortOnOverflowZeroKeepsRequest) {
  Harness h = with(1, 0);
  h.listen(kServerPort, 1);
  syn(h, at(0s), kP1);
  expect_synack(h, at(0s), kP1);
  syn(h, at(0s), kP2);
  expect_synack(h, at(0s), kP2);
  third_ack(h, at(100ms), kP1);
  syn(h, at(150ms), kP3);
  expect_synack(h, at(150ms), kP3);
  third_ack(h, at(200ms), kP2);
  // P1's and P2's requests became connections; their SYN-ACK timers are gone.
  third_ack(h, at(250ms), kP3);
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().ListenOverflows, 1u);
  EXPECT_EQ(h.stack.request_count(), 1u);
  h.advance_to(at(500ms));
  EXPECT_TRUE(h.accept().valid());
  h.expect_nothing(until(1150ms));
  expect_synack(h, at(1150ms), kP3);
  third_ack(h, at(1250ms), kP3);
  h.expect_nothing();
  EXPECT_EQ(h.stack.request_count(), 0u);
  EXPECT_EQ(accept_queue_len(h), 2u);
  EXPECT_EQ(h.stack.counters().PassiveOpens, 3u);
  EXPECT_EQ(h.stack.counters().ListenOverflows, 1u);
}

// tcp_abort_on_overflow = 1: the overflowing final ACK gets <SEQ=SEG.ACK><CTL=RST>
// (embryonic_reset: req->rsk_ops->send_reset, EmbryonicRsts) and the request is gone.
TEST(Listener, AbortOnOverflowOneResets) {
  Harness h = with(1, 1);
  h.listen(kServerPort, 1);
  syn(h, at(0s), kP1);
  expect_synack(h, at(0s), kP1);
  syn(h, at(0s), kP2);
  expect_synack(h, at(0s), kP2);
  third_ack(h, at(100ms), kP1);
  syn(h, at(150ms), kP3);
  expect_synack(h, at(150ms), kP3);
  third_ack(h, at(200ms), kP2);
  third_ack(h, at(250ms), kP3);
  h.expect_send(at(250ms), Seg{.flags = RST, .seq = kIss + 1, .dport = kP3});
  EXPECT_EQ(h.stack.request_count(), 0u);
  EXPECT_EQ(h.stack.counters().ListenOverflows, 1u);
  EXPECT_EQ(h.stack.counters().ListenDrops, 1u);
  EXPECT_EQ(h.stack.counters().EmbryonicRsts, 1u);
  h.expect_nothing(until(70s));  // no SYN-ACK retransmission for P3
}

// ---- SYN cookies ----------------------------------------------------------------------

// tcp_syncookies = 2: every SYN is answered statelessly (no request kept; Linux counts
// TCPReqQFullDoCookies for each, tcp_syn_flood_action); the cookie ACK creates the
// connection and data it carries is queued (tcp_child_process -> tcp_rcv_state_process).
TEST(Listener, CookiesAlwaysKeepNoRequestAndAcceptData) {
  Harness h = with(2);
  h.listen();
  syn(h, at(0s), kP1);
  uint32_t cookie = expect_cookie_synack(h, at(0s), kP1, "mss 1460");
  EXPECT_EQ(h.stack.request_count(), 0u);
  EXPECT_TRUE(h.no_connections());
  EXPECT_EQ(h.stack.counters().SyncookiesSent, 1u);
  EXPECT_EQ(h.stack.counters().TCPReqQFullDoCookies, 1u);
  h.expect_nothing(until(3s));  // no SYN-ACK retransmission: there is no request
  h.inject(at(3s), Seg{.flags = ACK | PSH,
                       .seq = kIrs + 1,
                       .ack = cookie + 1,
                       .data = bytes("hello"),
                       .sport = kP1});
  h.expect_send(at(3s), Seg{.flags = ACK, .seq = cookie + 1, .ack = kIrs + 6, .dport = kP1});
  EXPECT_EQ(h.stack.counters().SyncookiesRecv, 1u);
  SocketId s = h.accept();
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(*h.read(s), "hello");
  EXPECT_FALSE(h.conn(s)->ts_ok());
  EXPECT_FALSE(h.conn(s)->sack_ok());
  EXPECT_EQ(h.conn(s)->snd_wscale(), 0);
}

// cookie_v4_init_sequence / __cookie_v4_check: the MSS is rounded down to the table
// (536, 1300, 1440, 1460). Verified on Linux 6.18: a peer MSS of 1400 gives TCP_MAXSEG
// 1288 with timestamps (1300 - 12); without timestamps 1300.
TEST(Listener, CookieMssFromTable) {
  struct Case {
    uint16_t peer_mss;
    bool ts;
    int want;
  };
  for (Case k : {Case{1400, true, 1288}, Case{1400, false, 1300}, Case{1460, false, 1460},
                 Case{1439, false, 1300}, Case{1299, false, 536}, Case{9000, false, 1460}}) {
    SCOPED_TRACE(std::to_string(k.peer_mss) + (k.ts ? " ts" : ""));
    Harness h = with(2);
    h.listen();
    wire::TcpOptions o =
        syn_options(k.peer_mss, false, k.ts ? std::optional<uint32_t>(100) : std::nullopt, {});
    syn(h, at(0s), kP1, o);
    uint32_t cookie = expect_cookie_synack(h, at(0s), kP1,
                                           k.ts ? "mss 1460,nop,nop,TS val * ecr 100" : "mss 1460");
    Seg a{.flags = ACK, .seq = kIrs + 1, .ack = cookie + 1, .sport = kP1};
    if (k.ts) a.opts = ts_option(150, h.last_ts_val);
    h.inject(at(100ms), a);
    h.expect_nothing();
    SocketId s = h.accept();
    ASSERT_TRUE(s.valid());
    EXPECT_EQ(h.stack.getsockopt(s, IPPROTO_TCP, TCP_MAXSEG).value_or(-1), k.want);
  }
}

// Verified on Linux 6.18: a cookie SYN-ACK to a SYN without timestamps offers only
// <mss N>: window scale and SACK cannot be remembered (tcp_conn_request clears the options
// when want_cookie && !saw_tstamp).
TEST(Listener, CookieWithoutTimestampOffersOnlyMss) {
  Harness h = with(2);
  h.listen();
  syn(h, at(0s), kP1, syn_options(1460, true, std::nullopt, 7));
  uint32_t cookie = expect_cookie_synack(h, at(0s), kP1, "mss 1460");
  third_ack(h, at(100ms), kP1, cookie);
  SocketId s = h.accept();
  ASSERT_TRUE(s.valid());
  EXPECT_FALSE(h.conn(s)->sack_ok());
  EXPECT_EQ(h.conn(s)->snd_wscale(), 0);
  EXPECT_EQ(h.conn(s)->rcv_wscale(), 0);
}

// cookie_init_timestamp / cookie_timestamp_decode: with timestamps the SYN-ACK offers
// everything the peer did, and the peer's window scale and SACK come back in the echoed
// TS value; the connection uses them.
TEST(Listener, CookieTimestampCarriesWscaleAndSack) {
  Harness h = with(2);
  h.listen();
  syn(h, at(0s), kP1, syn_options(1460, true, 100, 7));
  uint32_t cookie =
      expect_cookie_synack(h, at(0s), kP1, "mss 1460,sackOK,TS val * ecr 100,nop,wscale 10");
  h.inject(at(100ms), Seg{.flags = ACK,
                          .seq = kIrs + 1,
                          .ack = cookie + 1,
                          .opts = ts_option(150, h.last_ts_val),
                          .sport = kP1});
  h.expect_nothing();
  SocketId s = h.accept();
  ASSERT_TRUE(s.valid());
  const tcp::Connection* c = h.conn(s);
  EXPECT_TRUE(c->ts_ok());
  EXPECT_TRUE(c->sack_ok());
  EXPECT_EQ(c->snd_wscale(), 7);
  EXPECT_EQ(c->rcv_wscale(), 10);
  EXPECT_EQ(c->mss(), 1448u);

  // A peer that offered timestamps only gets neither SACK nor scaling.
  syn(h, at(1s), kP2, syn_options(1460, false, 200, std::nullopt));
  cookie = expect_cookie_synack(h, at(1s), kP2, "mss 1460,nop,nop,TS val * ecr 200");
  h.inject(at(1100ms), Seg{.flags = ACK,
                           .seq = kIrs + 1,
                           .ack = cookie + 1,
                           .opts = ts_option(250, h.last_ts_val),
                           .sport = kP2});
  SocketId s2 = h.accept();
  ASSERT_TRUE(s2.valid());
  EXPECT_TRUE(h.conn(s2)->ts_ok());
  EXPECT_FALSE(h.conn(s2)->sack_ok());
  EXPECT_EQ(h.conn(s2)->snd_wscale(), 0);
  EXPECT_EQ(h.conn(s2)->rcv_wscale(), 0);
}

// Verified on Linux 6.18: a cookie ACK that fails validation gets a bare RST
// (<SEQ=SEG.ACK>) and counts SyncookiesFailed (cookie_v4_check returns the listener,
// which answers any ACK with a reset).
TEST(Listener, InvalidCookieAckGetsReset) {
  Harness h = with(2);
  h.listen();
  syn(h, at(0s), kP1);
  uint32_t cookie = expect_cookie_synack(h, at(0s), kP1, "mss 1460");
  third_ack(h, at(100ms), kP1, cookie + 12345);
  h.expect_send(at(100ms), Seg{.flags = RST, .seq = cookie + 12346, .dport = kP1});
  EXPECT_EQ(h.stack.counters().SyncookiesFailed, 1u);
  EXPECT_EQ(h.stack.counters().SyncookiesRecv, 0u);
  EXPECT_TRUE(h.no_connections());
  // The right cookie still works.
  third_ack(h, at(200ms), kP1, cookie);
  EXPECT_TRUE(h.accept().valid());
}

// MAX_SYNCOOKIE_AGE = 2: a cookie is good in the minute (tcp_cookie_time) it was made and
// the next one; older, the ACK fails and is reset.
TEST(Listener, CookieExpiresAfterTwoMinuteTicks) {
  Harness h = with(2);
  h.listen();
  syn(h, at(59s), kP1);
  uint32_t c1 = expect_cookie_synack(h, at(59s), kP1, "mss 1460");
  syn(h, at(59s), kP2);
  uint32_t c2 = expect_cookie_synack(h, at(59s), kP2, "mss 1460");
  third_ack(h, at(119s), kP1, c1);  // minute 1, made in minute 0: valid
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().SyncookiesRecv, 1u);
  third_ack(h, at(120s), kP2, c2);  // minute 2: too old
  h.expect_send(at(120s), Seg{.flags = RST, .seq = c2 + 1, .dport = kP2});
  EXPECT_EQ(h.stack.counters().SyncookiesFailed, 1u);
}

// ---- segments a listener does not open a connection for ---------------------------------

// RFC 9293 3.10.7.2 LISTEN (tcp_rcv_state_process, TCP_LISTEN; tcp_v4_send_reset):
// "An incoming RST should be ignored"; "Any acknowledgment is bad ... <SEQ=SEG.ACK><CTL=RST>"
// (with no cookie recently sent, no cookie check); a SYN-ACK is an acknowledgment too;
// "Any other control or text-bearing segment ... drop it".
TEST(Listener, NonSynSegments) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = RST, .seq = kIrs});
  h.inject(at(0s), Seg{.flags = RST | ACK, .seq = kIrs, .ack = 5});
  h.expect_nothing();
  h.inject(at(10ms), Seg{.flags = ACK, .seq = kIrs, .ack = 777});
  h.expect_send(at(10ms), Seg{.flags = RST, .seq = 777});
  h.inject(at(20ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = 888, .opts = mss_only()});
  h.expect_send(at(20ms), Seg{.flags = RST, .seq = 888});
  h.inject(at(30ms), Seg{.flags = 0, .seq = kIrs, .len = 10});
  h.inject(at(30ms), Seg{.flags = FIN, .seq = kIrs});
  h.inject(at(30ms), Seg{.flags = PSH, .seq = kIrs, .len = 10});
  h.expect_nothing(until(10s));
  EXPECT_EQ(h.stack.counters().SyncookiesFailed, 0u);
  EXPECT_EQ(h.stack.request_count(), 0u);
  EXPECT_TRUE(h.no_connections());
}

// tcp_conn_request does not queue data carried by a SYN (no TCP Fast Open): the SYN-ACK
// acknowledges the SYN only, and the connection starts with nothing to read.
TEST(Listener, DataOnSynIsNotAcknowledged) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .data = bytes("early"), .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  third_ack(h, at(100ms), kP1);
  h.expect_nothing();
  SocketId s = h.accept();
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(h.stack.readable(s), 0u);
  EXPECT_EQ(h.conn(s)->rcv_nxt(), SeqNum(kIrs + 1));
  // The peer sends the data again, now accepted.
  h.inject(at(200ms),
           Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 1, .data = bytes("early")});
  EXPECT_EQ(*h.read(s), "early");
}

// TCP_DEFER_ACCEPT in seconds is kept as SYN-ACK retransmissions (secs_to_retrans: the
// fewest whose 1, 2, 4 ... s timeouts, at most 120 s each, cover it) and read back as the
// seconds those cover (retrans_to_secs): Linux's getsockopt gives 7 for 5.
TEST(Listener, DeferAcceptSecondsAsRetransmissions) {
  struct Row {
    int secs;
    uint8_t retrans;
    int back;
  };
  for (Row r : {Row{-1, 0, 0}, Row{0, 0, 0}, Row{1, 1, 1}, Row{2, 2, 3}, Row{3, 2, 3}, Row{5, 3, 7},
                Row{7, 3, 7}, Row{8, 4, 15}, Row{200, 8, 247}, Row{400, 10, 487}}) {
    EXPECT_EQ(tcp::defer_accept_retrans(r.secs), r.retrans) << r.secs;
    EXPECT_EQ(tcp::defer_accept_secs(r.retrans), r.back) << r.secs;
  }
}

}  // namespace
}  // namespace ustcp::testing
