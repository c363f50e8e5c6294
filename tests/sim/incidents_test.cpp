// Classic incidents operators meet, reproduced on the simulated network:
// - short connections at a high rate exhaust the ephemeral ports through TIME_WAIT on the
//   side that closes first, unless tcp_tw_reuse lets connect() take over old 4-tuples;
// - a slow accepter overflows its accept queue: with tcp_abort_on_overflow = 0 clients get
//   in late (the SYN-ACK is offered again), with 1 they are reset.
#include <gtest/gtest.h>

#include "ustcp/link/sim_network.hpp"
#include "ustcp/link/stack_node.hpp"

namespace ustcp {
namespace {

using stack::SocketId;
constexpr Ipv4Addr kClient{10, 0, 0, 1};
constexpr Ipv4Addr kServer{10, 0, 0, 2};
constexpr Ipv4Addr kTicker{10, 0, 0, 99};

// A host that sends nothing and wakes every millisecond, so that the test's application
// code (run between events) gets to act at that rate.
class Ticker final : public link::Node {
 public:
  void receive(TimePoint, Bytes) override {}
  std::optional<Bytes> poll_transmit(TimePoint) override { return std::nullopt; }
  std::optional<TimePoint> next_deadline() const override { return next_; }
  void on_timer(TimePoint now) override { next_ = now + 1ms; }

 private:
  TimePoint next_{};
};

struct ShortConnResult {
  int opened = 0;
  int addr_not_avail = 0;  // connect() failures with EADDRNOTAVAIL
  uint64_t recycled = 0;   // TWRecycled on the client
  size_t client_time_wait = 0;
};

// One new connection per millisecond for `seconds`; the client closes each one as soon as
// it is established (it closes first: TIME_WAIT lands on the client).
ShortConnResult short_connections(int tw_reuse, int seconds, int ports = 1000) {
  tcp::Config cfg;
  cfg.tcp_tw_reuse = tw_reuse;
  cfg.ip_local_port_range = {40000, 40000 + ports - 1};  // exhausted within a second or so
  stack::Stack client(kClient, cfg, 1), server(kServer, {}, 2);
  link::StackNode cn(client), sn(server);
  link::SimNetwork net(3);
  net.attach(cn, kClient, {.delay = 100us});
  net.attach(sn, kServer, {.delay = 100us});
  Ticker ticker;
  net.attach(ticker, kTicker);
  auto ls = *server.socket();
  EXPECT_TRUE(server.bind(ls, {kServer, 80}));
  EXPECT_TRUE(server.listen(ls, 4096));

  ShortConnResult r;
  std::vector<SocketId> connecting, accepted;
  TimePoint next_open{};
  const TimePoint end = at(std::chrono::seconds(seconds));
  net.run_until(
      [&] {
        TimePoint now = net.now();
        if (now >= next_open && now < end) {
          next_open = now + 1ms;
          auto s = *client.socket();
          auto c = client.connect(now, s, {kServer, 80});
          if (c.error() == EINPROGRESS) {
            ++r.opened;
            connecting.push_back(s);
          } else {
            if (c.error() == EADDRNOTAVAIL) ++r.addr_not_avail;
            (void)client.close(now, s);
          }
        }
        for (size_t i = 0; i < connecting.size();) {
          if (client.poll(connecting[i]) & stack::events::OUT) {
            (void)client.close(now, connecting[i]);
            connecting[i] = connecting.back();
            connecting.pop_back();
          } else {
            ++i;
          }
        }
        while (auto a = server.accept(now, ls)) accepted.push_back(*a);
        for (size_t i = 0; i < accepted.size();) {
          char b[8];
          auto n = server.recv(now, accepted[i], MutBytes(reinterpret_cast<std::byte*>(b), 8));
          if (n && *n == 0) {
            (void)server.close(now, accepted[i]);
            accepted[i] = accepted.back();
            accepted.pop_back();
          } else {
            ++i;
          }
        }
        return false;
      },
      end + 100ms);
  r.recycled = client.counters().TWRecycled;
  r.client_time_wait = client.time_wait_count();
  return r;
}

TEST(Incident, ShortConnectionsExhaustPortsWithoutTwReuse) {
  ShortConnResult r = short_connections(/*tw_reuse=*/0, 3);
  // 1,000 ports, each held 60 s by TIME_WAIT: the 1,001st connect() fails.
  EXPECT_EQ(r.opened, 1000);
  EXPECT_EQ(r.addr_not_avail, 3000 - 1000);
  EXPECT_EQ(r.client_time_wait, 1000u);
  EXPECT_EQ(r.recycled, 0u);
}

TEST(Incident, TwReuseOneLetsConnectTakeOverTimeWait) {
  // 1,100 ports: when they run out (at 1.1 s), the oldest TIME_WAITs are over
  // tcp_tw_reuse_delay (1 s) old. (With exactly 1,000 ports, the connections opened in the
  // instant the ports run out would fail: nothing is a second old yet.)
  ShortConnResult r = short_connections(/*tw_reuse=*/1, 3, 1100);
  EXPECT_EQ(r.addr_not_avail, 0);
  EXPECT_EQ(r.opened, 3000);
  EXPECT_GT(r.recycled, 0u);  // 4-tuples older than tcp_tw_reuse_delay (1 s) were reused
}

TEST(Incident, TwReuseTwoIsForLoopbackOnly) {
  // The default, 2, reuses only between loopback addresses: between hosts it behaves as 0.
  ShortConnResult r = short_connections(/*tw_reuse=*/2, 2);
  EXPECT_EQ(r.opened, 1000);
  EXPECT_EQ(r.addr_not_avail, 1000);
}

constexpr int kClientsTotal = 5;

struct SlowAccepterResult {
  int client_established = 0;  // connect() completed on the client
  int accepted = 0;            // the server application got them
  int reset = 0;               // clients that saw ECONNRESET
  uint64_t overflows = 0;
  double last_accept_s = 0;
};

// listen(fd, 1): the accept queue holds 2. Five clients arrive 1 ms apart (RTT 2 ms), so a
// handshake can start while the queue has room and finish when it is full. The server
// application accepts nothing for 5 s, then everything.
SlowAccepterResult slow_accepter(int abort_on_overflow) {
  tcp::Config cfg;
  cfg.tcp_abort_on_overflow = abort_on_overflow;
  stack::Stack client(kClient, {}, 1), server(kServer, cfg, 2);
  link::StackNode cn(client), sn(server);
  link::SimNetwork net(4);
  net.attach(cn, kClient, {.delay = 1ms});
  net.attach(sn, kServer, {.delay = 1ms});
  Ticker ticker;
  net.attach(ticker, kTicker);
  auto ls = *server.socket();
  EXPECT_TRUE(server.bind(ls, {kServer, 80}));
  EXPECT_TRUE(server.listen(ls, 1));
  constexpr size_t kClients = kClientsTotal;
  std::vector<SocketId> clients;
  SlowAccepterResult r;
  std::vector<bool> established(kClients), done(kClients);
  net.run_until(
      [&] {
        TimePoint now = net.now();
        if (clients.size() < kClients && now >= at(std::chrono::milliseconds(clients.size()))) {
          auto s = *client.socket();
          (void)client.connect(now, s, {kServer, 80});
          clients.push_back(s);
        }
        for (size_t i = 0; i < clients.size(); ++i) {
          const tcp::Connection* c = client.connection(clients[i]);
          if (!established[i] && c && c->state() == tcp::State::Established) {
            // Connected, as far as the client knows: it sends its request. (A client that
            // sent nothing would never learn that the server dropped its final ACK.)
            established[i] = true;
            ++r.client_established;
            EXPECT_TRUE(
                client.send(now, clients[i], Bytes(reinterpret_cast<const std::byte*>("GET"), 3)));
          }
          if (!done[i]) {
            char b[8];
            auto n = client.recv(now, clients[i], MutBytes(reinterpret_cast<std::byte*>(b), 8));
            if (!n && n.error() == ECONNRESET) {
              ++r.reset;
              done[i] = true;
            }
          }
        }
        if (now >= at(5s)) {
          while (server.accept(now, ls)) {
            ++r.accepted;
            r.last_accept_s = to_seconds(now);
          }
        }
        return false;
      },
      at(40s));
  r.overflows = server.counters().ListenOverflows;
  return r;
}

TEST(Incident, SlowAccepterWithoutAbortClientsGetInLate) {
  SlowAccepterResult r = slow_accepter(0);
  EXPECT_GT(r.overflows, 0u);  // final ACKs (and SYNs) met a full accept queue
  EXPECT_EQ(r.reset, 0);
  EXPECT_EQ(r.accepted, kClientsTotal);  // everyone gets in once the application accepts...
  EXPECT_GT(r.last_accept_s, 5.5);       // ... some only at a later SYN-ACK or SYN retry
}

TEST(Incident, SlowAccepterWithAbortOnOverflowClientsAreReset) {
  SlowAccepterResult r = slow_accepter(1);
  // A client whose final ACK met the full queue believed it was connected, then got a RST.
  EXPECT_GE(r.reset, 1);
  EXPECT_EQ(r.accepted + r.reset, kClientsTotal);
  EXPECT_GE(r.overflows, static_cast<uint64_t>(r.reset));
}

}  // namespace
}  // namespace ustcp
