// The Host as a driver sees it: apps step after datagrams and at their deadlines, the
// deadline is the earliest of the stack's and the apps', shutdown and finished reach
// every app.
#include "apps/host.hpp"

#include <gtest/gtest.h>

#include "sim_pair.hpp"

namespace ustcp::apps::testing {
namespace {

using std::chrono::seconds;

// Records its steps; asks to run again at `wake_at` until it has.
class ProbeApp final : public App {
 public:
  std::optional<TimePoint> step(TimePoint now) override {
    steps.push_back(now);
    if (wake_at && now >= *wake_at) wake_at.reset();
    return wake_at;
  }
  void shutdown(TimePoint) override { shut = true; }
  bool finished() const override { return shut; }

  std::vector<TimePoint> steps;
  std::optional<TimePoint> wake_at;
  bool shut = false;
};

TEST(Host, StepsAtTheAppsDeadline) {
  stack::Stack s(kServerAddr);
  Host host(s);
  ProbeApp a, b;
  a.wake_at = at(seconds(3));
  host.add(a);
  host.add(b);
  EXPECT_FALSE(host.poll_transmit(at(seconds(0))));  // first poll: every app steps once
  EXPECT_EQ(a.steps.size(), 1u);
  EXPECT_EQ(b.steps.size(), 1u);
  EXPECT_EQ(host.next_deadline(), at(seconds(3)));
  host.on_timer(at(seconds(1)));  // nothing due: nobody steps
  EXPECT_FALSE(host.poll_transmit(at(seconds(1))));
  EXPECT_EQ(a.steps.size(), 1u);
  host.on_timer(at(seconds(3)));
  EXPECT_EQ(a.steps.size(), 2u);
  EXPECT_EQ(a.steps.back(), at(seconds(3)));
  EXPECT_EQ(host.next_deadline(), std::nullopt);
  host.remove(b);
  host.wake();
  host.poll_transmit(at(seconds(4)));
  EXPECT_EQ(a.steps.size(), 3u);
  EXPECT_EQ(b.steps.size(), 2u);  // the on_timer round ran b too; not after remove
}

TEST(Host, ShutdownAndFinishedCoverEveryApp) {
  stack::Stack s(kServerAddr);
  Host host(s);
  ProbeApp a, b;
  host.add(a);
  host.add(b);
  EXPECT_FALSE(host.finished());
  host.shutdown(at(seconds(1)));
  EXPECT_TRUE(a.shut && b.shut);
  EXPECT_TRUE(host.finished());
}

TEST(Host, AppsReactToArrivingDatagramsBeforeTheStackTransmits) {
  // A listener app on the server host that accepts and sends at once: the bytes leave in
  // the same poll round as the ACK of the handshake arrives, no timer in between.
  SimPair p;
  class Greeter final : public App {
   public:
    explicit Greeter(api::Sockets& net) : net_(net) {
      fd_ = net_.socket();
      net_.bind(fd_, {Ipv4Addr(), 25});
      net_.listen(fd_, 4);
    }
    std::optional<TimePoint> step(TimePoint now) override {
      for (int c; (c = net_.accept(now, fd_)) >= 0;) {
        const char hi[] = "220 hi\r\n";
        net_.send(now, c, Bytes(reinterpret_cast<const std::byte*>(hi), 8));
        accepted_at = now;
      }
      return std::nullopt;
    }
    void shutdown(TimePoint) override {}
    bool finished() const override { return false; }
    TimePoint accepted_at = kNever;

   private:
    api::Sockets& net_;
    int fd_;
  } greeter(p.server.sockets());
  p.server.add(greeter);
  TimePoint greeting_sent = kNever;
  p.net.on_send([&](TimePoint t, Ipv4Addr from, Bytes d) {
    if (from == kServerAddr && !tcp_payload(d).empty() && greeting_sent == kNever)
      greeting_sent = t;
  });
  api::Sockets& net = p.client.sockets();
  int fd = net.socket();
  net.connect(p.now(), fd, {kServerAddr, 25});
  ASSERT_TRUE(p.run_until([&] { return net.fionread(fd) == 8; }, seconds(1)));
  EXPECT_EQ(greeter.accepted_at, at(std::chrono::milliseconds(15)));  // SYN, SYN-ACK, ACK: 3 x 5 ms
  EXPECT_EQ(greeting_sent, greeter.accepted_at);
}

}  // namespace
}  // namespace ustcp::apps::testing
