// The real-time driver: runs one Node (a Stack, or a Stack with its applications) on a
// TUN device. It is the only place that reads a clock; the Node stays sans-IO.
//
// Each round: read the datagrams that are waiting (up to kBatch, so one busy direction
// cannot starve timers), deliver them, run the timers that are due, call the owner's step,
// write everything the Node has to send, and sleep in ppoll() until the next datagram, the
// next deadline, or activity on a watched descriptor (a control socket, a signalfd).
//
//   TunLoop loop(tun, node);
//   loop.watch(signal_fd);
//   loop.run([&](TimePoint now) { return !stop_requested(); });
//
// Time is CLOCK_MONOTONIC (steady_clock), so TimePoints are comparable with nothing else;
// wall_offset() converts them to the Unix epoch (for pcap timestamps).
#pragma once

#include <poll.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ustcp/base/time.hpp"
#include "ustcp/link/node.hpp"
#include "ustcp/link/tun_device.hpp"

namespace ustcp::link {

struct TunStats {
  uint64_t rx = 0;           // datagrams read from the device and delivered
  uint64_t rx_not_ipv4 = 0;  // read and dropped: IPv6 and anything not IPv4
  uint64_t tx = 0;           // datagrams written
  uint64_t tx_errors = 0;    // writes the kernel refused (dropped)
  uint64_t rounds = 0;       // wake-ups of the loop
};

class TunLoop {
 public:
  static constexpr int kBatch = 64;

  TunLoop(TunDevice& dev, Node& node);

  // Wakes the loop when `fd` is readable (POLLIN); step() finds out what happened.
  void watch(int fd);
  void unwatch(int fd);

  // Runs until step returns false, or the device fails (error() says why). step(now) is
  // called every round after input and timers, before output; it may call into the Node's
  // stack (socket calls) and may ask to run again no later than `wake` by setting it.
  using Step = std::function<bool(TimePoint now, TimePoint& wake)>;
  void run(const Step& step);

  static TimePoint now();
  // Add to a TimePoint of this loop to get time since the Unix epoch.
  static Duration wall_offset();
  const TunStats& stats() const { return stats_; }
  const std::string& error() const { return error_; }

 private:
  void input(TimePoint now);
  void output(TimePoint now);
  void wait(TimePoint until);

  TunDevice& dev_;
  Node& node_;
  std::vector<int> watched_;
  std::vector<pollfd> pollfds_;
  std::vector<std::byte> buf_;
  TunStats stats_;
  std::string error_;
};

}  // namespace ustcp::link
