// The data path in ESTABLISHED: data both ways and cumulative ACKs (RFC 9293 3.10.7.4),
// delayed ACKs and quick-ack mode (RFC 9293 3.8.6.3, RFC 5681 4.2; Linux
// tcp_event_data_recv, __tcp_ack_snd_check, tcp_send_delayed_ack), Nagle (RFC 896,
// tcp_nagle_check), out-of-order data and SACK (RFC 2018, tcp_data_queue_ofo), flow
// control and window updates (RFC 9293 3.8.6, tcp_select_window, tcp_cleanup_rbuf), PAWS
// (RFC 7323 5), sequence wraparound and the sending MSS (tcp_current_mss).
#include <gtest/gtest.h>

#include "harness_data.hpp"

namespace ustcp::testing {
namespace {

// The peer's byte stream: byte i is 'a' + i % 26 (so out-of-order pieces read back right).
std::vector<std::byte> stream(size_t off, size_t n) {
  std::vector<std::byte> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = std::byte('a' + (off + i) % 26);
  return b;
}
std::string stream_text(size_t off, size_t n) { return to_text(stream(off, n)); }

// Data from the peer ACKed at once while quick-ack mode lasts: 16 ACKs (TCP_MAX_QUICKACKS,
// tcp_incr_quickack: rcv_wnd / (2 * rcv_mss) = 65535 / 1072 > 16). Sends `n` one-byte
// segments starting at `t`, 1 ms apart, each ACKed immediately. Returns the bytes sent.
uint32_t quick_acked_bytes(Harness& h, TimePoint t, uint32_t off, int n, uint32_t snd = kSnd) {
  for (int i = 0; i < n; ++i) {
    TimePoint ti = t + i * 1ms;
    h.inject(
        ti, Seg{.flags = ACK | PSH, .seq = kRcv + off + i, .ack = snd, .data = stream(off + i, 1)});
    h.expect_send(ti, Seg{.flags = ACK, .seq = snd, .ack = kRcv + off + i + 1});
  }
  return static_cast<uint32_t>(n);
}

TEST(TcpData, DataBothWaysAndCumulativeAck) {
  Harness h;
  SocketId s = h.established_client();  // ESTABLISHED at 100 ms
  ASSERT_EQ(*h.write(s, "hello"), 5u);
  h.expect_send(at(100ms),
                Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .data = bytes("hello")});
  h.inject(at(200ms),
           Seg{.flags = ACK | PSH, .seq = kRcv, .ack = kSnd + 5, .data = bytes("world!")});
  // First data from the peer: quick-ack mode, ACK at once.
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kSnd + 5, .ack = kRcv + 6});
  EXPECT_EQ(*h.read(s), "world!");
  EXPECT_EQ(h.conn(s)->snd_una(), SeqNum(kSnd + 5));

  h.advance_to(at(300ms));
  ASSERT_EQ(*h.write(s, 3000), 3000u);
  h.expect_send(at(300ms),
                Seg{.flags = ACK, .seq = kSnd + 5, .ack = kRcv + 6, .data = filler(1460)});
  h.expect_send(
      at(300ms),
      Seg{.flags = ACK | PSH, .seq = kSnd + 1465, .ack = kRcv + 6, .data = filler(1460, 1460)});
  h.expect_send(
      at(300ms),
      Seg{.flags = ACK | PSH, .seq = kSnd + 2925, .ack = kRcv + 6, .data = filler(80, 2920)});
  EXPECT_EQ(h.conn(s)->send_queued(), 3000u);
  // One cumulative ACK for all three (RFC 9293 3.10.7.4: SND.UNA < SEG.ACK =< SND.NXT).
  h.inject(at(400ms), Seg{.flags = ACK, .seq = kRcv + 6, .ack = kSnd + 3005});
  EXPECT_EQ(h.conn(s)->snd_una(), SeqNum(kSnd + 3005));
  EXPECT_EQ(h.conn(s)->send_queued(), 0u);
  h.expect_nothing(until(30s));  // nothing to retransmit, nothing owed
}

TEST(TcpData, ServerReceivesAndAnswers) {
  Harness h;
  SocketId s = h.established_server();  // ESTABLISHED at 100 ms
  h.inject(at(150ms), Seg{.flags = ACK | PSH, .seq = kRcv, .ack = kSnd, .data = bytes("GET /")});
  h.expect_send(at(150ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 5});
  EXPECT_EQ(*h.read(s), "GET /");
  ASSERT_EQ(*h.write(s, "200 OK"), 6u);
  h.expect_send(at(150ms),
                Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv + 5, .data = bytes("200 OK")});
  h.inject(at(250ms), Seg{.flags = ACK, .seq = kRcv + 5, .ack = kSnd + 6});
  EXPECT_EQ(h.conn(s)->snd_una(), SeqNum(kSnd + 6));
  h.expect_nothing(until(5s));
}

// tcp_event_data_recv: the first data starts quick-ack mode (16 immediate ACKs here); after
// it, a lone segment is ACKed by the delayed-ACK timer (ato, 40 ms at first), and every
// second full-sized segment at once (__tcp_ack_snd_check: rcv_nxt - rcv_wup > rcv_mss).
TEST(TcpData, QuickAckThenDelayedAck) {
  Harness h;
  SocketId s = h.established_client();
  uint32_t off = quick_acked_bytes(h, at(200ms), 0, 16);
  // Quick-ack mode is over: the 17th segment waits 40 ms.
  h.inject(at(216ms),
           Seg{.flags = ACK | PSH, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 1)});
  off += 1;
  h.expect_nothing(until(256ms));
  h.expect_send(at(256ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off});
  EXPECT_EQ(h.stack.counters().DelayedACKs, 1u);

  // Two full segments: the second is ACKed at once.
  h.inject(at(300ms), Seg{.flags = ACK, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 1460)});
  h.expect_nothing(until(301ms));
  h.inject(
      at(301ms),
      Seg{.flags = ACK, .seq = kRcv + off + 1460, .ack = kSnd, .data = stream(off + 1460, 1460)});
  h.expect_send(at(301ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off + 2920});
  off += 2920;
  // A lone full segment: delayed by the measured ato, 60 ms: the timer at 256 ms doubled it
  // to 80 ms, and the segment at 301 ms, 1 ms after the one before, made it 80 / 2 + 20
  // (tcp_event_data_recv; tests/drill/data/delayed-ack-ato.pkt checks this on Linux).
  h.inject(at(400ms), Seg{.flags = ACK, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 1460)});
  off += 1460;
  h.expect_nothing(until(460ms));
  h.expect_send(at(460ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off});
  EXPECT_EQ(h.stack.counters().DelayedACKs, 2u);
  EXPECT_EQ(*h.read(s), stream_text(0, off));
  h.expect_nothing(until(10s));
}

// tcp_event_data_recv: data after a silence longer than the RTO re-enters quick-ack mode
// (the sender restarted from a small window): ACKed at once, not after 40 ms.
TEST(TcpData, DataAfterSilenceLongerThanRtoIsQuickAcked) {
  Harness h;
  SocketId s = h.established_client();  // RTO 300 ms
  uint32_t off = quick_acked_bytes(h, at(200ms), 0, 16);
  h.inject(at(216ms),
           Seg{.flags = ACK | PSH, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 1)});
  off += 1;
  h.expect_send(at(256ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off});
  // 784 ms of silence > RTO.
  h.inject(at(1s),
           Seg{.flags = ACK | PSH, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 100)});
  off += 100;
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off});
  // Within the RTO: still quick (the mode lasts several ACKs).
  h.inject(at(1100ms),
           Seg{.flags = ACK | PSH, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 100)});
  off += 100;
  h.expect_send(at(1100ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off});
  EXPECT_EQ(*h.read(s), stream_text(0, off));
}

// tcp_dec_quickack_mode: only ACKs that were owed use up quick-ack mode; our data segments
// (sent more than the ACK timeout after the last data received, so no interactive mode)
// do not.
TEST(TcpData, SentDataDoesNotUseUpQuickAcks) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, IPPROTO_TCP, TCP_NODELAY, 1);
  uint32_t off = quick_acked_bytes(h, at(200ms), 0, 1);  // 15 quick ACKs left
  for (uint32_t i = 0; i < 10; ++i) {
    h.advance_to(at(300ms) + i * 1ms);
    ASSERT_EQ(*h.write(s, 10), 10u);
    h.expect_send(at(300ms) + i * 1ms,
                  Seg{.flags = ACK | PSH, .seq = kSnd + 10 * i, .ack = kRcv + off, .len = 10});
  }
  h.inject(at(400ms), Seg{.flags = ACK, .seq = kRcv + off, .ack = kSnd + 100});
  off += quick_acked_bytes(h, at(500ms), off, 15, kSnd + 100);
  // Now it is over.
  h.inject(at(600ms),
           Seg{.flags = ACK | PSH, .seq = kRcv + off, .ack = kSnd + 100, .data = stream(off, 1)});
  off += 1;
  h.expect_send(at(640ms), Seg{.flags = ACK, .seq = kSnd + 100, .ack = kRcv + off});
  EXPECT_EQ(*h.read(s), stream_text(0, off));
}

// RFC 9293 3.8.6.3 / tcp_event_ack_sent: data we send carries the ACK, and clears the
// delayed-ACK timer: no separate ACK follows.
TEST(TcpData, AckPiggybackedOnResponse) {
  Harness h;
  SocketId s = h.established_client();
  uint32_t off = quick_acked_bytes(h, at(200ms), 0, 16);
  h.inject(at(250ms),
           Seg{.flags = ACK | PSH, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 100)});
  off += 100;
  h.expect_nothing(until(260ms));
  ASSERT_EQ(*h.write(s, "response"), 8u);
  h.expect_send(at(260ms),
                Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv + off, .data = bytes("response")});
  h.inject(at(300ms), Seg{.flags = ACK, .seq = kRcv + off, .ack = kSnd + 8});
  h.expect_nothing(until(10s));
  EXPECT_EQ(h.stack.counters().DelayedACKs, 0u);
}

// RFC 896 with Minshall's variant (Linux tcp_nagle_check, tcp_minshall_check): a partial
// segment is held while an earlier partial segment is unacknowledged; full segments go.
TEST(TcpData, NagleHoldsSmallWritesWhileSmallSegmentUnacked) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 100), 100u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  h.advance_to(at(110ms));
  ASSERT_EQ(*h.write(s, 100), 100u);
  h.advance_to(at(120ms));
  ASSERT_EQ(*h.write(s, 50), 50u);
  h.expect_nothing(until(200ms));
  // The ACK of the small segment releases what was held, as one segment.
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 100});
  h.expect_send(at(200ms), Seg{.flags = ACK | PSH, .seq = kSnd + 100, .ack = kRcv, .len = 150});
  // Full-sized segments are never held; the partial tail is.
  h.advance_to(at(210ms));
  ASSERT_EQ(*h.write(s, 3000), 3000u);
  h.expect_send(at(210ms), Seg{.flags = ACK, .seq = kSnd + 250, .ack = kRcv, .len = 1460});
  h.expect_send(at(210ms), Seg{.flags = ACK | PSH, .seq = kSnd + 1710, .ack = kRcv, .len = 1460});
  h.expect_nothing(until(300ms));
  h.inject(at(300ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 250});
  h.expect_send(at(300ms), Seg{.flags = ACK | PSH, .seq = kSnd + 3170, .ack = kRcv, .len = 80});
  h.inject(at(400ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd + 3250});
  h.expect_nothing(until(5s));
}

TEST(TcpData, NodelaySendsAtOnce) {
  Harness h;
  SocketId s = h.established_client();
  set_opt(h, s, IPPROTO_TCP, TCP_NODELAY, 1);
  ASSERT_EQ(*h.write(s, 100), 100u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  h.advance_to(at(110ms));
  ASSERT_EQ(*h.write(s, 100), 100u);
  h.expect_send(at(110ms), Seg{.flags = ACK | PSH, .seq = kSnd + 100, .ack = kRcv, .len = 100});
  h.advance_to(at(120ms));
  ASSERT_EQ(*h.write(s, 1), 1u);
  h.expect_send(at(120ms), Seg{.flags = ACK | PSH, .seq = kSnd + 200, .ack = kRcv, .len = 1});
}

// do_tcp_setsockopt(TCP_NODELAY) pushes what Nagle was holding.
TEST(TcpData, SettingNodelayPushesHeldData) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_EQ(*h.write(s, 100), 100u);
  h.expect_send(at(100ms), Seg{.flags = ACK | PSH, .seq = kSnd, .ack = kRcv, .len = 100});
  h.advance_to(at(120ms));
  ASSERT_EQ(*h.write(s, 10), 10u);
  h.expect_nothing(until(150ms));
  set_opt(h, s, IPPROTO_TCP, TCP_NODELAY, 1);
  h.expect_send(at(150ms), Seg{.flags = ACK | PSH, .seq = kSnd + 100, .ack = kRcv, .len = 10});
}

// RFC 5681 4.2 / tcp_data_queue_ofo: an out-of-order segment gets an immediate duplicate
// ACK whose SACK blocks list the most recently received block first (RFC 2018 4).
TEST(TcpData, OutOfOrderDupAckWithSackThenReassembly) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.sack = true});
  h.inject(at(200ms),
           Seg{.flags = ACK, .seq = kRcv + 1000, .ack = kSnd, .data = stream(1000, 1000)});
  h.expect_send(at(200ms), Seg{.flags = ACK,
                               .seq = kSnd,
                               .ack = kRcv,
                               .options = "nop,nop,sack " + std::to_string(kRcv + 1000) + ":" +
                                          std::to_string(kRcv + 2000)});
  h.inject(at(201ms),
           Seg{.flags = ACK, .seq = kRcv + 2000, .ack = kSnd, .data = stream(2000, 1000)});
  h.expect_send(at(201ms), Seg{.flags = ACK,
                               .seq = kSnd,
                               .ack = kRcv,
                               .options = "nop,nop,sack " + std::to_string(kRcv + 1000) + ":" +
                                          std::to_string(kRcv + 3000)});
  h.inject(at(202ms),
           Seg{.flags = ACK, .seq = kRcv + 4000, .ack = kSnd, .data = stream(4000, 1000)});
  h.expect_send(at(202ms),
                Seg{.flags = ACK,
                    .seq = kSnd,
                    .ack = kRcv,
                    .options = "nop,nop,sack " + std::to_string(kRcv + 4000) + ":" +
                               std::to_string(kRcv + 5000) + " " + std::to_string(kRcv + 1000) +
                               ":" + std::to_string(kRcv + 3000)});
  EXPECT_EQ(h.stack.readable(s), 0u);
  EXPECT_EQ(h.stack.counters().TCPOFOQueue, 3u);
  // The first hole fills: an immediate ACK up to the next hole, SACK for what remains.
  h.inject(at(210ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd, .data = stream(0, 1000)});
  h.expect_send(at(210ms), Seg{.flags = ACK,
                               .seq = kSnd,
                               .ack = kRcv + 3000,
                               .options = "nop,nop,sack " + std::to_string(kRcv + 4000) + ":" +
                                          std::to_string(kRcv + 5000)});
  EXPECT_EQ(*h.read(s), stream_text(0, 3000));
  // The last hole fills: RFC 5681 4.2 "an immediate ACK ... when a segment fills in all
  // or part of a gap", no SACK blocks left.
  h.inject(at(220ms),
           Seg{.flags = ACK, .seq = kRcv + 3000, .ack = kSnd, .data = stream(3000, 1000)});
  Sent a = h.expect_send(at(220ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 5000});
  EXPECT_EQ(a.opts.sack_count, 0);
  EXPECT_EQ(*h.read(s), stream_text(3000, 2000));
  h.expect_nothing(until(5s));
}

// Without SACK the duplicate ACK carries no blocks, and a hole filled after quick-ack mode
// is over is still ACKed at once.
TEST(TcpData, OutOfOrderWithoutSackAndHoleFillAfterQuickAck) {
  Harness h;
  SocketId s = h.established_client();
  uint32_t off = quick_acked_bytes(h, at(200ms), 0, 16);
  h.inject(at(300ms),
           Seg{.flags = ACK, .seq = kRcv + off + 500, .ack = kSnd, .data = stream(off + 500, 500)});
  Sent d = h.expect_send(at(300ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off});
  EXPECT_EQ(d.opts.sack_count, 0);
  h.inject(at(310ms), Seg{.flags = ACK, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 500)});
  h.expect_send(at(310ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off + 1000});
  EXPECT_EQ(*h.read(s), stream_text(0, off + 1000));
}

// tcp_data_queue: a segment entirely before RCV.NXT (a retransmission) is dropped with an
// immediate ACK, also after quick-ack mode is over.
TEST(TcpData, DuplicateSegmentGetsImmediateAck) {
  Harness h;
  SocketId s = h.established_client();
  uint32_t off = quick_acked_bytes(h, at(200ms), 0, 16);
  h.inject(at(300ms), Seg{.flags = ACK, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 1000)});
  h.expect_send(at(340ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off + 1000});
  // The peer retransmits it.
  h.inject(at(400ms), Seg{.flags = ACK, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 1000)});
  h.expect_send(at(400ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off + 1000});
  // An older, partial one too.
  h.inject(at(410ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd, .data = stream(0, 10)});
  h.expect_send(at(410ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off + 1000});
  // A segment overlapping old and new data: only the new part is kept.
  h.inject(
      at(420ms),
      Seg{.flags = ACK, .seq = kRcv + off + 500, .ack = kSnd, .data = stream(off + 500, 1000)});
  EXPECT_EQ(h.conn(s)->rcv_nxt(), SeqNum(kRcv + off + 1500));
  EXPECT_EQ(*h.read(s), stream_text(0, off + 1500));
}

// Linux tcp_data_queue: a duplicate enters quick-ack mode (tcp_enter_quickack_mode with
// TCP_MAX_QUICKACKS), so the next new segment is ACKed at once, not after 40 ms.
TEST(TcpData, DuplicateSegmentReentersQuickAck) {
  Harness h;
  SocketId s = h.established_client();
  uint32_t off = quick_acked_bytes(h, at(200ms), 0, 16);
  h.inject(at(300ms),
           Seg{.flags = ACK, .seq = kRcv + off - 1, .ack = kSnd, .data = stream(off - 1, 1)});
  h.expect_send(at(300ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off});
  h.inject(at(310ms),
           Seg{.flags = ACK | PSH, .seq = kRcv + off, .ack = kSnd, .data = stream(off, 10)});
  h.expect_send(at(310ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off + 10});
  h.inject(
      at(320ms),
      Seg{.flags = ACK | PSH, .seq = kRcv + off + 10, .ack = kSnd, .data = stream(off + 10, 10)});
  h.expect_send(at(320ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + off + 20});
  EXPECT_EQ(*h.read(s), stream_text(0, off + 20));
}

// RFC 9293 3.8.6 / 3.10.7.4: the window announced shrinks as data waits unread; at zero the
// receiver drops new data (TCPZeroWindowDrop) and ACKs with window 0; reading makes room and,
// once the window at least doubles, a window update goes out at once (tcp_cleanup_rbuf).
TEST(TcpData, ReceiveWindowShrinksToZeroAndReopens) {
  tcp::Config cfg;
  cfg.tcp_rmem = {4096, 8192, 8192};  // a 4096-byte receive queue
  Harness h(cfg);
  SocketId s = h.established_client();
  // Without window scaling the window is a multiple of the peer's segment size as far as
  // known (__tcp_select_window): 536 before any data, so 3752 of the 4096 bytes.
  EXPECT_EQ(h.log.back().win, 3752);
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd, .data = stream(0, 1460)});
  // Quick-ack mode allows rcv_wnd / (2 * rcv_mss) = 1 immediate ACK. The window would be
  // rounddown(2636, 1460), but the edge already offered is never taken back
  // (RFC 9293 3.8.6.2.1): 3752 - 1460.
  h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 1460, .win = 2292});
  h.inject(at(201ms),
           Seg{.flags = ACK, .seq = kRcv + 1460, .ack = kSnd, .data = stream(1460, 1460)});
  h.inject(at(202ms),
           Seg{.flags = ACK, .seq = kRcv + 2920, .ack = kSnd, .data = stream(2920, 1176)});
  // Two segments are owed, but an ACK now would have to shrink the window (the buffer is
  // full): it waits for the delayed-ACK timer and then announces 0.
  h.expect_nothing(until(241ms));
  h.expect_send(at(241ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 4096, .win = 0});
  // Beyond a zero window: dropped, ACKed with window 0.
  h.inject(at(300ms),
           Seg{.flags = ACK, .seq = kRcv + 4096, .ack = kSnd, .data = stream(4096, 100)});
  h.expect_send(at(300ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 4096, .win = 0});
  EXPECT_EQ(h.stack.counters().TCPZeroWindowDrop, 1u);
  // A small read leaves the window closed (receiver SWS avoidance, RFC 9293 3.8.6.2.2).
  h.advance_to(at(400ms));
  EXPECT_EQ(*h.read(s, 100), stream_text(0, 100));
  h.expect_nothing(until(500ms));
  // Reading the rest opens it: an immediate window update, two whole segments.
  EXPECT_EQ(*h.read(s), stream_text(100, 3996));
  h.expect_send(at(500ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 4096, .win = 2920});
  h.inject(at(600ms),
           Seg{.flags = ACK, .seq = kRcv + 4096, .ack = kSnd, .data = stream(4096, 100)});
  // The offer stays while it is within one segment of the free space (3996).
  h.expect_send(at(600ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 4196, .win = 2920});
  EXPECT_EQ(*h.read(s), stream_text(4096, 100));
}

// RFC 9293 3.10.7.4: a segment starting beyond the right edge of the window is not
// acceptable: dropped, answered with an ACK.
TEST(TcpData, SegmentBeyondWindowDropped) {
  tcp::Config cfg;
  cfg.tcp_rmem = {4096, 8192, 8192};
  Harness h(cfg);
  SocketId s = h.established_client(PeerOpts{.sack = true});
  h.inject(at(200ms),
           Seg{.flags = ACK, .seq = kRcv + 5000, .ack = kSnd, .data = stream(5000, 100)});
  Sent a = h.expect_send(at(200ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv});
  EXPECT_EQ(a.opts.sack_count, 0);  // nothing was kept
  // Straddling the right edge (3752: the 4096-byte buffer rounded down to 536-byte
  // segments, __tcp_select_window): it starts inside the window, and as in Linux
  // (tcp_data_queue_ofo) it is kept whole while the buffer has room.
  h.inject(at(210ms),
           Seg{.flags = ACK, .seq = kRcv + 3700, .ack = kSnd, .data = stream(3700, 200)});
  h.expect_send(at(210ms), Seg{.flags = ACK,
                               .seq = kSnd,
                               .ack = kRcv,
                               .options = "nop,nop,sack " + std::to_string(kRcv + 3700) + ":" +
                                          std::to_string(kRcv + 3900)});
  h.inject(at(220ms), Seg{.flags = ACK, .seq = kRcv, .ack = kSnd, .data = stream(0, 3700)});
  h.expect_send(at(220ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 3900, .win = 0});
  EXPECT_EQ(*h.read(s), stream_text(0, 3900));
}

// RFC 7323 5.3 (tcp_paws_discard): a segment whose timestamp is older than TS.Recent is
// dropped and answered with a duplicate ACK (PAWSEstab); its data is not accepted.
TEST(TcpData, PawsDropsOldTimestamp) {
  Harness h;
  SocketId s = h.established_client(PeerOpts{.ts = true});
  h.inject(at(200ms), Seg{.flags = ACK | PSH,
                          .seq = kRcv,
                          .ack = kSnd,
                          .data = bytes("new"),
                          .opts = ts_option(10000, h.last_ts_val)});
  h.expect_send(
      at(200ms),
      Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 3, .options = "nop,nop,TS val * ecr 10000"});
  // An old duplicate with an older timestamp and new sequence numbers.
  h.inject(at(300ms), Seg{.flags = ACK | PSH,
                          .seq = kRcv + 3,
                          .ack = kSnd,
                          .data = bytes("old"),
                          .opts = ts_option(9000, h.last_ts_val)});
  h.expect_send(
      at(300ms),
      Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 3, .options = "nop,nop,TS val * ecr 10000"});
  EXPECT_EQ(h.stack.counters().PAWSEstab, 1u);
  EXPECT_EQ(h.conn(s)->rcv_nxt(), SeqNum(kRcv + 3));
  // PAWS duplicate ACKs for data segments are not rate limited (LINUX-REFERENCE.md).
  h.inject(at(301ms), Seg{.flags = ACK | PSH,
                          .seq = kRcv + 3,
                          .ack = kSnd,
                          .data = bytes("old"),
                          .opts = ts_option(9000, h.last_ts_val)});
  h.expect_send(at(301ms), Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 3});
  EXPECT_EQ(h.stack.counters().PAWSEstab, 2u);
  // A newer timestamp is accepted.
  h.inject(at(400ms), Seg{.flags = ACK | PSH,
                          .seq = kRcv + 3,
                          .ack = kSnd,
                          .data = bytes("ok"),
                          .opts = ts_option(10001, h.last_ts_val)});
  h.expect_send(
      at(400ms),
      Seg{.flags = ACK, .seq = kSnd, .ack = kRcv + 5, .options = "nop,nop,TS val * ecr 10001"});
  EXPECT_EQ(*h.read(s), "newok");
}

// RFC 9293 3.4: sequence numbers wrap at 2^32. Both ISNs just below 2^32: data in both
// directions crosses the wrap, with out-of-order data straddling it.
TEST(TcpData, SequenceWraparound) {
  Harness h;
  const uint32_t iss = 0xFFFFF000u, irs = 0xFFFFFA00u;
  SocketId s = established_client_isn(h, iss, irs, PeerOpts{.sack = true});
  ASSERT_EQ(*h.write(s, 8000), 8000u);
  uint32_t seq = iss + 1;
  for (uint32_t sent = 0; sent < 8000; sent += 1460) {
    uint32_t n = std::min<uint32_t>(1460, 8000 - sent);
    // Units of two segments, PSH on the second (__tcp_transmit_skb), and the write's end.
    const bool psh = n < 1460 || (sent / 1460) % 2 == 1;
    h.expect_send(at(100ms), Seg{.flags = psh ? uint8_t(ACK | PSH) : ACK,
                                 .seq = seq,
                                 .ack = irs + 1,
                                 .data = filler(n, sent)});
    seq += n;
  }
  EXPECT_EQ(seq, iss + 1 + 8000);  // wrapped past 2^32
  h.inject(at(150ms), Seg{.flags = ACK, .seq = irs + 1, .ack = iss + 1 + 4000});
  h.inject(at(200ms), Seg{.flags = ACK, .seq = irs + 1, .ack = iss + 1 + 8000});
  EXPECT_EQ(h.conn(s)->snd_una(), SeqNum(iss + 1 + 8000));
  EXPECT_EQ(h.conn(s)->send_queued(), 0u);
  // The peer's data: [2000, 4000) first (it straddles 2^32: irs + 1 + 1535 = 2^32), then
  // [0, 2000).
  h.inject(
      at(300ms),
      Seg{.flags = ACK, .seq = irs + 1 + 2000, .ack = iss + 1 + 8000, .data = stream(2000, 2000)});
  h.expect_send(at(300ms), Seg{.flags = ACK,
                               .seq = iss + 1 + 8000,
                               .ack = irs + 1,
                               .options = "nop,nop,sack " + std::to_string(irs + 1 + 2000) + ":" +
                                          std::to_string(irs + 1 + 4000)});
  h.inject(at(310ms),
           Seg{.flags = ACK, .seq = irs + 1, .ack = iss + 1 + 8000, .data = stream(0, 2000)});
  h.expect_send(at(310ms), Seg{.flags = ACK, .seq = iss + 1 + 8000, .ack = irs + 1 + 4000});
  EXPECT_EQ(*h.read(s), stream_text(0, 4000));
  h.expect_nothing(until(5s));
}

// tcp_current_mss: segments carry at most the negotiated MSS less the 12 bytes of the
// timestamp option that every segment carries (RFC 7323, RFC 6691).
TEST(TcpData, SegmentsNeverExceedMssLessTimestamps) {
  struct Case {
    std::optional<uint16_t> peer_mss;
    bool ts;
    uint32_t want;
  };
  for (const Case& c :
       {Case{1460, true, 1448}, Case{1460, false, 1460}, Case{536, true, 524},
        Case{1000, false, 1000}, Case{std::nullopt, false, 536}, Case{9000, true, 1448}}) {
    SCOPED_TRACE(std::to_string(c.peer_mss.value_or(0)) + (c.ts ? " ts" : ""));
    Harness h;
    SocketId s = h.established_client(PeerOpts{.mss = c.peer_mss, .ts = c.ts});
    EXPECT_EQ(h.conn(s)->mss(), c.want);
    ASSERT_EQ(*h.write(s, 5 * c.want + 7), 5 * c.want + 7);
    h.advance_to(at(100ms));
    size_t total = 0;
    for (const Sent& x : h.sent) {
      EXPECT_LE(x.payload.size(), c.want);
      total += x.payload.size();
    }
    EXPECT_EQ(h.sent.size(), 6u);
    EXPECT_EQ(total, 5 * c.want + 7);
    EXPECT_EQ(h.sent.front().payload.size(), c.want);
  }
}

}  // namespace
}  // namespace ustcp::testing
