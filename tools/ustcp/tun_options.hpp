// The options of the commands that run ustcp on a TUN device (`serve`, `get`).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "pcap_options.hpp"
#include "stack_options.hpp"

namespace ustcp::cli {

struct TunOptions {
  std::string tun = "ustcp0";
  std::string addr;       // ustcp's address, A.B.C.D/NN
  std::string peer_addr;  // the Linux side's; default: the other host of the subnet
  std::string control;    // control socket path; default: default_control_path(tun)
  PcapArgs capture;       // --pcap, -s, -C, -W
  bool trace = false;     // print every segment and state change as `ustcp demo` does
  StackOptions stack;
};

// Adds --tun, --addr, --peer-addr, --control, --pcap (-s, -C, -W), --trace, --sysctl,
// --sysctl-file.
void add_tun_options(CLI::App* cmd, TunOptions& opts, bool addr_required);

}  // namespace ustcp::cli
