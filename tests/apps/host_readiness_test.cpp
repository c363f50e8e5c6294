// Readiness in the Host (App::uses_readiness): an app that watches its descriptors steps
// only when one of them is ready, its deadline comes or wake() is called; an app that does
// not is stepped after every event, as before. The echo server serves the connection that
// has data among many idle ones.
#include <gtest/gtest.h>

#include "apps/echo_server.hpp"
#include "apps/host.hpp"
#include "sim_pair.hpp"
#include "stream_client.hpp"

namespace ustcp::apps::testing {
namespace {

// Counts its steps and the descriptors reported to it; watches (edge-triggered) a listener
// of its own on `port`, on which it never accepts.
class CountingApp final : public App {
 public:
  CountingApp(api::Sockets& net, uint16_t port, bool readiness) : net_(net), readiness_(readiness) {
    fd = net_.socket();
    EXPECT_EQ(net_.bind(fd, {kServerAddr, port}), 0);
    EXPECT_EQ(net_.listen(fd, 8), 0);
    if (readiness_) {
      EXPECT_EQ(net_.watch(fd, stack::events::IN | stack::events::ET, watch_token()), 0);
    }
  }
  std::optional<TimePoint> step(TimePoint) override {
    ++steps;
    return std::nullopt;
  }
  void shutdown(TimePoint now) override { net_.close(now, fd); }
  bool finished() const override { return true; }
  bool uses_readiness() const override { return readiness_; }
  void ready(int ready_fd, int) override { reported.push_back(ready_fd); }

  int fd = -1;
  int steps = 0;
  std::vector<int> reported;

 private:
  api::Sockets& net_;
  bool readiness_;
};

TEST(HostReadiness, OnlyAppsWithReadyDescriptorsStep) {
  SimPair p;
  EchoServer echo(p.server.sockets(), Endpoint{kServerAddr, 7});
  std::string error;
  ASSERT_TRUE(echo.start(p.now(), error)) << error;
  CountingApp watching(p.server.sockets(), 9999, true), legacy(p.server.sockets(), 9998, false);
  p.server.add(echo);
  p.server.add(watching);
  p.server.add(legacy);
  p.run_for(std::chrono::milliseconds(1));
  EXPECT_EQ(watching.steps, 1);  // added: one step
  const int legacy_before = legacy.steps;

  StreamClient c(p.client.sockets(), Endpoint{kServerAddr, 7}, "traffic for the echo server");
  p.client.add(c);
  ASSERT_TRUE(p.run_until([&] { return c.done(); }));
  EXPECT_EQ(c.received, "traffic for the echo server");
  EXPECT_EQ(watching.steps, 1);  // none of its descriptors changed
  EXPECT_TRUE(watching.reported.empty());
  EXPECT_GT(legacy.steps, legacy_before + 3);  // stepped on every event

  // A connection to its own listener: now it is told, and steps.
  StreamClient d(p.client.sockets(), Endpoint{kServerAddr, 9999}, "x");
  p.client.add(d);
  p.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(watching.reported, std::vector<int>{watching.fd});
  EXPECT_EQ(watching.steps, 2);
}

TEST(HostReadiness, EchoServesTheActiveConnectionAmongManyIdleOnes) {
  SimPair p;
  EchoServer echo(p.server.sockets(), Endpoint{kServerAddr, 7});
  std::string error;
  ASSERT_TRUE(echo.start(p.now(), error)) << error;
  p.server.add(echo);
  // 200 idle connections (connected, nothing sent), then one that talks.
  api::Sockets& net = p.client.sockets();
  std::vector<int> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(net.socket());
    ASSERT_EQ(net.connect(p.now(), idle.back(), {kServerAddr, 7}), -EINPROGRESS);
  }
  p.client.wake();
  p.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(echo.stats().accepted, 200u);
  StreamClient c(p.client.sockets(), Endpoint{kServerAddr, 7}, "hello among the idle");
  p.client.add(c);
  ASSERT_TRUE(p.run_until([&] { return c.done(); }));
  EXPECT_EQ(c.received, "hello among the idle");
  EXPECT_EQ(echo.stats().open, 200u);  // the idle ones are still there, untouched
  for (int fd : idle) EXPECT_EQ(net.close(p.now(), fd), 0);
  p.client.wake();
  p.run_for(std::chrono::seconds(1));
  EXPECT_EQ(echo.stats().open, 0u);
}

}  // namespace
}  // namespace ustcp::apps::testing
