// The subcommands of the ustcp CLI and their options (parsed in main.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/time.hpp"
#include "tcp/config.hpp"

namespace ustcp::cli {

struct DemoOptions {
  bool nstat = false;  // print both hosts' counters at the end
  uint64_t seed = 1;
  Duration delay = std::chrono::milliseconds(5);
  std::string pcap;
  tcp::Config config;
};

struct TransferOptions {
  uint64_t bytes = 1 << 20;
  Duration delay = std::chrono::milliseconds(5);
  uint64_t bandwidth_bps = 0;
  double loss = 0, reorder = 0, duplicate = 0, corrupt = 0;
  uint64_t seed = 1;
  bool json = false;
  bool nstat = false;
  std::string pcap;
  tcp::Config config;
};

struct DrillOptions {
  bool strict = false;
  bool verbose = false;
  std::vector<std::string> paths;
};

int run_demo(const DemoOptions& opt);
int run_transfer(const TransferOptions& opt);
int run_drill(const DrillOptions& opt);

}  // namespace ustcp::cli
