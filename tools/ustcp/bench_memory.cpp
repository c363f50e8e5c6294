// `ustcp bench`: what memory costs here. The heap as glibc counts it (mallinfo2), the
// process's RSS, the kernel's slab memory and socket counts, the file descriptor limit,
// and memcpy's rate (the physical limit of a bulk transfer).
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "bench.hpp"

namespace ustcp::cli::bench {

uint64_t heap_in_use() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

uint64_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::optional<uint64_t> slab_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  uint64_t kb = 0;
  while (f >> key >> kb) {
    std::getline(f, unit);
    if (key == "Slab:") return kb * 1024;
  }
  return std::nullopt;
}

// TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1
std::optional<SockStat> sockstat() {
  // thread-self: the calling thread's namespace (/proc/net is the main thread's).
  std::ifstream f("/proc/thread-self/net/sockstat");
  std::string line;
  while (std::getline(f, line)) {
    if (!line.starts_with("TCP:")) continue;
    std::istringstream in(line.substr(4));
    SockStat s;
    std::string k;
    int64_t v = 0;
    while (in >> k >> v) {
      if (k == "inuse") s.inuse = v;
      if (k == "orphan") s.orphan = v;
      if (k == "tw") s.tw = v;
      if (k == "alloc") s.alloc = v;
    }
    return s;
  }
  return std::nullopt;
}

uint64_t raise_nofile_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
  if (r.rlim_cur < r.rlim_max) {
    rlimit want = r;
    want.rlim_cur = r.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) r = want;
  }
  return r.rlim_cur;
}

double memcpy_rate(uint64_t bytes, size_t chunk, size_t buffer) {
  std::unique_ptr<std::byte[]> src(new std::byte[buffer]), dst(new std::byte[buffer]);
  for (size_t i = 0; i < buffer; ++i) src[i] = std::byte(pattern_byte(i));
  std::memset(dst.get(), 0, buffer);  // touch every page before timing
  size_t off = 0;
  const auto t0 = SteadyClock::now();
  for (uint64_t done = 0; done < bytes; done += chunk) {
    if (off + chunk > buffer) off = 0;
    std::memcpy(dst.get() + off, src.get() + off, chunk);
    off += chunk;
    // Keep the compiler from eliding copies whose result nobody reads.
    asm volatile("" : : "r"(dst.get()) : "memory");
  }
  const double s = seconds_since(t0);
  return s > 0 ? static_cast<double>(bytes) / s : 0;
}

void trim_heap() { malloc_trim(0); }

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string group_digits(uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace ustcp::cli::bench
