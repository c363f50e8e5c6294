// The SYN-flood incident (LINUX-REFERENCE.md, listener arithmetic): spoofed SYNs from
// addresses that never answer fill a listener's SYN queue. With tcp_syncookies = 0 a
// legitimate client cannot get in while the flood lasts; with cookies (1, the default) it
// connects at once and the server keeps no state for the flood: memory stays flat.
#include <gtest/gtest.h>

#include "ustcp/link/rng.hpp"
#include "ustcp/link/sim_network.hpp"
#include "ustcp/link/stack_node.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp {
namespace {

constexpr Ipv4Addr kServer{10, 0, 0, 2};
constexpr Ipv4Addr kClient{10, 0, 0, 1};
constexpr Ipv4Addr kAttacker{10, 0, 0, 66};

// Sends `total` SYNs to kServer:80 in bursts every millisecond, each from a random source in
// 198.18.0.0/15 (nobody there: the SYN-ACKs are unroutable and dropped).
class Flooder final : public link::Node {
 public:
  Flooder(uint64_t total, uint32_t per_ms) : left_(total), per_ms_(per_ms), rng_(99) {}
  void receive(TimePoint, Bytes) override {}
  std::optional<Bytes> poll_transmit(TimePoint now) override {
    if (left_ == 0 || now < next_ || burst_ == per_ms_) {
      if (burst_ == per_ms_ && now >= next_) {
        burst_ = 0;
        next_ = now + 1ms;
      }
      return std::nullopt;
    }
    ++burst_;
    --left_;
    wire::TcpRepr syn;
    syn.src_port = static_cast<uint16_t>(1024 + rng_.below(60000));
    syn.dst_port = 80;
    syn.seq = SeqNum(static_cast<uint32_t>(rng_.next_u64()));
    syn.flags = wire::tcp_flags::SYN;
    syn.window = 64240;
    syn.options.mss = 1460;
    Ipv4Addr src(static_cast<uint32_t>((198u << 24) | (18u << 16)) +
                 static_cast<uint32_t>(rng_.below(1 << 17)));
    wire::Ipv4Repr ip{.src = src, .dst = kServer, .payload_len = static_cast<uint16_t>(syn.size())};
    buf_.resize(wire::kIpv4HeaderLen + syn.size());
    ip.emit(buf_);
    syn.emit(MutBytes(buf_).subspan(wire::kIpv4HeaderLen), src, kServer);
    return Bytes(buf_);
  }
  std::optional<TimePoint> next_deadline() const override {
    if (left_ == 0) return std::nullopt;
    return next_;
  }
  void on_timer(TimePoint now) override {
    if (now >= next_) {
      burst_ = 0;
      next_ = now + 1ms;
    }
  }
  uint64_t left() const { return left_; }

 private:
  uint64_t left_;
  uint32_t per_ms_;
  uint32_t burst_ = 0;
  TimePoint next_{};
  link::Rng rng_;
  std::vector<std::byte> buf_;
};

#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kFloodSyns = 100'000;  // the sanitizer run checks memory safety, not scale
#else
constexpr uint64_t kFloodSyns = 1'000'000;
#endif

struct FloodResult {
  bool client_connected = false;
  double connect_seconds = 0;
  size_t max_requests = 0;
  size_t max_connections = 0;
  tcp::Counters mib;
};

FloodResult run_flood(int syncookies) {
  tcp::Config cfg;
  cfg.tcp_syncookies = syncookies;
  stack::Stack server(kServer, cfg, 1), client(kClient, {}, 2);
  link::StackNode sn(server), cn(client);
  // 1,000 SYNs per millisecond: the flood lasts kFloodSyns / 1000 ms of virtual time.
  Flooder flood(kFloodSyns, 1000);
  link::SimNetwork net(5);
  net.attach(sn, kServer, {.delay = 1ms});
  net.attach(cn, kClient, {.delay = 1ms});
  net.attach(flood, kAttacker, {.delay = 1ms});
  auto ls = *server.socket();
  EXPECT_TRUE(server.bind(ls, {kServer, 80}));
  EXPECT_TRUE(server.listen(ls, 128));

  FloodResult r;
  // Let the flood fill the SYN queue, then the legitimate client tries.
  net.run_until(at(200ms));
  auto cs = *client.socket();
  (void)client.connect(net.now(), cs, {kServer, 80});
  const TimePoint started = net.now();
  const TimePoint flood_end = at(std::chrono::milliseconds(kFloodSyns / 1000));
  net.run_until(
      [&] {
        r.max_requests = std::max(r.max_requests, server.request_count());
        r.max_connections = std::max(r.max_connections, server.connection_count());
        if (!r.client_connected && client.connection(cs) &&
            client.connection(cs)->state() == tcp::State::Established) {
          r.client_connected = true;
          r.connect_seconds = to_seconds(net.now() - started);
        }
        return flood.left() == 0 && net.now() >= flood_end && net.idle();
      },
      flood_end + 1s);
  r.mib = server.counters();
  return r;
}

TEST(SynFlood, WithoutCookiesTheLegitimateClientCannotConnect) {
  FloodResult r = run_flood(0);
  EXPECT_FALSE(r.client_connected);
  EXPECT_GT(r.mib.TCPReqQFullDrop, kFloodSyns / 2);
  EXPECT_EQ(r.mib.SyncookiesSent, 0u);
  EXPECT_LE(r.max_requests, 129u);  // the SYN queue is full: it holds backlog + 1
}

TEST(SynFlood, WithCookiesTheLegitimateClientConnectsAndMemoryStaysFlat) {
  FloodResult r = run_flood(1);
  ASSERT_TRUE(r.client_connected);
  EXPECT_LT(r.connect_seconds, 0.01);  // one round trip (2 x 1 ms), not a SYN retry
  // Every SYN past the full queue was answered with a cookie and left no state behind.
  EXPECT_GE(r.mib.SyncookiesSent + 129, kFloodSyns);
  EXPECT_EQ(r.mib.TCPReqQFullDoCookies, r.mib.SyncookiesSent);
  EXPECT_LE(r.max_requests, 129u);   // backlog + 1
  EXPECT_LE(r.max_connections, 2u);  // the legitimate client's connection, nothing more
}

// tcp_syncookies = 2: every SYN gets a cookie, and a cookie ACK creates the connection.
TEST(SynFlood, AlwaysCookiesCompletesHandshakeFromTheCookie) {
  tcp::Config cfg;
  cfg.tcp_syncookies = 2;
  stack::Stack server(kServer, cfg, 1), client(kClient, {}, 2);
  link::StackNode sn(server), cn(client);
  link::SimNetwork net(5);
  net.attach(sn, kServer, {.delay = 1ms});
  net.attach(cn, kClient, {.delay = 1ms});
  auto ls = *server.socket();
  ASSERT_TRUE(server.bind(ls, {kServer, 80}));
  ASSERT_TRUE(server.listen(ls, 128));
  auto cs = *client.socket();
  (void)client.connect(net.now(), cs, {kServer, 80});
  std::optional<stack::SocketId> conn;
  ASSERT_TRUE(net.run_until(
      [&] {
        if (auto a = server.accept(net.now(), ls)) conn = *a;
        return conn.has_value();
      },
      at(1s)));
  EXPECT_EQ(server.counters().SyncookiesSent, 1u);
  EXPECT_EQ(server.counters().SyncookiesRecv, 1u);
  EXPECT_EQ(server.request_count(), 0u);
  // The options survived in the timestamp: SACK and window scaling are on.
  const tcp::Connection* c = server.connection(*conn);
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->sack_ok());
  EXPECT_TRUE(c->ts_ok());
  EXPECT_EQ(c->snd_wscale(), client.connection(cs)->rcv_wscale());
  // Data flows both ways.
  const char msg[] = "hello";
  ASSERT_TRUE(client.send(net.now(), cs, Bytes(reinterpret_cast<const std::byte*>(msg), 5)));
  net.run_until([&] { return server.readable(*conn) == 5; }, at(2s));
  EXPECT_EQ(server.readable(*conn), 5u);
}

}  // namespace
}  // namespace ustcp
