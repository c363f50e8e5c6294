// The options every command that builds a stack takes: --sysctl name=value (repeatable)
// and --sysctl-file FILE (sysctl.conf format). The file applies first, then each --sysctl
// in order; any error leaves nothing applied and names the file, line and reason.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "ustcp/tcp/config.hpp"

namespace ustcp::cli {

struct StackOptions {
  std::vector<std::string> sysctls;
  std::string sysctl_file;
};

void add_stack_options(CLI::App* cmd, StackOptions& opts);
// Builds the Config; on error returns false with a message for the user in `error`.
bool load_config(const StackOptions& opts, tcp::Config& cfg, std::string& error);

}  // namespace ustcp::cli
