// Closing connections in every order (RFC 9293 3.6, 3.10.4, 3.10.7.4; Linux tcp_close,
// tcp_shutdown, tcp_fin, tcp_rcv_state_process, tcp_time_wait, tcp_timewait_state_process).
//
// RFC 9293 figure 5 transitions, and the test that pins each:
// clang-format off
//   [x] CLOSED      -> LISTEN       passive OPEN     ListenThenCloseListener, TcpHandshake.PassiveOpen
//   [x] CLOSED      -> SYN_SENT     active OPEN      TcpHandshake.ActiveOpenSynOptionsAndEstablish
//   [x] LISTEN      -> SYN_RCVD     rcv SYN          TcpHandshake.PassiveOpen
//   [-] LISTEN      -> SYN_SENT     SEND             not in Linux (a listener cannot send)
//   [x] LISTEN      -> CLOSED       CLOSE            ListenThenCloseListener
//   [x] SYN_RCVD    -> ESTABLISHED  rcv ACK of SYN   TcpHandshake.PassiveOpen
//   [x] SYN_RCVD    -> FIN_WAIT_1   CLOSE            CloseInSynRecvSendsFinAtOnce
//   [x] SYN_RCVD    -> LISTEN       rcv RST          TcpHandshake.SynRecvResetReturnsToListen
//   [x] SYN_SENT    -> SYN_RCVD     rcv SYN          TcpHandshake.SimultaneousOpen
//   [x] SYN_SENT    -> ESTABLISHED  rcv SYN,ACK      TcpHandshake.ActiveOpenSynOptionsAndEstablish
//   [x] SYN_SENT    -> CLOSED       CLOSE            CloseWhileConnecting
//   [x] ESTABLISHED -> FIN_WAIT_1   CLOSE            ClientClosesFirst
//   [x] ESTABLISHED -> CLOSE_WAIT   rcv FIN          ServerSidePassiveClose
//   [x] FIN_WAIT_1  -> FIN_WAIT_2   rcv ACK of FIN   ClientClosesFirst
//   [x] FIN_WAIT_1  -> CLOSING      rcv FIN          SimultaneousClose
//   [x] FIN_WAIT_1  -> TIME_WAIT    rcv FIN + ACK    FinWait1FinAckedWithPeersFin
//   [x] FIN_WAIT_2  -> TIME_WAIT    rcv FIN          ClientClosesFirst
//   [x] CLOSING     -> TIME_WAIT    rcv ACK of FIN   SimultaneousClose
//   [x] TIME_WAIT   -> CLOSED       60 s             ClientClosesFirst
//   [x] CLOSE_WAIT  -> LAST_ACK     CLOSE            ServerSidePassiveClose
//   [x] LAST_ACK    -> CLOSED       rcv ACK of FIN   ServerSidePassiveClose
//   RST from every synchronized state: TcpReset.*.
// clang-format on
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.hpp"

namespace ustcp::testing {
namespace {

// Every test below starts from a fixture whose handshake ends at 100 ms (RTT 100 ms, so
// RTO = 300 ms: tcp_rtt_estimator's first sample gives srtt + max(2 * rtt, rto_min)).
// Both sides' next sequence numbers are then kIss + 1 and kIrs + 1.

// RFC 9293 3.10.4 CLOSE in ESTABLISHED, 3.10.7.4 FIN-WAIT-1/2, 3.6: the active closer ends
// in TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN), then the 4-tuple is free. Our FIN_WAIT_2 ACKs
// the peer's FIN at once (tcp_fin, verified on Linux 6.18).
TEST(TcpClose, ClientClosesFirst) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(1s);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1s), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(h.state(), State::FinWait1);
  h.inject(at(1100ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::FinWait2);
  h.expect_nothing(until(2s));
  h.inject(at(2s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(2s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
  EXPECT_EQ(h.stack.time_wait_count(), 1u);
  EXPECT_EQ(h.stack.connection_count(), 0u);  // the socket is gone, a compact record remains
  h.expect_nothing(until(62s));
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(62s);
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_TRUE(h.no_connections());
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  EXPECT_EQ(h.stack.counters().TW, 1u);
  // The 4-tuple is free: a segment for it now meets no socket.
  h.inject(at(63s), Seg{.flags = ACK, .seq = kIrs + 2, .ack = kIss + 2});
  h.expect_send(at(63s), Seg{.flags = RST, .seq = kIss + 2});
}

// The same from the server: the accepted connection closes first.
TEST(TcpClose, ServerClosesFirst) {
  Harness h;
  SocketId s = h.established_server();
  h.advance_to(500ms);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(500ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(600ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(600ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(60600ms - 1ms);
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(60600ms);
  EXPECT_EQ(h.state(), State::Close);
  h.expect_nothing(until(100s));
}

// RFC 9293 3.10.7.4 FIN-WAIT-1: "If our FIN has been ACKed (perhaps in this segment), then
// enter TIME-WAIT": the peer's FIN acknowledging ours goes straight to TIME_WAIT.
TEST(TcpClose, FinWait1FinAckedWithPeersFin) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
}

// RFC 9293 3.10.7.4 ESTABLISHED + FIN -> CLOSE_WAIT; 3.10.4 CLOSE in CLOSE-WAIT -> LAST_ACK;
// the ACK of our FIN -> CLOSED, no TIME_WAIT for the passive closer.
TEST(TcpClose, ServerSidePassiveClose) {
  Harness h;
  SocketId s = h.established_server();
  h.inject(at(1s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  // No data came before the FIN: the delayed-ACK timeout (ato) is still 0, the ACK leaves
  // at once (tcp_send_delayed_ack).
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::CloseWait);
  EXPECT_EQ(*h.read(s), "");  // EOF
  EXPECT_NE(h.stack.poll(s) & stack::events::RDHUP, 0);
  // Writing is still allowed in CLOSE_WAIT.
  ASSERT_EQ(*h.write(s, "bye"), 3u);
  h.expect_send(at(1s),
                Seg{.flags = ACK | PSH, .seq = kIss + 1, .ack = kIrs + 2, .data = bytes("bye")});
  h.inject(at(1100ms), Seg{.flags = ACK, .seq = kIrs + 2, .ack = kIss + 4});
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1100ms), Seg{.flags = FIN | ACK, .seq = kIss + 4, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::LastAck);
  h.inject(at(1200ms), Seg{.flags = ACK, .seq = kIrs + 2, .ack = kIss + 5});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_TRUE(h.no_connections() || h.state_of(h.local, h.remote) == State::Listen);
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  EXPECT_EQ(h.stack.connection_count(), 0u);
  h.expect_nothing(until(100s));
}

// Verified on Linux 6.18: the ACK of a FIN that follows data is delayed ~40 ms: the FIN
// puts the socket in pingpong mode, leaving quick-ack (tcp_fin -> inet_csk_enter_pingpong_mode;
// __tcp_ack_snd_check -> tcp_send_delayed_ack with ato = TCP_ATO_MIN). A close() within
// those 40 ms carries the ACK on our FIN.
TEST(TcpClose, AckOfFinAfterDataIsDelayed) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s),
           Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 1, .data = bytes("data")});
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 5});  // quick-ack
  h.inject(at(2s), Seg{.flags = FIN | ACK, .seq = kIrs + 5, .ack = kIss + 1});
  h.expect_nothing(until(2040ms));
  h.expect_send(at(2040ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 6});
  EXPECT_EQ(h.stack.counters().DelayedACKs, 1u);
  EXPECT_EQ(*h.read(s), "data");
  EXPECT_EQ(*h.read(s), "");
}

TEST(TcpClose, AckOfFinRidesOnOurFinWhenClosedQuickly) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 1, .len = 10});
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 11});
  h.inject(at(2s), Seg{.flags = FIN | ACK, .seq = kIrs + 11, .ack = kIss + 1});
  h.advance_to(2010ms);
  EXPECT_EQ(h.read(s)->size(), 10u);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(2010ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 12});
  h.expect_nothing(until(2100ms));  // no separate delayed ACK
  h.inject(at(2100ms), Seg{.flags = ACK, .seq = kIrs + 12, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::Close);
}

// RFC 9293 3.5 figure 13, simultaneous close: FIN_WAIT_1 + FIN -> CLOSING with an immediate
// ACK (verified on Linux 6.18), then the ACK of our FIN -> TIME_WAIT.
TEST(TcpClose, SimultaneousClose) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(1s);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1s), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  // The peer's FIN crosses ours: it does not acknowledge our FIN.
  h.inject(at(1050ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  h.expect_send(at(1050ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::Closing);
  h.inject(at(1100ms), Seg{.flags = ACK, .seq = kIrs + 2, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(61100ms);
  EXPECT_EQ(h.state(), State::Close);
}

// CLOSING retransmits its FIN on RTO until it is acknowledged.
TEST(TcpClose, ClosingRetransmitsFin) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(1s);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1s), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(1050ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  h.expect_send(at(1050ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  h.expect_send(at(1300ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::Closing);
}

// shutdown(SHUT_WR) (tcp_shutdown): FIN now; reading goes on. The peer, in CLOSE_WAIT,
// keeps sending; we ACK and read it. A socket the application holds stays in FIN_WAIT_2
// without a timeout (tcp_fin_timeout is for orphans; verified on Linux 6.18).
TEST(TcpClose, HalfClose) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(1s);
  ASSERT_TRUE(h.shutdown(s, SHUT_WR));
  h.expect_send(at(1s), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(errno_of(h.write(s, "x")), EPIPE);
  h.inject(at(1100ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::FinWait2);
  h.inject(at(2s),
           Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 2, .data = bytes("more")});
  h.expect_send(at(2s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 5});
  EXPECT_EQ(*h.read(s), "more");
  h.inject(at(3s),
           Seg{.flags = ACK | PSH, .seq = kIrs + 5, .ack = kIss + 2, .data = bytes("data")});
  h.expect_send(at(3s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 9});
  EXPECT_EQ(*h.read(s), "data");
  h.expect_nothing(until(500s));
  EXPECT_EQ(h.state(), State::FinWait2);
  h.inject(at(500s), Seg{.flags = FIN | ACK, .seq = kIrs + 9, .ack = kIss + 2});
  h.expect_send(at(500s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 10});
  EXPECT_EQ(h.state(), State::TimeWait);
  EXPECT_EQ(*h.read(s), "");
  ASSERT_TRUE(h.close(s));
  h.advance_to(560s);
  EXPECT_TRUE(h.no_connections());
}

// The peer half-closes: we are in CLOSE_WAIT and may send as long as we like.
TEST(TcpClose, PeerHalfCloseWeKeepSending) {
  Harness h;
  SocketId s = h.established_server();
  h.inject(at(1s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  EXPECT_EQ(h.state(), State::CloseWait);
  // A FIN with no data before it is ACKed at once (ato is still 0).
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 2});
  for (int i = 0; i < 3; ++i) {
    h.advance_to(1s + i * 1s);
    ASSERT_EQ(*h.write(s, "abc"), 3u);
    h.expect_send(at(1s + i * 1s),
                  Seg{.flags = ACK | PSH, .seq = kIss + 1 + 3 * i, .ack = kIrs + 2, .len = 3});
    h.inject(at(1s + i * 1s + 100ms), Seg{.flags = ACK, .seq = kIrs + 2, .ack = kIss + 4 + 3 * i});
  }
  EXPECT_EQ(h.state(), State::CloseWait);
}

// LAST_ACK: an unacknowledged FIN is retransmitted on RTO with backoff (300 ms, then
// 600 ms: tcp_retransmit_timer), until its ACK closes the connection.
TEST(TcpClose, LastAckRetransmitsFin) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 2});  // ato is 0
  h.advance_to(1010ms);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1010ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 2});
  h.expect_send(at(1310ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 2});
  h.expect_send(at(1910ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::LastAck);
  h.inject(at(2s), Seg{.flags = ACK, .seq = kIrs + 2, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::Close);
  h.expect_nothing(until(100s));
}

// The passive opener takes its first RTT sample from SYN-ACK to ACK (tcp_synack_rtt_meas),
// even when the SYN came at time 0: RTT 100 ms -> RTO 300 ms for the FIN.
TEST(TcpClose, ServerFinRetransmitUsesHandshakeRtt) {
  Harness h;
  SocketId s = h.established_server();  // SYN at 0 s, final ACK at 100 ms
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.expect_send(at(400ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
}

// FIN_WAIT_1 retransmits its FIN too.
TEST(TcpClose, FinWait1RetransmitsFin) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(1s);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1s), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.expect_send(at(1300ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(1400ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::FinWait2);
  h.expect_nothing(until(10s));
}

// An orphan in FIN_WAIT_2 waits tcp_fin_timeout (60 s) for the FIN, then vanishes without
// a word; a later segment meets no socket and gets a RST (verified on Linux 6.18).
TEST(TcpClose, OrphanFinWait2TimesOut) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(1s);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1s), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(1100ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::FinWait2);
  h.expect_nothing(until(61100ms));
  EXPECT_EQ(h.state(), State::FinWait2);
  h.advance_to(61100ms);
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_TRUE(h.no_connections());
  h.expect_nothing(until(70s));
  h.inject(at(70s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(70s), Seg{.flags = RST, .seq = kIss + 2});
}

TEST(TcpClose, OrphanFinWait2HonoursFinTimeoutSysctl) {
  Harness h;
  h.config().tcp_fin_timeout = 5;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.advance_to(5200ms - 1ms);
  EXPECT_EQ(h.state(), State::FinWait2);
  h.advance_to(5200ms);
  EXPECT_EQ(h.state(), State::Close);
}

// An orphan in FIN_WAIT_2 still completes normally when the FIN comes in time.
TEST(TcpClose, OrphanFinWait2GetsFin) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.inject(at(30s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(30s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(90s);
  EXPECT_TRUE(h.no_connections());
}

// RFC 2525 2.17, tcp_close: close() with unread data sends RST instead of FIN
// (TCPAbortOnClose) and the connection is gone at once.
TEST(TcpClose, CloseWithUnreadDataSendsReset) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 1, .len = 100});
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 101});
  h.advance_to(2s);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(2s), Seg{.flags = RST | ACK, .seq = kIss + 1, .ack = kIrs + 101});
  EXPECT_EQ(h.stack.counters().TCPAbortOnClose, 1u);
  EXPECT_TRUE(h.no_connections());
  EXPECT_EQ(h.stack.connection_count(), 0u);
  h.expect_nothing(until(100s));
}

// SO_LINGER {1, 0}: close() aborts with RST (tcp_disconnect, TCPAbortOnLinger), no TIME_WAIT.
TEST(TcpClose, LingerZeroSendsReset) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.stack.set_linger(h.now, s, true, 0));
  h.advance_to(1s);
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1s), Seg{.flags = RST | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(h.stack.counters().TCPAbortOnLinger, 1u);
  EXPECT_TRUE(h.no_connections());
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  h.expect_nothing(until(100s));
}

// tcp_timewait_state_process: a retransmitted FIN in TIME_WAIT is ACKed again and the
// 60 s start over (inet_twsk_reschedule).
TEST(TcpClose, TimeWaitAcksRetransmittedFinAndRestarts) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
  h.inject(at(30s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(30s), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  h.advance_to(60200ms);
  EXPECT_EQ(h.state(), State::TimeWait);  // would have ended here without the restart
  h.advance_to(90s - 1ms);
  EXPECT_EQ(h.state(), State::TimeWait);
  h.advance_to(90s);
  EXPECT_EQ(h.state(), State::Close);
  h.expect_nothing(until(200s));
}

// RFC 1337 hazard: Linux (tcp_rfc1337 = 0) lets an in-window RST kill TIME_WAIT.
TEST(TcpClose, ResetKillsTimeWait) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 2});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  h.expect_nothing(until(100s));
}

TEST(TcpClose, ResetKeepsTimeWaitWithRfc1337) {
  Harness h;
  h.config().tcp_rfc1337 = 1;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 2});
  EXPECT_EQ(h.state(), State::TimeWait);
}

// 3.10.4 CLOSE in SYN-SENT: "Delete the TCB": nothing is sent (tcp_close_state: SYN_SENT ->
// CLOSE, no FIN), no more SYNs, and the peer's late SYN-ACK gets a RST.
TEST(TcpClose, CloseWhileConnecting) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.advance_to(500ms);
  ASSERT_TRUE(h.close(s));
  h.expect_nothing(until(2s));
  EXPECT_TRUE(h.no_connections());
  h.inject(at(2s), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .opts = mss_only()});
  h.expect_send(at(2s), Seg{.flags = RST, .seq = kIss + 1});
}

// 3.10.4 CLOSE in LISTEN: the listener goes away; pending requests vanish, connections
// never accepted are reset (inet_csk_listen_stop); a new SYN gets RST|ACK.
TEST(TcpClose, ListenThenCloseListener) {
  Harness h;
  SocketId l = h.listen();
  EXPECT_EQ(h.stack.socket_table().size(), 1u);
  EXPECT_EQ(h.stack.socket_table()[0].state, State::Listen);
  // One connection established but not accepted, one request in SYN_RECV.
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.inject(at(10ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1});
  h.inject(at(20ms), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only(), .sport = kPeerPort + 1});
  h.expect_send(at(20ms),
                Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1, .dport = kPeerPort + 1});
  ASSERT_TRUE(h.close(l));
  h.expect_send(at(20ms), Seg{.flags = RST | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_TRUE(h.no_connections());
  EXPECT_TRUE(h.stack.socket_table().empty());
  h.inject(at(1s),
           Seg{.flags = SYN, .seq = kIrs + 100, .opts = mss_only(), .sport = kPeerPort + 2});
  h.expect_send(at(1s),
                Seg{.flags = RST | ACK, .seq = 0, .ack = kIrs + 101, .dport = kPeerPort + 2});
  h.expect_nothing(until(100s));
}

// inet_csk_bind_conflict: a TIME_WAIT record holds its port: bind() without SO_REUSEADDR
// fails with EADDRINUSE; with SO_REUSEADDR on both (the listener's is inherited by the
// accepted connection and its TIME_WAIT) it succeeds, and the new listener works.
TEST(TcpClose, TimeWaitHoldsPortUntilReuseAddr) {
  Harness h;
  SocketId l = *h.stack.socket();
  ASSERT_TRUE(h.stack.setsockopt(h.now, l, SOL_SOCKET, SO_REUSEADDR, 1));
  ASSERT_TRUE(h.stack.bind(l, Endpoint{{}, kServerPort}));
  ASSERT_TRUE(h.stack.listen(l, 16));
  h.listener = l;
  h.local = Endpoint{kLocal, kServerPort};
  h.remote = Endpoint{kRemote, kPeerPort};
  h.inject(at(0s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(0s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.inject(at(100ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1});
  SocketId s = h.accept();
  ASSERT_TRUE(s.valid());
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  ASSERT_TRUE(h.close(l));
  EXPECT_EQ(h.state(), State::TimeWait);

  SocketId a = *h.stack.socket();
  EXPECT_EQ(errno_of(h.stack.bind(a, Endpoint{{}, kServerPort})), EADDRINUSE);
  SocketId b = *h.stack.socket();
  ASSERT_TRUE(h.stack.setsockopt(h.now, b, SOL_SOCKET, SO_REUSEADDR, 1));
  EXPECT_EQ(errno_of(h.stack.bind(b, Endpoint{{}, kServerPort})), 0);
  EXPECT_EQ(errno_of(h.stack.listen(b, 16)), 0);
  // Once TIME_WAIT is over, anyone may bind again... except that b still listens.
  h.advance_to(61s);
  EXPECT_EQ(errno_of(h.stack.bind(a, Endpoint{{}, kServerPort})), EADDRINUSE);
  ASSERT_TRUE(h.close(b));
  EXPECT_EQ(errno_of(h.stack.bind(a, Endpoint{{}, kServerPort})), 0);
}

// RFC 9293 3.10.4 CLOSE in SYN-RECEIVED: "form a FIN segment and send it, and enter
// FIN-WAIT-1". Linux (tcp_close_state: SYN_RECV -> FIN_WAIT1 | TCP_ACTION_FIN) sends the FIN
// at once behind its unacknowledged SYN-ACK; an RTO before the SYN is acknowledged resends
// the SYN-ACK, and one ACK for both moves on to FIN_WAIT_2.
TEST(TcpClose, CloseInSynRecvSendsFinAtOnce) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(10ms), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(10ms), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  ASSERT_EQ(h.state(), State::SynRecv);
  ASSERT_TRUE(h.shutdown(s, SHUT_WR));
  EXPECT_EQ(h.state(), State::FinWait1);
  h.expect_send(at(10ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  // Nothing acknowledged: the SYN-ACK goes again at the RTO (1 s after the SYN was sent,
  // the linear SYN timeouts still running).
  h.expect_send(at(1s), Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  // The peer acknowledges SYN and FIN together.
  h.inject(at(1010ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::FinWait2);
}

}  // namespace
}  // namespace ustcp::testing
