// The ready list (stack/readiness.hpp) through the Stack, against epoll's semantics
// (fs/eventpoll.c, epoll(7)): level-triggered sockets are reported while ready,
// edge-triggered ones once per change (new data counts; reading part of it does not),
// one-shot ones once until re-armed; ERR and HUP always; a closed socket leaves the set;
// idle watched sockets cost nothing.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "two_stacks.hpp"
#include "ustcp/api/sockets.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp {
namespace {

using namespace std::chrono_literals;
using stack::Ready;
using stack::SocketId;
using stack::Stack;
namespace ev = stack::events;
using testing::pump;

const Ipv4Addr kA(10, 0, 0, 1), kB(10, 0, 0, 2);
constexpr uint16_t kPort = 80;
const TimePoint kT0{};

Bytes text(const std::string& s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

// What take_ready() reports now: (data, events) pairs.
std::vector<std::pair<uint64_t, int>> take(Stack& s) {
  std::vector<Ready> out(16);
  out.resize(s.take_ready(out));
  std::vector<std::pair<uint64_t, int>> r;
  for (const Ready& e : out) r.emplace_back(e.data, e.events);
  return r;
}
using Events = std::vector<std::pair<uint64_t, int>>;

struct Pair {
  Stack a{kA, {}, 1}, b{kB, {}, 2};
  SocketId listener, client, server;

  // A listener on b; with `established`, a connection from a accepted as `server`.
  explicit Pair(bool established = false) {
    listener = *b.socket();
    EXPECT_TRUE(b.bind(listener, {kB, kPort}));
    EXPECT_TRUE(b.listen(listener, 128));
    if (established) {
      connect();
      accept();
    }
  }
  void connect() {
    client = *a.socket();
    EXPECT_EQ(a.connect(kT0, client, {kB, kPort}).error(), EINPROGRESS);
    pump(a, b, kT0);
  }
  void accept() { server = *b.accept(kT0, listener); }
  void send(const std::string& s) {
    ASSERT_EQ(*a.send(kT0, client, text(s)), s.size());
    pump(a, b, kT0);
  }
  size_t recv(size_t n) {
    std::vector<std::byte> buf(n);
    auto r = b.recv(kT0, server, buf);
    pump(a, b, kT0);
    return r ? *r : 0;
  }
};

TEST(Readiness, LevelTriggeredListenerIsReportedUntilAccepted) {
  Pair p;
  ASSERT_TRUE(p.b.watch(p.listener, ev::IN, 7));
  EXPECT_EQ(take(p.b), Events{});
  p.connect();
  EXPECT_EQ(take(p.b), (Events{{7, ev::IN}}));
  EXPECT_EQ(take(p.b), (Events{{7, ev::IN}}));  // still waiting: reported again
  p.accept();
  EXPECT_EQ(take(p.b), Events{});
}

TEST(Readiness, LevelTriggeredDataIsReportedUntilRead) {
  Pair p(/*established=*/true);
  ASSERT_TRUE(p.b.watch(p.server, ev::IN, 1));
  EXPECT_EQ(take(p.b), Events{});  // nothing to read yet
  p.send("0123456789");
  EXPECT_EQ(take(p.b), (Events{{1, ev::IN}}));
  EXPECT_EQ(p.recv(4), 4u);
  EXPECT_EQ(take(p.b), (Events{{1, ev::IN}}));
  EXPECT_EQ(p.recv(100), 6u);
  EXPECT_EQ(take(p.b), Events{});
}

TEST(Readiness, EdgeTriggeredReportsOncePerArrival) {
  Pair p(/*established=*/true);
  ASSERT_TRUE(p.b.watch(p.server, ev::IN | ev::ET, 1));
  p.send("0123456789");
  EXPECT_EQ(take(p.b), (Events{{1, ev::IN}}));
  EXPECT_EQ(take(p.b), Events{});  // no new edge, though still readable
  EXPECT_EQ(p.recv(4), 4u);
  EXPECT_EQ(take(p.b), Events{});  // reading part of it is no edge
  p.send("abc");                   // new data on a readable socket: a new edge (epoll too)
  EXPECT_EQ(take(p.b), (Events{{1, ev::IN}}));
  EXPECT_EQ(take(p.b), Events{});
}

TEST(Readiness, EdgeTriggeredConnectCompletionIsOneOutEvent) {
  Pair p;
  p.client = *p.a.socket();
  ASSERT_TRUE(p.a.watch(p.client, ev::OUT | ev::ET, 3));
  // An unconnected socket polls OUT | HUP (tcp_poll of a closed socket): reported once.
  EXPECT_EQ(take(p.a), (Events{{3, ev::OUT | ev::HUP}}));
  EXPECT_EQ(p.a.connect(kT0, p.client, {kB, kPort}).error(), EINPROGRESS);
  EXPECT_EQ(take(p.a), Events{});  // SYN_SENT: nothing
  pump(p.a, p.b, kT0);
  EXPECT_EQ(take(p.a), (Events{{3, ev::OUT}}));
  EXPECT_EQ(take(p.a), Events{});
}

TEST(Readiness, OneShotWaitsForRearming) {
  Pair p(/*established=*/true);
  ASSERT_TRUE(p.b.watch(p.server, ev::IN | ev::ONESHOT, 1));
  p.send("x");
  EXPECT_EQ(take(p.b), (Events{{1, ev::IN}}));
  p.send("y");
  EXPECT_EQ(take(p.b), Events{});
  ASSERT_TRUE(p.b.watch(p.server, ev::IN | ev::ONESHOT, 2));  // EPOLL_CTL_MOD re-arms
  EXPECT_EQ(take(p.b), (Events{{2, ev::IN}}));
  EXPECT_EQ(take(p.b), Events{});
}

TEST(Readiness, ErrAndHupAreAlwaysReported) {
  Pair p(/*established=*/true);
  ASSERT_TRUE(p.a.watch(p.client, ev::IN | ev::ET, 9));
  EXPECT_EQ(take(p.a), Events{});
  // The server aborts: RST. The client polls IN | ERR | HUP | RDHUP; asked for IN only, it
  // gets IN with ERR and HUP, never RDHUP.
  ASSERT_TRUE(p.b.set_linger(kT0, p.server, true, 0));
  ASSERT_TRUE(p.b.close(kT0, p.server));
  pump(p.a, p.b, kT0);
  EXPECT_EQ(take(p.a), (Events{{9, ev::IN | ev::ERR | ev::HUP}}));
}

TEST(Readiness, ClosedSocketsLeaveTheSet) {
  Pair p(/*established=*/true);
  ASSERT_TRUE(p.b.watch(p.server, ev::IN, 1));
  p.send("data");
  ASSERT_TRUE(p.b.close(kT0, p.server));
  EXPECT_EQ(take(p.b), Events{});
  EXPECT_EQ(p.b.unwatch(p.server).error(), EBADF);
  // A new socket in the same slot is not watched by inheritance.
  SocketId again = *p.b.socket();
  EXPECT_EQ(again.index, p.server.index);
  EXPECT_EQ(p.b.unwatch(again).error(), ENOENT);
  EXPECT_EQ(p.b.watch(SocketId{}, ev::IN, 0).error(), EBADF);
}

TEST(Readiness, UnwatchStopsReports) {
  Pair p;
  p.connect();
  ASSERT_TRUE(p.b.watch(p.listener, ev::IN, 1));
  ASSERT_TRUE(p.b.unwatch(p.listener));
  EXPECT_EQ(take(p.b), Events{});
  EXPECT_EQ(p.b.unwatch(p.listener).error(), ENOENT);
}

TEST(Readiness, OnlyActiveSocketsAreQueued) {
  // 1,000 watched idle connections and one that receives: one report, one queued entry.
  Stack a(kA, {}, 1), b(kB, {}, 2);
  SocketId l = *b.socket();
  ASSERT_TRUE(b.bind(l, {kB, kPort}));
  ASSERT_TRUE(b.listen(l, 4096));
  std::vector<SocketId> clients;
  for (int i = 0; i < 1000; ++i) {
    clients.push_back(*a.socket());
    (void)a.connect(kT0, clients.back(), {kB, kPort});
  }
  pump(a, b, kT0);
  for (uint64_t i = 0; i < 1000; ++i) ASSERT_TRUE(b.watch(*b.accept(kT0, l), ev::IN | ev::ET, i));
  EXPECT_EQ(take(b), Events{});
  EXPECT_FALSE(b.maybe_ready());
  ASSERT_TRUE(a.send(kT0, clients[617], text("hi")));
  pump(a, b, kT0);
  EXPECT_TRUE(b.maybe_ready());
  EXPECT_EQ(take(b), (Events{{617, ev::IN}}));
}

TEST(Readiness, TakesAtMostTheRoomGivenAndKeepsTheRest) {
  Pair p;
  std::vector<SocketId> servers;
  for (int i = 0; i < 3; ++i) {
    p.connect();
    p.accept();
    servers.push_back(p.server);
    ASSERT_TRUE(p.b.watch(p.server, ev::IN, static_cast<uint64_t>(i)));
    p.send("z");
  }
  std::vector<Ready> one(1);
  ASSERT_EQ(p.b.take_ready(one), 1u);
  EXPECT_EQ(one[0].data, 0u);
  EXPECT_EQ(one[0].socket, servers[0]);
  // Level-triggered: the next call starts with the others, the first goes to the back.
  EXPECT_EQ(take(p.b), (Events{{1, ev::IN}, {2, ev::IN}, {0, ev::IN}}));
}

TEST(Readiness, DescriptorsThroughTheSocketsApi) {
  Stack a(kA, {}, 1), b(kB, {}, 2);
  api::Sockets na(a), nb(b);
  const int l = nb.socket();
  ASSERT_EQ(nb.bind(l, {kB, kPort}), 0);
  ASSERT_EQ(nb.listen(l, 8), 0);
  ASSERT_EQ(nb.watch(l, ev::IN, 100), 0);
  EXPECT_EQ(nb.watch(42, ev::IN, 0), -EBADF);
  const int c = na.socket();
  ASSERT_EQ(na.connect(kT0, c, {kB, kPort}), -EINPROGRESS);
  pump(a, b, kT0);
  api::ReadyFd out[4];
  ASSERT_EQ(nb.take_ready(out), 1);
  EXPECT_EQ(out[0].fd, l);
  EXPECT_EQ(out[0].events, ev::IN);
  EXPECT_EQ(out[0].data, 100u);
  const int s = nb.accept(kT0, l);
  ASSERT_GE(s, 0);
  EXPECT_EQ(nb.take_ready(out), 0);
  EXPECT_EQ(nb.unwatch(l), 0);
  EXPECT_EQ(nb.unwatch(l), -ENOENT);
}

}  // namespace
}  // namespace ustcp
