// `ustcp ss` and `ustcp nstat`: options as iproute2's ss and nstat take them, answered by a
// running daemon (`ustcp serve`, `ustcp get`) through its control socket.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "ss_print.hpp"

namespace ustcp::cli {

struct SsCommand {
  QueryOptions daemon;
  bool all = false, listening = false, numeric = false, resolve = false, options = false,
       extended = false, memory = false, info = false, processes = false, summary = false,
       no_header = false, oneline = false, ipv4 = false, ipv6 = false, json = false;
  bool tcp = false, udp = false, raw = false, unix_ = false;
  std::vector<std::string> filter;  // [state|exclude NAME]... [EXPRESSION]
  std::string input;                // read the sockets from this JSON file, not a daemon
};

struct NstatCommand {
  QueryOptions daemon;
  bool ignore = false, zeros = false, reset = false, no_output = false, no_update = false,
       json = false, pretty = false;
  std::vector<std::string> patterns;
};

void add_ss_options(CLI::App* cmd, SsCommand& c);
// What ss's options and filter words select and show; false with a message on bad input.
bool ss_options(const SsCommand& c, SsOptions& o, std::string& error);
void add_nstat_options(CLI::App* cmd, NstatCommand& c);
int run_ss(const SsCommand& c);
int run_nstat(const NstatCommand& c);

}  // namespace ustcp::cli
