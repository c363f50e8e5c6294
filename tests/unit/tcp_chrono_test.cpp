// The sender's chronograph (tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited), and
// what it needs: SO_SNDBUF taking effect on an open connection, tcpi_last_data_recv counted
// from the handshake.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.hpp"
#include "ustcp/tcp/chrono.hpp"

namespace ustcp::testing {
namespace {

using tcp::Chrono;
using tcp::ChronoType;

TEST(Chrono, AMoreTellingConditionTakesOverAndFallsBackToBusy) {
  Chrono c;
  c.start(at(1s), ChronoType::Busy);
  c.start(at(1100ms), ChronoType::RwndLimited);
  c.start(at(1150ms), ChronoType::Busy);  // lesser: no change
  EXPECT_EQ(c.type(), ChronoType::RwndLimited);
  c.stop(at(1300ms), ChronoType::RwndLimited, /*queues_empty=*/false);
  EXPECT_EQ(c.type(), ChronoType::Busy);
  c.stop(at(1400ms), ChronoType::SndbufLimited, false);  // not timed: no change
  EXPECT_EQ(c.type(), ChronoType::Busy);
  c.stop(at(1500ms), ChronoType::Busy, /*queues_empty=*/true);
  EXPECT_EQ(c.type(), ChronoType::Unspec);
  const Chrono::Stats s = c.stats(at(9s));
  EXPECT_EQ(s.rwnd_limited_us, 200'000u);
  EXPECT_EQ(s.sndbuf_limited_us, 0u);
  EXPECT_EQ(s.busy_us, 500'000u);  // all of it, the limited part included
}

TEST(Chrono, TheRunningConditionCountsUpToNow) {
  Chrono c;
  c.start(at(2s), ChronoType::SndbufLimited);
  const Chrono::Stats s = c.stats(at(2250ms));
  EXPECT_EQ(s.sndbuf_limited_us, 250'000u);
  EXPECT_EQ(s.busy_us, 250'000u);
}

TEST(Chrono, SurvivesTheWrapOfItsMillisecondClock) {
  Chrono c;
  const TimePoint before_wrap = at(std::chrono::milliseconds(0xffffffffLL - 50));
  c.start(before_wrap, ChronoType::Busy);
  EXPECT_EQ(c.stats(before_wrap + 100ms).busy_us, 100'000u);
}

constexpr int kSolSocket = SOL_SOCKET;
constexpr int kSoSndbuf = SO_SNDBUF;

// A window of 0 holds back 2000 bytes for 100 ms; they are acknowledged 50 ms after it
// opens: 100 ms window-limited out of 150 ms busy.
TEST(TcpChrono, ReceiveWindowLimitedTime) {
  Harness h;
  SocketId s = h.established_client();
  h.inject(at(1s), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1, .win = 0});
  ASSERT_EQ(*h.write(s, 2000), 2000u);
  EXPECT_TRUE(h.sent.empty());
  h.advance_to(at(1100ms));
  tcp::TcpInfo i = h.conn(s)->info(h.now);
  EXPECT_EQ(i.rwnd_limited, 100'000u);
  EXPECT_EQ(i.busy_time, 100'000u);
  h.inject(at(1100ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1});
  EXPECT_EQ(h.sent.size(), 2u);
  h.inject(at(1150ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 2001});
  h.advance_to(at(3s));
  i = h.conn(s)->info(h.now);
  EXPECT_EQ(i.rwnd_limited, 100'000u);
  EXPECT_EQ(i.busy_time, 150'000u);
  EXPECT_EQ(i.sndbuf_limited, 0u);
}

// SO_SNDBUF on an open connection limits what a write takes (doubled, as Linux stores
// it, and charged with skb truesize, tcp/wmem.hpp): a second write fills the unsent tail
// skb up to size_goal (32120) and may not start another. The time is send-buffer limited
// once everything it took has left while the writer still waits for room (the second ACK
// sends the last 8760 bytes: more than 4000 charged of 6000 is not writeable), and ends
// when the ACK of it all makes the buffer writeable.
TEST(TcpChrono, SendBufferLimitedTimeAndSoSndbufAfterConnect) {
  Harness h;
  SocketId s = h.established_client();
  h.advance_to(at(1s));
  ASSERT_TRUE(h.stack.setsockopt(h.now, s, kSolSocket, kSoSndbuf, 3000).has_value());
  EXPECT_EQ(h.stack.getsockopt(s, kSolSocket, kSoSndbuf).value_or(-1), 6000);
  ASSERT_EQ(*h.write(s, 20000), 20000u);
  EXPECT_EQ(h.sent.size(), 10u);                  // the initial window; 5400 bytes wait
  ASSERT_EQ(*h.write(s, 30000), 32120u - 5400u);  // the tail skb topped up to size_goal
  h.inject(at(1050ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1 + 8 * 1460});
  const uint32_t sent = h.conn(s)->snd_nxt().raw();
  EXPECT_EQ(sent, kIss + 1 + 14600 + 16 * 1460);         // cwnd 18
  EXPECT_EQ(h.conn(s)->info(h.now).sndbuf_limited, 0u);  // 8760 bytes still unsent
  h.inject(at(1100ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = sent});
  EXPECT_EQ(h.conn(s)->snd_nxt().raw(), kIss + 1 + 46720);
  EXPECT_FALSE(h.stack.poll(s) & stack::events::OUT);
  h.advance_to(at(1140ms));
  EXPECT_EQ(h.conn(s)->info(h.now).sndbuf_limited, 40'000u);
  h.inject(at(1150ms), Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1 + 46720});
  EXPECT_TRUE(h.stack.poll(s) & stack::events::OUT);
  h.advance_to(at(2s));
  const tcp::TcpInfo i = h.conn(s)->info(h.now);
  EXPECT_EQ(i.sndbuf_limited, 50'000u);
  EXPECT_EQ(i.busy_time, 150'000u);
  EXPECT_EQ(i.rwnd_limited, 0u);
}

// tcpi_last_data_recv counts from the end of the handshake until data arrives.
TEST(TcpChrono, LastDataRecvCountsFromTheHandshake) {
  Harness h;
  SocketId s = h.established_client();
  const TimePoint established = h.now;
  h.advance_to(established + 1s);
  EXPECT_EQ(h.conn(s)->info(h.now).last_data_recv, 1000u);
  h.inject(h.now, Seg{.flags = ACK | PSH, .seq = kIrs + 1, .ack = kIss + 1, .len = 100});
  h.advance_to(h.now + 7ms);
  EXPECT_EQ(h.conn(s)->info(h.now).last_data_recv, 7u);
}

}  // namespace
}  // namespace ustcp::testing
