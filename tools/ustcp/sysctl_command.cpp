#include "sysctl_command.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "ustcp/stack/sysctl.hpp"

namespace ustcp::cli {
namespace {

// Why sysctl(8)'s write cannot be done here (`what`) and the command line that does it:
// `option` given to a command that runs a stack; `check` shows the values it sets.
int no_state(const std::string& what, const std::string& option, const std::string& check) {
  fmt::print(stderr,
             "ustcp sysctl: cannot {}: ustcp keeps no sysctl settings between runs\n"
             "Give it to the command that runs the stack (demo, transfer, lab, serve or get), "
             "e.g.\n"
             "  ustcp transfer {}\n"
             "and `ustcp sysctl {}` shows what it sets.\n",
             what, option, check);
  return 2;
}

// sysctl(8) prints a name with dots however it was given.
std::string dotted(std::string name) {
  std::replace(name.begin(), name.end(), '/', '.');
  return name;
}

// "NAME: unknown name" and what to do: the full name when NAME ends one (tcp_syncookies for
// net.ipv4.tcp_syncookies), else where the names ustcp reads are listed.
std::string unknown_name(const std::string& name) {
  const std::string tail = "." + dotted(name);
  for (std::string_view full : stack::sysctl::names()) {
    if (full.ends_with(tail)) return fmt::format("{}: unknown name (did you mean {}?)", name, full);
  }
  return fmt::format("{}: unknown name (not a sysctl ustcp reads; `ustcp sysctl` lists them)",
                     name);
}

// A setting given to be written (`how`: "" or "-w "): its own error when it is wrong (not
// name=value, an unknown name, a value out of range), else where it goes instead.
int refuse_write(const std::string& setting, const std::string& how) {
  const size_t eq = setting.find('=');
  if (eq == std::string::npos || eq == 0) {
    // "name = value" arrives as three words, the second "=".
    fmt::print(stderr,
               "ustcp sysctl: {}'{}': expected name=value{}, e.g. net.ipv4.tcp_syncookies=2\n", how,
               setting, eq == 0 ? " with no spaces around '='" : "");
    return 2;
  }
  const std::string name = setting.substr(0, eq);
  tcp::Config scratch;
  if (auto r = stack::sysctl::apply(scratch, name, setting.substr(eq + 1)); !r) {
    // Linux's reasons as --sysctl gives them (tcp_tw_recycle: removed in Linux 4.12, ...).
    fmt::print(stderr, "ustcp sysctl: {}\n",
               stack::sysctl::known(name) || r.error().reason != "unknown name"
                   ? r.error().message()
                   : unknown_name(name));
    return 2;
  }
  return no_state("set " + setting, "--sysctl " + setting,
                  fmt::format("--sysctl {} {}", setting, dotted(name)));
}

}  // namespace

CLI::App* add_sysctl_command(CLI::App& app, SysctlArgs& args) {
  auto* cmd = app.add_subcommand(
      "sysctl",
      "list the sysctls ustcp reads with their values (after --sysctl settings), as sysctl(8) "
      "lists the kernel's; to set one, give --sysctl name=value to the command that runs the "
      "stack");
  cmd->add_option("name", args.names, "names to show (default: all)");
  cmd->add_flag("-a,--all", args.all, "show every sysctl (as with no name)");
  cmd->add_flag("-n,--values", args.values, "print the values alone");
  cmd->add_flag("-N,--names", args.names_only, "print the names alone");
  cmd->add_flag("-e,--ignore", args.ignore, "leave out unknown names instead of failing");
  add_stack_options(cmd, args.stack);
  // sysctl(8)'s writes: not in the help (ustcp cannot do them), known so as to say what does.
  cmd->add_flag("-w,--write", args.write)->group("");
  cmd->add_flag("-q,--quiet")->group("");  // sysctl -q -w name=value: the write is what counts
  args.load = cmd->add_option("-p,--load", args.load_file)->expected(0, 1)->group("");
  cmd->add_flag("--system", args.system)->group("");
  return cmd;
}

int run_sysctl_command(const SysctlArgs& args) {
  if (args.system) {
    return no_state("load the system's sysctl files (--system)", "--sysctl-file FILE",
                    "--sysctl-file FILE");
  }
  if (args.load && args.load->count() > 0) {
    const std::string file = args.load_file.empty() ? "/etc/sysctl.conf" : args.load_file;
    return no_state(fmt::format("load {} (-p)", file), "--sysctl-file " + file,
                    "--sysctl-file " + file);
  }
  // Writes first, before anything is printed: sysctl(8) writes an argument with '='.
  if (args.write && args.names.empty()) {
    fmt::print(stderr, "ustcp sysctl: -w: expected name=value, e.g. net.ipv4.tcp_syncookies=2\n");
    return 2;
  }
  for (const std::string& n : args.names) {
    if (args.write || n.find('=') != std::string::npos) {
      return refuse_write(n, args.write ? "-w " : "");
    }
  }
  if (args.values && args.names_only) {
    fmt::print(stderr, "ustcp sysctl: -n and -N: give one (the values alone or the names alone)\n");
    return 2;
  }
  tcp::Config cfg;
  std::string error;
  if (!load_config(args.stack, cfg, error)) {
    fmt::print(stderr, "ustcp sysctl: {}\n", error);
    return 2;
  }
  std::vector<std::string> shown;
  for (const std::string& n : args.names) {
    if (stack::sysctl::known(n)) {
      shown.push_back(dotted(n));
    } else if (!args.ignore) {
      fmt::print(stderr, "ustcp sysctl: {}\n", unknown_name(n));
      return 2;
    }
  }
  if (args.names.empty() || args.all) {
    shown.clear();
    for (std::string_view n : stack::sysctl::names()) shown.emplace_back(n);
  }
  for (const std::string& n : shown) {
    if (args.values) {
      fmt::print("{}\n", stack::sysctl::get(cfg, n));
    } else if (args.names_only) {
      fmt::print("{}\n", n);
    } else {
      fmt::print("{} = {}\n", n, stack::sysctl::get(cfg, n));
    }
  }
  return 0;
}

}  // namespace ustcp::cli
