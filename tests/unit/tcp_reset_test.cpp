// RST handling (RFC 9293 3.10.7.4 second check, RFC 5961 3.2 and 4.2; Linux
// tcp_validate_incoming, tcp_reset, tcp_send_challenge_ack) and what the application sees
// afterwards (tcp_recvmsg, tcp_sendmsg, sock_error).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.hpp"

namespace ustcp::testing {
namespace {

// tcp_reset in ESTABLISHED: sk_err = ECONNRESET. Data queued before the RST is still read
// (verified on Linux 6.18), then recv says ECONNRESET once, then 0 (RCV_SHUTDOWN).
TEST(TcpReset, ExactResetDataThenEconnresetThenEof) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s),
           Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 1, .data = bytes("last words")});
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 11});
  h.inject(at(2s), Seg{.flags = RST, .seq = kIrs + 11});
  h.expect_nothing();  // never answer a RST
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.stack.counters().EstabResets, 1u);
  EXPECT_NE(h.stack.poll(s) & stack::events::ERR, 0);
  EXPECT_NE(h.stack.poll(s) & stack::events::HUP, 0);
  EXPECT_EQ(*h.read(s), "last words");
  EXPECT_EQ(errno_of(h.read(s)), ECONNRESET);
  EXPECT_EQ(*h.read(s), "");
  EXPECT_EQ(errno_of(h.write(s, "x")), EPIPE);
  ASSERT_TRUE(h.close(s));
  h.expect_nothing(until(300s));
  EXPECT_TRUE(h.no_connections());
}

// tcp_sendmsg after a reset: the pending error first (ECONNRESET), then EPIPE
// (SEND_SHUTDOWN); recv then sees the end of the stream.
TEST(TcpReset, SendAfterResetEconnresetThenEpipe) {
  Harness h;
  SocketId s = h.established_server();
  h.inject(at(1s), Seg{.flags = RST | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(errno_of(h.write(s, "x")), ECONNRESET);
  EXPECT_EQ(errno_of(h.write(s, "x")), EPIPE);
  EXPECT_EQ(*h.read(s), "");
  h.expect_nothing(until(100s));
}

// SO_ERROR reports and clears the reset.
TEST(TcpReset, SoErrorAfterReset) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 1});
  EXPECT_EQ(h.so_error(s), ECONNRESET);
  EXPECT_EQ(h.so_error(s), 0);
}

// RFC 5961 3.2: a RST in the window but not at RCV.NXT gets a challenge ACK
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and is otherwise dropped (TCPChallengeACK). At most
// one per tcp_invalid_ratelimit (500 ms) per socket (tcp_oow_rate_limited: sent again when
// 500 ms have passed).
TEST(TcpReset, InWindowResetGetsRateLimitedChallengeAck) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 1000});
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_EQ(h.stack.counters().TCPChallengeACK, 1u);
  h.inject(at(1499ms), Seg{.flags = RST, .seq = kIrs + 2000});
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().TCPChallengeACK, 1u);
  h.inject(at(1500ms), Seg{.flags = RST, .seq = kIrs + 3000});
  h.expect_send(at(1500ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(h.stack.counters().TCPChallengeACK, 2u);
  EXPECT_EQ(h.state(), State::Established);
  // The peer's real RST (as a challenge ACK would provoke) then resets.
  h.inject(at(1600ms), Seg{.flags = RST, .seq = kIrs + 1});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(errno_of(h.read(s)), ECONNRESET);
}

// RFC 9293 3.10.7.4 first check: an out-of-window RST is dropped silently.
TEST(TcpReset, OutOfWindowResetIgnored) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 1 + 10000000});
  h.inject(at(2s), Seg{.flags = RST | ACK, .seq = kIrs - 5000, .ack = kIss + 1});
  h.expect_nothing(until(10s));
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_EQ(h.stack.counters().TCPChallengeACK, 0u);
  ASSERT_EQ(*h.write(s, "still here"), 10u);
  h.expect_send(at(10s), Seg{.flags = ACK | PSH, .seq = kIss + 1, .ack = kIrs + 1, .len = 10});
}

// RFC 5961 4.2 (tcp_validate_incoming step 4): a SYN in a synchronized state, in window or
// not, gets a challenge ACK, never a reset; the connection goes on (TCPSYNChallenge).
TEST(TcpReset, SynInEstablishedGetsChallengeAck) {
  Harness h;
  h.established_server();
  h.inject(at(1s), Seg{.flags = SYN, .seq = kIrs + 500, .opts = mss_only()});
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_EQ(h.stack.counters().TCPSYNChallenge, 1u);
  EXPECT_EQ(h.stack.counters().TCPChallengeACK, 1u);
  // An old SYN (the peer's first, out of window now): challenge ACK too, rate limited.
  h.inject(at(2s), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(at(2s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(2100ms), Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_nothing(until(5s));
  EXPECT_EQ(h.stack.counters().TCPSYNChallenge, 3u);
  EXPECT_EQ(h.stack.counters().TCPChallengeACK, 2u);
  EXPECT_EQ(h.state(), State::Established);
}

// RFC 9293 3.10.7.3 / tcp_reset: RST with an acceptable ACK in SYN_SENT -> ECONNREFUSED;
// a RST without ACK is dropped (the SYN goes on being retransmitted).
TEST(TcpReset, SynSentResetWithAndWithoutAck) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(100ms), Seg{.flags = RST, .seq = 0});
  EXPECT_EQ(h.state(), State::SynSent);
  h.expect_send(at(1s), Seg{.flags = SYN, .seq = kIss});
  h.inject(at(1100ms), Seg{.flags = RST | ACK, .seq = 0, .ack = kIss + 1});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.so_error(s), ECONNREFUSED);
  h.expect_nothing(until(200s));
}

// tcp_reset in CLOSE_WAIT: sk_err = EPIPE ("the other side has shut down already"). Reads
// still see the end of the stream (SOCK_DONE from the FIN comes before sk_err in
// tcp_recvmsg); writes get EPIPE.
TEST(TcpReset, ResetInCloseWaitIsEpipe) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  EXPECT_EQ(h.state(), State::CloseWait);
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 2});  // ato is 0
  h.inject(at(1010ms), Seg{.flags = RST, .seq = kIrs + 2});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(h.stack.counters().EstabResets, 1u);
  h.expect_nothing(until(100s));
  EXPECT_EQ(*h.read(s), "");
  EXPECT_EQ(errno_of(h.write(s, "x")), EPIPE);
  EXPECT_EQ(errno_of(h.write(s, "x")), EPIPE);
}

TEST(TcpReset, ResetInCloseWaitSoError) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  h.inject(at(1010ms), Seg{.flags = RST, .seq = kIrs + 2});
  EXPECT_EQ(h.so_error(s), EPIPE);
}

// A RST while we are sending: everything queued is dropped, no more retransmissions.
TEST(TcpReset, ResetMidTransfer) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(1s);
  ASSERT_EQ(*h.write(s, 3000), 3000u);
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1, .len = 1460});
  h.expect_send(at(1s), Seg{.flags = ACK | PSH, .seq = kIss + 1461, .ack = kIrs + 1, .len = 1460});
  h.expect_send(at(1s), Seg{.flags = ACK | PSH, .seq = kIss + 2921, .ack = kIrs + 1, .len = 80});
  h.inject(at(1050ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1461});
  h.inject(at(1060ms), Seg{.flags = RST, .seq = kIrs + 1});
  EXPECT_EQ(h.state(), State::Close);
  h.expect_nothing(until(300s));
  EXPECT_EQ(errno_of(h.write(s, "x")), ECONNRESET);
  EXPECT_EQ(errno_of(h.write(s, "x")), EPIPE);
  EXPECT_EQ(h.stack.getsockopt(s, SOL_SOCKET, SO_SNDBUF).has_value(), true);
}

// tcp_reset in FIN_WAIT_1 / FIN_WAIT_2 (after shutdown): ECONNRESET for the reader.
TEST(TcpReset, ResetInFinWait2AfterShutdown) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.shutdown(s, SHUT_WR));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  EXPECT_EQ(h.state(), State::FinWait2);
  h.inject(at(1s), Seg{.flags = RST, .seq = kIrs + 1});
  EXPECT_EQ(h.state(), State::Close);
  EXPECT_EQ(errno_of(h.read(s)), ECONNRESET);
  EXPECT_EQ(*h.read(s), "");
}

TEST(TcpReset, ResetInFinWait1StopsFinRetransmission) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(150ms), Seg{.flags = RST, .seq = kIrs + 1});
  EXPECT_TRUE(h.no_connections());
  h.expect_nothing(until(100s));
}

// An orphan in LAST_ACK that is reset just goes away.
TEST(TcpReset, ResetInLastAck) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  // No data came before the FIN: its ACK leaves at once (the ACK timeout ato is still 0).
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 2});
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(1s), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 2});
  h.inject(at(1100ms), Seg{.flags = RST, .seq = kIrs + 2});
  EXPECT_TRUE(h.no_connections());
  EXPECT_EQ(h.stack.connection_count(), 0u);
  h.expect_nothing(until(100s));
}

// RFC 9293 3.10.7.4: in CLOSING, an in-window RST closes too (no TIME_WAIT).
TEST(TcpReset, ResetInClosing) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(150ms), Seg{.flags = FIN | ACK, .seq = kIrs + 1, .ack = kIss + 1});
  h.expect_send(at(150ms), Seg{.flags = ACK, .seq = kIss + 2, .ack = kIrs + 2});
  EXPECT_EQ(h.state(), State::Closing);
  h.inject(at(200ms), Seg{.flags = RST, .seq = kIrs + 2});
  EXPECT_TRUE(h.no_connections());
  EXPECT_EQ(h.stack.time_wait_count(), 0u);
  h.expect_nothing(until(100s));
}

// An orphan that receives new data answers with RST (tcp_rcv_state_process,
// TCPAbortOnData): nobody will read it. Linux answers the segment itself
// (tcp_v4_do_rcv -> tcp_v4_send_reset): a bare RST with <SEQ=SEG.ACK>, not RST|ACK.
TEST(TcpReset, OrphanReceivingDataResets) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.close(s));
  h.expect_send(at(100ms), Seg{.flags = FIN | ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2});
  h.inject(at(300ms), Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 2, .len = 5});
  h.expect_send(at(300ms), Seg{.flags = RST, .seq = kIss + 2});
  EXPECT_EQ(h.stack.counters().TCPAbortOnData, 1u);
  EXPECT_TRUE(h.no_connections());
}

}  // namespace
}  // namespace ustcp::testing
