// tcp/ segment processing in ESTABLISHED, through the Stack's driver and socket calls:
// a 64-byte request/response round trip between two Stacks, and 64 KB bulk transfers.
#include <benchmark/benchmark.h>

#include <array>
#include <cerrno>

#include "bench_util.hpp"

namespace ustcp::bench {
namespace {

using namespace wire::tcp_flags;

constexpr size_t kBulk = 64 * 1024;

// A client Stack and a server Stack wired back to back (tests/unit/two_stacks.hpp), with
// one ESTABLISHED connection between them.
struct Pair {
  Pair() : a(kClientAddr), b(kServerAddr) {
    const stack::SocketId listener = listen_on(b);
    client = *a.socket();
    auto r = a.connect(now, client, Endpoint{kServerAddr, kServerPort});
    require(!r && r.error() == EINPROGRESS, "connect() should be in progress");
    pump(a, b, now);
    auto s = b.accept(now, listener);
    require(s.has_value(), "accept()");
    server = *s;
    require(a.connection(client)->state() == tcp::State::Established &&
                b.connection(server)->state() == tcp::State::Established,
            "the pair is not ESTABLISHED");
  }
  // The driver's clock moves on; timers that have come run.
  void tick(Duration d) {
    now += d;
    run_timers(a, now);
    run_timers(b, now);
  }
  // Reads everything readable on `s`; returns the bytes.
  static size_t read_all(stack::Stack& st, stack::SocketId s, TimePoint now, MutBytes buf) {
    size_t got = 0;
    for (;;) {
      auto r = st.recv(now, s, buf);
      if (!r || *r == 0) return got;
      got += *r;
    }
  }

  stack::Stack a, b;
  stack::SocketId client, server;
  TimePoint now = at(1s);
};

// One iteration: the client sends 64 bytes, the server reads them and answers 64 bytes,
// the client reads the answer: Stack::send, ::receive, ::recv and ::poll_transmit on both
// sides, with 10 us of clock per round trip (delayed ACKs then fire every 4000 round trips).
void BM_RoundTrip64(benchmark::State& state) {
  Pair p;
  const auto request = filler(64, 1), response = filler(64, 2);
  std::array<std::byte, 4096> buf;
  const uint64_t allocs = allocations();
  uint64_t at_server = 0, at_client = 0;
  for (auto _ : state) {
    p.tick(10us);
    auto s1 = p.a.send(p.now, p.client, request);
    move_all(p.a, p.b, p.now);
    at_server += Pair::read_all(p.b, p.server, p.now, buf);
    auto s2 = p.b.send(p.now, p.server, response);
    move_all(p.b, p.a, p.now);
    at_client += Pair::read_all(p.a, p.client, p.now, buf);
    move_all(p.a, p.b, p.now);  // a quick ACK, if the client sent one
    benchmark::DoNotOptimize(s1);
    benchmark::DoNotOptimize(s2);
  }
  report_allocations(state, allocs);
  const uint64_t expect = 64 * static_cast<uint64_t>(state.iterations());
  require(at_server == expect && at_client == expect,
          "not every request and response arrived (" + std::to_string(at_server) + ", " +
              std::to_string(at_client) + " of " + std::to_string(expect) + ")");
  require(p.a.counters().RetransSegs == 0 && p.b.counters().RetransSegs == 0,
          "retransmissions on a lossless link");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RoundTrip64);

// One iteration: 64 KB from client to server through both Stacks: send() as the send
// buffer allows, segments to the server, recv() there, ACKs back, until the server has
// read all 64 KB (5 us of clock per exchange).
void BM_Bulk64KPair(benchmark::State& state) {
  Pair p;
  const auto data = filler(kBulk);
  std::vector<std::byte> buf(kBulk);
  const uint64_t allocs = allocations();
  uint64_t total = 0;
  int64_t rounds = 0;
  for (auto _ : state) {
    size_t sent = 0, got = 0;
    while (got < kBulk) {
      if (sent < kBulk) {
        auto r = p.a.send(p.now, p.client, Bytes(data).subspan(sent));
        if (r) sent += *r;
      }
      move_all(p.a, p.b, p.now);
      got += Pair::read_all(p.b, p.server, p.now, buf);
      move_all(p.b, p.a, p.now);
      p.tick(5us);
      ++rounds;
    }
    total += got;
  }
  report_allocations(state, allocs);
  require(total == kBulk * static_cast<uint64_t>(state.iterations()), "bytes lost or invented");
  require(p.a.counters().RetransSegs == 0, "retransmissions on a lossless link");
  state.counters["exchanges/op"] =
      benchmark::Counter(static_cast<double>(rounds), benchmark::Counter::kAvgIterations);
  state.SetBytesProcessed(static_cast<int64_t>(total));
}
BENCHMARK(BM_Bulk64KPair);

// The receiving Stack alone: 64 KB as 45 segments of 1448 bytes and one of 376 (PSH) from
// a scripted peer with timestamps, each received, recv()'d by the application, and the
// ACKs taken. The datagrams are built once and their sequence numbers advanced by 64 KB
// per iteration.
void BM_Bulk64KReceive(benchmark::State& state) {
  stack::Stack b(kServerAddr);
  const stack::SocketId listener = listen_on(b);
  const TimePoint now = at(1s);
  const stack::SocketId sock = open_connections(b, listener, 1, now)[0];
  const tcp::Connection& c = *b.connection(sock);
  require(c.mss() == 1448, "MSS with timestamps should be 1448");

  const auto data = filler(kBulk);
  std::vector<std::vector<std::byte>> segs;
  for (size_t off = 0; off < kBulk; off += 1448) {
    const size_t len = std::min<size_t>(1448, kBulk - off);
    const uint8_t flags = off + len == kBulk ? (ACK | PSH) : ACK;
    segs.push_back(peer_segment(c, flags, Bytes(data).subspan(off, len)));
    advance_seq(segs.back(), static_cast<uint32_t>(off));
  }
  const SeqNum rcv_nxt0 = c.rcv_nxt();
  std::vector<std::byte> buf(kBulk);
  const tcp::Counters before = b.counters();
  const uint64_t allocs = allocations();
  uint64_t total = 0;
  for (auto _ : state) {
    for (auto& s : segs) {
      b.receive(now, s);
      total += Pair::read_all(b, sock, now, buf);
      drain(b, now);
      advance_seq(s, kBulk);
    }
  }
  report_allocations(state, allocs);
  const tcp::Counters after = b.counters();
  const uint64_t expect = kBulk * static_cast<uint64_t>(state.iterations());
  require(total == expect, "read " + std::to_string(total) + " of " + std::to_string(expect));
  require(c.rcv_nxt().since(rcv_nxt0).raw() == static_cast<uint32_t>(expect),
          "rcv_nxt did not advance by the bytes sent");
  require(after.TCPRcvQDrop == before.TCPRcvQDrop && after.TCPOFOQueue == before.TCPOFOQueue &&
              after.InCsumErrors == before.InCsumErrors,
          "segments dropped, out of order or corrupt");
  state.counters["segs/op"] = benchmark::Counter(static_cast<double>(segs.size()));
  state.SetBytesProcessed(static_cast<int64_t>(expect));
}
BENCHMARK(BM_Bulk64KReceive);

}  // namespace
}  // namespace ustcp::bench
