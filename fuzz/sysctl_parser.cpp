// Fuzz target: the sysctl layer (stack/sysctl.hpp). Invariants: apply_file never crashes;
// it applies all of a file or nothing (on error the configuration is unchanged); every
// error names a line of the file; what all() prints applies back to the same values.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "ustcp/stack/sysctl.hpp"

using namespace ustcp;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "sysctl_parser: invariant broken: %s\n", what);
  __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tcp::Config cfg;
  const std::string before = stack::sysctl::to_text(cfg);
  auto r = stack::sysctl::apply_file(cfg, text, "fuzz.conf");
  if (!r) {
    if (stack::sysctl::to_text(cfg) != before) fail("a failed file changed the configuration");
    for (const auto& e : r.error()) {
      if (e.file != "fuzz.conf" || e.line < 1) fail("an error names no line of the file");
      (void)e.message();
    }
    return 0;
  }
  // Round trip: the values as printed apply to a fresh configuration identically. As on
  // Linux, all() lists read-only names too (tcp_available_congestion_control), which a file
  // cannot set: those lines are left out, and only those.
  std::string dump;
  for (const auto& [name, value] : stack::sysctl::all(cfg)) {
    const std::string line = name + " = " + value + "\n";
    tcp::Config probe;
    auto one = stack::sysctl::apply_file(probe, line, "line");
    if (!one && one.error().front().message().ends_with("read-only")) continue;
    dump += line;
  }
  tcp::Config again;
  if (!stack::sysctl::apply_file(again, dump, "dump")) {
    fail("all() printed something apply_file refuses");
  }
  if (stack::sysctl::to_text(again) != stack::sysctl::to_text(cfg))
    fail("dump does not round-trip");
  return 0;
}
