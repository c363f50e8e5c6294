// Shared by the micro-benchmarks (bench/*.cpp): a hard check for outside the timed loops,
// a deterministic RNG, datagram building for a scripted peer, in-place sequence patching,
// moving datagrams between stacks, and opening many connections cheaply.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::bench {

using namespace std::chrono_literals;

// Aborts the run with a message. A benchmark whose operation did not do what it should
// measured nothing, so the checks are hard failures, done once outside the timed loop.
inline void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "micro_bench: check failed: %s\n", what.c_str());
  std::abort();
}

// Heap allocations (operator new) made so far; alloc_count.cpp counts them.
uint64_t allocations();

// Reports allocations per iteration since `before` as the "allocs/op" counter.
inline void report_allocations(benchmark::State& state, uint64_t before) {
  state.counters["allocs/op"] = benchmark::Counter(static_cast<double>(allocations() - before),
                                                   benchmark::Counter::kAvgIterations);
}

// splitmix64: deterministic, so every run measures the same sequence.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t s_;
};

inline std::vector<std::byte> filler(size_t n, uint64_t seed = 42) {
  Rng rng(seed);
  std::vector<std::byte> v(n);
  for (auto& b : v) b = std::byte(static_cast<uint8_t>(rng.next()));
  return v;
}

// Writes an IPv4 datagram carrying `tcp` from src to dst into out[0 .. 20 + tcp.size()).
inline void write_datagram(MutBytes out, Ipv4Addr src, Ipv4Addr dst, const wire::TcpRepr& tcp) {
  wire::Ipv4Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.payload_len = static_cast<uint16_t>(tcp.size());
  ip.emit(out);
  tcp.emit(out.subspan(wire::kIpv4HeaderLen), src, dst);
}

inline std::vector<std::byte> make_datagram(Ipv4Addr src, Ipv4Addr dst, const wire::TcpRepr& tcp) {
  std::vector<std::byte> d(wire::kIpv4HeaderLen + tcp.size());
  write_datagram(d, src, dst, tcp);
  return d;
}

// Adds `delta` to the sequence number of the segment in `dgram` (a 20-byte IPv4 header,
// then TCP) and updates the TCP checksum incrementally (RFC 1624 eqn. 3:
// HC' = ~(~HC + ~m + m')), so that a timed loop can send fresh data without re-emitting.
inline void advance_seq(MutBytes dgram, uint32_t delta) {
  std::byte* tcp = dgram.data() + wire::kIpv4HeaderLen;
  const uint32_t old_seq = load_be32(tcp + 4);
  const uint32_t new_seq = old_seq + delta;
  store_be32(tcp + 4, new_seq);
  uint32_t sum = static_cast<uint16_t>(~load_be16(tcp + 16));
  sum += static_cast<uint16_t>(~(old_seq >> 16)) + static_cast<uint16_t>(~old_seq);
  sum += (new_seq >> 16) + (new_seq & 0xffff);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  store_be16(tcp + 16, static_cast<uint16_t>(~sum));
}

// Takes (and drops) everything the stack has queued; returns the count.
inline size_t drain(stack::Stack& s, TimePoint now) {
  size_t n = 0;
  while (s.poll_transmit(now)) ++n;
  return n;
}

// Hands every datagram `from` has queued to `to`. The span poll_transmit() returns stays
// valid until `from` builds its next datagram, and to.receive() only builds in `to`.
inline size_t move_all(stack::Stack& from, stack::Stack& to, TimePoint now) {
  size_t n = 0;
  while (auto p = from.poll_transmit(now)) {
    to.receive(now, *p);
    ++n;
  }
  return n;
}

// Moves datagrams both ways until both stacks are quiet (tests/unit/two_stacks.hpp).
inline void pump(stack::Stack& a, stack::Stack& b, TimePoint now) {
  while (move_all(a, b, now) + move_all(b, a, now) > 0) {
  }
}

// What a driver loop does when the next deadline has come.
inline void run_timers(stack::Stack& s, TimePoint now) {
  if (auto d = s.next_deadline(); d && *d <= now) s.on_timer(now);
}

inline constexpr uint32_t kPeerIsn = 1000;
inline constexpr uint32_t kPeerTsVal = 7000;
inline constexpr uint16_t kServerPort = 80;
inline const Ipv4Addr kServerAddr(192, 168, 0, 1);
inline const Ipv4Addr kClientAddr(192, 168, 0, 2);

// The peer of connection i of open_connections(): 10.0.0.0 + i / 50000, port 10000 + i % 50000.
inline Endpoint scripted_peer(size_t i) {
  return Endpoint{Ipv4Addr(0x0A000000u + static_cast<uint32_t>(i / 50000)),
                  static_cast<uint16_t>(10000 + i % 50000)};
}

// A SYN as Linux sends it: mss 1460, sackOK, TS val kPeerTsVal ecr 0, nop, wscale 7.
inline wire::TcpRepr linux_syn(uint16_t sport, uint16_t dport, uint32_t isn) {
  wire::TcpRepr syn;
  syn.src_port = sport;
  syn.dst_port = dport;
  syn.seq = SeqNum(isn);
  syn.flags = wire::tcp_flags::SYN;
  syn.window = 64240;
  syn.options.mss = 1460;
  syn.options.sack_permitted = true;
  syn.options.timestamp = wire::TcpTimestamp{kPeerTsVal, 0};
  syn.options.wscale = 7;
  return syn;
}

// The segment the scripted peer of connection `c` sends next: seq = the stack's rcv_nxt,
// ack = its snd_nxt, the window it holds, and a timestamp when negotiated.
inline std::vector<std::byte> peer_segment(const tcp::Connection& c, uint8_t flags,
                                           Bytes payload = {}) {
  wire::TcpRepr r;
  r.src_port = c.tuple().remote.port;
  r.dst_port = c.tuple().local.port;
  r.seq = c.rcv_nxt();
  r.ack = c.snd_nxt();
  r.flags = flags;
  r.window = static_cast<uint16_t>(c.snd_wnd() >> c.snd_wscale());
  if (c.ts_ok()) r.options.timestamp = wire::TcpTimestamp{c.ts_recent(), 1};
  r.payload = payload;
  return make_datagram(c.tuple().remote.addr, c.tuple().local.addr, r);
}

// Opens n connections to `listener` (bound to kServerAddr:kServerPort) from a scripted
// peer, one handshake at a time (SYN, the stack's SYN-ACK, ACK), from distinct 4-tuples
// (scripted_peer(i)), and accepts them. Cheaper than a second Stack: no port allocation,
// no second copy of every connection. Returns the accepted sockets, socks[i] for peer i.
inline std::vector<stack::SocketId> open_connections(stack::Stack& s, stack::SocketId listener,
                                                     size_t n, TimePoint now) {
  using namespace wire::tcp_flags;
  std::vector<stack::SocketId> socks;
  socks.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Endpoint peer = scripted_peer(i);
    s.receive(now,
              make_datagram(peer.addr, kServerAddr, linux_syn(peer.port, kServerPort, kPeerIsn)));
    auto p = s.poll_transmit(now);
    require(p.has_value(), "open_connections: no SYN-ACK");
    auto ip = wire::Ipv4View::parse(*p);
    require(ip.has_value(), "open_connections: bad SYN-ACK datagram");
    auto synack = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst());
    require(synack.has_value() && synack->flags() == (SYN | ACK) &&
                synack->options().timestamp.has_value(),
            "open_connections: not a SYN-ACK with timestamps");
    wire::TcpRepr ack;
    ack.src_port = peer.port;
    ack.dst_port = kServerPort;
    ack.seq = SeqNum(kPeerIsn + 1);
    ack.ack = synack->seq() + 1;
    ack.flags = ACK;
    ack.window = 502;  // 64256 >> 7
    ack.options.timestamp = wire::TcpTimestamp{kPeerTsVal, synack->options().timestamp->val};
    s.receive(now, make_datagram(peer.addr, kServerAddr, ack));
    drain(s, now);
    // Accept often enough that the accept queue (backlog) never overflows.
    if ((i + 1) % 1000 == 0 || i + 1 == n) {
      Endpoint from;
      while (auto a = s.accept(now, listener, &from)) {
        require(from == scripted_peer(socks.size()), "open_connections: accept order");
        socks.push_back(*a);
      }
    }
  }
  require(socks.size() == n, "open_connections: " + std::to_string(socks.size()) + " of " +
                                 std::to_string(n) + " accepted");
  return socks;
}

// A listening socket on kServerAddr:kServerPort.
inline stack::SocketId listen_on(stack::Stack& s, int backlog = 4096) {
  auto l = s.socket();
  require(l.has_value(), "socket()");
  require(s.bind(*l, Endpoint{kServerAddr, kServerPort}).has_value(), "bind()");
  require(s.listen(*l, backlog).has_value(), "listen()");
  return *l;
}

}  // namespace ustcp::bench
