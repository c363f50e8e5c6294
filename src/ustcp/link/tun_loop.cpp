#include "ustcp/link/tun_loop.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace ustcp::link {

TunLoop::TunLoop(TunDevice& dev, Node& node) : dev_(dev), node_(node), buf_(65536) {}

void TunLoop::watch(int fd) {
  if (std::find(watched_.begin(), watched_.end(), fd) == watched_.end()) watched_.push_back(fd);
}

void TunLoop::unwatch(int fd) { std::erase(watched_, fd); }

TimePoint TunLoop::now() {
  return TimePoint(
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

Duration TunLoop::wall_offset() {
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  const auto mono = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration_cast<Duration>(wall - mono);
}

void TunLoop::input(TimePoint now) {
  for (int i = 0; i < kBatch; ++i) {
    const long n = dev_.read(buf_);
    if (n == 0) return;
    if (n < 0) {
      error_ = "reading " + dev_.name() + ": " + std::strerror(static_cast<int>(-n));
      return;
    }
    // The kernel also routes IPv6 (router solicitations, ...) into the device when IPv6 is
    // enabled on it; the Stack is IPv4 only, like a host without an IPv6 address would be.
    if ((std::to_integer<uint8_t>(buf_[0]) >> 4) != 4) {
      ++stats_.rx_not_ipv4;
      continue;
    }
    ++stats_.rx;
    node_.receive(now, Bytes(buf_.data(), static_cast<size_t>(n)));
  }
}

void TunLoop::output(TimePoint now) {
  while (auto d = node_.poll_transmit(now)) {
    if (dev_.write(*d) == 0) {
      ++stats_.tx;
    } else {
      ++stats_.tx_errors;  // ENOBUFS/EIO: dropped, TCP retransmits as after any loss
    }
  }
}

void TunLoop::wait(TimePoint until) {
  std::vector<pollfd>& fds = pollfds_;  // kept between rounds: no allocation per wake-up
  fds.clear();
  fds.push_back(pollfd{dev_.fd(), POLLIN, 0});
  for (int fd : watched_) fds.push_back(pollfd{fd, POLLIN, 0});
  timespec ts{};
  timespec* timeout = nullptr;
  if (until != kNever) {
    const Duration d = std::max(Duration::zero(), until - now());
    ts.tv_sec = static_cast<time_t>(d.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(d.count() % 1'000'000'000);
    timeout = &ts;
  }
  ::ppoll(fds.data(), fds.size(), timeout, nullptr);  // EINTR: just another round
}

void TunLoop::run(const Step& step) {
  for (;;) {
    ++stats_.rounds;
    TimePoint now = this->now();
    input(now);
    if (!error_.empty()) return;
    if (auto d = node_.next_deadline(); d && *d <= now) node_.on_timer(now);
    TimePoint wake = kNever;
    const bool go_on = step(now, wake);
    output(now);
    if (!go_on) return;
    if (auto d = node_.next_deadline()) wake = std::min(wake, *d);
    wait(wake);
  }
}

}  // namespace ustcp::link
