// Opening connections: active, passive and simultaneous open, option negotiation, SYN and
// SYN-ACK retransmission, connect() results (RFC 9293 3.5, 3.10.7; Linux tcp_connect,
// tcp_rcv_synsent_state_process, tcp_conn_request, tcp_check_req, tcp_write_timeout).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <vector>

#include "harness.hpp"

namespace ustcp::testing {
namespace {

// ---- active open -------------------------------------------------------------------------

// tcp_connect / tcp_syn_options: Linux's SYN is `mss 1460,sackOK,TS val X ecr 0,nop,wscale N`
// with N = ilog2(max(tcp_rmem[2], rmem_max)) - 15 = 10 for tcp_rmem[2] = 32 MiB
// (tcp_select_initial_window), and a window of 64240 (44 segments of 1460).
TEST(TcpHandshake, ActiveOpenSynOptionsAndEstablish) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN,
                            .seq = kIss,
                            .win = 64240,
                            .options = "mss 1460,sackOK,TS val * ecr 0,nop,wscale 10"});
  EXPECT_EQ(h.state(), State::SynSent);
  EXPECT_EQ(h.stack.counters().ActiveOpens, 1u);
  // RFC 9293 3.10.7.3: SYN-ACK acknowledging our SYN -> ESTABLISHED, ACK it.
  h.inject(at(100ms), Seg{.flags = SYN | ACK,
                          .seq = kIrs,
                          .ack = kIss + 1,
                          .opts = syn_options(1460, true, 777, 7)});
  h.expect_send(
      at(100ms),
      Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1, .options = "nop,nop,TS val * ecr 777"});
  EXPECT_EQ(h.state(), State::Established);
  const tcp::Connection* c = h.conn(s);
  EXPECT_TRUE(c->ts_ok());
  EXPECT_TRUE(c->sack_ok());
  EXPECT_EQ(c->snd_wscale(), 7);
  EXPECT_EQ(c->rcv_wscale(), 10);
  EXPECT_EQ(c->mss(), 1448u);  // 1460 less the 12 bytes of the timestamp option
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), 0);
  EXPECT_EQ(h.stack.curr_estab(), 1u);
  h.expect_nothing(until(10s));
}

// RFC 7323 1.3, 2.2, RFC 2018 2: an option is used only if both SYNs carry it. A peer that
// offers none gets none: no timestamps on our segments, no scaling, no SACK.
TEST(TcpHandshake, PeerWithoutOptionsNegotiatesNone) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(
      at(50ms),
      Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .win = 5000, .opts = mss_only(1460)});
  h.expect_send(at(50ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1, .options = ""});
  const tcp::Connection* c = h.conn(s);
  EXPECT_FALSE(c->ts_ok());
  EXPECT_FALSE(c->sack_ok());
  EXPECT_EQ(c->snd_wscale(), 0);
  EXPECT_EQ(c->rcv_wscale(), 0);
  EXPECT_EQ(c->snd_wnd(), 5000u);
  EXPECT_EQ(c->mss(), 1460u);
  // Data goes out without options, its window field unscaled.
  ASSERT_EQ(*h.write(s, "hi"), 2u);
  Sent d = h.expect_send(at(50ms), Seg{.flags = ACK | PSH,
                                       .seq = kIss + 1,
                                       .ack = kIrs + 1,
                                       .data = bytes("hi"),
                                       .options = ""});
  EXPECT_EQ(d.win, c->rcv_wnd());
}

// tcp_sync_mss / tcp_mss_clamp: we send at most min(peer's MSS, our MTU - 40); no MSS
// option means 536 (RFC 9293 3.7.1).
TEST(TcpHandshake, MssIsClampedToBothSides) {
  struct Case {
    std::optional<uint16_t> peer_mss;
    uint32_t want;
  };
  for (Case k : {Case{1000, 1000}, Case{9000, 1460}, Case{std::nullopt, 536}}) {
    Harness h;
    SocketId s = h.established_client(PeerOpts{.mss = k.peer_mss});
    EXPECT_EQ(h.conn(s)->mss(), k.want) << (k.peer_mss ? *k.peer_mss : 0);
  }
}

// RFC 7323 2.3: "If a Window Scale option is received with a shift.cnt value larger than
// 14, the TCP SHOULD log the error but MUST use 14 instead." (tcp_parse_options)
TEST(TcpHandshake, WindowScaleAbove14IsUsedAs14) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.wscale = 15, .win = 1});
  EXPECT_EQ(h.conn(s)->snd_wscale(), 14);
  // The SYN-ACK's window is never scaled (RFC 7323 2.2); the next ACK's is, by 2^14.
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1, .win = 2});
  EXPECT_EQ(h.conn(s)->snd_wnd(), 2u << 14);
}

// Window scaling on only when both offer it: a peer's wscale with ours disabled by the
// sysctl gives no scaling either way, and our SYN carries no wscale.
TEST(TcpHandshake, SysctlsTurnOptionsOff) {
  tcp::Config cfg;
  cfg.tcp_window_scaling = 0;
  cfg.tcp_sack = 0;
  cfg.tcp_timestamps = 0;
  Harness h(cfg);
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss, .options = "mss 1460"});
  h.inject(
      at(10ms),
      Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .opts = syn_options(1460, true, 5, 7)});
  h.expect_send(at(10ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1, .options = ""});
  EXPECT_FALSE(h.conn(s)->ts_ok());
  EXPECT_FALSE(h.conn(s)->sack_ok());
  EXPECT_EQ(h.conn(s)->snd_wscale(), 0);
}

// ---- passive open ------------------------------------------------------------------------

// RFC 9293 3.10.7.2 (LISTEN: SYN -> SYN-ACK) and 3.10.7.4 (SYN-RECEIVED: acceptable ACK ->
// ESTABLISHED); Linux tcp_conn_request, tcp_check_req. The SYN-ACK mirrors the options the
// peer offered; its window is whole segments of the MSS less the timestamp option
// (tcp_openreq_init_rwin: 65160 = 45 * 1448, the value Linux servers show).
TEST(TcpHandshake, PassiveOpen) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = syn_options(1460, true, 100, 7)});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK,
                            .seq = kIss,
                            .ack = kIrs + 1,
                            .win = 65160,
                            .options = "mss 1460,sackOK,TS val * ecr 100,nop,wscale 10"});
  EXPECT_EQ(h.state(), State::SynRecv);
  EXPECT_EQ(h.stack.request_count(), 1u);
  EXPECT_FALSE(h.accept().valid());  // EAGAIN: nothing established yet
  h.inject(
      at(100ms),
      Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1, .opts = ts_option(200, h.last_ts_val)});
  h.expect_nothing();
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_EQ(h.stack.counters().PassiveOpens, 1u);
  Endpoint peer;
  auto a = h.stack.accept(h.now, h.listener, &peer);
  ASSERT_TRUE(a);
  EXPECT_EQ(peer, (Endpoint{kRemote, kPeerPort}));
  EXPECT_EQ(h.stack.getpeername(*a).value_or(Endpoint{}), peer);
  EXPECT_EQ(h.stack.request_count(), 0u);
  EXPECT_EQ(h.conn(*a)->mss(), 1448u);
}

// The third ACK may carry data (RFC 9293 3.10.7.4, "continue processing" after entering
// ESTABLISHED): it is queued and, being the first data, ACKed at once (quick-ack).
// The SYN takes one sequence number (data starts at IRS + 1) and so does the FIN.
TEST(TcpHandshake, ThirdAckCarriesDataAndSynFinTakeOneSequenceNumber) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s),
                Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1, .options = "mss 1460"});
  h.inject(at(100ms),
           Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 1, .data = bytes("hello")});
  h.expect_send(at(100ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 6});
  SocketId s = h.accept();
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(*h.read(s), "hello");
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 6, .ack = kIss + 1});
  // The FIN after data: ACKed after the delayed-ACK timeout (see TcpClose tests).
  h.expect_send(at(240ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 7});
  EXPECT_EQ(h.state(), State::CloseWait);
  EXPECT_EQ(*h.read(s), "");  // EOF
}

// tcp_check_req: an ACK that does not acknowledge our SYN-ACK gets <SEQ=SEG.ACK><CTL=RST>
// and the request stays.
TEST(TcpHandshake, SynRecvBadAckGetsReset) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.inject(at(10ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 77});
  h.expect_send(at(10ms), Seg{.flags = RST, .seq = kIss + 77});
  EXPECT_EQ(h.state(), State::SynRecv);
  h.inject(at(20ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1});
  EXPECT_TRUE(h.accept().valid());
}

// RFC 9293 3.10.7.4, SYN-RECEIVED, second check: an acceptable RST drops the request
// (EmbryonicRsts) -- the passive open goes back to LISTEN.
TEST(TcpHandshake, SynRecvResetReturnsToListen) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.inject(at(10ms), Seg{.flags = RST, .seq = kIrs + 1});
  EXPECT_EQ(h.stack.request_count(), 0u);
  EXPECT_EQ(h.stack.counters().EmbryonicRsts, 1u);
  EXPECT_TRUE(h.no_connections());
  h.expect_nothing(until(70s));
}

// reqsk_timer_handler: SYN-ACKs again at 1, 3, 7, 15, 31 s (tcp_synack_retries = 5), the
// request dropped at 63 s; a late ACK then meets the listener and gets a bare RST.
TEST(TcpHandshake, SynAckRetransmissionScheduleAndDrop) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  for (auto t : {1s, 3s, 7s, 15s, 31s}) {
    h.expect_send(at(t), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  }
  h.expect_nothing(until(63s));
  EXPECT_EQ(h.stack.request_count(), 1u);
  h.advance_to(63s);
  EXPECT_EQ(h.stack.request_count(), 0u);
  h.expect_nothing(until(100s));
  h.inject(at(100s), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1});
  h.expect_send(at(100s), Seg{.flags = RST, .seq = kIss + 1});
  EXPECT_FALSE(h.accept().valid());
}

// Verified on Linux 6.18: synack_retries=2: SYN-ACK at 0, 1, 3 s; request dropped at 7 s.
TEST(TcpHandshake, SynAckRetriesSysctl) {
  tcp::Config cfg;
  cfg.tcp_synack_retries = 2;
  Harness h(cfg);
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  for (auto t : {0s, 1s, 3s})
    h.expect_send(at(t), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.advance_to(7s - 1ms);
  EXPECT_EQ(h.stack.request_count(), 1u);
  h.advance_to(7s);
  EXPECT_EQ(h.stack.request_count(), 0u);
  h.expect_nothing(until(20s));
}

// Verified on Linux 6.18: a duplicate SYN in SYN_RECV gets an immediate SYN-ACK and
// restarts the request timer (tcp_check_req -> inet_rtx_syn_ack, req->rsk_timer reset).
TEST(TcpHandshake, DuplicateSynInSynRecvGetsImmediateSynAck) {
  Harness h;
  h.listen();
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.inject(at(500ms), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(500ms), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.expect_nothing(until(1500ms));
  h.expect_send(at(1500ms), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  EXPECT_EQ(h.stack.request_count(), 1u);
}

// ---- simultaneous open -------------------------------------------------------------------

// RFC 9293 3.5 figure 8 (tcp_rcv_synsent_state_process, "simultaneous connect"): SYN_SENT
// receives a SYN -> SYN_RECV and sends SYN-ACK; the peer's SYN-ACK -> ESTABLISHED.
TEST(TcpHandshake, SimultaneousOpen) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(10ms), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  // Linux resends its SYN with ACK (tcp_send_synack): the options come from the sysctls
  // as in the first SYN (tcp_syn_options), whatever the peer offered.
  h.expect_send(at(10ms), Seg{.flags = SYN | ACK,
                              .seq = kIss,
                              .ack = kIrs + 1,
                              .options = "mss 1460,sackOK,TS val * ecr 0,nop,wscale 10"});
  EXPECT_EQ(h.state(), State::SynRecv);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EALREADY);
  h.inject(at(20ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .opts = mss_only()});
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), 0);
  // Linux >= 6.11 lets the SYN-ACK through (tcp_validate_incoming), and tcp_data_queue
  // sees a retransmission below rcv_nxt: an immediate duplicate ACK, with no options (the
  // peer offered none).
  h.expect_send(at(20ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1, .options = ""});
  h.expect_nothing(until(5s));
  ASSERT_EQ(*h.write(s, "x"), 1u);
  h.expect_send(at(5s), Seg{.flags = ACK | PSH, .seq = kIss + 1, .ack = kIrs + 1, .len = 1});
}

// Simultaneous open completed by a plain ACK of our SYN-ACK.
TEST(TcpHandshake, SimultaneousOpenCompletedByAck) {
  Harness h;
  h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(10ms), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(10ms), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.inject(at(20ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1});
  EXPECT_EQ(h.state(), State::Established);
  h.expect_nothing(until(5s));
}

// ---- SYN retransmission ------------------------------------------------------------------

struct SynSchedule {
  int syn_retries;
  int linear;
  std::vector<Duration> syns;
  Duration timeout;
};

// tcp_retransmit_timer + tcp_write_timeout (Linux 6.x, tcp_syn_linear_timeouts): the SYN
// times verified on Linux 6.18 (LINUX-REFERENCE.md), and connect()'s ETIMEDOUT.
void run_syn_schedule(const SynSchedule& k, bool via_so_error) {
  SCOPED_TRACE("syn_retries=" + std::to_string(k.syn_retries) +
               " linear=" + std::to_string(k.linear));
  Harness h;
  h.config().tcp_syn_retries = k.syn_retries;
  h.config().tcp_syn_linear_timeouts = k.linear;
  SocketId s = h.connect();
  for (Duration t : k.syns) {
    h.expect_send(at(t), Seg{.flags = SYN, .seq = kIss});
    EXPECT_EQ(h.state(), State::SynSent);
  }
  h.expect_nothing(until(k.timeout));
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EALREADY);
  h.advance_to(k.timeout);
  EXPECT_EQ(h.state(), State::Close);
  if (via_so_error) {
    EXPECT_EQ(h.so_error(s), ETIMEDOUT);
    EXPECT_EQ(h.so_error(s), 0);  // SO_ERROR clears it
  } else {
    EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), ETIMEDOUT);
  }
  EXPECT_EQ(h.stack.counters().AttemptFails, 1u);
  h.expect_nothing(until(k.timeout + 300s));
}

TEST(TcpHandshake, SynRetransmissionDefaults) {
  run_syn_schedule({6, 4, {0s, 1s, 2s, 3s, 4s, 5s, 7s, 11s, 19s, 35s, 67s}, 131s}, false);
}
TEST(TcpHandshake, SynRetransmissionDefaultsSoError) {
  run_syn_schedule({6, 4, {0s, 1s, 2s, 3s, 4s, 5s, 7s, 11s, 19s, 35s, 67s}, 131s}, true);
}
TEST(TcpHandshake, SynRetries2) { run_syn_schedule({2, 4, {0s, 1s, 2s, 3s, 4s, 5s}, 7s}, false); }
TEST(TcpHandshake, SynRetries3) {
  run_syn_schedule({3, 4, {0s, 1s, 2s, 3s, 4s, 5s, 7s, 11s}, 19s}, false);
}
TEST(TcpHandshake, SynRetries3NoLinearTimeouts) {
  run_syn_schedule({3, 0, {0s, 1s, 3s, 7s}, 15s}, true);
}

// After a failed connect() the socket may connect again (__inet_stream_connect: the
// socket is unconnected again) and a new attempt starts.
TEST(TcpHandshake, ConnectAgainAfterTimeout) {
  Harness h;
  h.config().tcp_syn_retries = 1;
  h.config().tcp_syn_linear_timeouts = 0;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.expect_send(at(1s), Seg{.flags = SYN, .seq = kIss});
  h.advance_to(3s);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), ETIMEDOUT);
  h.stack.set_next_isn(SeqNum(kIss + 5000));
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EINPROGRESS);
  h.local = *h.stack.getsockname(s);
  h.expect_send(at(3s), Seg{.flags = SYN, .seq = kIss + 5000});
}

// ---- connect() failures ------------------------------------------------------------------

// RFC 9293 3.10.7.3: a RST with an acceptable ACK in SYN-SENT: "signal to the user
// 'error: connection reset', drop the segment, enter CLOSED" -- ECONNREFUSED (tcp_reset).
TEST(TcpHandshake, ConnectToClosedPortIsRefused) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(30ms), Seg{.flags = RST | ACK, .seq = 0, .ack = kIss + 1});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_NE(h.stack.poll(s) & stack::events::ERR, 0);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), ECONNREFUSED);
  EXPECT_EQ(h.stack.counters().AttemptFails, 1u);
  h.expect_nothing(until(200s));  // no SYN retransmission
}

// RFC 9293 3.10.7.1: CLOSED (no socket): a segment without ACK gets
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; one with ACK gets <SEQ=SEG.ACK><CTL=RST>; a
// RST gets nothing (tcp_v4_send_reset).
TEST(TcpHandshake, SegmentToClosedPortGetsReset) {
  Harness h;
  h.local.port = 81;
  h.remote.port = kPeerPort;
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = RST | ACK, .seq = 0, .ack = kIrs + 1, .win = 0});
  h.inject(at(1s), Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = 12345, .len = 10});
  h.expect_send(at(1s), Seg{.flags = RST, .seq = 12345, .win = 0});
  h.inject(at(2s), Seg{.flags = FIN, .seq = kIrs + 20, .len = 3});
  h.expect_send(at(2s), Seg{.flags = RST | ACK, .seq = 0, .ack = kIrs + 24});
  h.inject(at(3s), Seg{.flags = RST, .seq = kIrs});
  h.inject(at(3s), Seg{.flags = RST | ACK, .seq = kIrs, .ack = 5});
  h.expect_nothing(until(10s));
  EXPECT_EQ(h.stack.counters().OutRsts, 3u);
}

// RFC 9293 3.10.7.3: a RST without ACK in SYN-SENT is dropped; and one whose ACK is
// unacceptable too (no RST in reply to a RST).
TEST(TcpHandshake, SynSentIgnoresResetWithoutAcceptableAck) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(10ms), Seg{.flags = RST, .seq = kIrs});
  h.inject(at(20ms), Seg{.flags = RST | ACK, .seq = kIrs, .ack = kIss + 50});
  EXPECT_EQ(h.state(), State::SynSent);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EALREADY);
  // The RST+ACK with the wrong ACK still re-arms the SYN timer to TCP_TIMEOUT_MIN
  // (tcp_rcv_synsent_state_process: "Previous FIN/ACK or RST/ACK might be ignored").
  h.expect_send(at(28ms), Seg{.flags = SYN, .seq = kIss});
}

// RFC 9293 3.10.7.3: SYN-ACK whose ACK is not for our SYN: <SEQ=SEG.ACK><CTL=RST>, and
// Linux re-sends the SYN after TCP_TIMEOUT_MIN (tcp_rcv_synsent_state_process
// "reset_and_undo": inet_csk_reset_xmit_timer(ICSK_TIME_RETRANS, TCP_TIMEOUT_MIN)).
TEST(TcpHandshake, SynAckWithBadAckGetsResetAndSynAgainSoon) {
  Harness h;
  h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(100ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 100, .opts = mss_only()});
  h.expect_send(at(100ms), Seg{.flags = RST, .seq = kIss + 100});
  EXPECT_EQ(h.state(), State::SynSent);
  h.expect_send(at(108ms), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(200ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .opts = mss_only()});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(h.state(), State::Established);
}

// SYN-SENT: a segment with neither SYN nor RST (a bare ACK of our SYN) is dropped.
TEST(TcpHandshake, SynSentDropsAckWithoutSyn) {
  Harness h;
  h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(10ms), Seg{.flags = ACK, .seq = kIrs, .ack = kIss + 1});
  EXPECT_EQ(h.state(), State::SynSent);
  h.expect_send(at(1s), Seg{.flags = SYN, .seq = kIss});
}

// ---- connect() results -------------------------------------------------------------------

// inet_stream_connect (non-blocking): EINPROGRESS, EALREADY while connecting, 0 once
// connected (the first time), then EISCONN (verified on Linux 6.18).
TEST(TcpHandshake, ConnectResults) {
  Harness h;
  SocketId s = h.connect();  // EINPROGRESS
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EALREADY);
  EXPECT_EQ(errno_of(h.stack.getpeername(s)), ENOTCONN);
  EXPECT_EQ(errno_of(h.read(s)), EAGAIN);
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(10ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .opts = mss_only()});
  h.expect_send(at(10ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_NE(h.stack.poll(s) & stack::events::OUT, 0);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), 0);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EISCONN);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EISCONN);
}

// inet_hash_connect: no free ephemeral port for the destination -> EADDRNOTAVAIL.
TEST(TcpHandshake, EphemeralPortExhaustion) {
  Harness h;
  h.config().ip_local_port_range = {50000, 50001};
  SocketId a = h.connect();
  SocketId b = h.connect();
  EXPECT_NE(h.stack.getsockname(a)->port, h.stack.getsockname(b)->port);
  SocketId c = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.connect(h.now, c, h.remote)), EADDRNOTAVAIL);
  // Another destination may reuse the same local ports (the 4-tuple differs).
  EXPECT_EQ(errno_of(h.stack.connect(h.now, c, Endpoint{kRemote, 9999})), EINPROGRESS);
}

// inet_csk_bind_conflict: a second bind to a port in use -> EADDRINUSE.
TEST(TcpHandshake, BindAddressInUse) {
  Harness h;
  SocketId a = *h.stack.socket();
  SocketId b = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.bind(a, Endpoint{{}, 5000})), 0);
  EXPECT_EQ(errno_of(h.stack.bind(b, Endpoint{{}, 5000})), EADDRINUSE);
  EXPECT_EQ(errno_of(h.stack.bind(b, Endpoint{{}, 5001})), 0);
  EXPECT_EQ(errno_of(h.stack.bind(b, Endpoint{{}, 5002})), EINVAL);  // already bound
}

// ---- the handshake's RTT sample after a retransmitted SYN ---------------------------------

// Our SYN went three times (0, 1, 2 s) and the SYN-ACK arrives 5 ms after the last one,
// echoing `echo_of` (0: the first SYN, 2: the last). Returns the RTO once established and
// after the first data segment's ACK, another 5 ms round trip.
struct RtoAfterSynRetransmissions {
  int64_t established_us, after_data_us;
};
RtoAfterSynRetransmissions rto_after_syn_retransmissions(int echo_of) {
  Harness h;
  SocketId s = h.connect();
  uint32_t syn_val[3];
  for (int i = 0; i < 3; ++i) {
    Sent syn = h.expect_send(at(i * 1s), Seg{.flags = SYN, .seq = kIss});
    syn_val[i] = syn.opts.timestamp->val;
  }
  wire::TcpOptions o = syn_options(1460, true, 700, 7);
  o.timestamp->ecr = syn_val[echo_of];
  h.inject(at(2005ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .opts = o});
  h.expect_send(at(2005ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(h.state(), State::Established);
  RtoAfterSynRetransmissions r{};
  r.established_us = h.conn(s)->info(h.now).rto;
  EXPECT_EQ(*h.write(s, 1000), 1000u);
  Sent d = h.expect_send(at(2005ms),
                         Seg{.flags = ACK | PSH, .seq = kIss + 1, .ack = kIrs + 1, .len = 1000});
  h.inject(at(2010ms), Seg{.flags = ACK,
                           .seq = kIrs + 1,
                           .ack = kIss + 1001,
                           .opts = ts_option(710, d.opts.timestamp->val)});
  r.after_data_us = h.conn(s)->info(h.now).rto;
  return r;
}

// RFC 6298 5.7: when the SYN had to be retransmitted and the handshake gave no RTT sample,
// the RTO is 3 s once data flows. A SYN-ACK that echoes the first SYN (a Linux listener does
// not take TS.Recent from a retransmitted SYN, tcp_check_req) times no round trip: the echo
// is older than the last SYN, as for data (Connection::ack_update_rtt's stale echo), and
// Karn's rule applies. Linux takes it (tcp_ack_update_rtt's timestamp fallback) and starts
// with 3 x 2.005 s = 6 s, which a 10 ms path then needs dozens of round trips to wear down;
// under heavy loss every timeout of those costs seconds (bench/RESULTS.md, 30% loss).
TEST(TcpHandshake, SynAckEchoingTheFirstOfRetransmittedSynsTimesNothing) {
  const RtoAfterSynRetransmissions r = rto_after_syn_retransmissions(0);
  EXPECT_EQ(r.established_us, 3'000'000);  // the fallback, no sample
  // The first sample, 5 ms: SRTT 5 ms, rttvar max(2 x 5 ms, rto_min) = 200 ms.
  EXPECT_EQ(r.after_data_us, 205'000);
}

// The echo of the last SYN does time a round trip (RFC 7323 4.1): 5 ms, RTO 205 ms at once.
TEST(TcpHandshake, SynAckEchoingTheLastSynIsAnRttSample) {
  const RtoAfterSynRetransmissions r = rto_after_syn_retransmissions(2);
  EXPECT_EQ(r.established_us, 205'000);
}

}  // namespace
}  // namespace ustcp::testing
