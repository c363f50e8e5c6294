// The send buffer charged as Linux charges it (tcp/wmem.hpp): skb truesize against
// sk_sndbuf, a new skb only below the limit, POLLOUT at half free, the buffer sized for two
// congestion windows at establishment and grown after ACKs while a writer waits for room.
// The figures are those ss -m shows on Linux 6.18 (tests/drill/data/sndbuf-truesize.pkt).

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "harness.hpp"
#include "ustcp/tcp/push_policy.hpp"
#include "ustcp/tcp/wmem.hpp"

namespace ustcp::testing {
namespace {

namespace wmem = tcp::wmem;

constexpr uint32_t kSkb = wmem::kSkbOverhead;  // 832

TEST(Wmem, LinuxSizesOnX86_64) {
  EXPECT_EQ(kSkb, 832u);                   // ss -m: a 1-byte write queues w833
  EXPECT_EQ(wmem::kSockMinSndbuf, 4608u);  // SO_SNDBUF 1000 -> tb4608
  EXPECT_EQ(wmem::per_mss(1460), 2304u);   // 1460 + 256 + 320 -> 2048, + 256
  EXPECT_EQ(wmem::per_mss(1000), 2304u);
  EXPECT_EQ(wmem::per_mss(1472), 2304u);  // the largest MSS in a 2 KB head
  EXPECT_EQ(wmem::per_mss(1473), 4352u);
}

TEST(Wmem, ExpandGrowsToTwoWindowsUpToTheMaximumAndNeverShrinks) {
  EXPECT_EQ(wmem::expanded(16384, 1460, 10, 4194304), 46080u);  // tb46080 on Linux
  EXPECT_EQ(wmem::expanded(16384, 1460, 40, 4194304), 184320u);
  EXPECT_EQ(wmem::expanded(16384, 1460, 40, 100000), 100000u);
  EXPECT_EQ(wmem::expanded(262144, 1460, 10, 4194304), 262144u);
}

TEST(Wmem, WriteableAtHalfFreeAndAnSkbMayStartBelowTheLimit) {
  EXPECT_TRUE(wmem::memory_free(41999, 42000));
  EXPECT_FALSE(wmem::memory_free(42000, 42000));
  EXPECT_TRUE(wmem::is_writeable(28000, 42000));  // 14000 free, half of 28000
  EXPECT_FALSE(wmem::is_writeable(28002, 42000));
  EXPECT_FALSE(wmem::is_writeable(43000, 42000));
  EXPECT_TRUE(wmem::is_writeable(0, 4608));
}

// tcp_init_buffer_space: tcp_wmem[1] grown to two initial windows of one-MSS skbs.
TEST(TcpWmem, EstablishedBufferHoldsTwoInitialWindows) {
  Harness h;
  SocketId s = h.established_client();
  EXPECT_EQ(h.conn(s)->send_limit(), 46080u);
  EXPECT_EQ(h.stack.getsockopt(s, SOL_SOCKET, SO_SNDBUF).value_or(-1), 46080);
  EXPECT_EQ(h.conn(s)->wmem_queued(), 0u);

  tcp::Config cfg;
  cfg.tcp_wmem = {4096, 262144, 4194304};  // packetdrill's defaults: already larger
  Harness big(cfg);
  SocketId b = big.established_client();
  EXPECT_EQ(big.conn(b)->send_limit(), 262144u);
}

// Each small write that leaves at once is an skb of its own (TCP_NODELAY) and charges
// 100 + 832; six fit in sk_sndbuf 5000 where payload accounting would take fifty.
TEST(TcpWmem, EachSkbChargesItsOverhead) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.stack.setsockopt(h.now, s, SOL_SOCKET, SO_SNDBUF, 2500).has_value());
  ASSERT_TRUE(h.stack.setsockopt(h.now, s, IPPROTO_TCP, TCP_NODELAY, 1).has_value());
  EXPECT_EQ(h.conn(s)->send_limit(), 5000u);
  for (int i = 0; i < 6; ++i) ASSERT_EQ(h.write(s, 100).value_or(0), 100u) << i;
  EXPECT_EQ(h.sent.size(), 6u);
  EXPECT_EQ(h.conn(s)->wmem_queued(), 6u * (100 + kSkb));
  EXPECT_EQ(h.conn(s)->send_queued(), 600u);
  EXPECT_EQ(h.write(s, 100).error(), EAGAIN);
  EXPECT_FALSE(h.stack.poll(s) & stack::events::OUT);

  // Two acknowledged: 3728 charged and 1272 free, less than half: no POLLOUT, but a write
  // may start an skb below the limit.
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 201});
  EXPECT_EQ(h.conn(s)->wmem_queued(), 4u * (100 + kSkb));
  EXPECT_FALSE(h.stack.poll(s) & stack::events::OUT);
  EXPECT_EQ(h.write(s, 100).value_or(0), 100u);
  EXPECT_EQ(h.write(s, 100).value_or(0), 100u);
  EXPECT_EQ(h.write(s, 100).error(), EAGAIN);

  // Three more: 2796 charged, 2204 free.
  h.inject(at(300ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 501});
  EXPECT_EQ(h.conn(s)->wmem_queued(), 3u * (100 + kSkb));
  EXPECT_TRUE(h.stack.poll(s) & stack::events::OUT);
}

// A write starts its first skb below the limit and fills it to size_goal; the next write
// appends to the unsent tail skb without asking for room, past the limit, and stops only
// when it would need a new skb.
TEST(TcpWmem, AnSkbFillsToSizeGoalPastTheLimit) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.stack.setsockopt(h.now, s, SOL_SOCKET, SO_SNDBUF, 2500).has_value());
  ASSERT_EQ(h.write(s, 20000).value_or(0), 20000u);
  EXPECT_EQ(h.sent.size(), 10u);  // the initial window; 5400 bytes of the skb unsent
  EXPECT_GT(h.conn(s)->wmem_queued(), 20000u);
  const uint32_t goal = tcp::tso::size_goal(65535, 1460, 20);
  EXPECT_EQ(h.write(s, 100000).value_or(0), goal - 5400);
  EXPECT_EQ(h.write(s, 1).error(), EAGAIN);
}

// ACKs of a sender that is neither blocked nor buffer-limited leave sk_sndbuf alone; once a
// writer waits for room and the congestion window is not full, each ACK sizes it for the
// current window (tcp_new_space).
TEST(TcpWmem, BufferGrowsWithTheWindowOnlyForAWaitingWriter) {
  for (const bool blocked : {false, true}) {
    SCOPED_TRACE(blocked ? "blocked" : "not blocked");
    Harness h;
    SocketId s = h.established_client();
    const size_t want = blocked ? 100000 : 20000;
    const size_t took = h.write(s, want).value_or(0);
    EXPECT_EQ(took < want, blocked);
    uint32_t acked = 0;
    TimePoint t = at(200ms);
    while (acked < took) {
      acked = static_cast<uint32_t>(h.conn(s)->snd_nxt().since(SeqNum(kIss + 1)).raw());
      h.inject(t, Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1 + acked});
      t += 100ms;
    }
    const tcp::Connection& c = *h.conn(s);
    EXPECT_GT(c.cwnd(), 10u);
    if (blocked) {
      EXPECT_GT(c.send_limit(), 46080u);
      EXPECT_EQ(c.send_limit() % (2 * 2304), 0u);  // two windows of some cwnd
    } else {
      EXPECT_EQ(c.send_limit(), 46080u);
    }
    EXPECT_TRUE(h.stack.poll(s) & stack::events::OUT);
  }
}

// SO_SNDBUF fixes the buffer (SOCK_SNDBUF_LOCK): no growth for a waiting writer.
TEST(TcpWmem, SoSndbufStopsTheGrowth) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.stack.setsockopt(h.now, s, SOL_SOCKET, SO_SNDBUF, 10000).has_value());
  const size_t took = h.write(s, 100000).value_or(0);
  ASSERT_LT(took, 100000u);
  h.inject(at(200ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1 + 14600});
  EXPECT_EQ(h.conn(s)->send_limit(), 20000u);
  EXPECT_EQ(h.stack.getsockopt(s, SOL_SOCKET, SO_SNDBUF).value_or(-1), 20000);
}

}  // namespace
}  // namespace ustcp::testing
