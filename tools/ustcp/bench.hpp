// `ustcp bench`: ustcp against the Linux kernel, same workload, same run. Shared by
// bench_command.cpp (options, order, table, JSON), bench_ustcp.cpp (the workloads on two
// Stacks in this process), bench_kernel.cpp (the same on the kernel's loopback) and
// bench_memory.cpp (heap, RSS, Slab, sockstat and memcpy readings).
//
// Benchmarks measure; they do not pass or fail on time. A side whose work was not done
// completely (a byte missing, a connection not made) reports an error instead of a figure.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/base/time.hpp"

namespace ustcp::cli::bench {

// The sizes of one run: the defaults (about 35 s on 2 cores; the issue allows 3 minutes) or
// --quick (about 7 s; 20 s allowed).
struct Params {
  bool quick = false;
  uint64_t crr_connections = 100'000;
  Duration crr_time_limit = std::chrono::seconds(60);  // bound on the kernel's loop
  Duration rr_duration = std::chrono::seconds(3);      // per side
  uint64_t bulk_bytes = uint64_t{4} << 30;
  size_t bulk_chunk = 256 * 1024;  // bytes per send()/recv() call and per memcpy
  Duration bulk_time_limit = std::chrono::seconds(60);
  uint64_t memory_connections = 100'000;  // idle-memory and timewait-memory
  uint64_t million_connections = 1'000'000;
  uint64_t million_crr_connections = 50'000;  // per round of crr, with none and with all open
  uint64_t million_crr_rounds = 5;            // measured rounds of each (after the warm-up)
  uint64_t synflood_syns = 4'000'000;
  uint32_t synflood_legit_every = 1024;  // one legitimate connect per this many spoofed SYNs
  Duration synflood_time_limit = std::chrono::seconds(10);
};

Params params(bool quick);

// One side's result of one workload: a figure, or why there is none.
struct Figure {
  std::optional<double> value;
  std::string error;  // the work was not done completely: a failure, not a figure
  std::string na;     // this side cannot run here (not a failure), e.g. the fd limit
  std::string setup;  // how it ran (threads, sockets, link)
  std::vector<std::string> notes;
  nlohmann::json extra = nlohmann::json::object();  // further figures, for --json

  static Figure failed(std::string why) {
    Figure f;
    f.error = std::move(why);
    return f;
  }
  static Figure unavailable(std::string why) {
    Figure f;
    f.na = std::move(why);
    return f;
  }
};

// idle-memory and timewait-memory come from the same connections on each side.
struct MemoryFigures {
  Figure idle;       // bytes per ESTABLISHED socket (one end)
  Figure time_wait;  // bytes per TIME_WAIT entry
};

// ---- bench_ustcp.cpp: two Stacks in this process, one thread, in-memory link ----
Figure ustcp_crr(const Params& p);
Figure ustcp_rr(const Params& p);
Figure ustcp_bulk(const Params& p);
MemoryFigures ustcp_memory(const Params& p);
Figure ustcp_million(const Params& p);
Figure ustcp_synflood(const Params& p);

// Spoofed SYNs as Linux sends them (mss 1460, sackOK, TS, wscale 7) from random sources in
// 10.0.0.0/8 (below 10.255/16) to dst, each an IPv4 datagram with its own 4-tuple and ISN.
std::vector<std::vector<std::byte>> spoofed_syns(size_t n, Endpoint dst, uint64_t seed);

// How many of `syns` spoofed SYNs from a pool of `pool` tuples must have been answered with
// a cookie by a listener whose SYN queue holds `backlog` + 1 requests: a SYN repeating the
// tuple of a queued request gets that request's SYN-ACK again instead (a retransmission).
inline uint64_t cookies_expected(uint64_t syns, uint64_t pool, int backlog) {
  const uint64_t repeats = (syns + pool - 1) / pool;
  const uint64_t not_cookies = static_cast<uint64_t>(backlog + 1) * repeats;
  return syns > not_cookies ? syns - not_cookies : 0;
}
inline constexpr size_t kSynPool = 65536;
inline constexpr int kSynBacklog = 511;

// ---- bench_kernel.cpp: the Linux kernel over loopback ----
Figure kernel_crr(const Params& p);
Figure kernel_rr(const Params& p);
Figure kernel_bulk(const Params& p);
MemoryFigures kernel_memory(const Params& p);
Figure kernel_million(const Params& p);
Figure kernel_synflood(const Params& p);

// ---- bench_memory.cpp: readings ----
// Bytes malloc has handed out and not taken back (mallinfo2: uordblks + hblkhd).
uint64_t heap_in_use();
// Resident set size of this process (/proc/self/statm).
uint64_t rss_bytes();
// The kernel's slab memory, machine-wide (/proc/meminfo Slab:); nullopt if unreadable.
std::optional<uint64_t> slab_bytes();
// The TCP line of sockstat in the calling thread's network namespace.
struct SockStat {
  int64_t inuse = 0, orphan = 0, tw = 0, alloc = 0;
};
std::optional<SockStat> sockstat();
// Raises RLIMIT_NOFILE's soft limit to the hard one; returns the limit now in force.
uint64_t raise_nofile_limit();
// memcpy of `bytes` in `chunk`-sized copies between two buffers of `buffer` bytes each
// (chunk <= buffer; copies walk through the buffers): bytes per second.
double memcpy_rate(uint64_t bytes, size_t chunk, size_t buffer);
// Gives free heap memory back to the system (between workloads, so RSS means something).
void trim_heap();

// ---- shared small things ----
using SteadyClock = std::chrono::steady_clock;
inline double seconds_since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}
// CPU time this thread has used (user + system), in seconds: the work a loop did, whatever
// share of the machine it got (other processes do not count).
double thread_cpu_seconds();
// The ustcp stacks' `now` in the timed workloads: the steady clock (a tool may read one).
inline TimePoint wall_now() {
  return TimePoint(std::chrono::duration_cast<Duration>(SteadyClock::now().time_since_epoch()));
}
// 1,234,567
std::string group_digits(uint64_t v);
// The byte the bulk payload has at stream offset `off`: both sides send the same stream
// and check one byte per received chunk (cheap, catches gaps and reordering).
inline uint8_t pattern_byte(uint64_t off) {
  return static_cast<uint8_t>((off * 131) ^ (off >> 13));
}
// The crr/rr request and response: 64 bytes each, recognisable.
inline constexpr size_t kMessage = 64;
inline constexpr uint8_t kRequestByte = 0x51;   // 'Q'
inline constexpr uint8_t kResponseByte = 0x52;  // 'R'
// Destinations of crr and memory: 127.0.0.1 .. 127.0.0.kLoopbackAddrs, like the kernel's
// lo, so the 4-tuples of 100,000 connections (and their TIME_WAIT) fit the ephemeral range.
inline constexpr int kLoopbackAddrs = 16;

}  // namespace ustcp::cli::bench
