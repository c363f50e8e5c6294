// Two hosts on one simulated network, the setup `demo` and `transfer` share: a client at
// 10.0.0.1, a server at 10.0.0.2, each with its own egress link, optional pcap capture.
#pragma once

#include <memory>
#include <string>

#include "pcap_options.hpp"
#include "ustcp/link/pcap_writer.hpp"
#include "ustcp/link/sim_network.hpp"
#include "ustcp/link/stack_node.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp::cli {

struct SimHosts {
  static constexpr Ipv4Addr kClientAddr{10, 0, 0, 1};
  static constexpr Ipv4Addr kServerAddr{10, 0, 0, 2};

  SimHosts(uint64_t seed, const tcp::Config& cfg, link::LinkParams link)
      : client(kClientAddr, cfg, seed * 2 + 1),
        server(kServerAddr, cfg, seed * 2 + 2),
        client_node(client),
        server_node(server),
        net(seed) {
    net.attach(client_node, kClientAddr, link);
    net.attach(server_node, kServerAddr, link);
  }

  // Captures every datagram as --pcap, -s, -C and -W ask (nothing without --pcap). Returns
  // an error message naming the option, or "".
  std::string capture(const PcapArgs& a) {
    link::PcapOptions o;
    std::string error;
    if (!pcap_options_from(a, o, error)) return error;
    if (a.path.empty()) return "";
    pcap = std::make_unique<link::PcapWriter>(a.path, o);
    if (!pcap->ok()) return "--pcap: " + pcap->error();
    net.capture(*pcap);
    return "";
  }

  stack::Stack client;
  stack::Stack server;
  link::StackNode client_node;
  link::StackNode server_node;
  link::SimNetwork net;
  std::unique_ptr<link::PcapWriter> pcap;
};

}  // namespace ustcp::cli
