// drill_run [--strict] [--fail-on-skip] FILE|DIR...: the interpreter without the CLI's
// packages, so that the sanitizer build runs the script suite too. Exit 0 when no script
// failed (and, with --fail-on-skip, none was skipped); 2 for bad arguments.
#include <iostream>
#include <string>
#include <vector>

#include "drill/suite.hpp"

int main(int argc, char** argv) {
  ustcp::drill::RunOptions opts;
  bool fail_on_skip = false;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--strict") {
      opts.strict = true;
    } else if (a == "--fail-on-skip") {
      fail_on_skip = true;
    } else if (a.rfind("--", 0) == 0) {
      std::cerr << "drill_run: unknown option " << a << "\n";
      return 2;
    } else {
      paths.push_back(a);
    }
  }
  auto scripts = ustcp::drill::collect_scripts(paths);
  if (!scripts) {
    std::cerr << "drill_run: " << scripts.error() << "\n";
    return 2;
  }
  auto t = ustcp::drill::run_suite(*scripts, opts, std::cout);
  if (t.failed > 0) return 1;
  if (fail_on_skip && t.skipped > 0) return 1;
  return 0;
}
