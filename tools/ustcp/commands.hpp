// The subcommands of the ustcp CLI and their options (parsed in main.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pcap_options.hpp"
#include "tun_options.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/tcp/config.hpp"

namespace ustcp::cli {

struct DemoOptions {
  bool nstat = false;  // print both hosts' counters at the end
  uint64_t seed = 1;
  Duration delay = std::chrono::milliseconds(5);
  PcapArgs capture;
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
  bool trace = false;  // a line per segment and state change, as demo prints them
  PcapArgs capture;
  tcp::Config config;
};

struct DrillOptions {
  bool strict = false;
  bool verbose = false;
  std::vector<std::string> paths;
};

struct ServeOptions {
  TunOptions tun;
  std::optional<uint16_t> echo_port;
  std::optional<uint16_t> http_port;
  std::string root;                                       // HTTP files; empty: built-in pages
  Duration keepalive_timeout = std::chrono::seconds(75);  // nginx's keepalive_timeout
  int backlog = 511;                                      // nginx's listen backlog
  // Incident modes (incident_server.hpp): a slow accepter, a server that never closes.
  Duration accept_delay{0};
  bool no_close = false;
};

struct GetOptions {
  TunOptions tun;
  std::vector<std::string> urls;          // http://A.B.C.D[:port]/path, all on one server
  std::string output;                     // body goes here; empty: stdout
  Duration keepalive = Duration::zero();  // hold the idle connection this long at the end
};

// `ustcp ss` and `ustcp nstat`: requests to a daemon's control socket.
struct QueryOptions {
  std::string tun = "ustcp0";
  std::string control;  // default: default_control_path(tun)
};

// `ustcp bench`: ustcp against the kernel's loopback, workload by workload.
struct BenchOptions {
  bool quick = false;                  // smaller counts (within 20 s)
  bool json = false;                   // one JSON object instead of the table
  std::vector<std::string> workloads;  // empty: all
};

int run_demo(const DemoOptions& opt);
int run_serve(const ServeOptions& opt);
int run_get(const GetOptions& opt);
int run_transfer(const TransferOptions& opt);
int run_drill(const DrillOptions& opt);
int run_bench(const BenchOptions& opt);

}  // namespace ustcp::cli
