// The ready list (stack/readiness.hpp): the cost of one event (a 64-byte segment arrives on
// one connection, the application learns which socket is ready and reads it) with 1, 1K and
// 100K other connections watched and idle. With take_ready() the cost stays flat; the
// poll-everything loop the apps used before (poll() on each socket per round) grows with N.
#include <benchmark/benchmark.h>

#include <array>
#include <memory>

#include "bench_util.hpp"

namespace ustcp::bench {
namespace {

using namespace wire::tcp_flags;

// n idle connections plus the active one, every one watched (edge-triggered, data = its
// index), opened by a scripted peer.
struct ReadyWorld {
  explicit ReadyWorld(size_t idle) : stack(kServerAddr) {
    listener = listen_on(stack);
    socks = open_connections(stack, listener, idle + 1, now);
    for (size_t i = 0; i < socks.size(); ++i) {
      require(stack.watch(socks[i], stack::events::IN | stack::events::ET, i).has_value(),
              "watch()");
    }
    std::array<stack::Ready, 64> ev;
    while (stack.take_ready(ev) > 0) {
    }
  }
  stack::Stack stack;
  TimePoint now = at(1s);
  stack::SocketId listener;
  std::vector<stack::SocketId> socks;
};

ReadyWorld& world(size_t idle) {
  static std::unique_ptr<ReadyWorld> w;
  if (!w || w->socks.size() != idle + 1) {
    w.reset();
    w = std::make_unique<ReadyWorld>(idle);
  }
  return *w;
}

// One event: the segment in, the ready socket found, its 64 bytes read, the ACK taken.
template <typename FindReady>
void one_event_loop(benchmark::State& state, FindReady&& find_ready) {
  const size_t idle = static_cast<size_t>(state.range(0));
  ReadyWorld& w = world(idle);
  const size_t active = idle / 2;  // among the others, not first or last
  std::vector<std::byte> seg =
      peer_segment(*w.stack.connection(w.socks[active]), ACK | PSH, filler(64));
  std::array<std::byte, 256> buf;
  uint64_t read = 0, found = 0;
  for (auto _ : state) {
    w.stack.receive(w.now, seg);
    find_ready(w, [&](size_t i) {
      ++found;
      auto r = w.stack.recv(w.now, w.socks[i], buf);
      read += r ? *r : 0;
    });
    drain(w.stack, w.now);
    advance_seq(seg, 64);
  }
  const uint64_t iters = static_cast<uint64_t>(state.iterations());
  require(found == iters, "not exactly one ready socket per event");
  require(read == 64 * iters, "not every byte was read");
  state.SetItemsProcessed(state.iterations());
}

void BM_ReadyListEvent(benchmark::State& state) {
  one_event_loop(state, [](ReadyWorld& w, auto&& handle) {
    std::array<stack::Ready, 16> ev;
    const size_t n = w.stack.take_ready(ev);
    for (size_t k = 0; k < n; ++k) handle(static_cast<size_t>(ev[k].data));
  });
}

// The loop apps ran before the ready list: poll() every socket on each event.
void BM_PollEverySocketEvent(benchmark::State& state) {
  one_event_loop(state, [](ReadyWorld& w, auto&& handle) {
    for (size_t i = 0; i < w.socks.size(); ++i) {
      if (w.stack.poll(w.socks[i]) & stack::events::IN) handle(i);
    }
  });
}

[[maybe_unused]] const bool registered = [] {
  for (int64_t n : {int64_t{1}, int64_t{1000}, int64_t{100000}}) {
    benchmark::RegisterBenchmark("BM_ReadyListEvent", BM_ReadyListEvent)->ArgName("idle")->Arg(n);
    benchmark::RegisterBenchmark("BM_PollEverySocketEvent", BM_PollEverySocketEvent)
        ->ArgName("idle")
        ->Arg(n);
  }
  return true;
}();

}  // namespace
}  // namespace ustcp::bench
