// Counts heap allocations so that the stack benchmarks can report allocations per
// operation (the "allocs/op" counter): the global operator new is replaced for the whole
// micro_bench program. The array, nothrow and sized forms of new and delete fall back to
// these two by the standard's default definitions. Benchmarks run on one thread, so a
// plain counter is enough.
#include <cstdlib>
#include <new>

#include "bench_util.hpp"

namespace {
uint64_t g_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace ustcp::bench {

uint64_t allocations() { return g_allocations; }

}  // namespace ustcp::bench
