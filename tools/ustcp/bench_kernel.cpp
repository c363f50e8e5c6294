// `ustcp bench`, the kernel side: the same workloads on the Linux kernel's TCP over
// loopback (127.0.0.x only), with blocking sockets: the client on one thread and, where a
// peer must answer, the server on a second thread (as netperf's two processes).
//
// Each workload runs in a network namespace of its own when the process may make one
// (root): a fresh lo, the namespace's own TIME_WAIT table, socket counts and sysctls (the
// defaults), untouched by earlier runs and by the rest of the machine; its TIME_WAIT
// sockets go with it. Otherwise it runs in this namespace and says so. synflood needs its
// namespace: spoofed SYNs and their SYN-ACKs must never reach the machine's network.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>
#include <type_traits>

#include "bench.hpp"

namespace ustcp::cli::bench {

namespace {

constexpr const char* kSetupThreads =
    "loopback, blocking sockets, the client on one thread, the server on a second thread";

std::string errno_str(int e = errno) { return fmt::format("{} ({})", strerrordesc_np(e), e); }

// A file descriptor, closed when it goes.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

sockaddr_in sock_addr(uint32_t host_order_addr, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(host_order_addr);
  return a;
}

uint32_t loopback_addr(uint64_t i) {
  return 0x7F000001u + static_cast<uint32_t>(i % kLoopbackAddrs);
}

bool write_all(int fd, const void* p, size_t n) {
  auto* b = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = ::write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    b += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool read_exact(int fd, void* p, size_t n) {
  auto* b = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = ::read(fd, b, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    b += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// A listener on addr:0 (the kernel picks the port); TCP_NODELAY, inherited by accepted
// sockets. Returns the port through `port`.
Fd listen_any(uint32_t addr, int backlog, uint16_t& port, std::string& error) {
  Fd l(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!l.ok()) {
    error = "socket(): " + errno_str();
    return {};
  }
  set_nodelay(l.get());
  sockaddr_in a = sock_addr(addr, 0);
  if (::bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(l.get(), backlog) != 0) {
    error = "bind()/listen(): " + errno_str();
    return {};
  }
  socklen_t len = sizeof a;
  getsockname(l.get(), reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return l;
}

Fd connect_to(uint32_t addr, uint16_t port, bool nodelay, std::string& error) {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.ok()) {
    error = "socket(): " + errno_str();
    return {};
  }
  if (nodelay) set_nodelay(s.get());
  sockaddr_in a = sock_addr(addr, port);
  for (;;) {
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return s;
    if (errno != EINTR) break;
  }
  error = fmt::format("connect({}:{}): {}", Ipv4Addr(addr).to_string(), port, errno_str());
  return {};
}

// Waits until the counter reaches `want` or `limit` passes.
bool wait_for(const std::atomic<uint64_t>& counter, uint64_t want, Duration limit) {
  const auto until = SteadyClock::now() + limit;
  while (counter.load() < want) {
    if (SteadyClock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

// "Tcp: a b c" / "Tcp: 1 2 3" pairs of /proc/.../net/snmp and netstat.
std::map<std::string, int64_t> net_counters(const char* path) {
  std::map<std::string, int64_t> out;
  std::ifstream f(path);
  std::string names, values;
  while (std::getline(f, names) && std::getline(f, values)) {
    std::istringstream n(names), v(values);
    std::string group, g2, name;
    n >> group;
    v >> g2;
    int64_t x = 0;
    while (n >> name && v >> x) out[group + name] = x;
  }
  return out;
}

// /proc/slabinfo (root only): active objects and object size of the caches a TCP socket
// uses, to say what the Slab delta is made of.
struct SlabCache {
  int64_t objects = 0;
  int64_t size = 0;
};
std::map<std::string, SlabCache> slab_caches() {
  static const char* kCaches[] = {"TCP",  "tw_sock_TCP", "request_sock_TCP", "sock_inode_cache",
                                  "filp", "dentry",      "eventpoll_epi"};
  std::map<std::string, SlabCache> out;
  std::ifstream f("/proc/slabinfo");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string name;
    SlabCache c;
    int64_t total = 0;
    if (!(in >> name >> c.objects >> total >> c.size)) continue;
    for (const char* k : kCaches) {
      if (name == k) out[name] = c;
    }
  }
  return out;
}

// "TCP +19,936 x 2368 B, ..." and the bytes those objects take per `per`.
std::string slab_breakdown(const std::map<std::string, SlabCache>& before,
                           const std::map<std::string, SlabCache>& after, uint64_t per) {
  if (after.empty()) return "no /proc/slabinfo";
  std::string out;
  int64_t bytes = 0;
  for (const auto& [name, a] : after) {
    auto b = before.find(name);
    const int64_t d = a.objects - (b == before.end() ? 0 : b->second.objects);
    if (d == 0) continue;
    bytes += d * a.size;
    out += fmt::format("{}{} {:+} x {} B", out.empty() ? "" : ", ", name, d, a.size);
  }
  return fmt::format("slabinfo: {} = {:.0f} B each", out.empty() ? "no change" : out,
                     static_cast<double>(bytes) / static_cast<double>(per));
}

std::string sysctl_value(const char* path) {
  std::ifstream f(path);
  std::string v;
  std::getline(f, v);
  return v.empty() ? "?" : v;
}

void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

bool set_if_up(int s, const char* name, std::string& error);

struct Namespace {
  bool isolated = false;
  std::string why;  // when not isolated
};

// Runs work() on a thread of its own, moved into a new network namespace with lo up when
// possible. Threads work() starts share that namespace.
void run_in_namespace(const std::function<void(const Namespace&)>& work) {
  std::thread t([&] {
    Namespace ns;
    Fd original(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (unshare(CLONE_NEWNET) != 0) {
      ns.why = "unshare(CLONE_NEWNET): " + errno_str();
    } else {
      Fd ctl(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      if (ctl.ok() && set_if_up(ctl.get(), "lo", ns.why)) {
        ns.isolated = true;
      } else if (!original.ok() || setns(original.get(), CLONE_NEWNET) != 0) {
        ns.why += "; and could not return to the original namespace";
        work(ns);  // no loopback here: the workload reports the failure
        return;
      }
    }
    work(ns);
  });
  t.join();
}

// A kernel workload in a namespace of its own; `setup` says how it ran there.
template <typename F>
auto isolated(F fn) {
  decltype(fn()) out;
  run_in_namespace([&](const Namespace& ns) {
    out = fn();
    const std::string where =
        ns.isolated
            ? "kernel: a private network namespace (fresh lo, default sysctls), "
            : "kernel: this process's network namespace (shared with the machine: " + ns.why +
                  "), ";
    auto mark = [&](Figure& f) {
      if (!f.setup.empty()) f.setup = where + f.setup;
    };
    if constexpr (std::is_same_v<decltype(out), MemoryFigures>) {
      mark(out.idle);
      mark(out.time_wait);
    } else {
      mark(out);
    }
  });
  return out;
}

// ---------------------------------------------------------------- synflood

bool set_if_up(int s, const char* name, std::string& error) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    error = fmt::format("SIOCGIFFLAGS {}: {}", name, errno_str());
    return false;
  }
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
    error = fmt::format("SIOCSIFFLAGS {}: {}", name, errno_str());
    return false;
  }
  return true;
}

bool set_if_addr(int s, const char* name, unsigned long req, uint32_t addr, std::string& error) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  sockaddr_in a = sock_addr(addr, 0);
  std::memcpy(&ifr.ifr_addr, &a, sizeof a);
  if (ioctl(s, req, &ifr) != 0) {
    error = fmt::format("setting the address of {}: {}", name, errno_str());
    return false;
  }
  return true;
}

// Runs in a network namespace of its own (lo up): a TUN
// device (nobody reads it) with 10.255.255.254/8 so that SYN-ACKs to the spoofed 10/8
// sources are built, routed and sent as on a real link, a listener on 127.0.0.1, a raw
// socket injecting the spoofed SYNs, and a legitimate client connecting at a fixed ratio.
Figure synflood_here(const Params& p) {
  std::string error;
  Fd ctl(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!ctl.ok()) return Figure::failed("socket(): " + errno_str());
  Fd tun(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!tun.ok()) return Figure::unavailable("/dev/net/tun: " + errno_str());
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, "ubench0", IFNAMSIZ - 1);
  if (ioctl(tun.get(), TUNSETIFF, &ifr) != 0)
    return Figure::unavailable("TUNSETIFF: " + errno_str());
  if (!set_if_addr(ctl.get(), "ubench0", SIOCSIFADDR, 0x0AFFFFFEu, error) ||
      !set_if_addr(ctl.get(), "ubench0", SIOCSIFNETMASK, 0xFF000000u, error) ||
      !set_if_up(ctl.get(), "ubench0", error))
    return Figure::unavailable(error);

  // The listener is on the TUN device's address: Linux does not route a SYN-ACK from a
  // 127/8 source out of a non-loopback device (it would drop the SYN before the cookie).
  // Segments to it still travel over lo, as to any local address.
  constexpr uint16_t kPort = 8080;
  constexpr uint32_t kServer = 0x0AFFFFFEu;  // 10.255.255.254
  Fd l(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  sockaddr_in la = sock_addr(kServer, kPort);
  if (!l.ok() || ::bind(l.get(), reinterpret_cast<sockaddr*>(&la), sizeof la) != 0 ||
      ::listen(l.get(), kSynBacklog) != 0)
    return Figure::failed("listener: " + errno_str());
  Fd raw(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
  if (!raw.ok()) return Figure::unavailable("raw socket: " + errno_str());

  const auto pool = spoofed_syns(kSynPool, Endpoint{Ipv4Addr(kServer), kPort}, 0xF100D);
  constexpr size_t kBatch = 64;
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iovs{};
  sockaddr_in dst = sock_addr(kServer, 0);

  const auto snmp0 = net_counters("/proc/thread-self/net/snmp");
  const auto netstat0 = net_counters("/proc/thread-self/net/netstat");
  uint64_t syns = 0, legit = 0, legit_ok = 0, next_legit = p.synflood_legit_every;
  std::string legit_error;
  char byte = 0;
  const auto t0 = SteadyClock::now();
  while (syns < p.synflood_syns) {
    if (SteadyClock::now() - t0 > p.synflood_time_limit) break;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kBatch, p.synflood_syns - syns));
    for (size_t i = 0; i < n; ++i) {
      const auto& d = pool[(syns + i) % pool.size()];
      iovs[i] = iovec{const_cast<std::byte*>(d.data()), d.size()};
      msgs[i].msg_hdr = msghdr{};
      msgs[i].msg_hdr.msg_name = &dst;
      msgs[i].msg_hdr.msg_namelen = sizeof dst;
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(raw.get(), msgs.data(), static_cast<unsigned>(n), 0);
    if (sent < 0) {
      if (errno == EINTR || errno == ENOBUFS) continue;
      return Figure::failed("sendmmsg(): " + errno_str());
    }
    syns += static_cast<uint64_t>(sent);
    while (syns >= next_legit) {
      next_legit += p.synflood_legit_every;
      ++legit;
      std::string e;
      Fd c = connect_to(kServer, kPort, false, e);
      pollfd pfd{l.get(), POLLIN, 0};
      Fd a;
      if (c.ok() && ::poll(&pfd, 1, 1000) == 1)
        a = Fd(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (c.ok() && a.ok()) {
        ++legit_ok;
        c.reset();
        (void)::read(a.get(), &byte, 1);  // EOF
      } else if (legit_error.empty()) {
        legit_error = c.ok() ? "accept(): " + errno_str() : e;
      }
    }
  }
  const double secs = seconds_since(t0);
  auto snmp1 = net_counters("/proc/thread-self/net/snmp");
  auto netstat1 = net_counters("/proc/thread-self/net/netstat");
  auto delta = [](const auto& a, const auto& b, const char* k) {
    auto i = a.find(k), j = b.find(k);
    return i == a.end() || j == b.end() ? int64_t{-1} : i->second - j->second;
  };
  const int64_t in_segs = delta(snmp1, snmp0, "Tcp:InSegs");
  const int64_t cookies = delta(netstat1, netstat0, "TcpExt:SyncookiesSent");
  if (in_segs >= 0 && static_cast<uint64_t>(in_segs) < syns)
    return Figure::failed(fmt::format("TCP saw {} segments for {} SYNs sent", in_segs, syns));
  if (cookies >= 0 &&
      static_cast<uint64_t>(cookies) < cookies_expected(syns, kSynPool, kSynBacklog))
    return Figure::failed(fmt::format("{} cookies for {} SYNs: SYNs were dropped", cookies, syns));
  Figure f;
  f.value = static_cast<double>(syns) / secs;
  f.setup =
      "one thread injects the SYNs through a raw socket (sendmmsg, 64 a call) and runs "
      "the legitimate client; SYN-ACKs go to a TUN device nobody reads";
  const double ok_rate = legit ? static_cast<double>(legit_ok) / static_cast<double>(legit) : 0;
  f.notes.push_back(fmt::format(
      "kernel synflood: {} spoofed SYNs (the same datagrams) in {:.2f} s{}, listener on "
      "10.255.255.254 (the TUN's address, reached over lo), tcp_syncookies = 1 (the namespace's "
      "default), backlog {}; {} cookies sent; legitimate client: {}/{} connected ({:.1f}%){}",
      group_digits(syns), secs, syns < p.synflood_syns ? " (stopped at the time bound)" : "",
      kSynBacklog, group_digits(static_cast<uint64_t>(std::max<int64_t>(cookies, 0))), legit_ok,
      legit, 100 * ok_rate, legit_error.empty() ? "" : " first failure: " + legit_error));
  f.extra = {{"syns", syns},
             {"seconds", secs},
             {"cookies_sent", cookies},
             {"legit_attempts", legit},
             {"legit_connected", legit_ok},
             {"legit_success", ok_rate}};
  return f;
}

// ---------------------------------------------------------------- workloads

Figure crr_here(const Params& p) {
  raise_nofile_limit();
  // crr leaves a TIME_WAIT per connection. Beyond tcp_max_tw_buckets Linux closes without
  // one, which is cheaper: wait (at most 65 s) until there is room for all of them, as
  // there is in a run of its own.
  int64_t max_tw = 0;
  {
    std::ifstream f("/proc/sys/net/ipv4/tcp_max_tw_buckets");
    f >> max_tw;
  }
  const auto w0 = SteadyClock::now();
  for (auto ss = sockstat(); ss && ss->tw + static_cast<int64_t>(p.crr_connections) > max_tw &&
                             SteadyClock::now() - w0 < std::chrono::seconds(65);
       ss = sockstat()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double waited = seconds_since(w0);
  std::string error;
  uint16_t port = 0;
  Fd l = listen_any(INADDR_ANY, 4096, port, error);
  if (!l.ok()) return Figure::failed(error);
  std::atomic<uint64_t> served{0};
  std::atomic<bool> stop{false};
  std::string server_error;
  std::thread server([&] {
    std::array<char, kMessage> buf, resp;
    resp.fill(static_cast<char>(kResponseByte));
    for (;;) {
      Fd a(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!a.ok()) {
        if (stop.load()) return;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        server_error = "accept(): " + errno_str();
        return;
      }
      if (!read_exact(a.get(), buf.data(), buf.size()) ||
          std::any_of(buf.begin(), buf.end(), [](char c) { return c != kRequestByte; })) {
        server_error = "server did not receive the 64-byte request";
        return;
      }
      if (!write_all(a.get(), resp.data(), resp.size())) {
        server_error = "server write(): " + errno_str();
        return;
      }
      char x;
      if (::read(a.get(), &x, 1) != 0) {
        server_error = "server saw no EOF";
        return;
      }
      served.fetch_add(1);
    }
  });
  std::array<char, kMessage> req, buf;
  req.fill(static_cast<char>(kRequestByte));
  uint64_t done = 0;
  const auto tw0 = sockstat();
  const auto netstat0 = net_counters("/proc/thread-self/net/netstat");
  const auto t0 = SteadyClock::now();
  for (uint64_t i = 0; i < p.crr_connections; ++i) {
    if ((i & 255) == 0 && SteadyClock::now() - t0 > p.crr_time_limit) break;
    Fd c = connect_to(loopback_addr(i), port, true, error);
    if (!c.ok()) break;
    if (!write_all(c.get(), req.data(), req.size()) ||
        !read_exact(c.get(), buf.data(), buf.size()) ||
        std::any_of(buf.begin(), buf.end(), [](char x) { return x != kResponseByte; })) {
      error = fmt::format("connection {}: no 64-byte response", i + 1);
      break;
    }
    c.reset();
    ++done;
  }
  const double secs = seconds_since(t0);
  const auto netstat1 = net_counters("/proc/thread-self/net/netstat");
  wait_for(served, done, std::chrono::seconds(2));
  stop = true;
  ::shutdown(l.get(), SHUT_RDWR);
  server.join();
  if (!error.empty()) return Figure::failed(fmt::format("{} (after {} connections)", error, done));
  if (!server_error.empty()) return Figure::failed(server_error);
  if (served.load() != done)
    return Figure::failed(
        fmt::format("server completed {} of {} connections", served.load(), done));
  Figure f;
  f.value = static_cast<double>(done) / secs;
  f.setup = kSetupThreads;
  auto ss = sockstat();
  auto count = [](const std::map<std::string, int64_t>& m, const char* k) {
    auto i = m.find(k);
    return i == m.end() ? int64_t{0} : i->second;
  };
  // Beyond tcp_max_tw_buckets Linux closes without TIME_WAIT (cheaper): say so when it did.
  const int64_t overflow =
      count(netstat1, "TcpExt:TCPTimeWaitOverflow") - count(netstat0, "TcpExt:TCPTimeWaitOverflow");
  f.notes.push_back(fmt::format(
      "kernel crr: {} connections in {:.2f} s{}, each verified; spread over 127.0.0.1-{} so "
      "TIME_WAIT never runs out of 4-tuples (sockstat tw {} before, {} after; tcp_max_tw_buckets "
      "{}, TCPTimeWaitOverflow +{}{}); tcp_tw_reuse = {} as found; no SO_LINGER",
      group_digits(done), secs, done < p.crr_connections ? " (stopped at the time bound)" : "",
      kLoopbackAddrs, tw0 ? tw0->tw : -1, ss ? ss->tw : -1, max_tw, overflow,
      waited >= 0.2 ? fmt::format("; waited {:.0f} s for earlier TIME_WAIT to expire", waited) : "",
      sysctl_value("/proc/sys/net/ipv4/tcp_tw_reuse")));
  f.extra["time_wait_overflow"] = overflow;
  f.extra["connections"] = done;
  f.extra["seconds"] = secs;
  return f;
}

Figure rr_here(const Params& p) {
  std::string error;
  uint16_t port = 0;
  Fd l = listen_any(0x7F000001u, 16, port, error);
  if (!l.ok()) return Figure::failed(error);
  std::string server_error;
  std::thread server([&] {
    Fd a(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!a.ok()) {
      server_error = "accept(): " + errno_str();
      return;
    }
    std::array<char, kMessage> buf, resp;
    resp.fill(static_cast<char>(kResponseByte));
    while (read_exact(a.get(), buf.data(), buf.size())) {
      if (buf[0] != kRequestByte || buf[kMessage - 1] != kRequestByte) {
        server_error = "server got a wrong request";
        return;
      }
      if (!write_all(a.get(), resp.data(), resp.size())) return;
    }
  });
  Fd c = connect_to(0x7F000001u, port, true, error);
  if (!c.ok()) {
    ::shutdown(l.get(), SHUT_RDWR);
    server.join();
    return Figure::failed(error);
  }
  std::array<char, kMessage> req, buf;
  req.fill(static_cast<char>(kRequestByte));
  uint64_t n = 0;
  const auto t0 = SteadyClock::now();
  const auto stop = t0 + p.rr_duration;
  while ((n & 63) != 0 || SteadyClock::now() < stop) {
    if (!write_all(c.get(), req.data(), req.size()) ||
        !read_exact(c.get(), buf.data(), buf.size()) || buf[0] != kResponseByte ||
        buf[kMessage - 1] != kResponseByte) {
      error = fmt::format("transaction {}: no 64-byte response", n + 1);
      break;
    }
    ++n;
  }
  const double secs = seconds_since(t0);
  c.reset();
  server.join();
  if (!error.empty()) return Figure::failed(error);
  if (!server_error.empty()) return Figure::failed(server_error);
  Figure f;
  f.value = static_cast<double>(n) / secs;
  f.setup = kSetupThreads;
  f.notes.push_back(fmt::format(
      "kernel rr: {} transactions in {:.2f} s, TCP_NODELAY, each verified", group_digits(n), secs));
  f.extra["transactions"] = n;
  f.extra["seconds"] = secs;
  return f;
}

Figure bulk_here(const Params& p) {
  std::string error;
  uint16_t port = 0;
  Fd l = listen_any(0x7F000001u, 16, port, error);
  if (!l.ok()) return Figure::failed(error);
  const size_t chunk = p.bulk_chunk;
  const uint64_t total = p.bulk_bytes;
  std::string server_error;
  uint64_t received = 0;
  SteadyClock::time_point t_end{};
  std::thread server([&] {
    Fd a(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!a.ok()) {
      server_error = "accept(): " + errno_str();
      return;
    }
    std::vector<char> buf(chunk);
    for (;;) {
      ssize_t r = ::read(a.get(), buf.data(), buf.size());
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        server_error = "server read(): " + errno_str();
        return;
      }
      if (r == 0) return;
      if (static_cast<uint8_t>(buf[0]) != pattern_byte(received % chunk)) {
        server_error = fmt::format("wrong byte at offset {}", received);
        return;
      }
      received += static_cast<uint64_t>(r);
      if (received >= total) t_end = SteadyClock::now();
    }
  });
  Fd c = connect_to(0x7F000001u, port, false, error);
  if (!c.ok()) {
    ::shutdown(l.get(), SHUT_RDWR);
    server.join();
    return Figure::failed(error);
  }
  std::vector<char> src(2 * chunk);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<char>(pattern_byte(i % chunk));
  uint64_t sent = 0;
  const auto t0 = SteadyClock::now();
  while (sent < total) {
    if (SteadyClock::now() - t0 > p.bulk_time_limit) {
      error = "did not finish within the time bound";
      break;
    }
    const size_t len = static_cast<size_t>(std::min<uint64_t>(chunk, total - sent));
    ssize_t w = ::write(c.get(), src.data() + sent % chunk, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      error = "client write(): " + errno_str();
      break;
    }
    sent += static_cast<uint64_t>(w);
  }
  c.reset();
  server.join();
  if (!error.empty()) return Figure::failed(error);
  if (!server_error.empty()) return Figure::failed(server_error);
  if (received != total)
    return Figure::failed(fmt::format("received {} of {} bytes", received, total));
  const double secs = std::chrono::duration<double>(t_end - t0).count();
  Figure f;
  f.value = static_cast<double>(total) * 8 / secs / 1e9;
  f.setup = kSetupThreads;
  std::ifstream mtu_file("/sys/class/net/lo/mtu");
  int mtu = 0;
  mtu_file >> mtu;
  f.notes.push_back(fmt::format(
      "kernel bulk: {} bytes in {:.2f} s, {} B per write()/read(), lo MTU {}, default buffers "
      "(autotuned)",
      group_digits(total), secs, chunk, mtu));
  f.extra["seconds"] = secs;
  return f;
}

MemoryFigures memory_here(const Params& p) {
  MemoryFigures out;
  const uint64_t limit = raise_nofile_limit();
  // ESTABLISHED sockets hold a descriptor each: as many connections as the limit allows.
  const uint64_t n = std::min<uint64_t>(p.memory_connections, limit > 128 ? (limit - 64) / 2 : 0);
  if (n < 100) {
    out.idle = out.time_wait =
        Figure::unavailable(fmt::format("RLIMIT_NOFILE {} allows too few connections", limit));
    return out;
  }
  auto fail = [&](const std::string& why) {
    out.idle = out.time_wait = Figure::failed(why);
    return out;
  };
  std::string error;
  uint16_t port = 0;
  Fd l = listen_any(INADDR_ANY, 4096, port, error);
  if (!l.ok()) return fail(error);
  std::vector<Fd> cl, sv;
  cl.reserve(n);
  sv.reserve(n);
  settle();
  const auto caches0 = slab_caches();
  const auto slab0 = slab_bytes();
  const auto ss0 = sockstat();
  if (!slab0 || !ss0) {
    out.idle = out.time_wait =
        Figure::unavailable("/proc/meminfo or /proc/net/sockstat unreadable");
    return out;
  }
  // TIME_WAIT entries hold no descriptor: as many as ustcp makes, in batches of n, within
  // the room tcp_max_tw_buckets leaves (beyond it Linux keeps no TIME_WAIT at all).
  int64_t max_tw = 0;
  {
    std::ifstream f("/proc/sys/net/ipv4/tcp_max_tw_buckets");
    f >> max_tw;
  }
  const uint64_t tw_room = max_tw > ss0->tw ? static_cast<uint64_t>(max_tw - ss0->tw) * 9 / 10 : 0;
  const uint64_t n_tw = std::min<uint64_t>(p.memory_connections, std::max<uint64_t>(tw_room, n));
  std::optional<uint64_t> slab1;
  std::optional<SockStat> ss1;
  std::map<std::string, SlabCache> caches1;
  uint64_t opened = 0;
  char x;
  while (opened < n_tw) {
    const uint64_t batch = std::min(n, n_tw - opened);
    for (uint64_t i = 0; i < batch; ++i) {
      Fd c = connect_to(loopback_addr(opened + i), port, false, error);
      if (!c.ok()) return fail(fmt::format("connection {}: {}", opened + i + 1, error));
      Fd a(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!a.ok())
        return fail(fmt::format("connection {}: accept(): {}", opened + i + 1, errno_str()));
      cl.push_back(std::move(c));
      sv.push_back(std::move(a));
    }
    if (opened == 0) {  // the idle reading: the first n connections, all ESTABLISHED
      settle();
      slab1 = slab_bytes();
      ss1 = sockstat();
      caches1 = slab_caches();
    }
    // Client ends close first; each server end reads EOF and closes: TIME_WAIT on the client.
    for (auto& c : cl) c.reset();
    for (auto& a : sv) {
      if (::read(a.get(), &x, 1) != 0) return fail("server end saw no EOF");
      a.reset();
    }
    cl.clear();
    sv.clear();
    opened += batch;
  }
  const auto until = SteadyClock::now() + std::chrono::seconds(3);
  auto ss2 = sockstat();
  while (ss2 && ss2->tw < ss0->tw + static_cast<int64_t>(n_tw) && SteadyClock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ss2 = sockstat();
  }
  settle();
  const auto slab2 = slab_bytes();
  ss2 = sockstat();
  const auto caches2 = slab_caches();
  const std::string setup =
      "loopback, one thread (blocking connect, then accept), Slab in /proc/meminfo before and "
      "after (machine-wide), socket counts from the namespace's sockstat";
  out.idle.value =
      (static_cast<double>(*slab1) - static_cast<double>(*slab0)) / (2 * static_cast<double>(n));
  out.idle.setup = setup;
  out.idle.notes.push_back(fmt::format(
      "kernel idle: RLIMIT_NOFILE {} allows {} connections (2 descriptors each); sockstat inuse "
      "+{} (expected {}); Slab +{:.1f} MB; {}",
      limit, group_digits(n), ss1 ? ss1->inuse - ss0->inuse : -1, 2 * n,
      (static_cast<double>(*slab1) - static_cast<double>(*slab0)) / 1e6,
      slab_breakdown(caches0, caches1, 2 * n)));
  out.idle.extra = {{"connections", n}, {"nofile_limit", limit}};
  // The entries that exist: with tcp_tw_reuse on loopback, connect() takes over TIME_WAIT
  // entries over a second old (tcp_twsk_unique), so later batches recycle some earlier ones.
  const int64_t tw = ss2 ? ss2->tw - ss0->tw : 0;
  if (tw < static_cast<int64_t>(n_tw) / 2) {
    out.time_wait =
        Figure::failed(fmt::format("only {} of {} connections reached TIME_WAIT", tw, n_tw));
    return out;
  }
  out.time_wait.value =
      (static_cast<double>(*slab2) - static_cast<double>(*slab0)) / static_cast<double>(tw);
  out.time_wait.setup = setup;
  out.time_wait.notes.push_back(fmt::format(
      "kernel TIME_WAIT: {} connections closed, {} at a time, {} TIME_WAIT entries remain "
      "(sockstat tw; tcp_tw_reuse recycled the rest); inuse +{}; tcp_max_tw_buckets {}; Slab "
      "+{:.1f} MB from before the connections; {}",
      group_digits(n_tw), group_digits(n), group_digits(static_cast<uint64_t>(tw)),
      ss2 ? ss2->inuse - ss0->inuse : -1, max_tw,
      (static_cast<double>(*slab2) - static_cast<double>(*slab0)) / 1e6,
      slab_breakdown(caches0, caches2, static_cast<uint64_t>(tw))));
  out.time_wait.extra = {{"connections_closed", n_tw}, {"entries", tw}};
  return out;
}

}  // namespace

Figure kernel_million(const Params& p) {
  const uint64_t limit = raise_nofile_limit();
  return Figure::unavailable(fmt::format(
      "{} connections with both ends in one process need {} descriptors; RLIMIT_NOFILE is {}",
      group_digits(p.million_connections), group_digits(2 * p.million_connections),
      group_digits(limit)));
}

Figure kernel_synflood(const Params& p) {
  Figure f;
  run_in_namespace([&](const Namespace& ns) {
    if (!ns.isolated) {
      f = Figure::unavailable(ns.why + " (spoofed SYNs need a private network namespace: root)");
      return;
    }
    f = synflood_here(p);
    if (!f.setup.empty()) f.setup = "kernel: a private network namespace, " + f.setup;
  });
  return f;
}

Figure kernel_crr(const Params& p) {
  return isolated([&] { return crr_here(p); });
}
Figure kernel_rr(const Params& p) {
  return isolated([&] { return rr_here(p); });
}
Figure kernel_bulk(const Params& p) {
  return isolated([&] { return bulk_here(p); });
}
MemoryFigures kernel_memory(const Params& p) {
  return isolated([&] { return memory_here(p); });
}

}  // namespace ustcp::cli::bench
