// `ustcp lab NAME`: a classic TCP incident replayed on the simulated network in virtual
// time. Each scenario sets up hosts and applications, runs once per variant (the sysctl
// values the incident turns on, e.g. tcp_tw_reuse 0, 1 and 2), tells what happened in ss and
// nstat terms, checks the outcome Linux would show (exit status 1 when a check fails), and
// writes NAME[-VARIANT].svg (lab_svg.hpp) and NAME[-VARIANT].pcap. --sysctl settings apply to
// every variant; setting a sysctl a scenario varies runs that one setting only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lab_svg.hpp"
#include "lab_world.hpp"
#include "stack_options.hpp"

namespace ustcp::cli {

// The lab's addresses: every incident's client and server, and a third host when it needs
// one (the flooder); the one-way delay most incidents use.
inline constexpr Ipv4Addr kClient{10, 0, 0, 1};
inline constexpr Ipv4Addr kServer{10, 0, 0, 2};
inline constexpr Ipv4Addr kAttacker{10, 0, 0, 66};
inline constexpr link::LinkParams kLabLink{.delay = std::chrono::milliseconds(5)};
inline constexpr int kSolSocket = 1, kSoError = 4;  // Linux's SOL_SOCKET, SO_ERROR

struct LabOptions {
  std::string name;
  bool list = false;
  std::string out_dir = ".";
  uint64_t seed = 1;
  bool no_pcap = false;
  StackOptions stack;
};

// What a scenario's run gets and fills.
struct LabRun {
  tcp::Config cfg;    // defaults, the variant's sysctls, then the user's
  std::string label;  // the variant, e.g. "tcp_tw_reuse=1"
  // The variant's application settings ("app.NAME=VALUE" entries, app. left off).
  std::map<std::string, std::string> app;
  LabWorld& w;
  LabPicture picture;
  std::vector<std::string> summary;
  std::vector<std::pair<bool, std::string>> checks;
  void check(bool ok, std::string what) { checks.emplace_back(ok, std::move(what)); }
  void outcome(std::string line);  // printed, and on the picture
};

struct LabScenario {
  const char* name;
  const char* title;  // one line for --list and the report
  // The sysctls the variants set (short names, net.ipv4. left off), one list per variant;
  // entries "app.NAME=VALUE" set the scenario's applications instead.
  std::vector<std::vector<std::string>> variants;
  std::function<void(LabRun&)> run;
};

const std::vector<LabScenario>& lab_scenarios();
int run_lab(const LabOptions& opt);

// Scenario groups (lab_*.cpp).
void add_port_scenarios(std::vector<LabScenario>& out);     // time-wait-pileup, wraparound
void add_close_scenarios(std::vector<LabScenario>& out);    // close-wait-leak, fin-wait-2,
                                                            // keepalive-who-closes-first
void add_listen_scenarios(std::vector<LabScenario>& out);   // accept-overflow, syn-flood
void add_connect_scenarios(std::vector<LabScenario>& out);  // syn-retries

}  // namespace ustcp::cli
