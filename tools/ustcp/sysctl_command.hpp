// `ustcp sysctl`: the sysctls ustcp reads and their values, as sysctl(8) shows the kernel's
// (`name`, -a, -n, -N, -e). ustcp keeps no sysctl state between runs: every command that runs
// a stack takes its settings (--sysctl name=value, --sysctl-file FILE). What sysctl(8) does
// to write (name=value, -w, -p, --system) gets a message that says so and gives the command
// line that does it, with exit status 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "stack_options.hpp"

namespace ustcp::cli {

struct SysctlArgs {
  StackOptions stack;
  std::vector<std::string> names;  // empty: all
  bool all = false;                // -a: every name (as with no name)
  bool values = false;             // -n: the values alone
  bool names_only = false;         // -N: the names alone
  bool ignore = false;             // -e: unknown names are left out, not an error
  // sysctl(8)'s ways of writing, refused with the command line that does it.
  bool write = false;                 // -w
  const CLI::Option* load = nullptr;  // -p [FILE]: given when its count() is not 0
  std::string load_file;              // FILE of -p (sysctl(8)'s default: /etc/sysctl.conf)
  bool system = false;                // --system
};

CLI::App* add_sysctl_command(CLI::App& app, SysctlArgs& args);
int run_sysctl_command(const SysctlArgs& args);

}  // namespace ustcp::cli
