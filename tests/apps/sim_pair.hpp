// Two hosts on a simulated network in virtual time, each a Stack wrapped in an apps::Host:
// a client at 10.0.0.1, a server at 10.0.0.2, a few ms of delay each way. The apps under
// test run on them exactly as they would on a TUN device.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string_view>

#include "apps/host.hpp"
#include "ustcp/link/sim_network.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp::apps::testing {

inline constexpr Ipv4Addr kClientAddr{10, 0, 0, 1};
inline constexpr Ipv4Addr kServerAddr{10, 0, 0, 2};

inline link::LinkParams default_link() {
  return link::LinkParams{.delay = std::chrono::milliseconds(5)};
}

struct SimPair {
  explicit SimPair(link::LinkParams link = default_link(), uint64_t seed = 1, tcp::Config cfg = {})
      : client_stack(kClientAddr, cfg, seed * 2 + 1),
        server_stack(kServerAddr, cfg, seed * 2 + 2),
        client(client_stack),
        server(server_stack),
        net(seed) {
    net.attach(client, kClientAddr, link);
    net.attach(server, kServerAddr, link);
  }

  TimePoint now() const { return net.now(); }
  // Runs the network until `done` holds (checked after every event) or `limit` of virtual
  // time has passed; returns whether `done` held.
  bool run_until(const std::function<bool()>& done, Duration limit = std::chrono::seconds(120)) {
    return net.run_until(done, net.now() + limit);
  }
  void run_for(Duration d) { net.run_for(d); }

  stack::Stack client_stack;
  stack::Stack server_stack;
  Host client;
  Host server;
  link::SimNetwork net;
};

// The TCP payload of an IPv4 datagram (after the IP header and the TCP header with its
// options), empty if it carries none.
inline std::string_view tcp_payload(Bytes d) {
  if (d.size() < 40) return {};
  const size_t ihl = (std::to_integer<size_t>(d[0]) & 0xf) * 4;
  if (d.size() < ihl + 20) return {};
  const size_t doff = (std::to_integer<size_t>(d[ihl + 12]) >> 4) * 4;
  if (d.size() < ihl + doff) return {};
  return std::string_view(reinterpret_cast<const char*>(d.data()) + ihl + doff,
                          d.size() - ihl - doff);
}

// Sockets of `s` in state `st`, as ss -tan lists them.
inline size_t count_state(const stack::Stack& s, tcp::State st) {
  size_t n = 0;
  for (const auto& row : s.socket_table()) n += row.state == st;
  return n;
}

}  // namespace ustcp::apps::testing
