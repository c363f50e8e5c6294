// `ustcp relay`: the devices, the event loop and the report (see relay.hpp).
#include "relay.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "ustcp/link/tun_device.hpp"

namespace ustcp::cli {
namespace {

// The relay's own clock: CLOCK_MONOTONIC, the clock its timerfd runs on.
TimePoint monotonic_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return TimePoint(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

// A descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string netns_path(const std::string& netns) {
  return netns.find('/') == std::string::npos ? "/run/netns/" + netns : netns;
}

// A TUN device the kernel gives its whole ring to: Linux's tun drops what does not fit in
// a ring of txqueuelen datagrams (500 by default), and one window of ACKs released at once
// can make a sender emit more than that before the relay reads again. Such a drop would
// be a loss the model did not decide.
constexpr int kTxQueueLen = 16384;

std::string set_txqueuelen(const std::string& dev, int len) {
  Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s.fd < 0) return std::string("socket(AF_INET): ") + std::strerror(errno);
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, dev.data(), std::min(dev.size(), sizeof ifr.ifr_name - 1));
  ifr.ifr_qlen = len;
  if (::ioctl(s.fd, SIOCSIFTXQLEN, &ifr) < 0)
    return "setting txqueuelen of " + dev + ": " + std::strerror(errno);
  return {};
}

// Creates the side's device inside its namespace and configures it there (the kernel looks
// names up, and applies addresses, in the caller's namespace); the calling thread returns
// to its own namespace before this returns. The device stays in the namespace it was
// created in, and the kernel removes it when the relay's descriptor closes.
Expected<link::TunDevice, std::string> open_side(const RelaySide& side, const std::string& tun) {
  Fd home(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (home.fd < 0) return unexpected(std::string("/proc/self/ns/net: ") + std::strerror(errno));
  const std::string path = netns_path(side.netns);
  Fd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (ns.fd < 0) {
    return unexpected(fmt::format("network namespace '{}': {}: {}{}", side.netns, path,
                                  std::strerror(errno),
                                  errno == ENOENT ? " (create it: ip netns add NAME)" : ""));
  }
  if (::setns(ns.fd, CLONE_NEWNET) < 0) {
    return unexpected(fmt::format("entering network namespace '{}': {}{}", side.netns,
                                  std::strerror(errno),
                                  errno == EPERM ? " (needs root: CAP_SYS_ADMIN)" : ""));
  }
  auto dev = link::TunDevice::open(tun);
  std::string error;
  if (!dev) {
    error = dev.error();
  } else if (!dev->created()) {
    error = fmt::format("{} already exists in namespace '{}': the relay creates its own devices",
                        tun, side.netns);
  } else if (error = dev->configure(side.addr, side.prefix_len); error.empty()) {
    error = set_txqueuelen(tun, kTxQueueLen);
  }
  if (::setns(home.fd, CLONE_NEWNET) < 0 && error.empty())
    error = std::string("returning to the relay's network namespace: ") + std::strerror(errno);
  if (!error.empty()) return unexpected(fmt::format("namespace '{}': {}", side.netns, error));
  return std::move(*dev);
}

// What happened to the datagrams read on one side.
struct DirectionStats {
  uint64_t read = 0;           // IPv4 datagrams to the other side: entered the link
  uint64_t bytes = 0;          // their bytes
  uint64_t not_forwarded = 0;  // not IPv4, or not addressed to the other side (no draws)
  uint64_t lost = 0;
  uint64_t queue_dropped = 0;
  uint64_t reordered = 0;
  uint64_t duplicated = 0;
  uint64_t corrupted = 0;
  uint64_t overflow = 0;      // dropped: the relay held kMaxHeldBytes already
  uint64_t written = 0;       // copies written to the far device, duplicates included
  uint64_t write_errors = 0;  // writes the far kernel refused
};

// The release lateness samples, in nanoseconds.
struct Lateness {
  std::vector<int64_t> ns;
  int64_t over_1ms = 0;
  void add(Duration d) {
    const int64_t v = d.count();
    if (v > 1'000'000) ++over_1ms;
    ns.push_back(v);
  }
};

double percentile_us(std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()));
  return static_cast<double>(sorted[i]) / 1e3;
}

class Relay {
 public:
  // Never more than this in flight inside the relay, whatever the queue limit: a bound on
  // its memory against a sender that never stops.
  static constexpr size_t kMaxHeldBytes = size_t{1} << 30;
  static constexpr int kBatch = 64;

  Relay(const RelayOptions& opt, link::TunDevice a, link::TunDevice b)
      : opt_(opt),
        dev_{std::move(a), std::move(b)},
        addr_{opt.a.addr, opt.b.addr},
        link_{link::LinkModel(opt.link, link::link_seed(opt.seed, opt.a.addr)),
              link::LinkModel(opt.link, link::link_seed(opt.seed, opt.b.addr))},
        buf_(65536) {}

  // Runs until a signal, --duration, or a device error. Returns the exit status.
  int run(int signal_fd) {
    timer_.fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (timer_.fd < 0) {
      error_ = std::string("timerfd_create: ") + std::strerror(errno);
      return 2;
    }
    start_ = monotonic_now();
    const std::optional<TimePoint> end =
        opt_.duration > Duration{0} ? std::optional(start_ + opt_.duration) : std::nullopt;
    std::array<pollfd, 4> fds{pollfd{dev_[0].fd(), POLLIN, 0}, pollfd{dev_[1].fd(), POLLIN, 0},
                              pollfd{timer_.fd, POLLIN, 0}, pollfd{signal_fd, POLLIN, 0}};
    for (;;) {
      release_due();
      for (int side = 0; side < 2; ++side) {
        if (!read_side(side)) return 1;
      }
      release_due();
      const TimePoint now = monotonic_now();
      if (end && now >= *end) break;
      std::optional<TimePoint> wake = end;
      if (!heap_.empty() && (!wake || heap_.front().at < *wake)) wake = heap_.front().at;
      arm(wake);
      if (::ppoll(fds.data(), fds.size(), nullptr, nullptr) < 0 && errno != EINTR) {
        error_ = std::string("ppoll: ") + std::strerror(errno);
        return 1;
      }
      if (fds[2].revents & POLLIN) {
        uint64_t expirations;
        (void)!::read(timer_.fd, &expirations, sizeof expirations);
      }
      if (fds[3].revents & POLLIN) break;
    }
    stopped_ = monotonic_now();
    return 0;
  }

  void report(bool json) {
    if (stopped_ == TimePoint{}) stopped_ = monotonic_now();  // stopped by an error
    const double secs = to_seconds(stopped_ - start_);
    std::vector<int64_t> sorted = lateness_.ns;
    std::sort(sorted.begin(), sorted.end());
    const double mean = sorted.empty() ? 0 : [&] {
      double s = 0;
      for (int64_t v : sorted) s += static_cast<double>(v);
      return s / static_cast<double>(sorted.size()) / 1e3;
    }();
    const double p50 = percentile_us(sorted, 0.5), p90 = percentile_us(sorted, 0.9),
                 p99 = percentile_us(sorted, 0.99), p999 = percentile_us(sorted, 0.999),
                 max = sorted.empty() ? 0 : static_cast<double>(sorted.back()) / 1e3;
    if (json) {
      auto dir = [](const DirectionStats& d) {
        return nlohmann::json{{"read", d.read},
                              {"bytes", d.bytes},
                              {"not_forwarded", d.not_forwarded},
                              {"lost", d.lost},
                              {"queue_dropped", d.queue_dropped},
                              {"reordered", d.reordered},
                              {"duplicated", d.duplicated},
                              {"corrupted", d.corrupted},
                              {"overflow", d.overflow},
                              {"written", d.written},
                              {"write_errors", d.write_errors}};
      };
      nlohmann::json j = {{"seconds", secs},
                          {"seed", opt_.seed},
                          {"rt_priority", opt_.rt_priority},
                          {"a_to_b", dir(stats_[0])},
                          {"b_to_a", dir(stats_[1])},
                          {"lateness_us",
                           {{"releases", sorted.size()},
                            {"mean", mean},
                            {"p50", p50},
                            {"p90", p90},
                            {"p99", p99},
                            {"p999", p999},
                            {"max", max},
                            {"over_1ms", lateness_.over_1ms}}}};
      if (!error_.empty()) j["error"] = error_;
      fmt::print("{}\n", j.dump());
      return;
    }
    fmt::print("ustcp relay: stopped after {:.3f} s\n", secs);
    for (int side = 0; side < 2; ++side) {
      const DirectionStats& d = stats_[side];
      fmt::print(
          "{}  read {} ({} bytes), written {}, lost {}, queue drops {}, reordered {}, duplicated "
          "{}, corrupted {}, not forwarded {}, overflow {}, write errors {}\n",
          side == 0 ? "A->B" : "B->A", d.read, d.bytes, d.written, d.lost, d.queue_dropped,
          d.reordered, d.duplicated, d.corrupted, d.not_forwarded, d.overflow, d.write_errors);
    }
    fmt::print(
        "lateness of {} releases: mean {:.1f} us, median {:.1f} us, p90 {:.1f} us, p99 {:.1f} "
        "us, p99.9 {:.1f} us, max {:.1f} us; {} later than 1 ms\n",
        sorted.size(), mean, p50, p90, p99, p999, max, lateness_.over_1ms);
    if (!error_.empty()) fmt::print("error: {}\n", error_);
  }

  const std::string& error() const { return error_; }

 private:
  struct Pending {
    TimePoint at;
    uint64_t order;  // entry order: equal times leave in it, as in SimNetwork
    int to;
    std::vector<std::byte> data;
  };
  // Heap order: the earliest (at, order) on top.
  static bool later(const Pending& x, const Pending& y) {
    if (x.at != y.at) return x.at > y.at;
    return x.order > y.order;
  }

  // Reads up to kBatch datagrams from `side`'s device; false on a device error.
  bool read_side(int side) {
    DirectionStats& st = stats_[side];
    const Ipv4Addr to_addr = addr_[1 - side];
    for (int n = 0; n < kBatch; ++n) {
      const long len = dev_[side].read(MutBytes(buf_.data(), buf_.size()));
      if (len == 0) return true;
      if (len < 0) {
        error_ = fmt::format("reading {} ({}): {}", dev_[side].name(), side == 0 ? "A" : "B",
                             std::strerror(static_cast<int>(-len)));
        return false;
      }
      const TimePoint now = monotonic_now();
      const Bytes d(buf_.data(), static_cast<size_t>(len));
      // Only IPv4 to the other side enters the link (IPv6 router solicitations and the
      // like do not), so that the n-th draw belongs to the n-th datagram between the two.
      if (d.size() < 20 || (std::to_integer<int>(d[0]) >> 4) != 4 ||
          load_be32(d.data() + 16) != to_addr.raw()) {
        ++st.not_forwarded;
        continue;
      }
      ++st.read;
      st.bytes += d.size();
      const link::LinkModel::Verdict v = link_[side].enter(now, d.size());
      if (v.drop == link::DropReason::Loss) ++st.lost;
      if (v.drop == link::DropReason::QueueFull) ++st.queue_dropped;
      if (v.drop) continue;
      if (held_bytes_ + d.size() * (v.duplicated ? 2 : 1) > kMaxHeldBytes) {
        ++st.overflow;
        continue;
      }
      if (v.reordered) ++st.reordered;
      std::vector<std::byte> data = take_buffer(d);
      std::optional<std::vector<std::byte>> copy;
      if (v.duplicated) {
        ++st.duplicated;
        copy = take_buffer(d);
      }
      if (v.corrupt_bit) {
        ++st.corrupted;
        link::LinkModel::flip_bit(data, *v.corrupt_bit);
      }
      schedule(v.arrival, 1 - side, std::move(data));
      if (copy) schedule(v.arrival, 1 - side, std::move(*copy));
    }
    return true;
  }

  std::vector<std::byte> take_buffer(Bytes d) {
    std::vector<std::byte> b;
    if (!spare_.empty()) {
      b = std::move(spare_.back());
      spare_.pop_back();
    }
    b.assign(d.begin(), d.end());
    return b;
  }

  void schedule(TimePoint at, int to, std::vector<std::byte> data) {
    held_bytes_ += data.size();
    heap_.push_back(Pending{.at = at, .order = next_order_++, .to = to, .data = std::move(data)});
    std::push_heap(heap_.begin(), heap_.end(), later);
  }

  // Writes every datagram whose time has come, recording how late each one leaves.
  void release_due() {
    TimePoint now = monotonic_now();
    while (!heap_.empty() && heap_.front().at <= now) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      Pending p = std::move(heap_.back());
      heap_.pop_back();
      held_bytes_ -= p.data.size();
      now = monotonic_now();
      lateness_.add(now - p.at);
      DirectionStats& st = stats_[1 - p.to];
      if (dev_[p.to].write(p.data) == 0)
        ++st.written;
      else
        ++st.write_errors;
      if (spare_.size() < 4096) spare_.push_back(std::move(p.data));
      now = monotonic_now();
    }
  }

  // The timerfd fires at `wake` (absolute); disarmed without one.
  void arm(std::optional<TimePoint> wake) {
    if (wake == armed_) return;
    armed_ = wake;
    itimerspec its{};
    if (wake) {
      const auto ns = std::max<int64_t>(wake->time_since_epoch().count(), 1);
      its.it_value.tv_sec = ns / 1'000'000'000;
      its.it_value.tv_nsec = ns % 1'000'000'000;
    }
    ::timerfd_settime(timer_.fd, TFD_TIMER_ABSTIME, &its, nullptr);
  }

  const RelayOptions& opt_;
  std::array<link::TunDevice, 2> dev_;
  std::array<Ipv4Addr, 2> addr_;
  std::array<link::LinkModel, 2> link_;  // [0]: A->B, [1]: B->A
  std::array<DirectionStats, 2> stats_{};
  std::vector<Pending> heap_;
  std::vector<std::vector<std::byte>> spare_;
  size_t held_bytes_ = 0;
  uint64_t next_order_ = 0;
  std::vector<std::byte> buf_;
  Fd timer_;
  std::optional<TimePoint> armed_;
  TimePoint start_{}, stopped_{};
  Lateness lateness_;
  std::string error_;
};

std::string describe(const link::LinkParams& p) {
  return fmt::format(
      "delay {} us, bandwidth {}, queue {}, loss {}, reorder {}, duplicate {}, "
      "corrupt {}",
      to_micros(p.delay), p.bandwidth_bps ? fmt::format("{} bit/s", p.bandwidth_bps) : "unlimited",
      p.queue_limit_bytes ? fmt::format("{} bytes", p.queue_limit_bytes) : "unlimited", p.loss,
      p.reorder, p.duplicate, p.corrupt);
}

}  // namespace

int run_relay(const RelayOptions& opt) {
  // Block the stop signals before anything else, so one arriving during setup is read by
  // the loop rather than killing the process between the devices' creation and the loop.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  Fd sig(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (sig.fd < 0) {
    fmt::print(stderr, "ustcp relay: signalfd: {}\n", std::strerror(errno));
    return 2;
  }
  // Sleep to the nanosecond asked (the default slack of 50 us would add to every release).
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  if (opt.rt_priority > 0) {
    sched_param sp{};
    sp.sched_priority = opt.rt_priority;
    if (::sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
      fmt::print(stderr, "ustcp relay: --rt-priority {}: sched_setscheduler(SCHED_FIFO): {}\n",
                 opt.rt_priority, std::strerror(errno));
      return 2;
    }
  }

  auto a = open_side(opt.a, opt.tun);
  if (!a) {
    fmt::print(stderr, "ustcp relay: side A: {}\n", a.error());
    return 2;
  }
  auto b = open_side(opt.b, opt.tun);
  if (!b) {
    fmt::print(stderr, "ustcp relay: side B: {}\n", b.error());
    return 2;
  }
  Relay relay(opt, std::move(*a), std::move(*b));
  fmt::print(
      "ustcp relay: ready: A {} {}/{} <-> B {} {}/{} on {}; each direction: {}; seed {}; {}\n",
      opt.a.netns, opt.a.addr.to_string(), opt.a.prefix_len, opt.b.netns, opt.b.addr.to_string(),
      opt.b.prefix_len, opt.tun, describe(opt.link), opt.seed,
      opt.rt_priority ? fmt::format("SCHED_FIFO {}", opt.rt_priority) : "normal scheduler");
  std::fflush(stdout);
  const int rc = relay.run(sig.fd);
  relay.report(opt.json);
  if (rc != 0) fmt::print(stderr, "ustcp relay: {}\n", relay.error());
  return rc;
}

}  // namespace ustcp::cli
