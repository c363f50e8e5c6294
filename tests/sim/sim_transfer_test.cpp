// Two Stacks on the seeded simulated network: whole connections, start to end, with loss,
// reordering and duplication. These check what no single-connection unit test can: that
// the pieces (handshake, reassembly, retransmission, closing, TIME_WAIT) work together.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ustcp/link/sim_network.hpp"
#include "ustcp/link/stack_node.hpp"

namespace ustcp {
namespace {

using stack::SocketId;
using stack::Stack;
constexpr Ipv4Addr kA{10, 0, 0, 1};
constexpr Ipv4Addr kB{10, 0, 0, 2};

struct Pair {
  explicit Pair(uint64_t seed, link::LinkParams lp = {.delay = 5ms})
      : a(kA, {}, seed), b(kB, {}, seed + 100), na(a), nb(b), net(seed) {
    net.attach(na, kA, lp);
    net.attach(nb, kB, lp);
  }
  Stack a, b;
  link::StackNode na, nb;
  link::SimNetwork net;
};

std::vector<std::byte> pattern(size_t n, uint32_t seed) {
  std::vector<std::byte> v(n);
  uint32_t x = seed;
  for (auto& c : v) {
    x = x * 1664525u + 1013904223u;
    c = std::byte(x >> 24);
  }
  return v;
}

// Moves `data` from a to b (client a, server b on port 80), then both close. Returns what
// b received; fills the final states.
std::vector<std::byte> move(Pair& p, const std::vector<std::byte>& data, std::string& error,
                            TimePoint limit = at(std::chrono::hours(1))) {
  auto ls = *p.b.socket();
  EXPECT_TRUE(p.b.bind(ls, {kB, 80}));
  EXPECT_TRUE(p.b.listen(ls, 8));
  auto cs = *p.a.socket();
  auto r = p.a.connect(p.net.now(), cs, {kB, 80});
  EXPECT_EQ(r.error(), EINPROGRESS);
  size_t sent = 0;
  bool shut = false, server_eof = false, client_eof = false;
  std::optional<SocketId> conn;
  std::vector<std::byte> got, buf(65536);
  bool done = p.net.run_until(
      [&] {
        TimePoint now = p.net.now();
        while (sent < data.size()) {
          auto n = p.a.send(now, cs, Bytes(data).subspan(sent));
          if (!n) break;
          sent += *n;
        }
        if (sent == data.size() && !shut && p.a.poll(cs) & stack::events::OUT) {
          shut = p.a.shutdown(now, cs, 1).has_value();
        }
        if (!conn) {
          if (auto x = p.b.accept(now, ls)) conn = *x;
        }
        while (conn && !server_eof) {
          auto n = p.b.recv(now, *conn, MutBytes(buf));
          if (!n) {
            if (n.error() != EAGAIN) error = stack::errno_name(n.error());
            break;
          }
          if (*n == 0) {
            server_eof = true;
            EXPECT_TRUE(p.b.close(now, *conn));
            break;
          }
          got.insert(got.end(), buf.begin(), buf.begin() + *n);
        }
        if (shut && !client_eof) {
          auto n = p.a.recv(now, cs, MutBytes(buf));
          if (n && *n == 0) {
            client_eof = true;
            EXPECT_TRUE(p.a.close(now, cs));
          }
        }
        return client_eof && server_eof;
      },
      limit);
  if (!done && error.empty()) error = "did not finish";
  return got;
}

TEST(SimTransfer, OneMegabyteCleanLink) {
  Pair p(1);
  auto data = pattern(1 << 20, 1);
  std::string error;
  auto got = move(p, data, error);
  EXPECT_EQ(error, "");
  EXPECT_TRUE(got == data);
  EXPECT_EQ(p.a.counters().RetransSegs, 0u);
  // The client closed first: TIME_WAIT on its side for 60 s, then nothing.
  p.net.run_for(1s);
  EXPECT_EQ(p.a.time_wait_count(), 1u);
  EXPECT_EQ(p.b.connection_count(), 0u);
  p.net.run_for(60s);
  EXPECT_EQ(p.a.time_wait_count(), 0u);
  EXPECT_EQ(p.a.connection_count(), 0u);
}

// The wraparound test: both initial sequence numbers just below 2^32, so both
// directions' numbers wrap during the transfer, over a lossy, reordering link.
TEST(SimTransfer, SequenceNumbersWrapMidTransferOverImpairedLink) {
  Pair p(3, {.delay = 2ms, .loss = 0.02, .reorder = 0.02, .duplicate = 0.01});
  p.a.set_next_isn(SeqNum(0xFFFFFFFFu - 5000));
  p.b.set_next_isn(SeqNum(0xFFFFFFFFu));  // its FIN sits at sequence 0
  auto data = pattern(300000, 3);
  std::string error;
  auto got = move(p, data, error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
  EXPECT_GT(p.a.counters().RetransSegs, 0u);  // the link did lose segments
}

TEST(SimTransfer, ThreeSeedsOfLossReorderDuplication) {
  for (uint64_t seed : {11u, 12u, 13u}) {
    Pair p(seed, {.delay = 5ms, .loss = 0.05, .reorder = 0.05, .duplicate = 0.01});
    auto data = pattern(2 << 20, static_cast<uint32_t>(seed));
    std::string error;
    auto got = move(p, data, error);
    EXPECT_EQ(error, "") << "seed " << seed;
    EXPECT_TRUE(got == data) << "seed " << seed;
  }
}

// An RST in the middle of a transfer: the receiver gets the data queued before it, then
// ECONNRESET, then end of file; the sender's next write says ECONNRESET, then EPIPE.
TEST(SimTransfer, ResetMidTransfer) {
  Pair p(5);
  auto ls = *p.b.socket();
  ASSERT_TRUE(p.b.bind(ls, {kB, 80}));
  ASSERT_TRUE(p.b.listen(ls, 8));
  auto cs = *p.a.socket();
  (void)p.a.connect(p.net.now(), cs, {kB, 80});
  std::optional<SocketId> conn;
  ASSERT_TRUE(p.net.run_until(
      [&] {
        if (auto x = p.b.accept(p.net.now(), ls)) conn = *x;
        return conn.has_value();
      },
      at(1s)));
  auto data = pattern(100000, 5);
  size_t sent = 0;
  ASSERT_TRUE(p.net.run_until(
      [&] {
        if (auto n = p.a.send(p.net.now(), cs, Bytes(data).subspan(sent))) sent += *n;
        return p.b.readable(*conn) >= 50000;
      },
      at(10s)));
  // The server closes with unread data: tcp_close sends a RST, not a FIN (RFC 2525 2.17),
  // and counts TCPAbortOnClose (checked before SO_LINGER, which is set too).
  ASSERT_TRUE(p.b.set_linger(p.net.now(), *conn, true, 0));
  ASSERT_TRUE(p.b.close(p.net.now(), *conn));
  EXPECT_EQ(p.b.counters().TCPAbortOnClose, 1u);
  EXPECT_EQ(p.b.counters().TCPAbortOnLinger, 0u);
  p.net.run_for(1s);
  // The client wrote more than the server read; its next send learns of the reset.
  auto w = p.a.send(p.net.now(), cs, Bytes(data).first(10));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error(), ECONNRESET);
  w = p.a.send(p.net.now(), cs, Bytes(data).first(10));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error(), EPIPE);
  EXPECT_EQ(p.a.counters().EstabResets, 1u);
}

// Many short connections in a row, each closed by the client: TIME_WAIT piles up on the
// client, one per connection, and each uses a distinct ephemeral port.
TEST(SimTransfer, ShortConnectionsLeaveTimeWaitOnTheClosingSide) {
  Pair p(7, {.delay = 100us});
  auto ls = *p.b.socket();
  ASSERT_TRUE(p.b.bind(ls, {kB, 80}));
  ASSERT_TRUE(p.b.listen(ls, 128));
  constexpr int kConns = 200;
  for (int i = 0; i < kConns; ++i) {
    auto cs = *p.a.socket();
    (void)p.a.connect(p.net.now(), cs, {kB, 80});
    std::optional<SocketId> conn;
    bool closed = false;
    ASSERT_TRUE(p.net.run_until(
        [&] {
          TimePoint now = p.net.now();
          if (!conn) {
            if (auto x = p.b.accept(now, ls)) conn = *x;
          }
          if (!closed && (p.a.poll(cs) & stack::events::OUT)) {
            closed = p.a.close(now, cs).has_value();
          }
          if (conn) {
            char b[16];
            auto n = p.b.recv(now, *conn, MutBytes(reinterpret_cast<std::byte*>(b), sizeof b));
            if (n && *n == 0) {
              (void)p.b.close(now, *conn);
              conn.reset();
              return true;
            }
          }
          return false;
        },
        p.net.now() + 5s))
        << "connection " << i;
  }
  p.net.run_for(1s);
  EXPECT_EQ(p.a.time_wait_count(), static_cast<size_t>(kConns));
  EXPECT_EQ(p.b.time_wait_count(), 0u);
  EXPECT_EQ(p.a.counters().ActiveOpens, static_cast<uint64_t>(kConns));
  EXPECT_EQ(p.b.counters().PassiveOpens, static_cast<uint64_t>(kConns));
  p.net.run_for(61s);
  EXPECT_EQ(p.a.time_wait_count(), 0u);
}

}  // namespace
}  // namespace ustcp
