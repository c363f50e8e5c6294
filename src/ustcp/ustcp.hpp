// ustcp's public C++ API, in one include: <ustcp/ustcp.hpp>. The headers named here are the
// documented, supported set; every other header under ustcp/ is internal (installed only
// because these include it) and may change without notice. C programs use <ustcp/ustcp.h>.
//
//   A host:        stack::Stack (stack/stack.hpp), its tcp::Config (tcp/config.hpp) set by
//                  Linux sysctl names (stack/sysctl.hpp), its tcp::Secrets (tcp/secrets.hpp)
//   Sockets:       the Stack's BSD calls with errno results (stack/result.hpp), or
//                  descriptors over them (api/sockets.hpp)
//   Drivers:       link::Node (link/node.hpp) and StackNode, the simulated network
//                  (link/sim_network.hpp), a TUN device and its real-time loop
//                  (link/tun_device.hpp, link/tun_loop.hpp), secrets from the OS
//                  (link/random_secrets.hpp), pcap capture (link/pcap_writer.hpp, pcap_tap.hpp)
//   Values:        Ipv4Addr/Endpoint, Bytes, Expected, SeqNum, TimePoint (base/)
#pragma once

#include "ustcp/api/sockets.hpp"
#include "ustcp/base/bytes.hpp"
#include "ustcp/base/expected.hpp"
#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/base/seq.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/link/node.hpp"
#include "ustcp/link/pcap_tap.hpp"
#include "ustcp/link/pcap_writer.hpp"
#include "ustcp/link/random_secrets.hpp"
#include "ustcp/link/sim_network.hpp"
#include "ustcp/link/stack_node.hpp"
#include "ustcp/link/tun_device.hpp"
#include "ustcp/link/tun_loop.hpp"
#include "ustcp/stack/result.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/stack/sysctl.hpp"
#include "ustcp/tcp/config.hpp"
#include "ustcp/tcp/secrets.hpp"
#include "ustcp/tcp/state.hpp"
