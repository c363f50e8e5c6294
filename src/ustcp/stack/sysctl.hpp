// The sysctl layer over tcp::Config: every field by its Linux name ("net.ipv4.tcp_syn_retries",
// "net.core.somaxconn", ...), with the bounds Linux's handlers enforce, and a sysctl.conf
// reader that applies all of a file or nothing.
//
//   tcp::Config cfg;
//   auto r = stack::sysctl::apply(cfg, "net/ipv4/tcp_syncookies", "2");
//   auto f = stack::sysctl::apply_file(cfg, text, "/etc/ustcp.conf");
//   for (const auto& [name, value] : stack::sysctl::all(cfg)) ...
//
// Values are parsed as Linux's proc_dointvec does (kernel/sysctl.c, proc_get_long):
// whitespace-separated integers in base 0 ("0x10" and "010" are 16 and 8), an optional '-';
// a vector sysctl written with fewer values than it has sets only the first ones.
// Config::mtu is not a sysctl (it is the interface MTU) and is not listed here.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ustcp/base/expected.hpp"
#include "ustcp/tcp/config.hpp"

namespace ustcp::stack::sysctl {

struct SysctlError {
  std::string file;    // empty when not from a file
  int line = 0;        // 1-based; 0 when not from a file
  std::string name;    // as written (empty for a malformed line)
  std::string reason;  // "unknown name", "value out of range 0..2 (got 3)", "malformed line ..."

  // "file:line: name: reason", "name: reason" (parts that are empty are left out).
  std::string message() const;
};

// Sets one sysctl. `name` may use dots or slashes (net/ipv4/tcp_syncookies), as sysctl(8)
// accepts. On error `cfg` is unchanged.
Expected<void, SysctlError> apply(tcp::Config& cfg, std::string_view name, std::string_view value);

// Applies a sysctl.conf text: "name = value" or "name=value" lines, blank lines, comments
// starting with '#' or ';', and a leading '-' on a line meaning "ignore errors of this line"
// (as sysctl -p does). All or nothing: on any error `cfg` is unchanged and every error is
// returned, each with `filename` and its line number.
Expected<void, std::vector<SysctlError>> apply_file(tcp::Config& cfg, std::string_view text,
                                                    std::string_view filename);

// The value as /proc/sys prints it (vector values separated by tabs), "" for an unknown name.
std::string get(const tcp::Config& cfg, std::string_view name);

// True when `name` (dots or slashes) is a sysctl of this table.
bool known(std::string_view name);

// Every name, sorted as sysctl -a lists them.
std::vector<std::string_view> names();

// Every (name, value), sorted by name: what `sysctl -a` shows for the fields ustcp reads.
std::vector<std::pair<std::string, std::string>> all(const tcp::Config& cfg);

// all() as text, one "name = value" line each.
std::string to_text(const tcp::Config& cfg);

}  // namespace ustcp::stack::sysctl
