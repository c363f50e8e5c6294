#include "stack_options.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ustcp/stack/sysctl.hpp"

namespace ustcp::cli {

void add_stack_options(CLI::App* cmd, StackOptions& opts) {
  // One setting per --sysctl: a word after it is the command's own (`ustcp lab --sysctl
  // net.ipv4.tcp_syncookies=2 syn-flood`, `ustcp sysctl --sysctl NAME=V NAME`).
  cmd->add_option("--sysctl", opts.sysctls,
                  "set a sysctl, e.g. net.ipv4.tcp_syncookies=2 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--sysctl-file", opts.sysctl_file, "apply a sysctl.conf-format file");
}

bool load_config(const StackOptions& opts, tcp::Config& cfg, std::string& error) {
  tcp::Config next = cfg;
  if (!opts.sysctl_file.empty()) {
    // A directory opens as a stream and reads as empty: it would be an empty file applied.
    std::error_code ec;
    if (std::filesystem::is_directory(opts.sysctl_file, ec)) {
      error = fmt::format("--sysctl-file: '{}' is a directory, not a sysctl.conf file",
                          opts.sysctl_file);
      return false;
    }
    std::ifstream in(opts.sysctl_file);
    if (!in) {
      error = fmt::format("--sysctl-file: cannot read '{}'", opts.sysctl_file);
      return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) {
      error = fmt::format("--sysctl-file: error reading '{}'", opts.sysctl_file);
      return false;
    }
    auto r = stack::sysctl::apply_file(next, text.str(), opts.sysctl_file);
    if (!r) {
      for (const auto& e : r.error()) error += (error.empty() ? "" : "\n") + e.message();
      return false;
    }
  }
  for (const std::string& s : opts.sysctls) {
    auto eq = s.find('=');
    if (eq == std::string::npos) {
      error = fmt::format("--sysctl '{}': expected name=value", s);
      return false;
    }
    auto trim = [](std::string v) {
      v.erase(0, v.find_first_not_of(" \t"));
      v.erase(v.find_last_not_of(" \t") + 1);
      return v;
    };
    auto r = stack::sysctl::apply(next, trim(s.substr(0, eq)), trim(s.substr(eq + 1)));
    if (!r) {
      error = "--sysctl " + r.error().message();
      return false;
    }
  }
  cfg = next;
  return true;
}

}  // namespace ustcp::cli
