// tcp/recv_queue: the out-of-order queue holding 1, 1K and 64K ranges (each a hole apart,
// as after heavy loss): the per-segment cost of the cases a receiver meets, the SACK
// blocks every ACK carries, and one in-order segment absorbing every range.
//
// Segments are small (1 to 8 bytes) so that the figures are the queue's bookkeeping, not
// memcpy. The sequence space starts just below 2^32, so every run crosses the wrap.
#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <vector>

#include "bench_util.hpp"
#include "ustcp/tcp/recv_queue.hpp"

namespace ustcp::bench {
namespace {

constexpr uint32_t kIsn = 0xFFFFF000u;
constexpr uint32_t kSpan = 1u << 24;    // the window wide layouts spread their ranges over
constexpr uint32_t kLimit = 2 * kSpan;  // the receive buffer
constexpr uint32_t kRangeLen = 8;       // bytes of each range when it is built
constexpr uint32_t kPeriodDense = 16;   // 8-byte ranges behind 8-byte holes
constexpr uint32_t kReadEvery = 1024;   // iterations between reads of the in-order bytes

// The bytes of any segment: the queue copies them, their values do not matter.
const std::vector<std::byte>& payload() {
  static const std::vector<std::byte> bytes = filler(1 << 18);
  return bytes;
}

// A receiver whose queue holds n ranges of `len` bytes, one every `period` bytes, each
// behind a hole: range i is [base + period * (i + 1) - len, base + period * (i + 1)).
struct Holes {
  Holes(uint32_t n_, uint32_t period_, uint32_t len_ = kRangeLen)
      : n(n_), period(period_), len(len_), q(kLimit) {
    build();
  }
  SeqNum range_start(uint64_t i) const {
    return base + static_cast<uint32_t>(period * (i + 1) - len);
  }
  // Puts `bytes` bytes at seq the way Connection does: rcv_nxt moves by what became readable.
  tcp::RecvQueue::Insert put(SeqNum seq, uint32_t bytes) {
    tcp::RecvQueue::Insert r = q.insert(nxt, seq, Bytes(payload().data(), bytes), q.space());
    nxt += r.advanced;
    return r;
  }
  // Empties the queue and lays out the n ranges again, from the current rcv_nxt.
  void build() {
    q.clear();
    base = nxt;
    ends.assign(n, SeqNum());
    for (uint32_t i = 0; i < n; ++i) {
      require(put(range_start(i), len).out_of_order, "building: a range was not held");
      ends[i] = range_start(i) + len;
    }
    next = n;
  }
  // Makes sure range j can grow by `bytes` with a hole of at least one byte left above it,
  // inside the buffer: else the layout is built again, with the clock paused.
  void make_room(benchmark::State& state, uint32_t j, uint32_t bytes) {
    const SeqNum limit = j + 1 < n ? range_start(j + 1) - 1 : nxt + kLimit;
    if (!(ends[j] + bytes).after(limit)) return;
    state.PauseTiming();
    build();
    state.ResumeTiming();
  }
  // A segment of `bytes` right after range j, which it extends.
  void grow(benchmark::State& state, uint32_t j, uint32_t bytes) {
    make_room(state, j, bytes);
    put(ends[j], bytes);
    ends[j] += bytes;
  }
  // The first SACK block must be range j, the one changed last.
  void require_first_block(uint32_t j, const char* what) const {
    std::array<wire::SackBlock, 4> b{};
    require(q.sack_blocks(b.data(), 4) > 0 && b[0].left == range_start(j) && b[0].right == ends[j],
            what);
  }

  uint32_t n, period, len;
  tcp::RecvQueue q;
  SeqNum nxt{kIsn}, base{kIsn};
  std::vector<SeqNum> ends;  // where range i ends now
  uint64_t next = 0;         // index of the next range to add past the last one
};

uint32_t wide_period(uint32_t n) { return std::max<uint32_t>(kPeriodDense, kSpan / n); }

// The common case under loss: the next segment after the highest range extends it (data
// keeps arriving beyond the first hole). 8 bytes per segment; the layout is rebuilt, with
// the clock paused, when the window is used up.
void BM_RecvQueueAppend(benchmark::State& state) {
  Holes h(static_cast<uint32_t>(state.range(0)), kPeriodDense);
  for (auto _ : state) {
    h.grow(state, h.n - 1, kRangeLen);
  }
  h.require_first_block(h.n - 1, "the appended range is not the first SACK block");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecvQueueAppend)->ArgName("ranges")->Arg(1)->Arg(1024)->Arg(65535);

// A segment lands in a random hole, right after the range below it, and extends that range
// (a retransmission filling part of a hole): the queue keeps n ranges. 1 byte per segment,
// so that holes last; when one would close, the layout is rebuilt with the clock paused.
void BM_RecvQueueExtend(benchmark::State& state) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  Holes h(n, wide_period(n));
  Rng rng(11);
  uint32_t j = 0;
  for (auto _ : state) {
    j = static_cast<uint32_t>(rng.below(n));
    h.grow(state, j, 1);
  }
  h.require_first_block(j, "the extended range is not the first SACK block");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecvQueueExtend)->ArgName("ranges")->Arg(1)->Arg(1024)->Arg(65535);

// Two segments into a random hole: the first starts a new range one byte past the range
// below, the second fills that byte and merges the two. The queue keeps n ranges; items =
// segments (2 per iteration).
void BM_RecvQueueNewAndMerge(benchmark::State& state) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  Holes h(n, wide_period(n));
  Rng rng(13);
  uint32_t j = 0;
  bool new_range = true;
  for (auto _ : state) {
    j = static_cast<uint32_t>(rng.below(n));
    h.make_room(state, j, 2);
    new_range &= h.put(h.ends[j] + 1, 1).out_of_order;
    h.put(h.ends[j], 1);
    h.ends[j] += 2;
  }
  require(new_range, "a segment past a range was not held");
  h.require_first_block(j, "the merged range is not the first SACK block");
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_RecvQueueNewAndMerge)->ArgName("ranges")->Arg(1)->Arg(1024)->Arg(65535);

// Recovery in steady state: an in-order segment fills the first hole and absorbs the first
// range, and a segment past the last range starts a new one, so that n ranges stay. Items =
// segments (2 per iteration). The in-order bytes are read every kReadEvery iterations with
// the clock paused.
void BM_RecvQueueInOrderFill(benchmark::State& state) {
  Holes h(static_cast<uint32_t>(state.range(0)), kPeriodDense);
  std::vector<std::byte> sink(kReadEvery * kPeriodDense);
  uint64_t absorbed = 0, k = 0;
  for (auto _ : state) {
    if (++k % kReadEvery == 0) {
      state.PauseTiming();
      while (h.q.read(sink, false) > 0) {
      }
      state.ResumeTiming();
    }
    absorbed += h.put(h.nxt, kPeriodDense - kRangeLen).advanced == kPeriodDense;
    h.put(h.range_start(h.next++), kRangeLen);
  }
  require(absorbed == k, "an in-order segment did not absorb the range after its hole");
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_RecvQueueInOrderFill)->ArgName("ranges")->Arg(1)->Arg(1024)->Arg(65535);

// One in-order segment covering n holes: n 1-byte ranges behind 1-byte holes are absorbed
// at once (2n bytes become readable); one more range, past the segment, stays, so that the
// ranges are split off, not dropped with the whole queue. One iteration absorbs
// max(1, 4096 / n) queues, so that pausing the clock to rebuild them costs little beside
// what is measured; items = queues, per_range = time per absorbed range.
void BM_RecvQueueAbsorb(benchmark::State& state) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  std::vector<std::unique_ptr<Holes>> queues(std::max<uint32_t>(1, 4096 / n));
  for (auto& h : queues) h = std::make_unique<Holes>(n + 1, 2, 1);
  std::vector<std::byte> sink(2 * n);
  bool all = true;
  for (auto _ : state) {
    for (auto& h : queues) all &= h->put(h->nxt, 2 * n).advanced == 2 * n;
    state.PauseTiming();
    for (auto& h : queues) {
      all &= h->q.read(sink, false) == 2 * n && h->q.has_out_of_order();
      h->build();
    }
    state.ResumeTiming();
  }
  require(all, "the in-order segment did not absorb exactly the ranges it reached");
  const auto absorbed = static_cast<int64_t>(state.iterations() * queues.size());
  state.SetItemsProcessed(absorbed);
  state.counters["per_range"] = benchmark::Counter(
      static_cast<double>(absorbed) * n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
// Rebuilding 65,535 ranges takes far longer than absorbing them: a fixed count of iterations.
BENCHMARK(BM_RecvQueueAbsorb)->ArgName("ranges")->Arg(1)->Arg(1024);
BENCHMARK(BM_RecvQueueAbsorb)->ArgName("ranges")->Arg(65535)->Iterations(20);

// The SACK blocks of one ACK (3 beside a timestamp option), with n ranges held.
void BM_RecvQueueSackBlocks(benchmark::State& state) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  Holes h(n, kPeriodDense);
  std::array<wire::SackBlock, 4> out{};
  int got = 0;
  for (auto _ : state) {
    got = h.q.sack_blocks(out.data(), 3);
    benchmark::DoNotOptimize(out);
  }
  require(got == static_cast<int>(std::min<uint32_t>(n, 3)) && out[0].left == h.range_start(n - 1),
          "SACK blocks: not the most recent ranges");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecvQueueSackBlocks)->ArgName("ranges")->Arg(1)->Arg(1024)->Arg(65535);

// For comparison, the path nearly every segment takes: a 1448-byte in-order segment with
// nothing held out of order, and the application reading it.
void BM_RecvQueueInOrder(benchmark::State& state) {
  Holes h(0, kPeriodDense);
  std::vector<std::byte> sink(1448);
  bool ok = true;
  for (auto _ : state) {
    ok &= h.put(h.nxt, 1448).advanced == 1448;
    ok &= h.q.read(sink, false) == 1448;
  }
  require(ok, "in-order segments were not readable");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecvQueueInOrder);

}  // namespace
}  // namespace ustcp::bench
