// The echo server between two Stacks on the simulated network, in virtual time: round
// trips, half-close, flow control, resets, many connections, loss, shutdown.
#include "apps/echo_server.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "apps/byte_pattern.hpp"
#include "sim_pair.hpp"
#include "stream_client.hpp"

namespace ustcp::apps::testing {
namespace {

using std::chrono::seconds;
using tcp::State;

constexpr Endpoint kEcho{kServerAddr, 7};

class EchoTest : public ::testing::Test {
 protected:
  explicit EchoTest(link::LinkParams link = default_link(), uint64_t seed = 1) : p(link, seed) {}
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(echo.start(p.now(), error)) << error;
    p.server.add(echo);
  }
  // Runs one client to its end.
  void run(StreamClient& c, Duration limit = std::chrono::seconds(60)) {
    p.client.add(c);
    ASSERT_TRUE(p.run_until([&] { return c.done(); }, limit));
    p.client.remove(c);
  }

  SimPair p;
  EchoServer echo{p.server.sockets(), Endpoint{Ipv4Addr(), 7}};
};

TEST_F(EchoTest, RoundTrip) {
  StreamClient c(p.client.sockets(), kEcho, "hello, echo");
  run(c);
  EXPECT_EQ(c.received, "hello, echo");
  EXPECT_TRUE(c.eof);
  EXPECT_EQ(c.error, 0);
  EXPECT_EQ(echo.stats().accepted, 1u);
  EXPECT_EQ(echo.stats().bytes_echoed, 11u);
  EXPECT_EQ(echo.local(), (Endpoint{Ipv4Addr(), 7}));
}

TEST_F(EchoTest, HalfCloseGetsEverythingBackThenEof) {
  // shutdown(SHUT_WR) goes out right behind the data; the server must still echo all of it
  // (more than its 64 KB of buffering and the windows) before its own FIN.
  const std::string data = byte_pattern(0, 300000);
  StreamClient c(p.client.sockets(), kEcho, data, /*half_close=*/true);
  run(c);
  EXPECT_EQ(c.received.size(), data.size());
  EXPECT_TRUE(c.received == data);
  EXPECT_TRUE(c.eof);
  EXPECT_EQ(echo.stats().bytes_echoed, data.size());
  EXPECT_EQ(echo.stats().open, 0u);
  p.run_for(std::chrono::seconds(1));
  // The client's FIN went first: TIME_WAIT is the client's; the server's side is gone.
  EXPECT_EQ(count_state(p.client_stack, State::TimeWait), 1u);
  EXPECT_EQ(p.server_stack.connection_count(), 0u);
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 0u);
}

TEST_F(EchoTest, HalfCloseBeforeReadingFlushesWhatIsPendingFirst) {
  // Everything is sent and the FIN follows before the client reads a byte; the server's
  // send buffer is kept small (net.ipv4.tcp_wmem max 8 KB), so when the server reads EOF
  // it still holds echo data the stack could not take: that data must go out before the
  // server's FIN.
  p.server_stack.config().tcp_wmem = {4096, 8192, 8192};
  const std::string data = byte_pattern(0, 200000);
  StreamClient c(p.client.sockets(), kEcho, data, /*half_close=*/true);
  c.reading = false;
  p.client.add(c);
  ASSERT_TRUE(p.run_until([&] { return c.sent() == data.size(); }));
  p.run_for(seconds(1));
  EXPECT_LT(echo.stats().bytes_echoed, data.size());
  c.reading = true;
  p.client.wake();
  ASSERT_TRUE(p.run_until([&] { return c.done(); }));
  EXPECT_EQ(c.received.size(), data.size());
  EXPECT_TRUE(c.received == data);
  EXPECT_TRUE(c.eof);
}

TEST_F(EchoTest, AClientThatDoesNotReadIsPushedBack) {
  // More than the buffers on the way hold: each send buffer grows up to tcp_wmem[2] (4 MB of
  // skb truesize) while a writer waits for room, each receive buffer as far as autotuning
  // takes it from what the application read.
  const std::string data = byte_pattern(0, 16 << 20);
  StreamClient c(p.client.sockets(), kEcho, data, true);
  c.reading = false;
  p.client.add(c);
  p.run_for(std::chrono::seconds(10));
  // Bounded buffering: the server stopped reading, windows closed, the client's sends block.
  const size_t stuck = c.sent();
  EXPECT_LT(stuck, data.size());
  p.run_for(std::chrono::seconds(10));
  EXPECT_EQ(c.sent(), stuck);
  c.reading = true;
  p.client.wake();
  ASSERT_TRUE(p.run_until([&] { return c.done(); }));
  EXPECT_TRUE(c.received == data);
  EXPECT_TRUE(c.eof);
}

TEST_F(EchoTest, ClientCloseWithUnreadDataResetsAndTheServerGoesOn) {
  api::Sockets& net = p.client.sockets();
  int fd = net.socket();
  ASSERT_EQ(net.connect(p.now(), fd, kEcho), -EINPROGRESS);
  ASSERT_TRUE(p.run_until([&] { return net.connect(p.now(), fd, kEcho) == 0; }));
  ASSERT_EQ(net.send(p.now(), fd, as_bytes("unread")), 6);
  ASSERT_TRUE(p.run_until([&] { return net.fionread(fd) == 6; }));
  const uint64_t rsts = p.client_stack.counters().OutRsts;
  // RFC 2525 2.17: closing with unread data sends a RST, not a FIN.
  ASSERT_EQ(net.close(p.now(), fd), 0);
  p.client.wake();
  ASSERT_TRUE(p.run_until([&] { return echo.stats().resets == 1; }, std::chrono::seconds(5)));
  EXPECT_EQ(p.client_stack.counters().OutRsts, rsts + 1);
  EXPECT_EQ(p.client_stack.counters().TCPAbortOnClose, 1u);
  EXPECT_EQ(echo.stats().open, 0u);
  EXPECT_EQ(p.server_stack.connection_count(), 0u);

  StreamClient next(p.client.sockets(), kEcho, "still here");
  run(next);
  EXPECT_EQ(next.received, "still here");
  EXPECT_EQ(echo.stats().accepted, 2u);
}

TEST_F(EchoTest, HundredShortConnectionsInARow) {
  for (int i = 0; i < 100; ++i) {
    StreamClient c(p.client.sockets(), kEcho, "ping " + std::to_string(i));
    run(c);
    ASSERT_EQ(c.received, "ping " + std::to_string(i));
    ASSERT_TRUE(c.eof);
  }
  EXPECT_EQ(echo.stats().accepted, 100u);
  EXPECT_EQ(echo.stats().resets, 0u);
  EXPECT_EQ(p.server_stack.counters().PassiveOpens, 100u);
  p.run_for(std::chrono::seconds(1));
  EXPECT_EQ(count_state(p.client_stack, State::TimeWait), 100u);
  EXPECT_EQ(p.server_stack.connection_count(), 0u);
}

TEST_F(EchoTest, ShutdownClosesWithFins) {
  StreamClient c(p.client.sockets(), kEcho, "idle after this", /*half_close=*/false);
  p.client.add(c);
  ASSERT_TRUE(p.run_until([&] { return c.received.size() == 15; }));
  EXPECT_FALSE(echo.finished());
  const uint64_t rsts = p.server_stack.counters().OutRsts;
  p.server.shutdown(p.now());
  EXPECT_TRUE(echo.finished());
  ASSERT_TRUE(p.run_until([&] { return c.done(); }, std::chrono::seconds(5)));
  EXPECT_TRUE(c.eof);  // a FIN, not a RST
  EXPECT_EQ(c.error, 0);
  EXPECT_EQ(p.server_stack.counters().OutRsts, rsts);
  EXPECT_TRUE(p.server.finished());
  p.run_for(std::chrono::seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::Listen), 0u);
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 1u);  // the server closed first
}

TEST_F(EchoTest, StartReportsTheAddressAndErrno) {
  EchoServer second(p.server.sockets(), kEcho);
  std::string error;
  EXPECT_FALSE(second.start(p.now(), error));
  EXPECT_NE(error.find("10.0.0.2:7: EADDRINUSE"), std::string::npos) << error;
  EchoServer elsewhere(p.server.sockets(), Endpoint{Ipv4Addr(192, 0, 2, 1), 7});
  EXPECT_FALSE(elsewhere.start(p.now(), error));
  EXPECT_EQ(error, "bind 192.0.2.1:7: EADDRNOTAVAIL");
}

// Loss, reordering and duplication: the same bytes come back, whatever the seed.
class EchoLossyTest : public EchoTest, public ::testing::WithParamInterface<uint64_t> {
 protected:
  EchoLossyTest()
      : EchoTest(link::LinkParams{.delay = std::chrono::milliseconds(5),
                                  .loss = 0.03,
                                  .reorder = 0.05,
                                  .duplicate = 0.02},
                 GetParam()) {}
};

TEST_P(EchoLossyTest, HalfCloseSurvivesImpairments) {
  const std::string data = byte_pattern(0, 200000);
  StreamClient c(p.client.sockets(), kEcho, data);
  run(c, std::chrono::seconds(600));
  EXPECT_TRUE(c.received == data);
  EXPECT_TRUE(c.eof);
  EXPECT_GT(p.net.stats().lost, 0u);
  EXPECT_GT(p.net.stats().reordered, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, EchoLossyTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace ustcp::apps::testing
