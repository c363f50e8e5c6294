// Many scripts: finds the .pkt files under the paths given and runs each, printing one
// result per script and the summary line `N passed, N failed, N skipped`.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "drill/interpreter.hpp"
#include "ustcp/base/expected.hpp"

namespace ustcp::drill {

// FILE or DIR arguments to script paths: a directory gives every *.pkt under it,
// recursively, sorted. Errors: a path that does not exist, a directory without scripts.
Expected<std::vector<std::string>, std::string> collect_scripts(
    const std::vector<std::string>& paths);

struct SuiteTotals {
  int passed = 0, failed = 0, skipped = 0;
};

// Runs the scripts in order, printing "PASS path", "FAIL path:line: ...", "SKIP ..." to out
// and the summary line last.
SuiteTotals run_suite(const std::vector<std::string>& scripts, const RunOptions& opts,
                      std::ostream& out);

}  // namespace ustcp::drill
