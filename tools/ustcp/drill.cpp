// `ustcp drill [--strict] [--verbose] FILE|DIR...`: packetdrill scripts against ustcp in
// virtual time. Exit 0 only when no script failed; 2 for bad arguments.
#include <fmt/core.h>

#include <iostream>

#include "commands.hpp"
#include "drill/suite.hpp"

namespace ustcp::cli {

int run_drill(const DrillOptions& opt) {
  auto scripts = drill::collect_scripts(opt.paths);
  if (!scripts) {
    fmt::print(stderr, "ustcp drill: {}\n", scripts.error());
    return 2;
  }
  drill::RunOptions ro;
  ro.strict = opt.strict;
  ro.verbose = opt.verbose;
  ro.trace = &std::cout;
  drill::SuiteTotals t = drill::run_suite(*scripts, ro, std::cout);
  return t.failed == 0 ? 0 : 1;
}

}  // namespace ustcp::cli
