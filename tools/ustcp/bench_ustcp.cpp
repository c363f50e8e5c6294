// `ustcp bench`, the ustcp side: every workload on two Stacks in this process, driven by
// one thread, joined by an in-memory link with no impairment (each datagram a client Stack
// emits is handed to the server Stack's receive() as it is, and back). Both Stacks own
// 127.0.0.1 .. 127.0.0.16 as the kernel's lo does, so connections are made exactly as on
// loopback (the source address is the destination's, tcp_tw_reuse = 2 applies).
//
// Timed workloads give the Stacks the steady clock as `now`; the memory workloads run in
// virtual time (nothing is timed there, and TIME_WAIT can be expired on purpose).
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "bench.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli::bench {

namespace {

using stack::SocketId;
using stack::Stack;
namespace ev = stack::events;

constexpr const char* kSetupOneThread =
    "ustcp: client and server Stacks on one thread, in-memory link (no copy, no impairment, "
    "TCP checksums offloaded as on lo)";

Ipv4Addr loopback(int i) {
  return Ipv4Addr(127, 0, 0, static_cast<uint8_t>(1 + i % kLoopbackAddrs));
}

// The in-memory link. The span poll_transmit() returns stays valid until `from` builds its
// next datagram, and to.receive() builds only in `to`: no copy is needed.
size_t move_all(Stack& from, Stack& to, TimePoint now) {
  size_t n = 0;
  while (auto d = from.poll_transmit(now)) {
    to.receive(now, *d);
    ++n;
  }
  return n;
}

void pump(Stack& a, Stack& b, TimePoint now) {
  while (move_all(a, b, now) + move_all(b, a, now) > 0) {
  }
}

void run_timers(Stack& s, TimePoint now) {
  if (auto d = s.next_deadline(); d && *d <= now) s.on_timer(now);
}

// The link's properties as lo has them: it cannot corrupt data, so TCP checksums are
// neither computed nor checked (lo offloads them: NETIF_F_HW_CSUM, CHECKSUM_PARTIAL).
tcp::Config as_loopback(tcp::Config cfg) {
  cfg.checksum_offload = true;
  return cfg;
}

struct Hosts {
  explicit Hosts(tcp::Config cfg = {})
      : client(loopback(0), as_loopback(cfg), 0x1111),
        server(loopback(0), as_loopback(cfg), 0x2222) {
    for (int i = 1; i < kLoopbackAddrs; ++i) {
      client.add_address(loopback(i));
      server.add_address(loopback(i));
    }
  }
  void pump(TimePoint now) { bench::pump(client, server, now); }
  void timers(TimePoint now) {
    run_timers(client, now);
    run_timers(server, now);
  }
  Stack client;
  Stack server;
};

std::string errno_text(int e) { return stack::errno_name(e); }

// A listener on 0.0.0.0:port with TCP_NODELAY (inherited by accepted connections, as Linux
// copies it to the child).
std::optional<SocketId> listen_on(Stack& s, uint16_t port, int backlog, std::string& error) {
  auto l = s.socket();
  if (!l) {
    error = "socket(): " + errno_text(l.error());
    return std::nullopt;
  }
  (void)s.setsockopt(TimePoint{}, *l, IPPROTO_TCP, TCP_NODELAY, 1);
  if (auto r = s.bind(*l, Endpoint{Ipv4Addr(), port}); !r) {
    error = fmt::format("bind(0.0.0.0:{}): {}", port, errno_text(r.error()));
    return std::nullopt;
  }
  if (auto r = s.listen(*l, backlog); !r) {
    error = "listen(): " + errno_text(r.error());
    return std::nullopt;
  }
  return *l;
}

// ---------------------------------------------------------------- crr

struct CrrOutcome {
  uint64_t done = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // this thread's CPU time over the same loop
  std::string error;
};

// netperf's TCP_CRR, one connection at a time: connect, a 64-byte request, a 64-byte
// response, the client closes, the server reads EOF and closes (TIME_WAIT on the client).
CrrOutcome run_crr(Hosts& h, SocketId listener, uint16_t port, uint64_t n) {
  CrrOutcome out;
  std::array<std::byte, kMessage> req, resp, buf;
  req.fill(std::byte(kRequestByte));
  resp.fill(std::byte(kResponseByte));
  Stack& c = h.client;
  Stack& s = h.server;
  auto fail = [&](uint64_t i, const std::string& what) {
    out.error = fmt::format("connection {}: {}", i + 1, what);
    return out;
  };
  const auto t0 = SteadyClock::now();
  const double cpu0 = thread_cpu_seconds();
  for (uint64_t i = 0; i < n; ++i) {
    const TimePoint now = wall_now();
    auto cs = c.socket();
    if (!cs) return fail(i, "socket(): " + errno_text(cs.error()));
    (void)c.setsockopt(now, *cs, IPPROTO_TCP, TCP_NODELAY, 1);
    if (auto r = c.connect(now, *cs, Endpoint{loopback(static_cast<int>(i)), port});
        r || r.error() != EINPROGRESS)
      return fail(i, "connect(): " + (r ? std::string("0") : errno_text(r.error())));
    h.pump(now);
    auto ss = s.accept(now, listener);
    if (!ss) return fail(i, "accept(): " + errno_text(ss.error()));
    if (!(c.poll(*cs) & ev::OUT)) return fail(i, "client not connected after the handshake");
    if (auto w = c.send(now, *cs, req); !w || *w != kMessage) return fail(i, "client send()");
    h.pump(now);
    if (auto r = s.recv(now, *ss, buf); !r || *r != kMessage || buf != req)
      return fail(i, "server did not receive the 64-byte request");
    if (auto w = s.send(now, *ss, resp); !w || *w != kMessage) return fail(i, "server send()");
    h.pump(now);
    if (auto r = c.recv(now, *cs, buf); !r || *r != kMessage || buf != resp)
      return fail(i, "client did not receive the 64-byte response");
    (void)c.close(now, *cs);
    h.pump(now);
    if (auto r = s.recv(now, *ss, buf); !r || *r != 0) return fail(i, "server saw no EOF");
    (void)s.close(now, *ss);
    h.pump(now);
    h.timers(now);
    ++out.done;
  }
  out.seconds = seconds_since(t0);
  out.cpu_seconds = thread_cpu_seconds() - cpu0;
  return out;
}

// ---------------------------------------------------------------- many connections

// Opens n connections from h.client to h.server, 1,024 handshakes at a time (the connects,
// then the datagrams cross, then every connection is accepted), `now_fn()` giving each
// batch its time. Connection i goes to dest(i). The client and accepted sockets are
// appended to cl and sv, which start empty.
template <typename Dest, typename Now>
std::string open_many(Hosts& h, const std::vector<SocketId>& listeners, uint64_t n, Dest dest,
                      Now now_fn, std::vector<SocketId>& cl, std::vector<SocketId>& sv) {
  constexpr uint64_t kBatch = 1024;
  for (uint64_t base = 0; base < n; base += kBatch) {
    const TimePoint now = now_fn();
    const uint64_t end = std::min(n, base + kBatch);
    for (uint64_t i = base; i < end; ++i) {
      auto cs = h.client.socket();
      if (!cs) return fmt::format("connection {}: socket(): {}", i + 1, errno_text(cs.error()));
      const Endpoint ep = dest(i);
      if (auto r = h.client.connect(now, *cs, ep); r || r.error() != EINPROGRESS)
        return fmt::format("connection {}: connect({}): {}", i + 1, ep.to_string(),
                           r ? std::string("0") : errno_text(r.error()));
      cl.push_back(*cs);
    }
    h.pump(now);
    for (SocketId l : listeners) {
      while (auto a = h.server.accept(now, l)) sv.push_back(*a);
    }
    if (sv.size() != end)
      return fmt::format("{} of {} connections accepted", group_digits(sv.size()),
                         group_digits(end));
    h.timers(now);
  }
  for (uint64_t i = 0; i < cl.size(); ++i) {
    if ((h.client.poll(cl[i]) & (ev::OUT | ev::ERR)) != ev::OUT)
      return fmt::format("connection {}: client end not ESTABLISHED", i + 1);
  }
  return {};
}

// Client ends close first, the server ends read EOF and close: TIME_WAIT on the client.
std::string close_all(Hosts& h, TimePoint now, std::vector<SocketId>& cl,
                      std::vector<SocketId>& sv) {
  std::array<std::byte, 16> buf;
  for (SocketId s : cl) (void)h.client.close(now, s);
  h.pump(now);
  for (uint64_t i = 0; i < sv.size(); ++i) {
    if (auto r = h.server.recv(now, sv[i], buf); !r || *r != 0)
      return fmt::format("connection {}: server saw no EOF", i + 1);
    (void)h.server.close(now, sv[i]);
  }
  h.pump(now);
  cl.clear();
  sv.clear();
  return {};
}

}  // namespace

// ---------------------------------------------------------------- synflood

std::vector<std::vector<std::byte>> spoofed_syns(size_t n, Endpoint dst, uint64_t seed) {
  std::vector<std::vector<std::byte>> pool(n);
  uint64_t x = seed;
  auto next = [&x] {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  for (auto& d : pool) {
    const uint64_t r = next();
    // 10.0.0.0 .. 10.254.255.254: never a broadcast, never the kernel side's 10.255.255.254.
    const Ipv4Addr src(0x0A000000u | static_cast<uint32_t>(r & 0x00FEFFFE));
    wire::TcpRepr syn;
    syn.src_port = static_cast<uint16_t>(1024 + (r >> 24) % 64512);
    syn.dst_port = dst.port;
    syn.seq = SeqNum(static_cast<uint32_t>(r >> 32));
    syn.flags = wire::tcp_flags::SYN;
    syn.window = 64240;
    syn.options.mss = 1460;
    syn.options.sack_permitted = true;
    syn.options.timestamp = wire::TcpTimestamp{static_cast<uint32_t>(next()), 0};
    syn.options.wscale = 7;
    d.resize(wire::kIpv4HeaderLen + syn.size());
    wire::Ipv4Repr ip;
    ip.src = src;
    ip.dst = dst.addr;
    ip.payload_len = static_cast<uint16_t>(syn.size());
    ip.emit(d);
    syn.emit(MutBytes(d).subspan(wire::kIpv4HeaderLen), src, dst.addr);
  }
  return pool;
}

// ---------------------------------------------------------------- workloads

Figure ustcp_crr(const Params& p) {
  Hosts h;
  std::string error;
  auto l = listen_on(h.server, 5001, 4096, error);
  if (!l) return Figure::failed(error);
  CrrOutcome o = run_crr(h, *l, 5001, p.crr_connections);
  if (!o.error.empty()) return Figure::failed(o.error);
  Figure f;
  f.value = static_cast<double>(o.done) / o.seconds;
  f.setup = kSetupOneThread;
  f.notes.push_back(fmt::format(
      "ustcp crr: {} connections in {:.2f} s, each one verified (64 B each way, EOF); spread "
      "over 127.0.0.1-{} as on the kernel; tcp_tw_reuse = {}; TIME_WAIT left on the client: {}",
      group_digits(o.done), o.seconds, kLoopbackAddrs, h.client.config().tcp_tw_reuse,
      group_digits(h.client.time_wait_count())));
  f.extra["connections"] = o.done;
  f.extra["seconds"] = o.seconds;
  return f;
}

Figure ustcp_rr(const Params& p) {
  Hosts h;
  std::string error;
  auto l = listen_on(h.server, 5001, 16, error);
  if (!l) return Figure::failed(error);
  TimePoint now = wall_now();
  auto cs = *h.client.socket();
  (void)h.client.setsockopt(now, cs, IPPROTO_TCP, TCP_NODELAY, 1);
  (void)h.client.connect(now, cs, Endpoint{loopback(0), 5001});
  h.pump(now);
  auto ss = h.server.accept(now, *l);
  if (!ss) return Figure::failed("accept(): " + errno_text(ss.error()));
  std::array<std::byte, kMessage> req, resp, buf;
  req.fill(std::byte(kRequestByte));
  resp.fill(std::byte(kResponseByte));
  uint64_t n = 0;
  const auto t0 = SteadyClock::now();
  const auto stop = t0 + p.rr_duration;
  for (;;) {
    if ((n & 63) == 0) {
      if (SteadyClock::now() >= stop) break;
      now = wall_now();
      h.timers(now);
    }
    if (auto w = h.client.send(now, cs, req); !w || *w != kMessage)
      return Figure::failed(fmt::format("transaction {}: client send()", n + 1));
    h.pump(now);
    if (auto r = h.server.recv(now, *ss, buf); !r || *r != kMessage || buf != req)
      return Figure::failed(fmt::format("transaction {}: server got no 64-byte request", n + 1));
    if (auto w = h.server.send(now, *ss, resp); !w || *w != kMessage)
      return Figure::failed(fmt::format("transaction {}: server send()", n + 1));
    h.pump(now);
    if (auto r = h.client.recv(now, cs, buf); !r || *r != kMessage || buf != resp)
      return Figure::failed(fmt::format("transaction {}: client got no 64-byte response", n + 1));
    ++n;
  }
  const double secs = seconds_since(t0);
  Figure f;
  f.value = static_cast<double>(n) / secs;
  f.setup = kSetupOneThread;
  f.notes.push_back(
      fmt::format("ustcp rr: {} transactions in {:.2f} s, each verified", group_digits(n), secs));
  f.extra["transactions"] = n;
  f.extra["seconds"] = secs;
  return f;
}

Figure ustcp_bulk(const Params& p) {
  // The in-memory link has lo's MTU (65536, capped at IPv4's 65535), as the kernel's
  // loopback does: the same segment sizes on both sides.
  tcp::Config cfg;
  {
    std::ifstream f("/sys/class/net/lo/mtu");
    uint32_t mtu = 0;
    if (f >> mtu && mtu >= 576) cfg.mtu = std::min<uint32_t>(mtu, 65535);
  }
  Hosts h(cfg);
  std::string error;
  auto l = listen_on(h.server, 5001, 16, error);
  if (!l) return Figure::failed(error);
  TimePoint now = wall_now();
  auto cs = *h.client.socket();
  (void)h.client.connect(now, cs, Endpoint{loopback(0), 5001});
  h.pump(now);
  auto ss = h.server.accept(now, *l);
  if (!ss) return Figure::failed("accept(): " + errno_text(ss.error()));

  const size_t chunk = p.bulk_chunk;
  std::vector<std::byte> src(2 * chunk), buf(chunk);
  for (size_t i = 0; i < src.size(); ++i) src[i] = std::byte(pattern_byte(i % chunk));
  const uint64_t total = p.bulk_bytes;
  uint64_t sent = 0, received = 0, segments_before = h.server.counters().InSegs;
  const auto t0 = SteadyClock::now();
  auto last_progress = t0;
  while (received < total) {
    now = wall_now();
    const uint64_t s0 = sent, r0 = received;
    while (sent < total) {
      const size_t len = static_cast<size_t>(std::min<uint64_t>(chunk, total - sent));
      auto w = h.client.send(now, cs, Bytes(src.data() + sent % chunk, len));
      if (!w) {
        if (w.error() == EAGAIN) break;
        return Figure::failed(fmt::format("client send(): {} after {} bytes", errno_text(w.error()),
                                          group_digits(sent)));
      }
      sent += *w;
    }
    h.pump(now);
    for (;;) {
      auto r = h.server.recv(now, *ss, buf);
      if (!r) {
        if (r.error() == EAGAIN) break;
        return Figure::failed("server recv(): " + errno_text(r.error()));
      }
      if (*r == 0) return Figure::failed("server saw EOF before the end");
      if (buf[0] != std::byte(pattern_byte(received % chunk)))
        return Figure::failed(fmt::format("wrong byte at offset {}", received));
      received += *r;
    }
    h.pump(now);
    h.timers(now);
    if (sent != s0 || received != r0) {
      last_progress = SteadyClock::now();
    } else if (SteadyClock::now() - last_progress > std::chrono::seconds(5) ||
               SteadyClock::now() - t0 > p.bulk_time_limit) {
      return Figure::failed(
          fmt::format("stalled after {} of {} bytes", group_digits(received), group_digits(total)));
    }
  }
  const double secs = seconds_since(t0);
  if (received != total) return Figure::failed("received more than was sent");
  Figure f;
  f.value = static_cast<double>(total) * 8 / secs / 1e9;
  f.setup = kSetupOneThread;
  const uint64_t segs = h.server.counters().InSegs - segments_before;
  f.notes.push_back(fmt::format(
      "ustcp bulk: {} bytes in {:.2f} s, {} B per send()/recv(), link MTU {}, {} segments "
      "received ({:.0f} B each), {} retransmitted",
      group_digits(total), secs, chunk, cfg.mtu, group_digits(segs),
      segs ? static_cast<double>(total) / static_cast<double>(segs) : 0.0,
      h.client.counters().RetransSegs));
  f.extra["seconds"] = secs;
  f.extra["mtu"] = cfg.mtu;
  return f;
}

MemoryFigures ustcp_memory(const Params& p) {
  MemoryFigures out;
  const uint64_t n = p.memory_connections;
  trim_heap();
  Hosts h;
  std::string error;
  auto l = listen_on(h.server, 5001, 4096, error);
  if (!l) {
    out.idle = out.time_wait = Figure::failed(error);
    return out;
  }
  // The benchmark's own bookkeeping is allocated before the first reading.
  std::vector<SocketId> cl, sv;
  cl.reserve(n);
  sv.reserve(n);
  TimePoint now = at(std::chrono::seconds(1));
  auto dest = [](uint64_t i) { return Endpoint{loopback(static_cast<int>(i)), 5001}; };
  auto clock = [&now] { return now; };
  auto fail = [&](const std::string& why) {
    out.idle = out.time_wait = Figure::failed(why);
    return out;
  };

  struct Round {
    uint64_t heap0, heap1, heap2, rss0, rss1, rss2;
  };
  auto round = [&](Round& r) -> std::string {
    r.heap0 = heap_in_use();
    r.rss0 = rss_bytes();
    if (auto e = open_many(h, {*l}, n, dest, clock, cl, sv); !e.empty()) return e;
    r.heap1 = heap_in_use();
    r.rss1 = rss_bytes();
    if (h.client.connection_count() != n || h.server.connection_count() != n ||
        h.client.curr_estab() != n || h.server.curr_estab() != n)
      return fmt::format("expected {} ESTABLISHED on each side, found {} and {}", n,
                         h.client.curr_estab(), h.server.curr_estab());
    if (auto e = close_all(h, now, cl, sv); !e.empty()) return e;
    r.heap2 = heap_in_use();
    r.rss2 = rss_bytes();
    if (h.client.time_wait_count() != n || h.client.connection_count() != 0 ||
        h.server.connection_count() != 0)
      return fmt::format("after closing: {} TIME_WAIT (expected {}), {} + {} connections left",
                         h.client.time_wait_count(), n, h.client.connection_count(),
                         h.server.connection_count());
    return {};
  };

  // Cold: fresh Stacks, their tables grow with the connections. Warm: the same Stacks after
  // the first round's TIME_WAIT expired (tables at size, as a host in steady state and as
  // the kernel's preallocated hash tables): what the connections themselves hold.
  Round cold{}, warm{};
  if (auto e = round(cold); !e.empty()) return fail("cold round: " + e);
  now += tcp::kTimeWaitLen + std::chrono::seconds(1);
  h.timers(now);
  h.pump(now);
  if (h.client.time_wait_count() != 0) return fail("TIME_WAIT did not expire after 60 s");
  if (auto e = round(warm); !e.empty()) return fail("warm round: " + e);

  if (cold.heap1 <= cold.heap0) {
    out.idle = out.time_wait = Figure::unavailable(
        "mallinfo2 shows no heap growth: malloc is not glibc's here (a sanitizer build?)");
    return out;
  }
  auto per = [](uint64_t after, uint64_t before, uint64_t count) {
    return (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(count);
  };
  const std::string setup =
      "ustcp: both ends in this process (two Stacks), glibc mallinfo2 (uordblks + hblkhd) deltas";
  out.idle.value = per(warm.heap1, warm.heap0, 2 * n);
  out.idle.setup = setup;
  out.idle.notes.push_back(fmt::format(
      "ustcp idle: {} connections = {} sockets; warm (Stacks that held as many before) {:.0f} "
      "B/socket; cold (fresh Stacks, table growth included) {:.0f} B/socket; RSS cold {:.0f} "
      "B/socket",
      group_digits(n), group_digits(2 * n), per(warm.heap1, warm.heap0, 2 * n),
      per(cold.heap1, cold.heap0, 2 * n), per(cold.rss1, cold.rss0, 2 * n)));
  out.idle.extra = {{"connections", n},
                    {"warm_bytes_per_socket", per(warm.heap1, warm.heap0, 2 * n)},
                    {"cold_bytes_per_socket", per(cold.heap1, cold.heap0, 2 * n)},
                    {"cold_rss_bytes_per_socket", per(cold.rss1, cold.rss0, 2 * n)}};
  out.time_wait.value = per(warm.heap2, warm.heap0, n);
  out.time_wait.setup = setup;
  out.time_wait.notes.push_back(fmt::format(
      "ustcp TIME_WAIT: {} entries (client closed first; server ends all gone); warm {:.0f} "
      "B/entry; cold (fresh Stacks, every table grown for {} connections left over) {:.0f} "
      "B/entry",
      group_digits(n), per(warm.heap2, warm.heap0, n), group_digits(n),
      per(cold.heap2, cold.heap0, n)));
  out.time_wait.extra = {{"entries", n},
                         {"warm_bytes_per_entry", per(warm.heap2, warm.heap0, n)},
                         {"cold_bytes_per_entry", per(cold.heap2, cold.heap0, n)}};
  return out;
}

namespace {

// One condition of the million's crr comparison: its own pair of Stacks and the rate of
// each measured round.
struct CrrCondition {
  const char* name;  // "none open", "all open"
  Hosts& h;
  SocketId listener;
  std::vector<double> rates;       // conn per CPU second of each measured round
  std::vector<double> wall_rates;  // conn per second of wall time, the same rounds
  tcp::Counters before;            // the client's counters when the measured rounds began
};

// A round of crr on each condition, under a name of its own so that a profile can be split
// by condition: perf report --no-children --parent=million_crr_all_open -x (the two differ
// in their message, so the linker cannot fold them into one).
[[gnu::noinline]] CrrOutcome million_crr_none_open(CrrCondition& c, uint64_t n) {
  CrrOutcome o = run_crr(c.h, c.listener, 5001, n);
  if (!o.error.empty()) o.error = "crr with none open: " + o.error;
  return o;
}
[[gnu::noinline]] CrrOutcome million_crr_all_open(CrrCondition& c, uint64_t n) {
  CrrOutcome o = run_crr(c.h, c.listener, 5001, n);
  if (!o.error.empty()) o.error = "crr with all open: " + o.error;
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

std::string rates_text(const std::vector<double>& v) {
  std::string out;
  for (double r : v) out += fmt::format("{}{:.0f}k", out.empty() ? "" : " ", r / 1000);
  return out;
}

}  // namespace

// crr with the million open against crr with none, both measured in the same regime
// (bench/README.md, "ustcp bench million"):
//
// - Two pairs of Stacks in this process: "none open" holds only the crr listener, "all
//   open" also the million. Their rounds alternate, none-open then open-none and so on, so
//   both conditions meet the same machine load, process heap and caches, and a drift in
//   load favours neither.
// - Warm-up rounds, not measured, until a round leaves neither client with more TIME_WAIT
//   records than before it. Every crr connection leaves one (the client closes first), and
//   connect() takes one over for its 4-tuple once it is tcp_tw_reuse_delay old (loopback,
//   tcp_tw_reuse = 2). The population grows until those take-overs (or the cap,
//   tcp_max_tw_buckets) balance the new records: the steady state of a host doing crr at
//   this rate, where every connect() searches its port among the records and the tables and
//   the heap have their size. A fresh Stack, which the first round of a process meets, is
//   in none of these.
// - Then `million_crr_rounds` measured rounds of `million_crr_connections` on each pair:
//   the figures are the medians, with the rates of every round and the per-round ratios.
// - Rates are connections per second of this thread's CPU time: the work a round takes,
//   not the share of a shared machine it got (wall-clock rates are in the notes too).
Figure ustcp_million(const Params& p) {
  const uint64_t n = p.million_connections;
  // Each destination (address, port) gets at most 8,192 connections: under the 14,116 even
  // ports connect() tries first, so no port search runs long (as on Linux).
  const uint64_t dests_needed = (n + 8191) / 8192;
  const int ports =
      static_cast<int>((dests_needed + kLoopbackAddrs - 1) / static_cast<uint64_t>(kLoopbackAddrs));
  trim_heap();
  Hosts quiet, busy;
  std::string error;
  auto quiet_l = listen_on(quiet.server, 5001, 4096, error);
  auto busy_l = listen_on(busy.server, 5001, 4096, error);
  if (!quiet_l || !busy_l) return Figure::failed(error);
  std::vector<SocketId> listeners;
  for (int i = 0; i < ports; ++i) {
    auto l = listen_on(busy.server, static_cast<uint16_t>(6000 + i), 4096, error);
    if (!l) return Figure::failed(error);
    listeners.push_back(*l);
  }

  std::vector<SocketId> cl, sv;
  cl.reserve(n);
  sv.reserve(n);
  const uint64_t heap0 = heap_in_use(), rss0 = rss_bytes();
  auto dest = [ports](uint64_t i) {
    return Endpoint{loopback(static_cast<int>(i % kLoopbackAddrs)),
                    static_cast<uint16_t>(6000 + (i / kLoopbackAddrs) % ports)};
  };
  const auto t0 = SteadyClock::now();
  if (auto e = open_many(busy, listeners, n, dest, wall_now, cl, sv); !e.empty())
    return Figure::failed(fmt::format("setup: {} ({:.1f} s in)", e, seconds_since(t0)));
  const double setup_s = seconds_since(t0);
  const uint64_t heap1 = heap_in_use(), rss1 = rss_bytes();
  if (busy.client.curr_estab() != n || busy.server.curr_estab() != n)
    return Figure::failed(fmt::format("{} and {} ESTABLISHED, expected {} each",
                                      busy.client.curr_estab(), busy.server.curr_estab(), n));

  CrrCondition none{"none open", quiet, *quiet_l, {}, {}, {}};
  CrrCondition open{"all open", busy, *busy_l, {}, {}, {}};
  const uint64_t per_round = p.million_crr_connections;
  auto round = [&](CrrCondition& c, bool measured) -> std::string {
    CrrOutcome o =
        &c == &none ? million_crr_none_open(c, per_round) : million_crr_all_open(c, per_round);
    if (!o.error.empty()) return o.error;
    if (measured) {
      c.rates.push_back(static_cast<double>(o.done) / o.cpu_seconds);
      c.wall_rates.push_back(static_cast<double>(o.done) / o.seconds);
    }
    return {};
  };
  auto both = [&](uint64_t k, bool measured) -> std::string {
    CrrCondition& first = k % 2 ? open : none;
    CrrCondition& second = k % 2 ? none : open;
    if (auto e = round(first, measured); !e.empty()) return e;
    return round(second, measured);
  };

  // The population cannot pass tcp_max_tw_buckets, so growth stops; 3 to 7 rounds of 50,000
  // here. A Stack still growing after enough rounds to fill the table is not steady.
  const uint64_t max_warmup = static_cast<uint64_t>(busy.client.config().tcp_max_tw_buckets) /
                                  std::max<uint64_t>(per_round, 1) +
                              20;
  uint64_t warmup = 0;
  for (bool steady = false; !steady; ++warmup) {
    if (warmup == max_warmup)
      return Figure::failed(
          fmt::format("warm-up: TIME_WAIT still growing after {} rounds ({} and {} records)",
                      warmup, group_digits(quiet.client.time_wait_count()),
                      group_digits(busy.client.time_wait_count())));
    const size_t tw_none = quiet.client.time_wait_count(), tw_open = busy.client.time_wait_count();
    if (auto e = both(warmup, false); !e.empty()) return Figure::failed("warm-up: " + e);
    steady = quiet.client.time_wait_count() <= tw_none && busy.client.time_wait_count() <= tw_open;
  }
  none.before = quiet.client.counters();
  open.before = busy.client.counters();
  for (uint64_t k = 0; k < p.million_crr_rounds; ++k) {
    if (auto e = both(warmup + k, true); !e.empty()) return Figure::failed(e);
  }
  if (busy.client.curr_estab() != n || busy.server.curr_estab() != n)
    return Figure::failed("connections lost during crr");
  const uint64_t rss2 = rss_bytes();

  const double rate_none = median(none.rates), rate_open = median(open.rates);
  std::vector<double> ratios;
  for (size_t i = 0; i < open.rates.size(); ++i) ratios.push_back(open.rates[i] / none.rates[i]);
  const auto [ratio_min, ratio_max] = std::minmax_element(ratios.begin(), ratios.end());
  auto regime = [](const CrrCondition& c) {
    const tcp::Counters now = c.h.client.counters();
    return fmt::format("{} {} TIME_WAIT, {} taken over by connect(), {} overflowed", c.name,
                       group_digits(c.h.client.time_wait_count()),
                       group_digits(now.TWRecycled - c.before.TWRecycled),
                       group_digits(now.TCPTimeWaitOverflow - c.before.TCPTimeWaitOverflow));
  };

  Figure f;
  f.value = static_cast<double>(rss1) / 1e9;
  f.setup = kSetupOneThread;
  f.notes.push_back(fmt::format(
      "ustcp million: {} connections (both ends here: {} sockets) to 16 addresses x {} ports "
      "set up in {:.1f} s ({:.0f} conn/s), batches of 1,024 handshakes",
      group_digits(n), group_digits(2 * n), ports, setup_s, static_cast<double>(n) / setup_s));
  f.notes.push_back(fmt::format(
      "ustcp million: RSS {:.2f} GB ({:.2f} GB before; {:.2f} GB after the crr rounds), heap "
      "+{:.0f} B/socket, RSS +{:.0f} B/socket",
      static_cast<double>(rss1) / 1e9, static_cast<double>(rss0) / 1e9,
      static_cast<double>(rss2) / 1e9,
      (static_cast<double>(heap1) - static_cast<double>(heap0)) / static_cast<double>(2 * n),
      (static_cast<double>(rss1) - static_cast<double>(rss0)) / static_cast<double>(2 * n)));
  f.notes.push_back(fmt::format(
      "ustcp million: crr {:.0f} conn/s with {} open vs {:.0f} conn/s with none: {:.0f}% "
      "(per CPU second; medians of {} alternating rounds of {} connections after {} warm-up "
      "rounds; per-round ratio {:.0f}%-{:.0f}%)",
      rate_open, group_digits(n), rate_none, 100 * rate_open / rate_none, p.million_crr_rounds,
      group_digits(per_round), warmup, 100 * *ratio_min, 100 * *ratio_max));
  f.notes.push_back(fmt::format(
      "ustcp million: crr rounds per CPU second, none open: {}; all open: {}; per wall-clock "
      "second, none open: {}; all open: {} (medians {:.0f}%)",
      rates_text(none.rates), rates_text(open.rates), rates_text(none.wall_rates),
      rates_text(open.wall_rates), 100 * median(open.wall_rates) / median(none.wall_rates)));
  f.notes.push_back(
      fmt::format("ustcp million: measured rounds' clients: {}; {}", regime(none), regime(open)));
  f.extra = {{"connections", n},
             {"rss_bytes", rss1},
             {"rss_bytes_before", rss0},
             {"rss_bytes_after_crr", rss2},
             {"heap_bytes_per_socket", (static_cast<double>(heap1) - static_cast<double>(heap0)) /
                                           static_cast<double>(2 * n)},
             {"setup_seconds", setup_s},
             {"crr_connections_per_round", per_round},
             {"crr_warmup_rounds", warmup},
             {"crr_none", rate_none},
             {"crr_open", rate_open},
             {"crr_none_rounds", none.rates},
             {"crr_open_rounds", open.rates},
             {"crr_none_wall_rounds", none.wall_rates},
             {"crr_open_wall_rounds", open.wall_rates},
             {"crr_fraction", rate_open / rate_none},
             {"crr_fraction_min", *ratio_min},
             {"crr_fraction_max", *ratio_max}};
  return f;
}

Figure ustcp_synflood(const Params& p) {
  Hosts h;
  std::string error;
  constexpr uint16_t kPort = 8080;
  auto l = listen_on(h.server, kPort, kSynBacklog, error);
  if (!l) return Figure::failed(error);
  const auto pool = spoofed_syns(kSynPool, Endpoint{loopback(0), kPort}, 0xF100D);
  Stack& c = h.client;
  Stack& s = h.server;
  uint64_t dropped = 0;
  // The link to the world: datagrams for 127/8 reach the client Stack; SYN-ACKs to the
  // spoofed sources go nowhere, as they would on a real link.
  auto server_out = [&](TimePoint now) {
    size_t moved = 0;
    while (auto d = s.poll_transmit(now)) {
      if (std::to_integer<uint8_t>((*d)[16]) == 127) {
        c.receive(now, *d);
        ++moved;
      } else {
        ++dropped;
      }
    }
    return moved;
  };
  auto link = [&](TimePoint now) {
    while (move_all(c, s, now) + server_out(now) > 0) {
    }
  };
  const tcp::Counters before = s.counters();
  uint64_t syns = 0, legit = 0, legit_ok = 0;
  std::string legit_error;
  TimePoint now = wall_now();
  const auto t0 = SteadyClock::now();
  std::array<std::byte, 16> buf;
  while (syns < p.synflood_syns) {
    if ((syns & 255) == 0) {
      now = wall_now();
      h.timers(now);
      if ((syns & 4095) == 0 && SteadyClock::now() - t0 > p.synflood_time_limit) break;
    }
    s.receive(now, pool[syns % pool.size()]);
    server_out(now);
    ++syns;
    if (syns % p.synflood_legit_every == 0) {
      ++legit;
      auto cs = c.socket();
      if (!cs) return Figure::failed("client socket(): " + errno_text(cs.error()));
      (void)c.connect(now, *cs, Endpoint{loopback(0), kPort});
      link(now);
      auto ss = s.accept(now, *l);
      if (ss && (c.poll(*cs) & (ev::OUT | ev::ERR)) == ev::OUT) {
        ++legit_ok;
        (void)c.close(now, *cs);
        link(now);
        (void)s.recv(now, *ss, buf);
        (void)s.close(now, *ss);
        link(now);
      } else {
        if (legit_error.empty())
          legit_error = ss ? "client not connected" : "accept(): " + errno_text(ss.error());
        if (ss) (void)s.close(now, *ss);
        (void)c.close(now, *cs);
        link(now);
      }
    }
  }
  const double secs = seconds_since(t0);
  const tcp::Counters after = s.counters();
  const uint64_t in_segs = after.InSegs - before.InSegs;
  const uint64_t cookies = after.SyncookiesSent - before.SyncookiesSent;
  if (in_segs < syns)
    return Figure::failed(fmt::format("the listener saw {} segments for {} SYNs", in_segs, syns));
  if (cookies < cookies_expected(syns, kSynPool, kSynBacklog))
    return Figure::failed(fmt::format("{} cookies for {} SYNs: SYNs were dropped", cookies, syns));
  Figure f;
  f.value = static_cast<double>(syns) / secs;
  f.setup =
      "ustcp: one thread feeds spoofed SYNs to the server Stack's receive() and runs a "
      "legitimate client Stack; SYN-ACKs to spoofed sources are built and dropped";
  const double ok_rate = legit ? static_cast<double>(legit_ok) / static_cast<double>(legit) : 0;
  f.notes.push_back(fmt::format(
      "ustcp synflood: {} spoofed SYNs (random 10/8 sources, 64K distinct) in {:.2f} s, "
      "tcp_syncookies = 1, backlog {}; {} cookies sent, {} SYN-ACKs dropped by the link; "
      "legitimate client: {}/{} connected ({:.1f}%){}",
      group_digits(syns), secs, kSynBacklog, group_digits(cookies), group_digits(dropped), legit_ok,
      legit, 100 * ok_rate, legit_error.empty() ? "" : " first failure: " + legit_error));
  f.extra = {{"syns", syns},
             {"seconds", secs},
             {"cookies_sent", cookies},
             {"legit_attempts", legit},
             {"legit_connected", legit_ok},
             {"legit_success", ok_rate}};
  return f;
}

}  // namespace ustcp::cli::bench
