// stack/ demultiplexing + ESTABLISHED processing: Stack::receive of a segment for one of N
// established connections (N = 1, 1K, 100K).
//
// The connections are opened once per N by a scripted peer (open_connections in
// bench_util.hpp): a single Stack holds them, so what grows with N is only what the stack
// itself keeps. The peer's side exists only as datagrams built from the connection's state.
#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <numeric>

#include "bench_util.hpp"

namespace ustcp::bench {
namespace {

using namespace wire::tcp_flags;

struct DemuxWorld {
  explicit DemuxWorld(size_t n) : stack(kServerAddr) {
    listener = listen_on(stack);
    socks = open_connections(stack, listener, n, now);
    require(stack.connection_count() == n, "connection_count() != N");
    require(stack.curr_estab() == n, "not all N connections are ESTABLISHED");
  }
  const tcp::Connection& conn(size_t i) const { return *stack.connection(socks[i]); }

  stack::Stack stack;
  TimePoint now = at(1s);
  stack::SocketId listener;
  std::vector<stack::SocketId> socks;
};

// One world at a time (the benchmarks of one N are registered together): 100K
// connections are built once, not once per benchmark run.
DemuxWorld& world(size_t n) {
  static std::unique_ptr<DemuxWorld> w;
  if (!w || w->socks.size() != n) {
    w.reset();
    w = std::make_unique<DemuxWorld>(n);
  }
  return *w;
}

void check_established(const DemuxWorld& w, size_t i) {
  require(w.conn(i).state() == tcp::State::Established, "the connection left ESTABLISHED");
}

// A pure ACK (nothing new acknowledged, timestamps) for the same connection every time:
// IPv4 + TCP parse, demux lookup, PAWS, sequence and ACK checks; nothing is sent back.
void BM_DemuxPureAck(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  DemuxWorld& w = world(n);
  const size_t target = n / 2;
  const std::vector<std::byte> ack = peer_segment(w.conn(target), ACK);

  const tcp::Counters before = w.stack.counters();
  const uint64_t allocs = allocations();
  for (auto _ : state) {
    w.stack.receive(w.now, ack);
    benchmark::DoNotOptimize(w.stack.poll_transmit(w.now));
  }
  report_allocations(state, allocs);
  const tcp::Counters after = w.stack.counters();
  require(after.InSegs - before.InSegs == static_cast<uint64_t>(state.iterations()),
          "not every ACK reached TCP");
  require(after.OutSegs == before.OutSegs, "a pure ACK was answered");
  check_established(w, target);
  state.SetItemsProcessed(state.iterations());
}

// The same, but each iteration a different connection, in random order: the demux table
// and the connections no longer sit in cache, as with real traffic over many flows.
void BM_DemuxPureAckSpread(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  DemuxWorld& w = world(n);
  // One ACK per connection, in one flat buffer, visited in a random order.
  const size_t stride = peer_segment(w.conn(0), ACK).size();
  std::vector<std::byte> acks(n * stride);
  for (size_t i = 0; i < n; ++i) {
    auto d = peer_segment(w.conn(i), ACK);
    require(d.size() == stride, "ACKs of different sizes");
    std::copy(d.begin(), d.end(), acks.begin() + static_cast<ptrdiff_t>(i * stride));
  }
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), uint32_t{0});
  Rng rng(11);
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);

  const tcp::Counters before = w.stack.counters();
  const uint64_t allocs = allocations();
  size_t k = 0;
  for (auto _ : state) {
    w.stack.receive(w.now, Bytes(acks).subspan(order[k] * stride, stride));
    benchmark::DoNotOptimize(w.stack.poll_transmit(w.now));
    if (++k == n) k = 0;
  }
  report_allocations(state, allocs);
  const tcp::Counters after = w.stack.counters();
  require(after.InSegs - before.InSegs == static_cast<uint64_t>(state.iterations()),
          "not every ACK reached TCP");
  require(after.OutSegs == before.OutSegs, "a pure ACK was answered");
  check_established(w, order[0]);
  state.SetItemsProcessed(state.iterations());
}

// A 64-byte data segment (PSH|ACK, in order) for one connection, then what the
// application and driver do with it: recv() the 64 bytes and take the ACKs the stack
// emits (quick ACKs, then one per two segments; time stands still, so no delayed ACK).
// Each iteration the same datagram is sent with its sequence number advanced by 64 (the
// checksum patched incrementally, RFC 1624).
void BM_DemuxData64(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  DemuxWorld& w = world(n);
  const size_t target = n / 2;
  const stack::SocketId sock = w.socks[target];
  const auto payload = filler(64);
  std::vector<std::byte> seg = peer_segment(w.conn(target), ACK | PSH, payload);
  const SeqNum rcv_nxt0 = w.conn(target).rcv_nxt();
  std::array<std::byte, 256> buf;

  const tcp::Counters before = w.stack.counters();
  const uint64_t allocs = allocations();
  uint64_t read = 0;
  for (auto _ : state) {
    w.stack.receive(w.now, seg);
    auto r = w.stack.recv(w.now, sock, buf);
    read += r ? *r : 0;
    drain(w.stack, w.now);
    advance_seq(seg, 64);
  }
  report_allocations(state, allocs);
  const tcp::Counters after = w.stack.counters();
  const uint64_t expect = 64 * static_cast<uint64_t>(state.iterations());
  require(read == expect, "read " + std::to_string(read) + " bytes of " + std::to_string(expect));
  require(w.conn(target).rcv_nxt().since(rcv_nxt0).raw() == static_cast<uint32_t>(expect),
          "rcv_nxt did not advance by the bytes sent");
  require(after.InCsumErrors == before.InCsumErrors && after.OutRsts == before.OutRsts,
          "checksum errors or resets");
  check_established(w, target);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(expect));
}

// Registered N-major so that each N's connections are built once.
[[maybe_unused]] const bool registered = [] {
  for (int64_t n : {int64_t{1}, int64_t{1024}, int64_t{100000}}) {
    benchmark::RegisterBenchmark("BM_DemuxPureAck", BM_DemuxPureAck)->ArgName("conns")->Arg(n);
    benchmark::RegisterBenchmark("BM_DemuxPureAckSpread", BM_DemuxPureAckSpread)
        ->ArgName("conns")
        ->Arg(n);
    benchmark::RegisterBenchmark("BM_DemuxData64", BM_DemuxData64)->ArgName("conns")->Arg(n);
  }
  return true;
}();

}  // namespace
}  // namespace ustcp::bench
