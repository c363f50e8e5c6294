// base/timer_wheel: insert, cancel, re-arm and expire with 1K and 1M timers armed.
//
// The armed timers have deadlines spread uniformly over [1 ms, 120 s] ahead (RTOs,
// delayed ACKs, TIME_WAIT, FIN_WAIT_2 and keepalive of many connections), so they occupy
// several levels of the wheel.
#include <benchmark/benchmark.h>

#include <memory>
#include <numeric>

#include "bench_util.hpp"
#include "ustcp/base/timer_wheel.hpp"

namespace ustcp::bench {
namespace {

constexpr size_t kDelays = 1 << 16;  // a table of random delays, cheaper than an RNG call

struct Wheel {
  explicit Wheel(size_t n) : wheel(std::make_unique<TimerWheel>(now)), nodes(n) {
    Rng rng(7);
    delays.resize(kDelays);
    for (auto& d : delays) d = std::chrono::microseconds(1000 + rng.below(120'000'000 - 1000));
    for (size_t i = 0; i < n; ++i) {
      nodes[i].owner = static_cast<uint32_t>(i);
      wheel->schedule(nodes[i], now + delays[i % kDelays]);
    }
    // Nodes visited in random order, as ACKs of many connections arrive.
    order.resize(n);
    std::iota(order.begin(), order.end(), uint32_t{0});
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    require(wheel->size() == n, "wheel holds " + std::to_string(wheel->size()) + " timers");
  }
  Duration delay(size_t i) const { return delays[i & (kDelays - 1)]; }

  TimePoint now = at(1s);
  std::unique_ptr<TimerWheel> wheel;
  std::vector<TimerNode> nodes;  // never resized: the wheel links them in place
  std::vector<uint32_t> order;
  std::vector<Duration> delays;
};

// schedule() of a node that is not armed, into a wheel holding n timers. The extra nodes
// are cancelled in batches with the clock paused.
void BM_TimerInsert(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Wheel w(n);
  std::vector<TimerNode> extra(4096);
  size_t i = 0;
  for (auto _ : state) {
    if (i == extra.size()) {
      state.PauseTiming();
      for (auto& e : extra) w.wheel->cancel(e);
      i = 0;
      state.ResumeTiming();
    }
    w.wheel->schedule(extra[i], w.now + w.delay(i * 7919));
    ++i;
  }
  require(w.wheel->size() == n + i && extra[i - 1].linked(), "inserted timers are not armed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerInsert)->ArgName("timers")->Arg(1 << 10)->Arg(1 << 20);

// cancel() of an armed node (random order); cancelled nodes are re-armed in batches with
// the clock paused.
void BM_TimerCancel(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Wheel w(n);
  const size_t batch = std::min<size_t>(n / 2, 4096);
  size_t i = 0, done = 0;
  for (auto _ : state) {
    if (i == batch) {
      state.PauseTiming();
      for (size_t k = done - batch; k < done; ++k) {
        w.wheel->schedule(w.nodes[w.order[k % n]], w.now + w.delay(k));
      }
      i = 0;
      state.ResumeTiming();
    }
    w.wheel->cancel(w.nodes[w.order[done % n]]);
    ++i;
    ++done;
  }
  require(w.wheel->size() == n - i && !w.nodes[w.order[(done - 1) % n]].linked(),
          "cancelled timers are still armed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerCancel)->ArgName("timers")->Arg(1 << 10)->Arg(1 << 20);

// schedule() of an armed node to a new deadline (what every ACK does to the RTO timer):
// unlink from its slot, file into another.
void BM_TimerRearm(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Wheel w(n);
  size_t i = 0;
  for (auto _ : state) {
    w.wheel->schedule(w.nodes[w.order[i % n]], w.now + w.delay(i + 12345));
    ++i;
  }
  require(w.wheel->size() == n, "re-arming changed the number of armed timers");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerRearm)->ArgName("timers")->Arg(1 << 10)->Arg(1 << 20);

// Time moves to the wheel's next deadline, expire() hands out every due timer, and each is
// re-armed 1 ms .. 120 s ahead so that n stay armed (cascades included). One iteration is
// one move of the clock to the next expiry; "per_timer" is the time per expired timer,
// re-arm included.
void BM_TimerExpire(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Wheel w(n);
  int64_t expired = 0;
  bool early = false;
  size_t k = 0;
  for (auto _ : state) {
    // next_deadline() is exact for near timers and a lower bound for far ones (reaching it
    // may only cascade): step until something fires.
    for (int64_t fired = 0; fired == 0;) {
      auto next = w.wheel->next_deadline();
      if (next && *next > w.now) w.now = *next;
      const int64_t now_tick =
          std::chrono::floor<std::chrono::milliseconds>(w.now.time_since_epoch()).count();
      while (TimerNode* node = w.wheel->expire(w.now)) {
        early |= node->expires_tick > now_tick;
        w.wheel->schedule(*node, w.now + w.delay(++k));
        ++fired;
      }
      expired += fired;
    }
  }
  require(!early, "a timer fired before its deadline");
  require(expired > 0, "no timer expired");
  require(w.wheel->size() == n, "expire + re-arm changed the number of armed timers");
  state.SetItemsProcessed(expired);
  state.counters["per_timer"] = benchmark::Counter(
      static_cast<double>(expired), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_TimerExpire)->ArgName("timers")->Arg(1 << 10)->Arg(1 << 20);

}  // namespace
}  // namespace ustcp::bench
