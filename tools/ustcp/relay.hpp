// `ustcp relay`: an impairing relay between two network namespaces, so that the Linux
// kernel's own TCP can be measured on the paths `ustcp transfer` simulates.
//
// The relay creates one TUN device in each namespace (side A and side B), gives it the
// side's address (the kernel adds the route to the subnet through it), and forwards the
// IPv4 datagrams addressed to the other side across two LinkModels (link_model.hpp), one
// per direction, seeded as SimNetwork seeds the egress link of a host at the sender's
// address. With the addresses of `ustcp transfer` (10.0.0.1, 10.0.0.2) the n-th datagram
// A sends meets the same fate as the n-th datagram ustcp's client sends in
// `ustcp transfer --seed` with the same seed.
//
// Being a driver, it reads the clock (CLOCK_MONOTONIC): a datagram enters its link when
// the relay reads it, and is written to the far device when the model says it arrives.
// Releases wait in a min-heap; one absolute timerfd is armed at the earliest, and ppoll
// sleeps on it, both devices and a signalfd. How late each release is (the clock at the
// write minus the model's arrival time) is recorded and reported when the relay stops
// (SIGINT, SIGTERM, or --duration). On a busy machine the normal scheduler wakes it
// milliseconds late; --rt-priority (SCHED_FIFO) brings that to tens of microseconds.
#pragma once

#include <cstdint>
#include <string>

#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/link/link_model.hpp"

namespace CLI {
class App;
}

namespace ustcp::cli {

// One side: the namespace the device is created in and the address it gets.
struct RelaySide {
  std::string netns;  // a name under /run/netns (ip netns add), or a path (/proc/PID/ns/net)
  Ipv4Addr addr;
  int prefix_len = 24;
};

struct RelayOptions {
  RelaySide a, b;
  std::string tun = "relay0";  // the device's name in both namespaces
  link::LinkParams link;       // each direction's link (as `ustcp transfer` builds it)
  uint64_t seed = 1;
  Duration duration{0};  // stop after this long; 0: run until SIGINT or SIGTERM
  int rt_priority = 0;   // SCHED_FIFO at this priority (1..99); 0: the normal scheduler
  bool json = false;     // the final report as one JSON object
};

// The command's text options, converted by run_relay_command.
struct RelayArgs {
  std::string a, b;  // NETNS:ADDR/PREFIX
  std::string tun = "relay0";
  std::string delay = "5ms", loss = "0", reorder = "0", duplicate = "0", corrupt = "0", queue = "0";
  double bandwidth_mbit = 0;
  double duration_s = 0;
  int rt_priority = 0;
  uint64_t seed = 1;
  bool json = false;
};

// Registers `ustcp relay` and its options on `app`.
CLI::App* add_relay_command(CLI::App& app, RelayArgs& args);
// Converts the options (exit status 2 with a message naming a bad one) and runs the relay.
int run_relay_command(const RelayArgs& args);

// Exit status: 0 after a clean stop, 1 when a device failed, 2 when setting up failed.
int run_relay(const RelayOptions& opt);

}  // namespace ustcp::cli
